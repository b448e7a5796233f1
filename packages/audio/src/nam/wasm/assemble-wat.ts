/**
 * A small assembler for the folded WAT our kernel generators write, straight to WebAssembly
 * bytes. wabt (the general tool, compiled to JS/wasm) took ~20 ms to load and ~100-150 ms to
 * parse and encode a 1.5 MB A1 kernel; this does it in a few ms, which is most of a one-shot
 * render's start-up. It knows exactly the subset the generators use (one module; memories,
 * functions and exports; params/results/locals; folded instructions, block/loop labels) and
 * throws on anything else, so a generator that starts using a new instruction fails loudly here
 * (the tests check its bytes against wabt's for every reference model).
 */

const TYPES: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

// Plain opcodes without immediates.
const PLAIN: Record<string, number> = {
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a,
  "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c,
  "i32.le_u": 0x4d,
  "i32.ge_s": 0x4e,
  "i32.ge_u": 0x4f,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.xor": 0x73,
  "i32.shl": 0x74,
  "i32.shr_s": 0x75,
  "i32.shr_u": 0x76,
  "f32.abs": 0x8b,
  "f32.neg": 0x8c,
  "f32.sqrt": 0x91,
  "f32.add": 0x92,
  "f32.sub": 0x93,
  "f32.mul": 0x94,
  "f32.div": 0x95,
  "f32.min": 0x96,
  "f32.max": 0x97,
  drop: 0x1a,
  select: 0x1b,
};

// SIMD (0xfd prefix) opcodes without immediates.
const SIMD: Record<string, number> = {
  "f32x4.splat": 0x13,
  "f32x4.eq": 0x41,
  "f32x4.ne": 0x42,
  "f32x4.lt": 0x43,
  "f32x4.gt": 0x44,
  "f32x4.le": 0x45,
  "f32x4.ge": 0x46,
  "v128.not": 0x4d,
  "v128.and": 0x4e,
  "v128.andnot": 0x4f,
  "v128.or": 0x50,
  "v128.xor": 0x51,
  "v128.bitselect": 0x52,
  "f32x4.ceil": 0x67,
  "f32x4.floor": 0x68,
  "f32x4.trunc": 0x69,
  "f32x4.nearest": 0x6a,
  "i32x4.shl": 0xab,
  "i32x4.shr_s": 0xac,
  "i32x4.shr_u": 0xad,
  "i32x4.add": 0xae,
  "i32x4.sub": 0xb1,
  "i32x4.mul": 0xb5,
  "f32x4.abs": 0xe0,
  "f32x4.neg": 0xe1,
  "f32x4.sqrt": 0xe3,
  "f32x4.add": 0xe4,
  "f32x4.sub": 0xe5,
  "f32x4.mul": 0xe6,
  "f32x4.div": 0xe7,
  "f32x4.min": 0xe8,
  "f32x4.max": 0xe9,
  "f32x4.pmin": 0xea,
  "f32x4.pmax": 0xeb,
  "i32x4.trunc_sat_f32x4_s": 0xf8,
  "i32x4.trunc_sat_f32x4_u": 0xf9,
  "f32x4.convert_i32x4_s": 0xfa,
  "f32x4.convert_i32x4_u": 0xfb,
  "i32x4.relaxed_trunc_f32x4_s": 0x101,
  "i32x4.relaxed_trunc_f32x4_u": 0x102,
  "f32x4.relaxed_madd": 0x105,
  "f32x4.relaxed_nmadd": 0x106,
};

// Memory access: [prefix or -1, opcode, natural alignment (log2)].
const MEMORY: Record<string, [number, number, number]> = {
  "i32.load": [-1, 0x28, 2],
  "f32.load": [-1, 0x2a, 2],
  "i32.store": [-1, 0x36, 2],
  "f32.store": [-1, 0x38, 2],
  "v128.load": [0xfd, 0x00, 4],
  "v128.load32_splat": [0xfd, 0x09, 2],
  "v128.store": [0xfd, 0x0b, 4],
};

const LANE: Record<string, number> = { "f32x4.extract_lane": 0x1f, "f32x4.replace_lane": 0x20 };

class Bytes {
  buf = new Uint8Array(1 << 16);
  length = 0;
  byte(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b;
  }
  u32(v: number): void {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }
  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }
  raw(bytes: ArrayLike<number>): void {
    if (this.length + bytes.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + bytes.length));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  name(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    this.raw(b);
  }
  section(id: number, content: Bytes): void {
    this.byte(id);
    this.u32(content.length);
    this.raw(content.buf.subarray(0, content.length));
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A tree of the text: an atom, or a parenthesised list (used for the module's declarations). */
type Node = string | Node[];

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;
const isDelimiter = (c: number) => c === 40 || c === 41 || isSpace(c);

/** Parse one parenthesised form starting at `text[i] === "("` into a tree; returns the end index. */
function parseForm(text: string, i: number): [Node[], number] {
  const stack: Node[][] = [];
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 40) {
      const list: Node[] = [];
      stack[stack.length - 1]?.push(list);
      stack.push(list);
      i++;
    } else if (c === 41) {
      const list = stack.pop()!;
      i++;
      if (stack.length === 0) return [list, i];
    } else if (isSpace(c)) {
      i++;
    } else {
      let j = i + 1;
      if (c === 34) {
        j = text.indexOf('"', i + 1) + 1;
        if (j === 0) throw new Error(`unterminated string at ${i}`);
      } else while (j < n && !isDelimiter(text.charCodeAt(j))) j++;
      stack[stack.length - 1]!.push(text.slice(i, j));
      i = j;
    }
  }
  throw new Error('unbalanced "("');
}

const atom = (node: Node | undefined, what: string): string => {
  if (typeof node !== "string") throw new Error(`expected ${what}`);
  return node;
};

function integer(s: string): number {
  const v = Number(s.replaceAll("_", ""));
  if (!Number.isInteger(v)) throw new Error(`expected an integer, got "${s}"`);
  return v;
}

function float32(s: string): number {
  if (s === "nan") return Number.NaN;
  if (s === "inf" || s === "+inf") return Number.POSITIVE_INFINITY;
  if (s === "-inf") return Number.NEGATIVE_INFINITY;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`expected a float, got "${s}"`);
  return v;
}

// Instruction kinds (how an instruction's immediates are read).
const K_STATIC = 0; // fixed bytes at ")"
const K_BLOCK = 1;
const K_BR = 2;
const K_LOCAL = 3;
const K_I32_CONST = 4;
const K_F32_CONST = 5;
const K_V128_CONST = 6;
const K_MEMORY = 7;
const K_LANE = 8;

interface OpInfo {
  kind: number;
  /** Bytes written at ")" (or at "(" for block/loop), before any immediates. */
  bytes: number[];
  /** Natural alignment (memory access). */
  align: number;
}

const uleb = (v: number, into: number[]) => {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    into.push(b);
  } while (v !== 0);
  return into;
};

const OPS = new Map<string, OpInfo>();
{
  const add = (name: string, kind: number, bytes: number[], align = 0) =>
    OPS.set(name, { kind, bytes, align });
  add("block", K_BLOCK, [0x02, 0x40]);
  add("loop", K_BLOCK, [0x03, 0x40]);
  add("br", K_BR, [0x0c]);
  add("br_if", K_BR, [0x0d]);
  add("local.get", K_LOCAL, [0x20]);
  add("local.set", K_LOCAL, [0x21]);
  add("local.tee", K_LOCAL, [0x22]);
  add("i32.const", K_I32_CONST, [0x41]);
  add("f32.const", K_F32_CONST, [0x43]);
  add("v128.const", K_V128_CONST, [0xfd, 0x0c]);
  add("memory.copy", K_STATIC, [0xfc, 10, 0, 0]);
  add("memory.fill", K_STATIC, [0xfc, 11, 0]);
  for (const [name, [prefix, code, align]] of Object.entries(MEMORY))
    add(name, K_MEMORY, prefix >= 0 ? uleb(code, [prefix]) : uleb(code, []), align);
  for (const [name, code] of Object.entries(LANE)) add(name, K_LANE, [0xfd, code]);
  for (const [name, code] of Object.entries(PLAIN)) add(name, K_STATIC, [code]);
  for (const [name, code] of Object.entries(SIMD)) add(name, K_STATIC, uleb(code, [0xfd]));
}

/**
 * Encode the folded instructions of a function body starting at text[i], in one pass without
 * building a tree: "(" opens an instruction, whose immediates are the atoms right after its name;
 * its operands follow; at ")" its opcode and immediates are written (block/loop write their
 * header at "(" and `end` at ")"). Stops at the ")" that closes the function; returns its index.
 */
function encodeBody(text: string, i: number, names: Map<string, number>, out: Bytes): number {
  const n = text.length;
  // Pending bytes per open instruction: a stack of up to 16 bytes each.
  let depth = 0;
  let pending = new Uint8Array(16 * 64);
  let pendingLen = new Uint8Array(64);
  const labels: string[] = [];
  const labelDepths: number[] = [];
  const scratch = new DataView(new ArrayBuffer(16));
  const readAtom = (): string => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    let j = i;
    while (j < n && !isDelimiter(text.charCodeAt(j))) j++;
    const s = text.slice(i, j);
    i = j;
    return s;
  };
  /** The next atom if one comes before the next "(" or ")", else "". */
  const peekAtom = (): string => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    return c === 40 || c === 41 ? "" : readAtom();
  };
  const push = (bytes: readonly number[], extra?: readonly number[]) => {
    if (depth === pendingLen.length) {
      const p = new Uint8Array(pending.length * 2);
      p.set(pending);
      pending = p;
      const l = new Uint8Array(pendingLen.length * 2);
      l.set(pendingLen);
      pendingLen = l;
    }
    const at = depth * 16;
    let len = 0;
    for (const b of bytes) pending[at + len++] = b;
    if (extra) for (const b of extra) pending[at + len++] = b;
    pendingLen[depth++] = len;
  };
  const tmp: number[] = [];
  for (;;) {
    if (i >= n) throw new Error('unbalanced "("');
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 41) {
      if (depth === 0) return i;
      i++;
      depth--;
      if (labelDepths.length && labelDepths[labelDepths.length - 1] === depth) {
        labels.pop();
        labelDepths.pop();
      }
      const at = depth * 16;
      const len = pendingLen[depth]!;
      for (let b = 0; b < len; b++) out.byte(pending[at + b]!);
      continue;
    }
    if (c !== 40) throw new Error(`unfolded instruction at ${i} is not supported`);
    i++;
    const op = readAtom();
    const info = OPS.get(op);
    if (!info) throw new Error(`instruction "${op}" is not supported`);
    tmp.length = 0;
    switch (info.kind) {
      case K_STATIC:
        push(info.bytes);
        break;
      case K_BLOCK: {
        out.raw(info.bytes);
        const label = peekAtom();
        if (label && !label.startsWith("$")) throw new Error(`bad label ${label}`);
        labels.push(label);
        labelDepths.push(depth);
        push([0x0b]);
        break;
      }
      case K_BR: {
        const label = readAtom();
        const d = label.startsWith("$") ? labels.length - 1 - labels.lastIndexOf(label) : integer(label);
        if (d < 0 || d >= labels.length) throw new Error(`unknown label ${label}`);
        push(info.bytes, uleb(d, tmp));
        break;
      }
      case K_LOCAL: {
        const s = readAtom();
        const idx = s.startsWith("$") ? names.get(s) : integer(s);
        if (idx === undefined) throw new Error(`unknown local ${s}`);
        push(info.bytes, uleb(idx, tmp));
        break;
      }
      case K_I32_CONST:
        out.byte(0x41);
        out.s32(integer(readAtom()));
        push([]);
        break;
      case K_F32_CONST:
        out.byte(0x43);
        scratch.setFloat32(0, float32(readAtom()), true);
        for (let b = 0; b < 4; b++) out.byte(scratch.getUint8(b));
        push([]);
        break;
      case K_V128_CONST: {
        const shape = readAtom();
        for (let l = 0; l < 4; l++) {
          const s = readAtom();
          if (shape === "f32x4") scratch.setFloat32(l * 4, float32(s), true);
          else if (shape === "i32x4") scratch.setInt32(l * 4, integer(s), true);
          else throw new Error(`v128.const ${shape} is not supported`);
        }
        out.raw(info.bytes);
        for (let b = 0; b < 16; b++) out.byte(scratch.getUint8(b));
        push([]);
        break;
      }
      case K_MEMORY: {
        let offset = 0;
        let align = info.align;
        for (let s = peekAtom(); s; s = peekAtom()) {
          if (s.startsWith("offset=")) offset = integer(s.slice(7));
          else if (s.startsWith("align=")) align = Math.log2(integer(s.slice(6)));
          else throw new Error(`unknown memory immediate ${s}`);
        }
        uleb(align, tmp);
        uleb(offset, tmp);
        push(info.bytes, tmp);
        break;
      }
      case K_LANE:
        push(info.bytes, [integer(readAtom())]);
        break;
    }
  }
}

interface Func {
  params: number[];
  results: number[];
  locals: number[];
  names: Map<string, number>;
  /** The encoded locals and body. */
  code: Bytes;
}

const skipSpace = (text: string, i: number) => {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
};

/** The keyword after the "(" at text[i]. */
const keyword = (text: string, i: number) => {
  let j = i + 1;
  while (j < text.length && !isDelimiter(text.charCodeAt(j))) j++;
  return text.slice(i + 1, j);
};

/** Assemble one `(module ...)` of the supported subset into WebAssembly binary. */
export function assembleWat(text: string): Uint8Array {
  let i = skipSpace(text, 0);
  if (keyword(text, i) !== "module") throw new Error("expected (module ...)");
  i += "(module".length;
  const memories: number[] = [];
  const funcs: Func[] = [];
  const exports: { name: string; kind: number; index: number }[] = [];
  const exportOf = (field: Node[], kind: number, index: number): number => {
    let k = 1;
    if (typeof field[1] === "string" && field[1].startsWith("$")) k = 2;
    while (Array.isArray(field[k]) && (field[k] as Node[])[0] === "export") {
      const name = atom((field[k] as Node[])[1], "an export name");
      exports.push({ name: name.slice(1, -1), kind, index });
      k++;
    }
    return k;
  };
  for (i = skipSpace(text, i); text.charCodeAt(i) === 40; i = skipSpace(text, i)) {
    const kind = keyword(text, i);
    if (kind === "memory") {
      const [field, next] = parseForm(text, i);
      const k = exportOf(field, 0x02, memories.length);
      memories.push(integer(atom(field[k], "a page count")));
      if (field.length !== k + 1) throw new Error("memory: only a minimum size is supported");
      i = next;
    } else if (kind === "func") {
      const f: Func = { params: [], results: [], locals: [], names: new Map(), code: new Bytes() };
      // The name, exports and declarations, each parsed as a small tree.
      i = skipSpace(text, i + "(func".length);
      if (text.charCodeAt(i) === 36) {
        while (!isDelimiter(text.charCodeAt(i))) i++;
        i = skipSpace(text, i);
      }
      const declare = (list: number[], decl: Node[]) => {
        const named = typeof decl[1] === "string" && decl[1].startsWith("$");
        if (named) {
          f.names.set(decl[1] as string, f.params.length + f.locals.length);
          list.push(TYPES[atom(decl[2], "a type")] ?? Number.NaN);
        } else {
          for (const t of decl.slice(1)) list.push(TYPES[atom(t, "a type")] ?? Number.NaN);
        }
        if (list.some(Number.isNaN)) throw new Error(`unknown type in (${decl.join(" ")})`);
      };
      for (; text.charCodeAt(i) === 40; i = skipSpace(text, i)) {
        const kw = keyword(text, i);
        if (kw !== "export" && kw !== "param" && kw !== "result" && kw !== "local") break;
        const [d, next] = parseForm(text, i);
        if (kw === "export")
          exports.push({ name: atom(d[1], "an export name").slice(1, -1), kind: 0, index: funcs.length });
        else if (kw === "param") {
          if (f.locals.length) throw new Error("param after local");
          declare(f.params, d);
        } else if (kw === "result") declare(f.results, d);
        else declare(f.locals, d);
        i = next;
      }
      // Locals as runs of one type, in declaration order.
      const runs: [number, number][] = [];
      for (const t of f.locals) {
        const last = runs[runs.length - 1];
        if (last && last[1] === t) last[0]++;
        else runs.push([1, t]);
      }
      f.code.u32(runs.length);
      for (const [count, t] of runs) {
        f.code.u32(count);
        f.code.byte(t);
      }
      i = encodeBody(text, i, f.names, f.code) + 1;
      f.code.byte(0x0b);
      funcs.push(f);
    } else {
      throw new Error(`module field "${kind}" is not supported`);
    }
  }
  if (text.charCodeAt(i) !== 41 || skipSpace(text, i + 1) !== text.length) {
    throw new Error(`expected the end of the module at ${i}`);
  }

  const out = new Bytes();
  out.raw([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  // Types, deduplicated by signature.
  const sigs: string[] = [];
  const typeOf = funcs.map((f) => {
    const sig = `${f.params.join(",")}:${f.results.join(",")}`;
    let t = sigs.indexOf(sig);
    if (t < 0) t = sigs.push(sig) - 1;
    return t;
  });
  if (funcs.length) {
    const s = new Bytes();
    s.u32(sigs.length);
    for (const sig of sigs) {
      const [p, r] = sig.split(":") as [string, string];
      s.byte(0x60);
      for (const list of [p, r]) {
        const types = list ? list.split(",").map(Number) : [];
        s.u32(types.length);
        s.raw(types);
      }
    }
    out.section(1, s);
    const fs = new Bytes();
    fs.u32(funcs.length);
    for (const t of typeOf) fs.u32(t);
    out.section(3, fs);
  }
  if (memories.length) {
    const s = new Bytes();
    s.u32(memories.length);
    for (const min of memories) {
      s.byte(0x00);
      s.u32(min);
    }
    out.section(5, s);
  }
  if (exports.length) {
    const s = new Bytes();
    s.u32(exports.length);
    for (const e of exports) {
      s.name(e.name);
      s.byte(e.kind);
      s.u32(e.index);
    }
    out.section(7, s);
  }
  if (funcs.length) {
    const s = new Bytes();
    s.u32(funcs.length);
    for (const f of funcs) {
      const body = f.code;
      s.u32(body.length);
      s.raw(body.buf.subarray(0, body.length));
    }
    out.section(10, s);
  }
  return out.bytes();
}
