// One generic fast-check arbitrary builder, driven by the runtime layout alone
// (AttrSet / AttrDef / StructDef / EnumDef): it produces values in exactly the
// shape the decoder returns, so `decode(encode(v))` must deep-equal `v` for
// every family, with no per-family code.
import fc from 'fast-check';
import {
  Kind,
  type AttrSet,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLA_TYPE_MASK,
  type AttrDef,
  type Checks,
  type EnumDef,
  type StructDef,
  type SubMessageDef,
} from '@ynl-ts/runtime';

/** Nests deeper than this are left out (recursive sets such as OVS `clone` actions). */
export const MAX_DEPTH = 4;

const ABSENT = Symbol('absent');

/** Records with Object.prototype, as the decoder builds them. */
const PLAIN = { noNullPrototype: true } as const;

const enc = new TextEncoder();
const utf8Len = (s: string): number => enc.encode(s).length;

/** Characters worth trying: ASCII, multi-byte UTF-8, astral, controls (never NUL). */
const char: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0x80, max: 0x10ffff })
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCodePoint(c)),
  },
);

/** A string whose UTF-8 form (without NUL) has between `min` and `max` bytes. */
function stringArb(min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: char, maxLength: Math.min(max, 24) }).map((s) => {
    // cut whole code points until the UTF-8 form fits, pad with ASCII up to the minimum
    let cps = [...s];
    while (utf8Len(cps.join('')) > max) cps = cps.slice(0, -1);
    const out = cps.join('');
    return out + 'a'.repeat(Math.max(0, min - utf8Len(out)));
  });
}

function bytesArb(min: number, max: number): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ minLength: min, maxLength: max });
}

/** Byte-length bounds of a variable-size payload under the spec's checks. */
function lenBounds(checks: Checks | undefined, cap: number): [number, number] {
  if (checks?.exactLen !== undefined) return [checks.exactLen, checks.exactLen];
  const min = checks?.minLen ?? 0;
  return [min, Math.max(min, Math.min(checks?.maxLen ?? cap, cap))];
}

interface Range {
  min: bigint;
  max: bigint;
}
function kindRange(kind: Kind): Range {
  switch (kind) {
    case Kind.U8:
      return { min: 0n, max: 0xffn };
    case Kind.S8:
      return { min: -0x80n, max: 0x7fn };
    case Kind.U16:
      return { min: 0n, max: 0xffffn };
    case Kind.S16:
      return { min: -0x8000n, max: 0x7fffn };
    case Kind.U32:
      return { min: 0n, max: 0xffffffffn };
    case Kind.S32:
      return { min: -0x80000000n, max: 0x7fffffffn };
    case Kind.U64:
    case Kind.Uint:
      return { min: 0n, max: (1n << 64n) - 1n };
    case Kind.S64:
    case Kind.Sint:
      return { min: -(1n << 63n), max: (1n << 63n) - 1n };
    default:
      throw new Error(`not a scalar kind: ${kind}`);
  }
}
/** Decoded as bigint (64-bit and variable-width kinds) or number. */
function isBig(kind: Kind): boolean {
  return kind === Kind.U64 || kind === Kind.S64 || kind === Kind.Uint || kind === Kind.Sint;
}
const WIDTH: Partial<Record<Kind, number>> = {
  [Kind.U8]: 8,
  [Kind.U16]: 16,
  [Kind.U32]: 32,
  [Kind.U64]: 64,
  [Kind.Uint]: 64,
  [Kind.S8]: 8,
  [Kind.S16]: 16,
  [Kind.S32]: 32,
  [Kind.S64]: 64,
  [Kind.Sint]: 64,
};

/** Integers in [min, max] with the edges and the 32-bit boundaries over-represented. */
function intArb(r: Range, big: boolean): fc.Arbitrary<number | bigint> {
  const edges = [r.min, r.max, 0n, 1n, -1n, 0xffffffffn, 0x100000000n, 0x7fffffffn, -0x80000000n]
    .concat([-0x80000001n])
    .filter((v) => v >= r.min && v <= r.max);
  const arb = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
    { weight: 4, arbitrary: fc.bigInt({ min: r.min, max: r.max }) },
  );
  return big ? arb : arb.map((v) => Number(v));
}

function scalarArb(
  kind: Kind,
  e: EnumDef | undefined,
  checks: Checks | undefined,
): fc.Arbitrary<unknown> {
  let r = kindRange(kind);
  if (checks?.min !== undefined && BigInt(checks.min) > r.min)
    r = { ...r, min: BigInt(checks.min) };
  if (checks?.max !== undefined && BigInt(checks.max) < r.max)
    r = { ...r, max: BigInt(checks.max) };
  if (e === undefined) return intArb(r, isBig(kind));
  if (e.flags) return flagsArb(e, WIDTH[kind] ?? 32);
  // an enum: a member's name, or a number that is not a member (decoded as that number)
  const names = Object.keys(e.entries);
  const values = new Set(Object.values(e.entries));
  const safe: Range = {
    min: r.min > BigInt(Number.MIN_SAFE_INTEGER) ? r.min : BigInt(Number.MIN_SAFE_INTEGER),
    max: r.max < BigInt(Number.MAX_SAFE_INTEGER) ? r.max : BigInt(Number.MAX_SAFE_INTEGER),
  };
  const other = (intArb(safe, false) as fc.Arbitrary<number>).filter(
    (n) => !values.has(n) && e.nameOf(n) === undefined,
  );
  const inRange = names.filter((n) => {
    const v = BigInt(e.entries[n]!);
    return v >= r.min && v <= r.max;
  });
  return inRange.length === 0
    ? other
    : fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...inRange) },
        { weight: 1, arbitrary: other },
      );
}

/** A flag word as the decoder gives it: the set bits ascending, each a name or its value. */
function flagsArb(e: EnumDef, width: number): fc.Arbitrary<(string | number)[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: width - 1 }), { maxLength: 6 })
    .map((bits) => bits.sort((a, b) => a - b).map((b) => e.nameOf(2 ** b) ?? 2 ** b));
}

const structCache = new WeakMap<StructDef, fc.Arbitrary<Record<string, unknown>>>();

/** A value of a C struct: every member (pad members are not exposed). */
export function structArb(def: StructDef): fc.Arbitrary<Record<string, unknown>> {
  const hit = structCache.get(def);
  if (hit) return hit;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const m of def.members) {
    if (m.kind === Kind.Pad) continue;
    if (m.kind === Kind.String) model[m.name] = stringArb(0, m.len! - 1);
    else if (m.kind === Kind.Binary) model[m.name] = bytesArb(m.len!, m.len!);
    else if (m.kind === Kind.Struct) model[m.name] = structArb(m.struct!);
    else model[m.name] = scalarArb(m.kind, m.enum, undefined);
  }
  const arb = fc.record(model, PLAIN);
  structCache.set(def, arb);
  return arb;
}

function isNesting(def: AttrDef): boolean {
  return (
    def.kind === Kind.Nest ||
    def.kind === Kind.NestTypeValue ||
    (def.kind === Kind.IndexedArray && (def.sub ?? Kind.Nest) === Kind.Nest)
  );
}

/** The payload of one attribute (not multi, not masked). */
function payloadArb(def: AttrDef, depth: number): fc.Arbitrary<unknown> {
  switch (def.kind) {
    case Kind.Flag:
      return fc.constant(true);
    case Kind.String: {
      const [min, max] = lenBounds(def.checks, 40);
      return stringArb(min, max);
    }
    case Kind.Binary: {
      const [min, max] = lenBounds(def.checks, 48);
      return bytesArb(min, max);
    }
    case Kind.Bitfield32:
      return fc.record(
        {
          value: fc.integer({ min: 0, max: 0xffffffff }),
          selector: fc.integer({ min: 0, max: 0xffffffff }),
        },
        PLAIN,
      );
    case Kind.Struct:
      return structArb(def.struct!);
    case Kind.StructArray:
      return fc.array(structArb(def.struct!), { maxLength: 4 });
    case Kind.ScalarArray: {
      const size = WIDTH[def.sub!]! / 8;
      const [minB, maxB] = lenBounds(def.checks, 6 * size);
      const min = Math.ceil(minB / size);
      const max = Math.max(min, Math.floor(maxB / size));
      return fc.array(scalarArb(def.sub!, undefined, undefined), {
        minLength: min,
        maxLength: max,
      });
    }
    case Kind.Nest:
      return setArb(def.nested!, depth + 1, def.masked === true);
    case Kind.IndexedArray: {
      const sub = def.sub ?? Kind.Nest;
      let elem: fc.Arbitrary<unknown>;
      if (sub === Kind.Nest) elem = setArb(def.nested!, depth + 1, false);
      else if (sub === Kind.String) elem = stringArb(0, 16);
      else if (sub === Kind.Binary) elem = def.struct ? structArb(def.struct) : bytesArb(0, 12);
      else elem = scalarArb(sub, def.enum, undefined);
      return fc.array(elem, { maxLength: 3 });
    }
    case Kind.NestTypeValue:
      return typeValueArb(def, depth);
    case Kind.SubMessage:
      throw new Error(`${def.name}: a sub-message is drawn with its selector (withSubMessages)`);
    default:
      return scalarArb(def.kind, def.enum, def.checks);
  }
}

/**
 * A NestTypeValue as decoded: a flat list of records, grouped level by level
 * (the order the encoder writes), each combination of type values once.
 */
function typeValueArb(def: AttrDef, depth: number): fc.Arbitrary<Record<string, unknown>[]> {
  const names = def.typeValue!;
  const inner = setArb(def.nested!, depth + 1, false);
  const level = (i: number): fc.Arbitrary<Record<string, unknown>[]> => {
    const child: fc.Arbitrary<Record<string, unknown>[]> =
      i + 1 < names.length ? level(i + 1) : inner.map((v) => [v as Record<string, unknown>]);
    return fc
      .uniqueArray(fc.integer({ min: 0, max: NLA_TYPE_MASK }), { minLength: 1, maxLength: 2 })
      .chain((types) => fc.tuple(...types.map(() => child)).map((kids) => ({ types, kids })))
      .map(({ types, kids }) =>
        types.flatMap((t, k) => kids[k]!.map((rec) => ({ [names[i]!]: t, ...rec }))),
      );
  };
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Record<string, unknown>[]>([]) },
    { weight: 4, arbitrary: level(0) },
  );
}

/** `{ value, mask }` of one attribute in a masked set: both halves the same size. */
function maskedArb(def: AttrDef, depth: number): fc.Arbitrary<unknown> | undefined {
  switch (def.kind) {
    case Kind.Nest:
    case Kind.IndexedArray:
    case Kind.NestTypeValue:
    case Kind.SubMessage:
    case Kind.StructArray: // halves of equal length: not generated
    case Kind.Flag:
    case Kind.String: // equal-size halves are not expressible for strings
    case Kind.Uint: // nor for variable-width scalars
    case Kind.Sint:
      return undefined;
    case Kind.Binary:
    case Kind.ScalarArray: {
      const unit = def.kind === Kind.Binary ? 1 : WIDTH[def.sub!]! / 8;
      const [min, max] = lenBounds(def.checks, 16);
      return fc.integer({ min: Math.ceil(min / unit), max: Math.floor(max / unit) }).chain((n) => {
        const half =
          def.kind === Kind.Binary
            ? bytesArb(n, n)
            : fc.array(scalarArb(def.sub!, undefined, undefined), { minLength: n, maxLength: n });
        return fc.record({ value: half, mask: half }, PLAIN);
      });
    }
    default: {
      const half = payloadArb(def, depth);
      return fc.record({ value: half, mask: half }, PLAIN);
    }
  }
}

const setCache = new WeakMap<AttrSet, Map<string, fc.Arbitrary<unknown>>>();

/**
 * A value of an attribute set: a record of optional attributes (multi ones as
 * arrays), or for an ordered set a list of `{ type, value }` entries, with
 * entries of types the layout does not know as raw bytes.
 */
export function setArb(set: AttrSet, depth = 0, masked = false): fc.Arbitrary<unknown> {
  const key = `${depth}/${masked}`;
  let bySet = setCache.get(set);
  if (!bySet) setCache.set(set, (bySet = new Map()));
  const hit = bySet.get(key);
  if (hit) return hit;
  const arb = buildSet(set, depth, masked);
  bySet.set(key, arb);
  return arb;
}

function buildSet(set: AttrSet, depth: number, masked: boolean): fc.Arbitrary<unknown> {
  const usable = set.attrs.filter(
    (d) => d.kind !== Kind.Pad && d.kind !== Kind.Unused && !(depth >= MAX_DEPTH && isNesting(d)),
  );
  const attrArb = (d: AttrDef): fc.Arbitrary<unknown> | undefined =>
    masked ? maskedArb(d, depth) : payloadArb(d, depth);
  if (set.ordered) {
    const entries: fc.Arbitrary<{ type: string | number; flags?: number; value: unknown }>[] = [];
    for (const d of usable) {
      if (d.kind === Kind.SubMessage) continue; // no ordered set has one
      const a = attrArb(d);
      if (a) entries.push(a.map((value) => ({ type: d.name, value })));
    }
    // types the layout does not know (or reserves) come back as raw bytes under their number
    const unknown = fc
      .integer({ min: 0, max: NLA_TYPE_MASK })
      .filter((t) => {
        const d = set.byType(t);
        return d === undefined || d.kind === Kind.Unused || d.kind === Kind.Pad;
      })
      .chain((type) =>
        fc
          .tuple(bytesArb(0, 8), fc.constantFrom(0, NLA_F_NESTED, NLA_F_NET_BYTEORDER))
          .map(([value, flags]) => ({ type, flags, value })),
      );
    const entry =
      entries.length === 0
        ? unknown
        : fc.oneof(
            { weight: 12, arbitrary: fc.oneof(...entries) },
            { weight: 1, arbitrary: unknown },
          );
    return fc.array(entry, { maxLength: depth === 0 ? 6 : 3 });
  }
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  // sub-messages follow their selector: added once the record is drawn (subMessages)
  const subs = masked ? [] : subMessagesOf(usable);
  const selectors = new Map<string, SubMessageDef>();
  for (const [, e] of subs) selectors.set(e.selector!, e.subMessage!);
  for (const d of usable) {
    if (d.kind === Kind.SubMessage) continue;
    let a = attrArb(d);
    if (a === undefined) continue;
    const sm = selectors.get(d.name);
    // a selector picks one of the formats most of the time
    if (sm !== undefined && d.kind === Kind.String && !d.multi)
      a = fc.oneof(fc.constantFrom(...formatValues(sm)), a);
    model[d.name] = d.multi && !masked ? fc.array(a, { minLength: 1, maxLength: 3 }) : a;
  }
  // each attribute present with probability ~ few/n: big sets (ethtool) stay small messages
  const keys = Object.keys(model);
  const want = Math.min(keys.length, depth === 0 ? 5 : 2);
  const optional: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) {
    // a selector is there half the time, so that its sub-messages take their formats
    const absent = selectors.has(k) ? 1 : keys.length - want;
    optional[k] = fc.oneof(
      { weight: absent, arbitrary: fc.constant(ABSENT) },
      { weight: selectors.has(k) ? 1 : want, arbitrary: model[k]! },
    );
  }
  const rec = fc.record(optional, PLAIN).map((r) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) if (r[k] !== ABSENT) out[k] = r[k];
    return out;
  });
  return subs.length === 0 ? rec : rec.chain((r) => withSubMessages(r, subs, depth));
}

/**
 * The sub-messages a record of the set with attributes `usable` carries: its own whose selector is one
 * of its attributes (`[undefined, def]`), and those of a set nested in it
 * whose selector is one of its attributes (`[nest, def]`, as tc's stats2.app).
 */
function subMessagesOf(usable: readonly AttrDef[]): [nest: AttrDef | undefined, def: AttrDef][] {
  const out: [AttrDef | undefined, AttrDef][] = [];
  const mine = (sel: string): boolean => usable.some((d) => d.name === sel && !d.multi);
  for (const d of usable) {
    if (d.kind === Kind.SubMessage && !d.multi && mine(d.selector!)) out.push([undefined, d]);
    if (d.kind !== Kind.Nest || d.multi || d.masked) continue;
    for (const e of d.nested!.attrs) {
      const sel = e.selector;
      if (e.kind === Kind.SubMessage && !e.multi && sel && !d.nested!.byName(sel) && mine(sel))
        out.push([d, e]);
    }
  }
  return out;
}

const formatValues = (sm: SubMessageDef): string[] => sm.formats.map((f) => f.value);

/** A value of a sub-message in the format `sel` picks, or raw bytes when it picks none. */
function subMessageArb(def: AttrDef, sel: unknown, depth: number): fc.Arbitrary<unknown> {
  const f = def.subMessage!.format(sel);
  if (f === undefined) return bytesArb(0, 12);
  const h = f.header;
  if (f.attrs === undefined) return h === undefined ? fc.constant({}) : structArb(h);
  const attrs = setArb(f.attrs, depth + 1, false) as fc.Arbitrary<Record<string, unknown>>;
  if (h === undefined) return attrs;
  return fc.tuple(structArb(h), attrs).map(([header, a]) => ({ ...a, header }));
}

/** `r` with the sub-messages `subs` added (each present or not), consistent with their selectors. */
function withSubMessages(
  r: Record<string, unknown>,
  subs: readonly [AttrDef | undefined, AttrDef][],
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const parts = subs.map(([nest, def]) => {
    const present = nest === undefined || r[nest.name] !== undefined;
    return present
      ? fc.option(subMessageArb(def, r[def.selector!], depth + (nest ? 1 : 0)), { nil: ABSENT })
      : fc.constant(ABSENT);
  });
  return fc.tuple(...parts).map((vs) => {
    const out = { ...r };
    subs.forEach(([nest, def], i) => {
      const v = vs[i];
      if (v === ABSENT) return;
      if (nest === undefined) out[def.name] = v;
      else out[nest.name] = { ...(out[nest.name] as object), [def.name]: v };
    });
    return out;
  });
}
