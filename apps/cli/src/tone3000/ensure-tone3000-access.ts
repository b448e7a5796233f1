import { type Tone3000SignInReason, Tone3000SignInRequiredError } from "@shootout/router";
import { isTone3000Error } from "@shootout/tone3000";
import type { InProcessRuntime } from "../backend/in-process-runtime.ts";
import { findUser, resolveUser } from "../backend/resolve-user.ts";
import { CliFailure } from "../cli-errors.ts";
import { headlessTone3000Login } from "./headless-login.ts";

type Access = { ok: true } | { ok: false; reason: string };

const REASONS: Record<Tone3000SignInReason, string> = {
  no_tokens: "no Tone 3000 access is stored for it",
  unreadable: "its stored Tone 3000 access cannot be read with this token key",
  revoked: "Tone 3000 refused its stored access",
  no_user: "the account no longer exists",
};

/**
 * Before a render is asked for: the acting user's Tone 3000 access works (a call with their stored
 * tokens, refreshed if due), because the render downloads each model with it. Without working
 * access the in-process stand-in's own player is signed in on the spot (it approves without a
 * browser; on a fresh checkout that also creates the user); anyone else is stopped now, with what
 * to do, rather than by a failed render. Nothing to check when this process has no Tone 3000
 * (Postgres without TONE3000_BASE_URL: the workers' configuration decides).
 */
export async function ensureTone3000Access(
  runtime: InProcessRuntime,
  userRef: string,
  say: (line: string) => void,
): Promise<void> {
  const services = runtime.tone3000Services;
  if (!services) return;
  const { db } = runtime.database;
  const standIn = services.standIn;
  const localId = standIn?.autoApprovedUser || null;
  const localName = localId ? (standIn?.catalog.users.get(localId)?.username ?? null) : null;

  const user = await findUser(db, userRef);
  const isLocal = user ? user.tone3000Id === localId : userRef === localName || userRef === localId;
  if (!user && !isLocal) await resolveUser(db, userRef); // says who is unknown

  let why = "no such user yet";
  if (user) {
    const access = await checkAccess(runtime, user.id, services.baseUrl);
    if (access.ok) return;
    why = access.reason;
  }
  if (isLocal && standIn) {
    const signedIn = await headlessTone3000Login(services, db);
    say(`signed in to the Tone 3000 stand-in as ${signedIn.username} (${why})`);
    return;
  }
  const name = user?.username ?? userRef;
  if (standIn) {
    throw new CliFailure(
      `${name} cannot download models (${why}), and the bundled Tone 3000 stand-in signs in only its own player "${localName ?? "?"}" (Tone 3000 id ${localId ?? "none"}): run as --user ${localName ?? "<its username>"} (\`shootout login\` signs it in)`,
    );
  }
  throw new CliFailure(
    `${name} has no working Tone 3000 access (${why}), which the render needs to download models: sign in once through the web app, or use --api with a token`,
  );
}

/** One authenticated call: refreshes stored tokens that are due, and says what is wrong if none work. */
async function checkAccess(runtime: InProcessRuntime, userId: string, baseUrl: string): Promise<Access> {
  const clientFor = runtime.tone3000;
  if (!clientFor) return { ok: true };
  try {
    await (await clientFor(userId)).getUser();
    return { ok: true };
  } catch (error) {
    if (error instanceof Tone3000SignInRequiredError) return { ok: false, reason: REASONS[error.reason] };
    if (isTone3000Error(error, "unauthorized")) return { ok: false, reason: REASONS.revoked };
    if (isTone3000Error(error)) {
      throw new CliFailure(`could not check Tone 3000 access at ${baseUrl}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
