import { type ProgressLog, parseLog } from "./progress-log.ts";

// sessionStorage: per tab, survives reloads, gone with the tab. The server holds the full history;
// this only saves asking for it again and tells the subscription where to resume.
const key = (jobId: string) => `shootout:job-progress:${jobId}`;

export function loadProgressLog(jobId: string): ProgressLog {
  try {
    return parseLog(window.sessionStorage.getItem(key(jobId)));
  } catch {
    return parseLog(null);
  }
}

export function saveProgressLog(jobId: string, log: ProgressLog): void {
  try {
    window.sessionStorage.setItem(key(jobId), JSON.stringify(log));
  } catch {
    // Storage full or disabled: the page still works, a reload just replays from the server.
  }
}
