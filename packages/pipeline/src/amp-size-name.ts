import { type NamModel, namModelSizes } from "@shootout/audio";

/**
 * How a tone's chosen size of a slimmable capture is named for a listener: "smallest (WaveNet 3
 * ch)", "full (WaveNet 8 ch)", "size 2 of 3 (…)"; null for a model with one size, where there is
 * nothing to tell apart.
 */
export function ampSizeName(model: NamModel, slim: number | null): string | null {
  const sizes = namModelSizes(model);
  if (sizes.length < 2) return null;
  const value = slim ?? 1;
  const size = sizes.find((s) => value >= s.from && value < s.to) ?? sizes[sizes.length - 1]!;
  const which =
    size.index === 0
      ? "smallest"
      : size.index === sizes.length - 1
        ? "full"
        : `size ${size.index + 1} of ${sizes.length}`;
  return `${which} (${size.label})`;
}
