import { AudioError } from "../errors.ts";

/** The `.nam` file versions NAM Core daae2d0b (0.5.5) reads; a later version may hold what we cannot. */
export const EARLIEST_NAM_FILE_VERSION = "0.5.0";
export const LATEST_NAM_FILE_VERSION = "0.7.0";

const parse = (v: string) => v.split(".").map(Number) as [number, number, number];
const compare = (a: [number, number, number], b: [number, number, number]) =>
  a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

export function checkNamFileVersion(version: string, path: string): void {
  const at = path ? `${path}.version` : "version";
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new AudioError("INVALID_NAM", `${at}: "${version}" is not a version (major.minor.patch)`);
  }
  const v = parse(version);
  if (compare(v, parse(LATEST_NAM_FILE_VERSION)) > 0) {
    throw new AudioError(
      "UNSUPPORTED_VERSION",
      `made by a newer NAM (version ${version}); this build reads up to ${LATEST_NAM_FILE_VERSION}`,
    );
  }
  if (compare(v, parse(EARLIEST_NAM_FILE_VERSION)) < 0) {
    throw new AudioError(
      "UNSUPPORTED_VERSION",
      `made by an old NAM (version ${version}); this build reads ${EARLIEST_NAM_FILE_VERSION} to ${LATEST_NAM_FILE_VERSION}`,
    );
  }
}
