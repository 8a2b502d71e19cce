// Deterministic fuzzing of the codec. A seeded PRNG drives three properties:
// 1. random valid values of a layout using every kind round-trip exactly
//    (decode(encode(v)) deep-equals v, and re-encoding gives the same bytes);
// 2. random mutations / truncations of valid messages either decode or throw
//    DecodeError: never another exception, never a hang, never a read past the
//    buffer (checked by decoding through a bounds-asserting view);
// 3. random junk values either encode or throw EncodeError (never a TypeError);
// 4. the compiled decoders (the fast path) and the interpreter agree on every
//    valid and every mutated message: the same object or the same error.
// A failure prints the seed and iteration so the case can be replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  DecodeError,
  EncodeError,
  EnumDef,
  Kind,
  Writer,
  decodeAttrs,
  encodeSet,
  fastPath,
  readGenlMessage,
  splitMessages,
  writeGenlMessage,
  type AttrDef,
  type StructDef,
} from '@ynl-ts/runtime';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed1234);
const ROUND_TRIPS = Number(process.env['FUZZ_ROUND_TRIPS'] ?? 20000);
const MUTATIONS = Number(process.env['FUZZ_MUTATIONS'] ?? 20000);

/** mulberry32: small, fast, good enough for test-case generation. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly r: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  u32(): number {
    return Math.floor(this.r() * 2 ** 32);
  }
  big(bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(this.u32());
    return v & ((1n << BigInt(bits)) - 1n);
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
  /** Interesting values are over-represented: extremes and zero. */
  edge<T>(values: readonly T[], otherwise: () => T): T {
    return this.bool(0.3) ? this.pick(values) : otherwise();
  }
}

const CHARS = ['a', 'Z', '0', ' ', '-', '\u00e9', '\u20ac', '\u{1F600}', '\u00ff', '\x7f', '\x01'];

// ---- a layout with every kind ----
const color = new EnumDef('color', { red: 0, green: 1, blue: 2, huge: 0xfffffff0 });
const feat = new EnumDef('feat', { a: 1, b: 2, c: 4, top: 0x80000000 }, true);
const state = new EnumDef('state', { down: 0, up: 1 });
const pairStruct: StructDef = {
  name: 'pair',
  size: 8,
  members: [
    { name: 'x', kind: Kind.U32, offset: 0 },
    { name: 'y', kind: Kind.U32, offset: 4, be: true },
  ],
};
const rec: StructDef = {
  name: 'rec',
  size: 48,
  members: [
    { name: 'a', kind: Kind.U8, offset: 0 },
    { name: 'b', kind: Kind.S8, offset: 1 },
    { name: 'c', kind: Kind.U16, offset: 2 },
    { name: 'd', kind: Kind.S16, offset: 4, be: true },
    { name: 'pad0', kind: Kind.Pad, offset: 6, len: 2 },
    { name: 'e', kind: Kind.U32, offset: 8, be: true },
    { name: 'f', kind: Kind.S32, offset: 12 },
    { name: 'g', kind: Kind.U64, offset: 16 },
    { name: 'h', kind: Kind.S64, offset: 24, be: true },
    { name: 'name', kind: Kind.String, offset: 32, len: 5 },
    { name: 'mac', kind: Kind.Binary, offset: 37, len: 2 },
    { name: 'state', kind: Kind.U8, offset: 39, enum: state },
    { name: 'pair', kind: Kind.Struct, offset: 40, struct: pairStruct },
  ],
};
const ipv4: StructDef = {
  name: 'ipv4',
  size: 12,
  members: [
    { name: 'src', kind: Kind.U32, offset: 0, be: true },
    { name: 'dst', kind: Kind.U32, offset: 4, be: true },
    { name: 'proto', kind: Kind.U8, offset: 8 },
    { name: 'ttl', kind: Kind.U8, offset: 9 },
    { name: 'pad', kind: Kind.Pad, offset: 10, len: 2 },
  ],
};
const key = new AttrSet('key', () => [
  { name: 'priority', type: 1, kind: Kind.U32 },
  { name: 'ethertype', type: 2, kind: Kind.U16, be: true },
  { name: 'ipv4', type: 3, kind: Kind.Struct, struct: ipv4 },
  { name: 'mac', type: 4, kind: Kind.Binary },
  { name: 'tunId', type: 5, kind: Kind.U64, be: true },
]);
const userspace = new AttrSet('userspace', () => [
  { name: 'pid', type: 1, kind: Kind.U32 },
  { name: 'cookie', type: 2, kind: Kind.Binary },
]);
const actions: AttrSet = new AttrSet(
  'actions',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'userspace', type: 2, kind: Kind.Nest, nested: userspace },
    { name: 'trunc', type: 3, kind: Kind.U32 },
    { name: 'clone', type: 4, kind: Kind.Nest, nested: actions },
    { name: 'popVlan', type: 5, kind: Kind.Flag },
    { name: 'set', type: 6, kind: Kind.Nest, nested: key },
    { name: 'setMasked', type: 7, kind: Kind.Nest, nested: key, masked: true },
  ],
  { ordered: true },
);
const tree: AttrSet = new AttrSet('tree', () => [
  { name: 'value', type: 1, kind: Kind.U32 },
  { name: 'child', type: 2, kind: Kind.Nest, nested: tree },
  { name: 'kids', type: 3, kind: Kind.Nest, nested: tree, multi: true },
  { name: 'label', type: 4, kind: Kind.String },
]);
const op = new AttrSet('op', () => [
  { name: 'id', type: 1, kind: Kind.U32 },
  { name: 'flags', type: 2, kind: Kind.U32, enum: feat },
]);
const pol = new AttrSet('pol', () => [
  { name: 'type', type: 1, kind: Kind.U32, enum: color },
  { name: 'min', type: 2, kind: Kind.S64 },
  { name: 'max', type: 3, kind: Kind.U64 },
]);
const allAttrs: AttrDef[] = [
  { name: 'u8', type: 1, kind: Kind.U8 },
  { name: 'u16', type: 2, kind: Kind.U16 },
  { name: 'u32', type: 3, kind: Kind.U32 },
  { name: 'u64', type: 4, kind: Kind.U64 },
  { name: 's8', type: 5, kind: Kind.S8 },
  { name: 's16', type: 6, kind: Kind.S16 },
  { name: 's32', type: 7, kind: Kind.S32 },
  { name: 's64', type: 8, kind: Kind.S64 },
  { name: 'u16be', type: 9, kind: Kind.U16, be: true },
  { name: 'u32be', type: 10, kind: Kind.U32, be: true },
  { name: 'u64be', type: 11, kind: Kind.U64, be: true },
  { name: 's16be', type: 12, kind: Kind.S16, be: true },
  { name: 's32be', type: 13, kind: Kind.S32, be: true },
  { name: 's64be', type: 14, kind: Kind.S64, be: true },
  { name: 'uint', type: 15, kind: Kind.Uint },
  { name: 'sint', type: 16, kind: Kind.Sint },
  { name: 'str', type: 17, kind: Kind.String },
  { name: 'bin', type: 18, kind: Kind.Binary },
  { name: 'flag', type: 19, kind: Kind.Flag },
  { name: 'bf', type: 20, kind: Kind.Bitfield32 },
  { name: 'rec', type: 21, kind: Kind.Struct, struct: rec },
  { name: 'u16arr', type: 22, kind: Kind.ScalarArray, sub: Kind.U16 },
  { name: 's64bearr', type: 23, kind: Kind.ScalarArray, sub: Kind.S64, be: true },
  { name: 'addrs', type: 24, kind: Kind.U32, multi: true },
  { name: 'names', type: 25, kind: Kind.String, multi: true },
  { name: 'color', type: 26, kind: Kind.U32, enum: color },
  { name: 'feat', type: 27, kind: Kind.U32, enum: feat },
  { name: 'tree', type: 28, kind: Kind.Nest, nested: tree },
  { name: 'actions', type: 29, kind: Kind.Nest, nested: actions },
  { name: 'masked', type: 30, kind: Kind.Nest, nested: key, masked: true },
  { name: 'ops', type: 31, kind: Kind.IndexedArray, sub: Kind.Nest, nested: op },
  { name: 'colors', type: 32, kind: Kind.IndexedArray, sub: Kind.U32, enum: color },
  { name: 'idxNames', type: 33, kind: Kind.IndexedArray, sub: Kind.String },
  { name: 'idxBlobs', type: 34, kind: Kind.IndexedArray, sub: Kind.Binary },
  { name: 'idxRecs', type: 35, kind: Kind.IndexedArray, sub: Kind.Binary, struct: pairStruct },
  {
    name: 'policy',
    type: 36,
    kind: Kind.NestTypeValue,
    typeValue: ['policyId', 'attrId'],
    nested: pol,
  },
  { name: 'byCmd', type: 37, kind: Kind.NestTypeValue, typeValue: ['cmd'], nested: pol },
  { name: 'pad', type: 38, kind: Kind.Pad },
  { name: 'unused', type: 39, kind: Kind.Unused },
  { name: 'sintbe', type: 40, kind: Kind.Sint, be: true },
  { name: 'key', type: 41, kind: Kind.Nest, nested: key },
];
const all = new AttrSet('all', () => allAttrs);
const fixed: StructDef = {
  name: 'hdr',
  size: 4,
  members: [{ name: 'ifindex', kind: Kind.U32, offset: 0 }],
};

// ---- value generation: values in the exact shape the decoder produces ----
function scalar(g: Gen, kind: Kind): number | bigint {
  switch (kind) {
    case Kind.U8:
      return g.edge([0, 0xff], () => g.int(0, 0xff));
    case Kind.S8:
      return g.edge([-128, 127, -1], () => g.int(-128, 127));
    case Kind.U16:
      return g.edge([0, 0xffff], () => g.int(0, 0xffff));
    case Kind.S16:
      return g.edge([-32768, 32767, -1], () => g.int(-32768, 32767));
    case Kind.U32:
      return g.edge([0, 0xffffffff], () => g.u32());
    case Kind.S32:
      return g.edge([-(2 ** 31), 2 ** 31 - 1, -1], () => g.u32() - 2 ** 31);
    case Kind.U64:
      return g.edge([0n, 2n ** 64n - 1n], () => g.big(64));
    case Kind.S64:
      return g.edge([-(2n ** 63n), 2n ** 63n - 1n, -1n], () => g.big(64) - 2n ** 63n);
    case Kind.Uint:
      return g.edge([0n, 0xffffffffn, 0x100000000n, 2n ** 64n - 1n], () =>
        g.big(g.pick([8, 32, 40, 64])),
      );
    case Kind.Sint:
      return g.edge(
        [-(2n ** 31n), 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n) - 1n, -(2n ** 63n), 2n ** 63n - 1n],
        () => {
          const bits = g.pick([8, 32, 64]);
          return g.big(bits) - (1n << BigInt(bits - 1));
        },
      );
    default:
      throw new Error(`not a scalar: ${kind}`);
  }
}
function str(g: Gen, max: number, ascii = false): string {
  let s = '';
  const n = g.int(0, max);
  for (let i = 0; i < n; i++) s += ascii ? g.pick(['a', 'b', 'Z', '9', ' ']) : g.pick(CHARS);
  return s;
}
function enumVal(g: Gen, e: EnumDef, max = 0xffffffff): string | number {
  if (g.bool(0.8)) return g.pick(Object.keys(e.entries));
  return g.pick([3, 7, 100, 0xfffffff1].filter((v) => v <= max));
}
function flagsVal(g: Gen, e: EnumDef): (string | number)[] {
  const bits = g.u32() & g.u32() & g.u32(); // sparse
  const out: (string | number)[] = [];
  for (let b = 0; b < 32; b++) {
    const v = 2 ** b;
    if (Math.floor(bits / v) % 2 === 1) out.push(e.nameOf(v) ?? v);
  }
  return out;
}
function structVal(g: Gen, def: StructDef): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const m of def.members) {
    if (m.kind === Kind.Pad) continue;
    if (m.kind === Kind.String) o[m.name] = str(g, m.len! - 1, true);
    else if (m.kind === Kind.Binary) o[m.name] = g.bytes(m.len!);
    else if (m.kind === Kind.Struct) o[m.name] = structVal(g, m.struct!);
    else
      o[m.name] = m.enum
        ? enumVal(g, m.enum, 2 ** (8 * (m.kind === Kind.U8 ? 1 : 4)) - 1)
        : scalar(g, m.kind);
  }
  return o;
}
function payload(g: Gen, def: AttrDef, depth: number): unknown {
  switch (def.kind) {
    case Kind.Flag:
      return true;
    case Kind.String:
      return str(g, 40);
    case Kind.Binary:
      return g.bytes(g.int(0, 20));
    case Kind.Bitfield32:
      return { value: g.u32(), selector: g.u32() };
    case Kind.Struct:
      return structVal(g, def.struct!);
    case Kind.ScalarArray:
      return Array.from({ length: g.int(0, 4) }, () => scalar(g, def.sub!));
    case Kind.Nest:
      return setVal(g, def.nested!, depth + 1, def.masked === true);
    case Kind.IndexedArray:
      return Array.from({ length: g.int(0, 3) }, () => {
        switch (def.sub) {
          case Kind.Nest:
            return setVal(g, def.nested!, depth + 1, false);
          case Kind.String:
            return str(g, 10);
          case Kind.Binary:
            return def.struct ? structVal(g, def.struct) : g.bytes(g.int(0, 6));
          default:
            return def.enum ? enumVal(g, def.enum) : scalar(g, def.sub!);
        }
      });
    case Kind.NestTypeValue: {
      // grouped by type values, each combination once: the order the encoder writes
      const names = def.typeValue!;
      const out: Record<string, unknown>[] = [];
      const walk = (level: number, keys: Record<string, number>): void => {
        const n = g.int(1, 2);
        let t = g.int(0, 3);
        for (let i = 0; i < n; i++, t += g.int(1, 3)) {
          const k = { ...keys, [names[level]!]: t };
          if (level + 1 < names.length) walk(level + 1, k);
          else out.push({ ...k, ...(setVal(g, def.nested!, depth + 1, false) as object) });
        }
      };
      if (g.bool(0.8)) walk(0, {});
      return out;
    }
    default:
      return def.enum
        ? def.enum.flags
          ? flagsVal(g, def.enum)
          : enumVal(g, def.enum)
        : scalar(g, def.kind);
  }
}
function setVal(g: Gen, set: AttrSet, depth: number, masked: boolean): unknown {
  if (set.ordered) {
    const n = depth > 3 ? 0 : g.int(0, 4);
    const out: { type: string | number; value: unknown }[] = [];
    for (let i = 0; i < n; i++) {
      if (g.bool(0.05)) {
        out.push({ type: g.int(8, 200), value: g.bytes(g.int(0, 5)) });
        continue;
      }
      const def = g.pick(set.attrs);
      if ((def.kind === Kind.Nest || def.kind === Kind.Flag) && masked) continue;
      out.push({ type: def.name, value: masked ? maskedVal(g, def) : payload(g, def, depth) });
    }
    return out;
  }
  const o: Record<string, unknown> = {};
  for (const def of set.attrs) {
    if (def.kind === Kind.Pad || def.kind === Kind.Unused) continue;
    if (!g.bool(depth === 0 ? 0.5 : 0.4)) continue;
    const nesting =
      def.kind === Kind.Nest || def.kind === Kind.IndexedArray || def.kind === Kind.NestTypeValue;
    if (nesting && depth > 3) continue;
    if (masked) {
      if (def.kind === Kind.Nest || def.kind === Kind.Flag) continue;
      o[def.name] = maskedVal(g, def);
    } else if (def.multi) {
      o[def.name] = Array.from({ length: g.int(1, 3) }, () => payload(g, def, depth));
    } else {
      o[def.name] = payload(g, def, depth);
    }
  }
  return o;
}
function maskedVal(g: Gen, def: AttrDef): { value: unknown; mask: unknown } {
  if (def.kind === Kind.Binary) {
    const n = g.int(0, 8);
    return { value: g.bytes(n), mask: g.bytes(n) };
  }
  return { value: payload(g, def, 9), mask: payload(g, def, 9) };
}

function encodeMsg(w: Writer, value: unknown, seq: number): void {
  writeGenlMessage(w, { familyId: 0x20, cmd: 1, version: 1, flags: 1, seq }, all, value, {
    def: fixed,
    value: { ifindex: seq },
  });
}

test(
  `fuzz: ${ROUND_TRIPS} random values of every kind round-trip exactly (seed ${SEED})`,
  { timeout: 120_000 },
  () => {
    const g = new Gen(prng(SEED));
    const w = new Writer(64);
    const w2 = new Writer(64);
    let bytesTotal = 0;
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const value = setVal(g, all, 0, false) as Record<string, unknown>;
      const ctx = `seed ${SEED} iteration ${i}`;
      w.reset();
      encodeSet(w, all, value);
      const wire = w.bytes();
      bytesTotal += wire.length;
      const back = decodeAttrs(all, wire);
      assert.deepEqual(back, value, ctx);
      assert.deepEqual(
        interpreted(() => decodeAttrs(all, wire)),
        back,
        `${ctx}: interpreter`,
      );
      w2.reset();
      interpreted(() => encodeSet(w2, all, value));
      assert.deepEqual(w2.bytes(), wire, `${ctx}: interpreted encoding differs`);
      w2.reset();
      encodeSet(w2, all, back);
      assert.deepEqual(w2.bytes(), wire, `${ctx}: re-encoding differs`);
      // the same inside a framed message with a fixed header
      if (i % 8 === 0) {
        w.reset();
        encodeMsg(w, value, i);
        const [msg] = splitMessages(w.bytes());
        assert.deepEqual(
          readGenlMessage(msg!, all, fixed).attrs,
          { ...value, header: { ifindex: i } },
          ctx,
        );
      }
    }
    assert.ok(
      bytesTotal > ROUND_TRIPS * 50,
      `the generator produced non-trivial messages (${bytesTotal} bytes)`,
    );
  },
);

/**
 * A view that fails loudly on any index outside `[0, length)`, where a plain
 * Uint8Array would quietly return undefined. DataView reads are bounds-checked
 * by the engine already (a RangeError); this catches the typed-array reads.
 */
class OutOfBounds extends Error {}
function guarded(bytes: Uint8Array): Uint8Array {
  return new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string') {
        const n = Number(prop);
        if (
          Number.isInteger(n) &&
          prop !== '' &&
          String(n) === prop &&
          (n < 0 || n >= target.length)
        ) {
          throw new OutOfBounds(`read of index ${n} of a ${target.length}-byte buffer`);
        }
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Runs `fn` with the compiled decoders off: the interpreter alone. */
function interpreted<T>(fn: () => T): T {
  fastPath.enabled = false;
  try {
    return fn();
  } finally {
    fastPath.enabled = true;
  }
}

/** The value, or the error's class and message, for comparing two decoders. */
function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

function mutate(g: Gen, src: Uint8Array): Uint8Array {
  let b = src.slice();
  const n = g.int(1, 3);
  for (let k = 0; k < n; k++) {
    switch (g.int(0, 5)) {
      case 0: // flip a byte
        if (b.length) b[g.int(0, b.length - 1)] = g.int(0, 255);
        break;
      case 1: {
        // rewrite a length / type field at an aligned offset
        if (b.length < 4) break;
        const at = g.int(0, (b.length >> 2) - 1) * 4;
        const v = g.pick([0, 1, 2, 3, 4, 5, 7, 8, g.int(0, b.length + 8), 0xffff]);
        b[at] = v & 0xff;
        b[at + 1] = v >> 8;
        break;
      }
      case 2: // truncate
        b = b.slice(0, g.int(0, b.length));
        break;
      case 3: {
        // append junk
        const extra = g.bytes(g.int(1, 9));
        const c = new Uint8Array(b.length + extra.length);
        c.set(b);
        c.set(extra, b.length);
        b = c;
        break;
      }
      case 4: {
        // cut a range out of the middle
        if (b.length < 2) break;
        const from = g.int(0, b.length - 1);
        const to = g.int(from, Math.min(b.length, from + 8));
        const c = new Uint8Array(b.length - (to - from));
        c.set(b.subarray(0, from));
        c.set(b.subarray(to), from);
        b = c;
        break;
      }
      default: {
        // flip a flag bit in a type field
        if (b.length < 4) break;
        const at = g.int(0, (b.length >> 2) - 1) * 4 + 3;
        b[at]! ^= g.pick([0x80, 0x40]);
      }
    }
  }
  return b;
}

test(
  `fuzz: ${MUTATIONS} mutated messages decode or throw DecodeError, never read out of bounds (seed ${SEED})`,
  { timeout: 120_000 },
  () => {
    // the guard itself works: it throws past the end and passes views and methods through
    const probe = guarded(new Uint8Array([1, 2]));
    assert.throws(() => probe[2], OutOfBounds);
    assert.equal(probe[1], 2);
    assert.deepEqual(decodeAttrs(all, guarded(new Uint8Array([5, 0, 1, 0, 9]))), { u8: 9 });
    const g = new Gen(prng(SEED ^ 0xa5a5a5a5));
    const pool: Uint8Array[] = [];
    for (let i = 0; i < 64; i++) {
      const w = new Writer();
      encodeMsg(w, setVal(g, all, 0, false), i);
      pool.push(w.bytes());
    }
    const outcomes = { decoded: 0, rejected: 0 };
    for (let i = 0; i < MUTATIONS; i++) {
      const raw = mutate(g, g.pick(pool));
      const buf = i % 4 === 0 ? guarded(raw) : raw;
      const attempt = (fn: () => unknown): void => {
        try {
          fn();
          outcomes.decoded++;
        } catch (e) {
          if (e instanceof DecodeError) {
            outcomes.rejected++;
            assert.ok(
              e.offset >= 0 && e.offset <= raw.length,
              `offset ${e.offset} inside the ${raw.length}-byte buffer`,
            );
            return;
          }
          assert.fail(
            `seed ${SEED} mutation ${i}: ${String(e)}\n${Buffer.from(raw).toString('hex')}`,
          );
        }
      };
      const whole = (): unknown =>
        splitMessages(buf).map((m) => readGenlMessage(m, all, fixed, { copy: i % 2 === 0 }));
      // and the attributes alone, so mutations behind a broken nlmsghdr still reach the TLV walk
      const attrsOnly = (): unknown => decodeAttrs(all, buf, Math.min(24, raw.length));
      attempt(whole);
      attempt(attrsOnly);
      if (i % 2 === 0) {
        const ctx = `seed ${SEED} mutation ${i}: compiled and interpreted decoders differ`;
        assert.deepEqual(
          outcome(whole),
          outcome(() => interpreted(whole)),
          ctx,
        );
        assert.deepEqual(
          outcome(attrsOnly),
          outcome(() => interpreted(attrsOnly)),
          ctx,
        );
      }
    }
    // both outcomes happen: the mutations are neither all harmless nor all fatal
    assert.ok(outcomes.decoded > MUTATIONS / 20, JSON.stringify(outcomes));
    assert.ok(outcomes.rejected > MUTATIONS / 20, JSON.stringify(outcomes));
  },
);

test(
  'fuzz: junk values encode or throw EncodeError, never another error',
  { timeout: 60_000 },
  () => {
    const g = new Gen(prng(SEED ^ 0x1234567));
    const junk = (): unknown =>
      g.pick<() => unknown>([
        () => null,
        () => undefined,
        () => g.int(-5, 300),
        () => -1.5,
        () => NaN,
        () => 2n ** 70n,
        () => 'x',
        () => '\0',
        () => true,
        () => [],
        () => [null],
        () => [1, 'a'],
        () => ({}),
        () => ({ value: 1 }),
        () => ({ value: null, mask: 1 }),
        () => ({ type: 'output' }),
        () => ({ type: 99, value: 1 }),
        () => [{ type: 'clone', value: null }],
        () => [{ policyId: null }],
        () => [{ cmd: 1, type: {} }],
        () => new Uint8Array(3),
        () => Symbol('s'),
        () => () => 1,
      ])();
    const w = new Writer();
    let rejected = 0;
    for (let i = 0; i < 20000; i++) {
      // a valid value with one attribute (at some depth) replaced by junk
      const value = setVal(g, all, 0, false) as Record<string, unknown>;
      const target = g.pick(allAttrs);
      if (g.bool(0.7)) value[target.name] = junk();
      else if (
        typeof value[target.name] === 'object' &&
        !(value[target.name] instanceof Uint8Array)
      ) {
        const inner = value[target.name] as Record<string | number, unknown>;
        const keys = Object.keys(inner);
        if (keys.length) inner[g.pick(keys)] = junk();
      }
      const encode = (): Uint8Array => {
        w.reset();
        encodeSet(w, all, value);
        return w.bytes();
      };
      assert.deepEqual(
        outcome(encode),
        outcome(() => interpreted(encode)),
        `seed ${SEED} junk ${i}: compiled and interpreted encoders differ`,
      );
      try {
        encode();
      } catch (e) {
        if (e instanceof EncodeError) {
          rejected++;
          continue;
        }
        assert.fail(`seed ${SEED} junk ${i} at ${target.name}: ${String(e)}`);
      }
    }
    assert.ok(rejected > 1000, `junk was rejected ${rejected} times`);
  },
);
