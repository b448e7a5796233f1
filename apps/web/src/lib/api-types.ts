// Types only: the router package is never bundled (test/bundle.test.ts checks the build output).
import type { AppRouter, RouterInputs, RouterOutputs } from "@shootout/router";

export type { AppRouter, RouterInputs, RouterOutputs };
export type Me = NonNullable<RouterOutputs["auth"]["me"]>;
export type Shootout = RouterOutputs["shootouts"]["get"];
export type ToneSelection = Shootout["tones"][number];
export type Job = RouterOutputs["jobs"]["get"];
export type JobStatus = Job["status"];
export type FileInfo = RouterOutputs["files"]["get"];
export type Tone = RouterOutputs["tones"]["search"]["items"][number];
export type ToneModel = RouterOutputs["tones"]["models"]["items"][number];
export type ModelInfo = RouterOutputs["tones"]["modelInfo"];
export type ShootoutCreateInput = RouterInputs["shootouts"]["create"];
export type ToneSelectionInput = ShootoutCreateInput["tones"][number];
export type OutputFormat = Shootout["outputFormats"][number];
