/**
 * A bounded keep-alive HTTP load generator, run as a child process so neither its event loop nor
 * its CPU time mixes with the server's (the bench measures the server's CPU per request): `connections` loops each send GET requests back to back until `requests` are done or
 * `maxSeconds` pass. Reports throughput and latency percentiles.
 */
import http from "node:http";
import { z } from "zod";

export const loadOptions = z.object({
  url: z.url(),
  headers: z.record(z.string(), z.string()),
  connections: z.number().int().min(1),
  requests: z.number().int().min(1),
  maxSeconds: z.number().positive(),
});
export type LoadOptions = z.infer<typeof loadOptions>;

export const loadResult = z.object({
  done: z.number(),
  errors: z.number(),
  seconds: z.number(),
  rps: z.number(),
  p50ms: z.number(),
  p99ms: z.number(),
});
export type LoadResult = z.infer<typeof loadResult>;

function once(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  async function loop(): Promise<void> {
    while (issued < options.requests && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      try {
        const status = await once(agent, url, options.headers);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    done: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50ms: at(0.5),
    p99ms: at(0.99),
  };
}

if (process.argv[1] === import.meta.filename && process.argv[2]) {
  const result = await runLoad(loadOptions.parse(JSON.parse(process.argv[2])));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
