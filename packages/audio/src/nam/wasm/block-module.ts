/**
 * The WAT module a generated WaveNet kernel is: one memory and one exported `block(n, pos)` that
 * renders `n` frames from history position `pos`. The kernels differ only in their locals and body.
 */
export function blockModule(options: {
  pages: number;
  i32Locals: readonly string[];
  v128Locals: readonly string[];
  body: readonly string[];
}): string {
  return `(module
  (memory (export "memory") ${options.pages})
  (func (export "block") (param $n i32) (param $pos i32)
    ${options.i32Locals.map((l) => `(local ${l} i32)`).join(" ")}
    ${options.v128Locals.map((l) => `(local ${l} v128)`).join(" ")}
    ${options.body.join("\n    ")}
  )
)`;
}
