import { defineConfig } from "vite";

// `pnpm --filter @shootout/web dev`: Vite on :5173 proxying the API (start it with
// PUBLIC_URL=http://localhost:5173 so the sign-in comes back through this proxy). The Host header
// is kept as is: the API honours the session cookie only for its own origin.
const api = process.env.SHOOTOUT_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/trpc": { target: api, ws: true },
      "/auth": { target: api },
      "/files": { target: api },
      "/healthz": { target: api },
    },
  },
});
