import path from "node:path";
import type { FileOutput } from "@shootout/router";
import type { Backend, ShootoutCreate } from "../backend/backend.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { formatBytes } from "../output/format.ts";

/**
 * Uploads the config's DI and IRs (each distinct file once, even when several tones share an IR)
 * and returns the router's input: the config with file ids where it had paths.
 */
export async function uploadInputs(
  backend: Backend,
  loaded: LoadedConfig,
  say: (line: string) => void,
): Promise<{ input: ShootoutCreate; uploads: FileOutput[] }> {
  const uploads: FileOutput[] = [];
  const byPath = new Map<string, FileOutput>();
  async function uploadOnce(kind: "di" | "ir", filePath: string): Promise<FileOutput> {
    const key = `${kind}:${filePath}`;
    const known = byPath.get(key);
    if (known) return known;
    const file = await backend.upload(kind, filePath, path.basename(filePath));
    byPath.set(key, file);
    uploads.push(file);
    say(
      `uploaded ${kind} ${file.name} (${formatBytes(file.sizeBytes)}, sha256 ${file.sha256.slice(0, 12)}…)`,
    );
    return file;
  }

  const di = await uploadOnce("di", loaded.diPath);
  const irIds: (string | null)[] = [];
  for (const irPath of loaded.irPaths) irIds.push(irPath ? (await uploadOnce("ir", irPath)).id : null);

  const { di: _di, $schema: _schema, tones, ...rest } = loaded.config;
  return {
    input: {
      ...rest,
      diFileId: di.id,
      tones: tones.map(({ ir: _ir, cabinet, ...tone }, i) => {
        const irFileId = irIds[i] ?? null;
        if (cabinet?.source === "tone3000") return { ...tone, cabinet };
        if (cabinet?.source === "file" && irFileId) {
          return { ...tone, cabinet: { source: "upload" as const, irFileId } };
        }
        return { ...tone, irFileId };
      }),
    },
    uploads,
  };
}
