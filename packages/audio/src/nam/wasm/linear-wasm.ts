import type { LinearModel } from "../model.ts";
import { allocator, HISTORY_BLOCK, HISTORY_SPAN, type HistoryKernelPlan } from "./history-kernel.ts";
import { CONST_POOL_END, Madd } from "./simd-math.ts";

/**
 * Linear (a FIR with bias) as a WebAssembly SIMD module: per output sample, f32x4 products of the
 * time-reversed impulse response with the last taps of the input history (unaligned loads),
 * summed across lanes. The response is zero-padded at its old end to a multiple of 16 taps.
 */
export function planLinearWasm(model: LinearModel, options: { relaxed: boolean }): HistoryKernelPlan {
  const m = new Madd(options.relaxed);
  const K = model.receptiveField;
  const Kp = Math.ceil(K / 16) * 16;
  const lookback = Kp - 1;
  const frames = lookback + HISTORY_SPAN;
  const mem = allocator(CONST_POOL_END);
  const input = mem.alloc(HISTORY_BLOCK);
  const output = mem.alloc(HISTORY_BLOCK);
  const hist = mem.alloc(frames + 4);
  // wr[i] multiplies x[t - (Kp - 1) + i]: wr[Kp - 1 - k] = impulse[k].
  const wr = new Float32Array(Kp);
  for (let k = 0; k < K; k++) wr[Kp - 1 - k] = model.impulse[k]!;
  const w = mem.alloc(Kp);
  const bias = mem.alloc(4);
  const init: [number, Float32Array][] = [
    [w, wr],
    [bias, Float32Array.of(model.bias)],
  ];
  const g = (l: string) => `(local.get ${l})`;
  const acc = ["$a0", "$a1", "$a2", "$a3"];
  init.push(m.constants());
  const wat = `(module
  (memory (export "memory") ${mem.pages})
  (func (export "block") (param $n i32) (param $pos i32)
    (local $t i32) (local $p i32) (local $q i32) (local $i i32)
    ${acc.map((a) => `(local ${a} v128)`).join(" ")}
    (block $end (loop $frames
      (f32.store offset=${hist} (i32.shl (i32.add ${g("$pos")} ${g("$t")}) (i32.const 2))
        (f32.load offset=${input} (i32.shl ${g("$t")} (i32.const 2))))
      (local.set $p (i32.add (i32.const ${hist - lookback * 4}) (i32.shl (i32.add ${g("$pos")} ${g("$t")}) (i32.const 2))))
      (local.set $q (i32.const ${w}))
      ${acc.map((a) => `(local.set ${a} (v128.const i32x4 0 0 0 0))`).join(" ")}
      (local.set $i (i32.const 0))
      (block $taps_end (loop $taps
        ${acc.map((a, j) => `(local.set ${a} ${m.emit(`(v128.load offset=${j * 16} ${g("$p")})`, `(v128.load offset=${j * 16} ${g("$q")})`, g(a))})`).join("\n        ")}
        (local.set $p (i32.add ${g("$p")} (i32.const 64)))
        (local.set $q (i32.add ${g("$q")} (i32.const 64)))
        (local.set $i (i32.add ${g("$i")} (i32.const 16)))
        (br_if $taps (i32.lt_u ${g("$i")} (i32.const ${Kp})))
      ))
      (local.set $a0 (f32x4.add (f32x4.add ${g("$a0")} ${g("$a1")}) (f32x4.add ${g("$a2")} ${g("$a3")})))
      (f32.store offset=${output} (i32.shl ${g("$t")} (i32.const 2))
        (f32.add (f32.load offset=${bias} (i32.const 0))
          (f32.add (f32.add (f32x4.extract_lane 0 ${g("$a0")}) (f32x4.extract_lane 1 ${g("$a0")}))
                   (f32.add (f32x4.extract_lane 2 ${g("$a0")}) (f32x4.extract_lane 3 ${g("$a0")})))))
      (local.set $t (i32.add ${g("$t")} (i32.const 1)))
      (br_if $frames (i32.lt_u ${g("$t")} ${g("$n")}))
    ))
  )
)`;
  return { wat, input, output, lookback, frames, init, histories: [[hist, 1]] };
}
