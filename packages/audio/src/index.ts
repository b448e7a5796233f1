// Errors

export { type ImageOptions, spectrumPng, waveformPng } from "./analysis/images.ts";
// Analysis
export {
  integratedLoudness,
  type LoudnessMatchResult,
  type LoudnessOptions,
  matchLoudness,
} from "./analysis/loudness.ts";
export { type AudioMetrics, type BandRatios, measure, metricsToJson } from "./analysis/metrics.ts";
export { samplePeak, toDb, truePeak, truePeakDb } from "./analysis/peak.ts";
export { averagePowerSpectrum } from "./analysis/spectrum.ts";
export { type TrimOptions, type TrimResult, trimSilence } from "./analysis/trim.ts";
// Chain pieces
export {
  Biquad,
  type BiquadCoefficients,
  biquadMagnitude,
  highPass,
  highShelf,
  lowPass,
} from "./dsp/biquad.ts";
export { convolve, PartitionedConvolver } from "./dsp/convolver.ts";
export {
  applyDelay,
  DEFAULT_BPM,
  type DelayParams,
  type DelayPreset,
  delayPresetParams,
} from "./dsp/delay.ts";
export {
  EFFECT_PRESETS,
  type Effect,
  type EffectPreset,
  type EffectSpec,
  type EqPreset,
  effectSpecSchema,
  formatEffect,
  GAIN_DB_LIMIT,
  parsedEffectSchema,
  parseEffect,
  parseEffectSpec,
} from "./dsp/effect-spec.ts";
export { type ApplyEffectsOptions, applyEffects, EQ_PRESETS } from "./dsp/effects.ts";
export { applyGainDb, dbToGain, gainToDb } from "./dsp/gain.ts";
export { applyReverb, REVERB_PRESETS, type ReverbParams, type ReverbPreset } from "./dsp/reverb.ts";
export { AudioError, type AudioErrorCode, isAudioError } from "./errors.ts";
export { decodeAiff } from "./io/aiff.ts";
// Audio I/O
export { decodeAudio } from "./io/decode.ts";
export { decodeWithFfmpeg, hasFfmpeg } from "./io/ffmpeg.ts";
export { decodeFlac, encodeFlac, type FlacEncodeOptions } from "./io/flac.ts";
export { AUDIO_LIMITS, DECODABLE_BIT_DEPTHS, isDecodableBitDepth } from "./io/limits.ts";
export { mixToMono, type PreparedInput, prepareInput } from "./io/prepare.ts";
export { type AudioFacts, probeAudio } from "./io/probe.ts";
export { type ResampleQuality, resample, TARGET_SAMPLE_RATE } from "./io/resample.ts";
export { type AudioFileType, sniffAudioType } from "./io/sniff.ts";
export type { DecodedAudio } from "./io/types.ts";
export { unusableAudioReason } from "./io/usable-audio.ts";
export { decodeWav, encodeWav, type WavEncoding } from "./io/wav.ts";
// NAM
export type { Activation } from "./nam/activations.ts";
export {
  type NamModelInfo,
  type NamModelSizeInfo,
  namModelInfo,
  namModelInfoSchema,
  namModelSizeInfoSchema,
} from "./nam/info.ts";
export {
  type ConvNetModel,
  type LinearModel,
  type LstmModel,
  loadNamModelFile,
  NAM_ARCHITECTURES,
  NAM_DEFAULT_SAMPLE_RATE,
  type NamModel,
  parseNamModel,
  prewarmOf,
  receptiveFieldOf,
  type SlimmableContainerModel,
  type WaveNetModel,
} from "./nam/model.ts";
export {
  createJsNamRenderer,
  createNamRenderer,
  type NamRenderer,
  type NamRendererOptions,
  namWasmAvailable,
  namWasmCovers,
  type RenderNamOptions,
  renderNam,
} from "./nam/renderer.ts";
export { type NamFile, namFileSchema } from "./nam/schema.ts";
export {
  isSlimmable,
  type NamModelSize,
  namModelSizes,
  namSizeBreakpoints,
  slimNamModel,
} from "./nam/slim.ts";
export { EARLIEST_NAM_FILE_VERSION, LATEST_NAM_FILE_VERSION } from "./nam/version.ts";
