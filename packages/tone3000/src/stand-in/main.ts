// Starts the Tone 3000 stand-in as a process:
//   PORT=4300 node packages/tone3000/src/stand-in/main.ts
// Env: PORT (default 4300), HOST (127.0.0.1), PUBLIC_URL, T3K_CLIENT_ID + T3K_REDIRECT_URIS
// (comma-separated) to register your app, RATE_LIMIT_PER_MINUTE, ACCESS_TOKEN_TTL_SECONDS,
// STATE_FILE (keep issued tokens across restarts in this JSON file), FILES_URL (where model_url
// points; default the www. twin), CHOOSER=1 (a sign-in page to pick the catalogue user).
import { z } from "zod";
import { createTone3000StandIn, DEFAULT_STAND_IN_CLIENT } from "./server.ts";

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4300),
  HOST: z.string().default("127.0.0.1"),
  PUBLIC_URL: z.url().optional(),
  T3K_CLIENT_ID: z.string().min(1).optional(),
  T3K_REDIRECT_URIS: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().positive().optional(),
  STATE_FILE: z.string().min(1).optional(),
  FILES_URL: z.url().optional(),
  CHOOSER: z.enum(["0", "1"]).default("0"),
});
const env = Env.parse(process.env);

const clients = [DEFAULT_STAND_IN_CLIENT];
if (env.T3K_CLIENT_ID) {
  clients.push({
    clientId: env.T3K_CLIENT_ID,
    redirectUris: (env.T3K_REDIRECT_URIS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  });
}

const standIn = await createTone3000StandIn({
  port: env.PORT,
  host: env.HOST,
  publicUrl: env.PUBLIC_URL,
  clients,
  rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
  accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
  stateFile: env.STATE_FILE,
  filesUrl: env.FILES_URL,
  chooser: env.CHOOSER === "1",
});
console.log(`Tone 3000 stand-in listening on ${standIn.url} (files on ${standIn.filesUrl})`);
for (const client of clients)
  console.log(`  client ${client.clientId} → ${client.redirectUris.join(", ") || "(no redirect URIs)"}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    standIn.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
