import { resolveActivation } from "../activations.ts";
import type { ConvNetModel } from "../model.ts";
import { allocator, HISTORY_BLOCK, HISTORY_SPAN, type HistoryKernelPlan } from "./history-kernel.ts";
import { activationInPlace, CONST_POOL_END, Madd, SCRATCH_LOCALS } from "./simd-math.ts";

/**
 * ConvNet as a WebAssembly SIMD module generated for one model: frame by frame, each block's
 * kernel-2 dilated conv is column-broadcast f32x4 multiply-adds into register accumulators (output
 * channels padded to 4 with zero weights), then batchnorm (multiply, then add: NAM Core's two
 * float roundings) and the activation, stored as the next block's input history. The head is a
 * lane-wise product summed across lanes.
 */

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

export function planConvNetWasm(
  model: ConvNetModel,
  options: { fastTanh?: boolean; relaxed: boolean },
): HistoryKernelPlan {
  const m = new Madd(options.relaxed);
  const act = resolveActivation(model.activation, options.fastTanh ?? false);
  const C = model.channels;
  const Cp = pad4(C);
  const mv = Cp / 4;
  const lookback = Math.max(...model.blocks.map((b) => b.conv.dilation));
  const frames = lookback + HISTORY_SPAN;
  const mem = allocator(CONST_POOL_END);
  const init: [number, Float32Array][] = [];
  const input = mem.alloc(HISTORY_BLOCK);
  const output = mem.alloc(HISTORY_BLOCK);
  const histories: [number, number][] = [];
  const blocks = model.blocks.map((b, i) => {
    const I = i === 0 ? 1 : C;
    const Ip = pad4(I);
    const hist = mem.alloc(frames * Ip);
    histories.push([hist, Ip]);
    // [tap][in][out padded]
    const w = new Float32Array(2 * I * Cp);
    for (let o = 0; o < C; o++)
      for (let j = 0; j < I; j++)
        for (let k = 0; k < 2; k++) w[(k * I + j) * Cp + o] = b.conv.w[(o * I + j) * 2 + k]!;
    const at = { hist, I, Ip, w: mem.alloc(w.length), bias: -1, scale: -1, loc: -1, d: b.conv.dilation };
    init.push([at.w, w]);
    if (b.conv.bias) {
      at.bias = mem.alloc(Cp);
      init.push([at.bias, b.conv.bias]);
    }
    if (b.batchnorm) {
      at.scale = mem.alloc(Cp);
      at.loc = mem.alloc(Cp);
      init.push([at.scale, b.batchnorm.scale], [at.loc, b.batchnorm.loc]);
    }
    return at;
  });
  const headW = mem.alloc(Cp);
  const headB = mem.alloc(4);
  init.push([headW, model.headWeight], [headB, Float32Array.of(model.headBias)]);

  const g = (l: string) => `(local.get ${l})`;
  const set = (l: string, e: string) => `(local.set ${l} ${e})`;
  const vload = (offset: number, base = "(i32.const 0)") => `(v128.load offset=${offset} ${base})`;
  const A = (o: number) => `$a${o}`;
  const body: string[] = [];
  // Block 0 reads the input sample: put it into lane 0 of its history frame.
  body.push(
    set(
      "$p",
      `(i32.add (i32.const ${blocks[0]!.hist}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const 16)))`,
    ),
    `(v128.store ${g("$p")} (f32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (f32.load offset=${input} (i32.shl ${g("$t")} (i32.const 2)))))`,
  );
  blocks.forEach((b, bi) => {
    const S = b.Ip * 4;
    body.push(
      set(
        "$p",
        `(i32.add (i32.const ${b.hist}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const ${S})))`,
      ),
    );
    for (let o = 0; o < mv; o++)
      body.push(set(A(o), b.bias >= 0 ? vload(b.bias + o * 16) : "(v128.const i32x4 0 0 0 0)"));
    for (let k = 0; k < 2; k++) {
      // tap 0 is the older sample, d frames back
      const back = (1 - k) * b.d * S;
      for (let j = 0; j < b.I; j++) {
        body.push(set("$x", `(v128.load32_splat (i32.sub ${g("$p")} (i32.const ${back - j * 4})))`));
        for (let o = 0; o < mv; o++)
          body.push(set(A(o), m.emit(g("$x"), vload(b.w + ((k * b.I + j) * Cp + o * 4) * 4), g(A(o)))));
      }
    }
    for (let o = 0; o < mv; o++) {
      if (b.scale >= 0) {
        body.push(
          set(A(o), `(f32x4.add (f32x4.mul ${g(A(o))} ${vload(b.scale + o * 16)}) ${vload(b.loc + o * 16)})`),
        );
      }
      body.push(...activationInPlace(act, A(o), m));
    }
    const next = blocks[bi + 1];
    if (next) {
      body.push(
        set(
          "$p",
          `(i32.add (i32.const ${next.hist}) (i32.mul (i32.add ${g("$pos")} ${g("$t")}) (i32.const ${next.Ip * 4})))`,
        ),
      );
      for (let o = 0; o < mv; o++) body.push(`(v128.store offset=${o * 16} ${g("$p")} ${g(A(o))})`);
    }
  });
  // Head: y = b + sum over channels of w * x.
  body.push(set("$x", `(f32x4.mul ${g(A(0))} ${vload(headW)})`));
  for (let o = 1; o < mv; o++) body.push(set("$x", m.emit(g(A(o)), vload(headW + o * 16), g("$x"))));
  body.push(
    `(f32.store offset=${output} (i32.shl ${g("$t")} (i32.const 2)) (f32.add (f32.load offset=${headB} (i32.const 0)) (f32.add (f32.add (f32x4.extract_lane 0 ${g("$x")}) (f32x4.extract_lane 1 ${g("$x")})) (f32.add (f32x4.extract_lane 2 ${g("$x")}) (f32x4.extract_lane 3 ${g("$x")})))))`,
  );
  const v128Locals = [...Array.from({ length: mv }, (_, i) => A(i)), "$x", ...SCRATCH_LOCALS];
  init.push(m.constants());
  const wat = `(module
  (memory (export "memory") ${mem.pages})
  (func (export "block") (param $n i32) (param $pos i32)
    (local $t i32) (local $p i32)
    ${v128Locals.map((l) => `(local ${l} v128)`).join(" ")}
    (block $end (loop $frames
      ${body.join("\n      ")}
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $frames (i32.lt_u (local.get $t) (local.get $n)))
    ))
  )
)`;
  return { wat, input, output, lookback, frames, init, histories };
}
