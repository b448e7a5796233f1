import fc from "fast-check";
import { z } from "zod";

/**
 * fast-check arbitraries derived from a zod 4 schema, by way of its JSON Schema
 * (`z.toJSONSchema`, input side): valid values, boundary values, and hostile ones mixed in at
 * every node, so a hostile leaf usually sits inside an otherwise valid input and gets past
 * validation of everything around it. zod-fast-check, the existing bridge, supports zod 3 and
 * fast-check 3 only.
 *
 * What our router's schemas use is covered: objects (required, optional, defaults), strings
 * (min/max length, regex, uuid and date-time formats), numbers (int, min/max), booleans, enums,
 * literals, arrays (min/max items), unions, nullable/optional. Refinements (superRefine) have no
 * JSON Schema form: mix in valid values for them through `byName`.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export interface SchemaArbitraryOptions {
  /**
   * Values to mix in for properties of these names (real ids of existing rows, real cursors,
   * effect names); `name[]` applies to the items of an array property `name`.
   */
  readonly byName?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

/** Numbers JSON cannot spell: sent by `toWireJson` as the literal text (a parser reads them back). */
export const NEGATIVE_ZERO = -0;

const CONTROL = ["\u0000", "\u0001", "\u0007", "\b", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085"];
const UNICODE = ["é", "ß", "日本", "🎸", "\u200b", "\u202e", "\ufeff", "e\u0301", "\u{10ffff}", "Ω"];
const LONE_SURROGATES = ["\ud800", "\udfff", "\udbff"];

/** One character (as a string): mostly printable ASCII, then controls, unicode, lone surrogates. */
const char: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...CONTROL) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
);

/** Characters any text field takes: printable ASCII and some unicode. */
const cleanChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom("é", "ß", "日", "Ω", "🎸") },
);

function text(minLength: number, maxLength: number, clean = false): fc.Arbitrary<string> {
  const chars = fc.array(clean ? cleanChar : char, { minLength, maxLength }).map((c) => c.join(""));
  if (!clean) return chars;
  // What a trimming schema keeps must still be long enough.
  return chars.map((v) => {
    const trimmed = v.trim();
    return trimmed.length >= minLength ? trimmed : `${trimmed}${"a".repeat(minLength - trimmed.length)}`;
  });
}

const IMPOSSIBLE_DATES = [
  "2024-02-30T00:00:00.000Z",
  "2023-02-29T12:00:00Z",
  "2024-13-01T00:00:00.000Z",
  "2024-04-31T00:00:00Z",
  "0000-01-01T00:00:00.000Z",
  "0001-01-01T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "+275760-09-13T00:00:00.000Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T00:00:60Z",
  "2024-01-01",
];

/** Strings an attacker tries in any text field; also the wrong-typed values of every field. */
const HOSTILE_STRINGS = [
  "",
  " ",
  "   \t  ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "%00",
  "%2e%2e%2f",
  "' OR 1=1 --",
  "'; drop table users; --",
  "\\x00",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, on purpose.
  "${7*7}{{7*7}}",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "null",
  "NaN",
  "-0",
  "1e309",
  "\u202egnp.exe",
  "🎸".repeat(300),
  ...IMPOSSIBLE_DATES,
];

const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, "", "0", [], [null], {}, { "0": 1 }];

const HUGE = [
  "a".repeat(10_000),
  "\u0000".repeat(5_000),
  "é".repeat(70_000),
  ["x".repeat(1000), "y".repeat(1000)].join("\u0000"),
];

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);

const HOSTILE_NUMBERS = [
  NEGATIVE_ZERO,
  Number.NaN, // JSON null
  Number.POSITIVE_INFINITY, // sent as 1e999
  Number.NEGATIVE_INFINITY,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  0.5,
  1e-7,
  -1,
  0,
];

function hostileNumber(node: JsonSchema): fc.Arbitrary<unknown> {
  const near: number[] = [];
  for (const bound of [node.minimum, node.maximum, node.exclusiveMinimum, node.exclusiveMaximum]) {
    if (bound !== undefined) near.push(bound - 1, bound + 1, bound - 0.5, bound + 0.5, bound);
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS, ...near) },
    { weight: 1, arbitrary: fc.constantFrom("1", "1.0", "0x10", "1e3", true, null, [], {}) },
  );
}

function typesOf(node: JsonSchema): string[] {
  if (node.type === undefined) return [];
  return Array.isArray(node.type) ? node.type : [node.type];
}

function stringArbitrary(node: JsonSchema, clean: boolean): fc.Arbitrary<string> {
  const min = node.minLength ?? 0;
  const max = node.maxLength ?? Math.max(min, 300);
  const inBounds = (s: string) => s.length >= min && s.length <= max;
  if (node.format === "uuid") {
    return fc.oneof(
      { weight: 8, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "00000000-0000-0000-0000-000000000000",
          "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ),
      },
    );
  }
  if (node.format === "date-time") {
    return fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .date({
            min: new Date("0001-01-01T00:00:00Z"),
            max: new Date("9999-12-31T23:59:59Z"),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString()),
      },
      { weight: 2, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "0001-01-01T00:00:00.000Z",
          "0001-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999Z",
          "1970-01-01T00:00:00.000Z",
          "2000-02-29T00:00:00.000Z",
          "2024-06-01T12:00:00.123456789Z",
          "2024-06-01T12:00:00+14:00",
          "2024-06-01T12:00:00-23:59",
        ),
      },
    );
  }
  if (node.pattern) {
    const re = new RegExp(node.pattern);
    return fc.stringMatching(re).filter(inBounds);
  }
  if (clean) return text(min, Math.min(max, 60), true);
  // Boundary lengths: exactly min and max, in one- and two-unit characters.
  const edges: string[] = [];
  if (min > 0) edges.push("a".repeat(min));
  if (max < 100_000) edges.push("b".repeat(max), "é".repeat(max), `${"🎸".repeat(Math.floor(max / 2))}`);
  if (max >= 2) edges.push(` ${"c".repeat(max - 2)} `, `\u0000${"d".repeat(max - 1)}`);
  return fc.oneof(
    { weight: 10, arbitrary: text(min, Math.min(max, 60)) },
    { weight: 1, arbitrary: edges.length ? fc.constantFrom(...edges) : fc.constant("a".repeat(min)) },
  );
}

function numberArbitrary(node: JsonSchema, integer: boolean, clean: boolean): fc.Arbitrary<number> {
  const min = node.minimum ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : undefined);
  const max = node.maximum ?? (node.exclusiveMaximum !== undefined ? node.exclusiveMaximum - 1 : undefined);
  const edges = [min, max].filter((v): v is number => v !== undefined);
  // Clean decimals have two places, as a person types them; otherwise any double (subnormals too).
  const core = integer
    ? fc.integer({ min: min ?? -(2 ** 31), max: max ?? 2 ** 31 - 1 })
    : clean
      ? fc
          .integer({ min: Math.ceil((min ?? -1e6) * 100), max: Math.floor((max ?? 1e6) * 100) })
          .map((n) => n / 100)
      : fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
  return edges.length ? fc.oneof({ weight: 5, arbitrary: core }, fc.constantFrom(...edges)) : core;
}

/** The valid shape of `node`, its children built by `child` (so they may be hostile). */
function shapeOf(
  node: JsonSchema,
  child: (node: JsonSchema, name: string | undefined) => fc.Arbitrary<unknown>,
  name: string | undefined,
  clean: boolean,
): fc.Arbitrary<unknown> {
  const union = node.anyOf ?? node.oneOf;
  if (union) return fc.oneof(...union.map((option) => child(option, name)));
  if (node.allOf?.length) return child(node.allOf[0]!, name);
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  const types = typesOf(node);
  if (types.length > 1)
    return fc.oneof(...types.map((type) => shapeOf({ ...node, type }, child, name, clean)));
  switch (types[0]) {
    case "object": {
      const properties = node.properties ?? {};
      const required = new Set(node.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) record[key] = child(value, key);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in properties) });
    }
    case "array": {
      const items = node.items ?? {};
      const item = child(items, name === undefined ? undefined : `${name}[]`);
      const lengths = { minLength: node.minItems ?? 0, maxLength: Math.min(node.maxItems ?? 8, 40) };
      // A list of choices (output formats) is valid without repeats.
      if (clean && (items.enum || items.anyOf?.every((o) => o.const !== undefined))) {
        return fc.uniqueArray(item, { ...lengths, selector: (v) => JSON.stringify(v) });
      }
      return fc.array(item, lengths);
    }
    case "string":
      return stringArbitrary(node, clean);
    case "integer":
      return numberArbitrary(node, true, clean);
    case "number":
      return numberArbitrary(node, false, clean);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Wrong values for `node`: out of range, over the limits, of the wrong type, with extra keys. */
function hostileOf(node: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const types = typesOf(node);
  const own: fc.Arbitrary<unknown>[] = [];
  if (types.includes("integer") || types.includes("number")) own.push(hostileNumber(node));
  if (types.includes("string") && node.maxLength !== undefined) {
    own.push(fc.constantFrom("x".repeat(node.maxLength + 1), "\u0000".repeat(node.maxLength)));
  }
  if (node.enum || node.const !== undefined) {
    const values = (node.enum ?? [node.const]).map(String);
    own.push(fc.constantFrom(...values.flatMap((v) => [v.toUpperCase(), ` ${v}`, `${v}\u0000`])));
  }
  if (types.includes("array")) {
    own.push(
      fc.array(valid, { minLength: (node.maxItems ?? 50) + 1, maxLength: (node.maxItems ?? 50) + 3 }),
      valid.map((v) => [v, v, v]),
      fc.constant([]),
    );
  }
  if (types.includes("object")) {
    own.push(
      valid.map((v) =>
        v && typeof v === "object"
          ? { ...v, extra: "\u0000", ["__proto__"]: { admin: true }, constructor: { prototype: {} } }
          : v,
      ),
      valid.map((v) => {
        if (!v || typeof v !== "object" || Array.isArray(v)) return v;
        const keys = Object.keys(v);
        const drop = keys[keys.length >> 1];
        return Object.fromEntries(Object.entries(v).filter(([k]) => k !== drop));
      }),
    );
  }
  own.push(hostileScalar);
  return fc.oneof(...own);
}

/**
 * `clean`: valid values only, from characters every text field takes, hints alone where given.
 * Otherwise a hostile value may stand at any node (1 in 13), and hints mix with generated values.
 */
function build(root: JsonSchema, options: SchemaArbitraryOptions, clean: boolean) {
  const byName = options.byName ?? {};
  const node = (schema: JsonSchema, name: string | undefined): fc.Arbitrary<unknown> => {
    const hint = name !== undefined ? byName[name] : undefined;
    if (clean) return hint ?? shapeOf(schema, node, name, true);
    const valid = shapeOf(schema, node, name, false);
    const good = hint ? fc.oneof({ weight: 7, arbitrary: hint }, { weight: 1, arbitrary: valid }) : valid;
    return fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: hostileOf(schema, valid) });
  };
  return node(root, undefined);
}

type Spot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/**
 * One place in `value`, by a random walk from the top: each key of an object is as likely as
 * any other (a long array does not outweigh its siblings), and a walk may stop at a container to
 * replace it whole. `rolls` are the walk's dice.
 */
function pickSpot(value: unknown, rolls: readonly number[]): Spot | null {
  let spot: Spot | null = null;
  let node = value;
  for (const roll of rolls) {
    if (!node || typeof node !== "object") break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[roll % keys.length]!;
    spot = { parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key };
    node = (node as Record<string, unknown>)[key];
    if (node && typeof node === "object" && roll % 5 === 4) break;
  }
  return spot;
}

const INSERTS = ["\u0000", "\u0001", "\u001f", "\u007f", "\ud800", "\udfff", "\u2028", "\r\n"];

/**
 * A valid value with exactly one thing wrong in it: a NUL or another character the database may
 * not store inserted into a string, a boundary number, a wrong type, a key dropped or added.
 */
function oneHostileLeaf(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      valid,
      fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
      fc.nat(),
      fc.constantFrom(...INSERTS),
      hostileScalar,
      fc.constantFrom(...HOSTILE_NUMBERS),
    )
    .map(([value, rolls, where, insert, scalar, number]) => {
      const copy: unknown = structuredClone(value);
      const spot = pickSpot(copy, rolls);
      if (!spot) return scalar;
      const { parent, key } = spot;
      const current = (parent as Record<string | number, unknown>)[key];
      const set = (v: unknown) => {
        (parent as Record<string | number, unknown>)[key] = v;
      };
      if (typeof current === "string" && where % 4 !== 3) {
        const at = where % (current.length + 1);
        set(`${current.slice(0, at)}${insert}${current.slice(at)}`);
      } else if (typeof current === "number" && where % 2 === 0) {
        set(number);
      } else if (!Array.isArray(parent) && where % 5 === 0) {
        delete (parent as Record<string, unknown>)[key as string];
      } else {
        set(scalar);
      }
      return copy;
    });
}

/**
 * Inputs for `schema`: valid ones (a quarter), valid ones with exactly one thing wrong (the most
 * telling: everything around it passes validation), ones with hostile values at any depth, and
 * wholly wrong ones; `undefined` too when the schema accepts it (a void or optional input).
 */
export function schemaArbitrary(
  schema: z.ZodType,
  options: SchemaArbitraryOptions = {},
): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const acceptsUndefined = schema.safeParse(undefined).success;
  let clean = build(json, options, true);
  // Valid by the schema itself (refinements too), unless that is too rare to filter for.
  const accepts = (v: unknown) => schema.safeParse(v).success;
  const probe = fc.sample(clean, { seed: 1, numRuns: 40 });
  if (probe.filter(accepts).length >= 4) clean = clean.filter(accepts);
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { weight: 3, arbitrary: clean },
    { weight: 5, arbitrary: oneHostileLeaf(clean) },
    { weight: 4, arbitrary: build(json, options, false) },
    { weight: 1, arbitrary: hostileScalar },
  ];
  if (acceptsUndefined) arbitraries.push({ weight: 2, arbitrary: fc.constant(undefined) });
  return fc.oneof(...arbitraries);
}

const NEG_ZERO_TOKEN = `@@neg-zero-${crypto.randomUUID()}@@`;
const INFINITY_TOKEN = `@@infinity-${crypto.randomUUID()}@@`;
const MINUS_INFINITY_TOKEN = `@@minus-infinity-${crypto.randomUUID()}@@`;

/**
 * JSON as an attacker may write it: like JSON.stringify, but -0 stays `-0` and ±Infinity is sent
 * as `1e999` (which JSON parsers read as Infinity); NaN is `null` as JSON.stringify makes it.
 */
export function toWireJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "number") return v;
    if (Object.is(v, -0)) return NEG_ZERO_TOKEN;
    if (v === Number.POSITIVE_INFINITY) return INFINITY_TOKEN;
    if (v === Number.NEGATIVE_INFINITY) return MINUS_INFINITY_TOKEN;
    return v;
  });
  return text
    .replaceAll(`"${NEG_ZERO_TOKEN}"`, "-0")
    .replaceAll(`"${INFINITY_TOKEN}"`, "1e999")
    .replaceAll(`"${MINUS_INFINITY_TOKEN}"`, "-1e999");
}
