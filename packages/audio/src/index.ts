export { AudioError, type AudioErrorCode, isAudioError } from "./errors.ts";
export type { Activation } from "./nam/activations.ts";
export {
  type LstmModel,
  loadNamModelFile,
  NAM_DEFAULT_SAMPLE_RATE,
  type NamModel,
  parseNamModel,
  type WaveNetModel,
} from "./nam/model.ts";
export {
  createNamRenderer,
  type NamRenderer,
  type NamRendererOptions,
  type RenderNamOptions,
  renderNam,
} from "./nam/renderer.ts";
export { type NamFile, namFileSchema } from "./nam/schema.ts";
