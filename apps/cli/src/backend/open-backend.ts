import { ConfigError, type Env, loadEnv } from "@shootout/config";
import { z } from "zod";
import { CliFailure, UsageError } from "../cli-errors.ts";
import { createCliLogger } from "../logger.ts";
import type { Backend } from "./backend.ts";
import { createInProcessBackend } from "./in-process-backend.ts";
import { type InProcessRuntime, openInProcessRuntime, type RuntimeNeeds } from "./in-process-runtime.ts";
import { createRemoteBackend } from "./remote-backend.ts";

export interface IdentityArgs {
  user?: string | undefined;
  token?: string | undefined;
  api?: string | undefined;
}

export interface OpenedBackend {
  readonly backend: Backend;
  /** Set in-process: what runs in this process (worker, queue…). */
  readonly runtime: InProcessRuntime | null;
  close(graceSeconds?: number): Promise<void>;
}

const apiUrl = z.url({ protocol: /^https?$/ });

/** The environment, or a failure listing every bad variable. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  try {
    return loadEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliFailure(error.message);
    throw error;
  }
}

export interface OpenOptions {
  /**
   * In-process only: runs once the runtime is open and before `--user` is resolved (it may create
   * that user, e.g. by signing in the Tone 3000 stand-in's player).
   */
  readonly prepareUser?: (runtime: InProcessRuntime, userRef: string) => Promise<void>;
}

/**
 * In-process as `--user` (on this machine's database), or remote with `--api` and a bearer token.
 * Exactly one of them; anything ambiguous is a usage error rather than a guess.
 */
export async function openBackend(
  command: string,
  args: IdentityArgs,
  needs: RuntimeNeeds,
  env: NodeJS.ProcessEnv = process.env,
  options: OpenOptions = {},
): Promise<OpenedBackend> {
  const api = args.api ?? (args.user ? undefined : env.SHOOTOUT_API || undefined);
  const token = args.token ?? (args.user ? undefined : env.SHOOTOUT_TOKEN || undefined);
  if (args.user && (args.api || args.token)) {
    throw new UsageError("--user (in-process) and --api/--token (remote) do not go together", { command });
  }
  if (!args.user) {
    if (!api && !token) {
      throw new UsageError("say who: --user <id|username>, or --api <url> with --token <bearer>", {
        command,
      });
    }
    if (!api) throw new UsageError("--token needs --api <url> (or SHOOTOUT_API)", { command });
    if (!token) throw new UsageError("--api needs --token <bearer> (or SHOOTOUT_TOKEN)", { command });
    if (!apiUrl.safeParse(api).success)
      throw new UsageError(`--api: not an http(s) URL: ${api}`, { command });
    const backend = createRemoteBackend(api, token);
    return { backend, runtime: null, close: () => backend.close() };
  }

  const parsedEnv = readEnv(env);
  const log = createCliLogger(env);
  const runtime = await openInProcessRuntime(parsedEnv, log, needs);
  try {
    await options.prepareUser?.(runtime, args.user);
    const backend = await createInProcessBackend(runtime, parsedEnv, log, args.user);
    return {
      backend,
      runtime,
      async close(graceSeconds = 0) {
        await backend.close();
        await runtime.close(graceSeconds);
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
