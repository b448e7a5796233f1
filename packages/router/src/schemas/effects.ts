/**
 * Effects a tone may add after its amp and cab, by name: the audio package's vocabulary (the
 * renderer has a fixed implementation of each preset, plus `gain:<dB>`), imported from its
 * DSP-free module so the router shares it without loading the renderer.
 */
export {
  EFFECT_PRESETS,
  type EffectSpec as Effect,
  effectSpecSchema as effectSchema,
  GAIN_DB_LIMIT,
} from "@shootout/audio/effect-spec";
