/**
 * The encoding interpreter: writes JS values under a layout into a Writer.
 * Every user value is checked (type, range, spec `checks`) before its bytes
 * are written; a bad value raises an EncodeError naming its path.
 * @module
 */
import { MAX_NEST_DEPTH, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from './constants.js';
import { EncodeError } from './errors.js';
import {
  Kind,
  extraAttrs,
  extraBytes,
  scalarSize,
  structStride,
  type AttrDef,
  type AttrSet,
  type EnumDef,
  type StructDef,
} from './layout.js';
import type { Writer } from './writer.js';
import { fastPath, setEncoder, structEncoder } from './compile.js';
import { isRecord, own } from './own.js';

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
// Hoisted: `-0x80000000n` in an expression is a negation evaluated (and a
// BigInt allocated) on every call.
const U32_MAX_BIG = 0xffffffffn;
const S32_MIN_BIG = -(1n << 31n);
const S32_MAX_BIG = (1n << 31n) - 1n;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return `a ${v.length}-byte Uint8Array`;
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') {
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    return tag === 'Object' ? 'an object' : `a ${tag}`;
  }
  return `${typeof v} ${String(v)}`;
}

/** Prefix the path of an EncodeError with a segment as it propagates out of a nest. */
function withSegment(e: unknown, segment: string): unknown {
  return e instanceof EncodeError ? e.prefixed(segment) : e;
}

function toNumber(v: unknown, e: EnumDef | undefined): number | bigint {
  if (e !== undefined && typeof v === 'string') {
    const n = e.valueOf(v);
    if (n === undefined) throw new EncodeError(`${JSON.stringify(v)} is not a member of ${e.name}`);
    return n;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new EncodeError(
    `expected a number${e ? ` or a name from ${e.name}` : ''}, got ${describe(v)}`,
  );
}

/** Names of the scalar kinds, for messages. */
const KIND_NAME: Partial<Record<Kind, string>> = {
  [Kind.U8]: 'u8',
  [Kind.U16]: 'u16',
  [Kind.U32]: 'u32',
  [Kind.U64]: 'u64',
  [Kind.S8]: 's8',
  [Kind.S16]: 's16',
  [Kind.S32]: 's32',
  [Kind.S64]: 's64',
  [Kind.Uint]: 'uint',
  [Kind.Sint]: 'sint',
};

const TWO32 = 2 ** 32;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The word of a flag set given as a list of names and bit values (numbers or
 * bigints), checked to fit `kind`: exact at every width, never truncated.
 * Signed kinds take the bits as their two's complement. The word is
 * accumulated as two 32-bit halves, so the common case allocates nothing.
 */
export function flagWord(list: readonly unknown[], e: EnumDef, kind: Kind): number | bigint {
  const size = scalarSize(kind);
  const width = size === 0 ? 64 : size * 8;
  let lo = 0;
  let hi = 0;
  for (const f of list) {
    let n: number | undefined;
    if (typeof f === 'string') n = e.valueOf(f);
    else if (typeof f === 'number') {
      // Above 2^53 only a single bit (a power of two, what the decoder gives
      // for a bit it has no name for) is exact; any other such number was rounded.
      if (
        Number.isInteger(f) &&
        f >= 0 &&
        (f <= Number.MAX_SAFE_INTEGER || f === 2 ** Math.round(Math.log2(f)))
      )
        n = f;
    } else if (typeof f === 'bigint' && f >= 0n) {
      if (f <= MAX_SAFE_BIG) n = Number(f);
      else if (f >> 64n !== 0n || width < 64)
        n = Infinity; // does not fit
      else {
        lo = (lo | Number(f & 0xffffffffn)) >>> 0;
        hi = (hi | Number(f >> 32n)) >>> 0;
        continue;
      }
    }
    if (n === undefined) throw new EncodeError(`${describe(f)} is not a flag of ${e.name}`);
    const h = Math.floor(n / TWO32);
    if (h >= TWO32 || (width < 64 && n >= 2 ** width)) {
      throw new EncodeError(
        `flag ${describe(f)} of ${e.name} does not fit in ${KIND_NAME[kind] ?? `kind ${kind}`}`,
      );
    }
    lo = (lo | (n % TWO32)) >>> 0;
    hi = (hi | h) >>> 0;
  }
  const signed = kind === Kind.S8 || kind === Kind.S16 || kind === Kind.S32 || kind === Kind.S64;
  if (width <= 32) return signed ? (lo << (32 - width)) >> (32 - width) : lo;
  const word = (BigInt(hi) << 32n) | BigInt(lo);
  return signed || kind === Kind.Sint ? BigInt.asIntN(64, word) : word;
}

function checkInt(v: number | bigint, min: number, max: number, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new EncodeError(`${describe(v)} is out of range for ${what} [${min}, ${max}]`);
  }
  return n;
}

function checkBig(v: number | bigint, min: bigint, max: bigint, what: string): bigint {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    throw new EncodeError(`${describe(v)} is not an exact integer; pass a bigint for ${what}`);
  }
  const b = BigInt(v);
  if (b < min || b > max) throw new EncodeError(`${describe(v)} is out of range for ${what}`);
  return b;
}

/** Write one scalar (no attribute header). Returns the value written, for checks. */
export function writeScalar(
  w: Writer,
  kind: Kind,
  be: boolean,
  raw: unknown,
  e?: EnumDef,
): number | bigint {
  const v = e?.flags === true && Array.isArray(raw) ? flagWord(raw, e, kind) : toNumber(raw, e);
  switch (kind) {
    case Kind.U8: {
      const n = checkInt(v, 0, 0xff, 'u8');
      w.u8(n);
      return n;
    }
    case Kind.S8: {
      const n = checkInt(v, -0x80, 0x7f, 's8');
      w.s8(n);
      return n;
    }
    case Kind.U16: {
      const n = checkInt(v, 0, 0xffff, 'u16');
      w.u16(n, be);
      return n;
    }
    case Kind.S16: {
      const n = checkInt(v, -0x8000, 0x7fff, 's16');
      w.s16(n, be);
      return n;
    }
    case Kind.U32: {
      const n = checkInt(v, 0, 0xffffffff, 'u32');
      w.u32(n, be);
      return n;
    }
    case Kind.S32: {
      const n = checkInt(v, -0x80000000, 0x7fffffff, 's32');
      w.s32(n, be);
      return n;
    }
    case Kind.U64: {
      const b = checkBig(v, 0n, U64_MAX, 'u64');
      w.u64(b, be);
      return b;
    }
    case Kind.S64: {
      const b = checkBig(v, S64_MIN, S64_MAX, 's64');
      w.s64(b, be);
      return b;
    }
    case Kind.Uint: {
      const b = checkBig(v, 0n, U64_MAX, 'uint');
      if (b <= U32_MAX_BIG) w.u32(Number(b), be);
      else w.u64(b, be);
      return b;
    }
    case Kind.Sint: {
      const b = checkBig(v, S64_MIN, S64_MAX, 'sint');
      if (b >= S32_MIN_BIG && b <= S32_MAX_BIG) w.s32(Number(b), be);
      else w.s64(b, be);
      return b;
    }
    default:
      throw new EncodeError(`kind ${kind} is not a scalar`);
  }
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new EncodeError(`expected a Uint8Array, got ${describe(v)}`);
}

function checkLen(def: AttrDef, len: number): void {
  const c = def.checks;
  if (c === undefined) return;
  if (c.exactLen !== undefined && len !== c.exactLen) {
    throw new EncodeError(`length ${len} must be exactly ${c.exactLen}`);
  }
  if (c.minLen !== undefined && len < c.minLen)
    throw new EncodeError(`length ${len} is below the minimum ${c.minLen}`);
  if (c.maxLen !== undefined && len > c.maxLen)
    throw new EncodeError(`length ${len} exceeds the maximum ${c.maxLen}`);
}

function checkRange(def: AttrDef, v: number | bigint): void {
  const c = def.checks;
  if (c === undefined) return;
  if (c.min !== undefined && v < c.min) throw new EncodeError(`${v} is below the minimum ${c.min}`);
  if (c.max !== undefined && v > c.max) throw new EncodeError(`${v} exceeds the maximum ${c.max}`);
}

function hasMember(def: StructDef, name: string): boolean {
  for (const m of def.members) if (m.name === name && m.kind !== Kind.Pad) return true;
  return false;
}

/**
 * Write a struct's bytes (no attribute header). With `tail` (a struct
 * attribute, whose length the attribute header carries), bytes a decoder
 * kept under `extraBytes` (from a newer kernel's longer struct) follow it;
 * elsewhere (a fixed header, a member) they would shift what follows and
 * are an error.
 */
export function encodeStruct(w: Writer, def: StructDef, value: unknown, tail = false): void {
  if (fastPath.enabled) {
    const f = structEncoder(def);
    if (f !== null) {
      const start = w.pos;
      if (f(w, value)) return;
      w.pos = start;
    }
  }
  if (!isRecord(value)) {
    throw new EncodeError(`expected an object for struct ${def.name}, got ${describe(value)}`);
  }
  const obj = value;
  w.ensure(def.size);
  const base = w.pos;
  w.zeros(def.size);
  const end = w.pos;
  for (const m of def.members) {
    if (m.kind === Kind.Pad) continue;
    const v = own(obj, m.name);
    if (v === undefined) continue; // absent members are zero
    w.pos = base + m.offset;
    try {
      switch (m.kind) {
        case Kind.Binary: {
          const b = bytesOf(v);
          if (b.length !== m.len) throw new EncodeError(`expected ${m.len} bytes, got ${b.length}`);
          w.raw(b);
          break;
        }
        case Kind.String: {
          if (typeof v !== 'string') throw new EncodeError(`expected a string, got ${describe(v)}`);
          const n = w.string(v, false);
          if (n >= m.len!)
            throw new EncodeError(
              `string of ${n} bytes does not fit in ${m.len} bytes with its NUL`,
            );
          break;
        }
        case Kind.Struct:
          encodeStruct(w, m.struct!, v);
          break;
        default:
          writeScalar(w, m.kind, m.be === true, v, m.enum);
      }
    } catch (e) {
      w.pos = end;
      throw withSegment(e, m.name);
    }
  }
  for (const k in obj) {
    if (Object.hasOwn(obj, k) && obj[k] !== undefined && !hasMember(def, k)) {
      w.pos = end;
      throw new EncodeError(`struct ${def.name} has no member '${k}'`, k);
    }
  }
  w.pos = end;
  const extra = own(obj, extraBytes);
  if (extra !== undefined) {
    if (!tail) {
      throw new EncodeError(
        `struct ${def.name} has extra bytes, but here it has a fixed size (no room for them)`,
      );
    }
    if (!(extra instanceof Uint8Array)) {
      throw new EncodeError(
        `extra bytes (extraBytes): expected a Uint8Array, got ${describe(extra)}`,
      );
    }
    w.raw(extra);
  }
}

/** A NUL-terminated string payload; `checks` lengths exclude the NUL, as in the kernel's policy. */
function encodeString(w: Writer, def: AttrDef, v: unknown): void {
  if (typeof v !== 'string') throw new EncodeError(`expected a string, got ${describe(v)}`);
  // The kernel stops at the first NUL: anything after it would be silently lost.
  if (v.indexOf('\0') !== -1) throw new EncodeError('string contains a NUL character');
  const start = w.pos;
  const n = w.string(v, true);
  try {
    checkLen(def, n - 1);
  } catch (e) {
    w.pos = start;
    throw e;
  }
}

/** Write the payload of attribute `def` (no header), of a set nested `depth` levels deep. */
function encodePayload(w: Writer, def: AttrDef, v: unknown, depth: number): void {
  switch (def.kind) {
    case Kind.String:
      encodeString(w, def, v);
      return;
    case Kind.Binary: {
      const b = bytesOf(v);
      checkLen(def, b.length);
      w.raw(b);
      return;
    }
    case Kind.Nest:
      encodeSet(w, def.nested!, v, def.masked === true, undefined, depth + 1);
      return;
    case Kind.Struct:
      encodeStruct(w, def.struct!, v, true);
      return;
    case Kind.Bitfield32: {
      if (!isRecord(v)) throw new EncodeError(`expected { value, selector }, got ${describe(v)}`);
      try {
        writeScalar(w, Kind.U32, false, own(v, 'value'));
      } catch (e) {
        throw withSegment(e, 'value');
      }
      try {
        writeScalar(w, Kind.U32, false, own(v, 'selector'));
      } catch (e) {
        throw withSegment(e, 'selector');
      }
      return;
    }
    case Kind.ScalarArray: {
      if (!Array.isArray(v)) throw new EncodeError(`expected an array, got ${describe(v)}`);
      for (let i = 0; i < v.length; i++) {
        try {
          writeScalar(w, def.sub!, def.be === true, v[i]);
        } catch (e) {
          throw withSegment(e, `[${i}]`);
        }
      }
      checkLen(def, v.length * scalarSize(def.sub!));
      return;
    }
    case Kind.StructArray: {
      if (!Array.isArray(v)) throw new EncodeError(`expected an array, got ${describe(v)}`);
      const s = def.struct!;
      const pad = structStride(s) - s.size;
      const start = w.pos;
      for (let i = 0; i < v.length; i++) {
        try {
          encodeStruct(w, s, v[i]);
        } catch (e) {
          throw withSegment(e, `[${i}]`);
        }
        w.zeros(pad);
      }
      checkLen(def, w.pos - start);
      return;
    }
    case Kind.IndexedArray: {
      if (!Array.isArray(v)) throw new EncodeError(`expected an array, got ${describe(v)}`);
      const sub = def.sub ?? Kind.Nest;
      for (let i = 0; i < v.length; i++) {
        try {
          const at = sub === Kind.Nest ? w.beginNest(i) : w.beginAttr(i);
          if (sub === Kind.Nest) encodeSet(w, def.nested!, v[i], false, undefined, depth + 2);
          else if (sub === Kind.Binary) {
            if (def.struct) encodeStruct(w, def.struct, v[i], true);
            else w.raw(bytesOf(v[i]));
          } else if (sub === Kind.String) encodeString(w, NO_CHECKS, v[i]);
          else writeScalar(w, sub, def.be === true, v[i], def.enum);
          w.endAttr(at);
        } catch (e) {
          throw withSegment(e, `[${i}]`);
        }
      }
      return;
    }
    case Kind.NestTypeValue:
      encodeTypeValue(w, def, v, depth);
      return;
    case Kind.Flag:
    case Kind.Pad:
    case Kind.Unused:
      throw new EncodeError(`attribute kind ${def.kind} has no payload`);
    default:
      checkRange(def, writeScalar(w, def.kind, def.be === true, v, def.enum));
  }
}

function encodeTypeValue(w: Writer, def: AttrDef, v: unknown, depth: number): void {
  if (!Array.isArray(v)) throw new EncodeError(`expected an array of records, got ${describe(v)}`);
  const names = def.typeValue!;
  const all: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const r: unknown = v[i];
    if (!isRecord(r)) {
      throw new EncodeError(
        `expected a record of ${names.join('/')} and attributes, got ${describe(r)}`,
        `[${i}]`,
      );
    }
    for (const n of names) {
      const t = own(r, n);
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > NLA_TYPE_MASK) {
        throw new EncodeError(
          `must be an attribute type number in [0, ${NLA_TYPE_MASK}], got ${describe(t)}`,
          `[${i}].${n}`,
        );
      }
    }
    all.push(i);
  }
  writeTypeValueLevel(w, def, v as Record<string, unknown>[], all, 0, depth);
}

/**
 * One level of a NestTypeValue: records (by index) grouped by their value for
 * this level, in order of first appearance, each group in one nest.
 */
function writeTypeValueLevel(
  w: Writer,
  def: AttrDef,
  records: readonly Record<string, unknown>[],
  which: readonly number[],
  level: number,
  depth: number,
): void {
  const names = def.typeValue!;
  const groups = new Map<number, number[]>();
  for (const i of which) {
    const t = records[i]![names[level]!] as number;
    const g = groups.get(t);
    if (g) g.push(i);
    else groups.set(t, [i]);
  }
  for (const [t, group] of groups) {
    const at = w.beginNest(t);
    if (level + 1 < names.length) writeTypeValueLevel(w, def, records, group, level + 1, depth);
    else {
      const first = group[0]!;
      if (group.length !== 1) {
        throw new EncodeError(`repeats the ${names.join('/')} of record ${first}`, `[${group[1]}]`);
      }
      try {
        encodeSet(w, def.nested!, records[first], false, names, depth + 1 + names.length);
      } catch (e) {
        throw withSegment(e, `[${first}]`);
      }
    }
    w.endAttr(at);
  }
}

/** Stands in for an element definition that carries no `checks` (indexed-array strings). */
const NO_CHECKS: AttrDef = { name: '', type: 0, kind: Kind.String };

/** Write one whole attribute (header + payload) for `def`. */
function encodeAttr(w: Writer, def: AttrDef, v: unknown, masked: boolean, depth: number): void {
  if (def.kind === Kind.Flag) {
    // A flag has no payload to mask; the decoder rejects one in a masked set too.
    if (masked) throw new EncodeError(`'${def.name}' is a flag and cannot be masked`);
    if (v === false) return;
    if (v !== true) throw new EncodeError(`flag expects true or false, got ${describe(v)}`);
    w.endAttr(w.beginAttr(def.type));
    return;
  }
  if (def.kind === Kind.Pad || def.kind === Kind.Unused) {
    throw new EncodeError(
      `attribute '${def.name}' is ${def.kind === Kind.Pad ? 'padding' : 'unused'} and cannot be sent`,
    );
  }
  const nested =
    def.kind === Kind.Nest || def.kind === Kind.IndexedArray || def.kind === Kind.NestTypeValue;
  const at = nested ? w.beginNest(def.type) : w.beginAttr(def.type);
  if (masked) {
    if (nested || !isRecord(v) || !Object.hasOwn(v, 'value') || !Object.hasOwn(v, 'mask')) {
      throw new EncodeError(
        nested ? `'${def.name}' cannot be masked` : `expected { value, mask }, got ${describe(v)}`,
      );
    }
    const start = w.pos;
    try {
      encodePayload(w, def, v.value, depth);
    } catch (e) {
      throw withSegment(e, 'value');
    }
    const half = w.pos - start;
    try {
      encodePayload(w, def, v.mask, depth);
    } catch (e) {
      throw withSegment(e, 'mask');
    }
    if (w.pos - start !== 2 * half) {
      throw new EncodeError(`value is ${half} bytes but mask is ${w.pos - start - half}`, 'mask');
    }
  } else {
    encodePayload(w, def, v, depth);
  }
  w.endAttr(at);
}

/**
 * The values of the sets being encoded by the interpreter, outermost first:
 * a value met again inside itself is a cycle. (Encoding is synchronous, so
 * one stack serves every call.)
 */
const openValues: unknown[] = [];

/**
 * Write the members of `value` as attributes of `set`. Records are written in
 * the object's own key order; ordered sets take an array of `{ type, value }`.
 * `skip` names keys that are not attributes (the fixed header, the type
 * values of a nest-type-value record). `depth` is the nesting level of the
 * set (at most {@link MAX_NEST_DEPTH}).
 */
export function encodeSet(
  w: Writer,
  set: AttrSet,
  value: unknown,
  masked = false,
  skip?: string | readonly string[],
  depth = 0,
): void {
  if (fastPath.enabled && !masked && typeof skip !== 'object') {
    // The compiled encoder takes the common case; on anything else it gives
    // up and the interpreter below re-encodes (or throws with the path).
    const start = w.pos;
    try {
      if (setEncoder(set)(w, value, skip, depth)) return;
    } catch {
      // e.g. an attribute over 64 KiB: the interpreter reports it properly
    }
    w.pos = start;
  }
  if (depth > MAX_NEST_DEPTH) throw new EncodeError(`nested deeper than ${MAX_NEST_DEPTH} levels`);
  const up = openValues.lastIndexOf(value);
  if (up >= 0 && typeof value === 'object' && value !== null) {
    const n = openValues.length - up;
    throw new EncodeError(`cyclic value: it contains itself (${n} level${n === 1 ? '' : 's'} up)`);
  }
  openValues.push(value);
  try {
    encodeSetMembers(w, set, value, masked, skip, depth);
  } finally {
    openValues.pop();
  }
}

function encodeSetMembers(
  w: Writer,
  set: AttrSet,
  value: unknown,
  masked: boolean,
  skip: string | readonly string[] | undefined,
  depth: number,
): void {
  if (set.ordered) {
    encodeOrdered(w, set, value, masked, depth);
    return;
  }
  if (!isRecord(value)) {
    throw new EncodeError(`expected an object of ${set.name} attributes, got ${describe(value)}`);
  }
  const obj = value;
  const extra = own(obj, extraAttrs);
  if (extra !== undefined) writeExtraAttrs(w, extra);
  for (const key in obj) {
    // own keys only: inherited properties (a polluted Object.prototype) are not attributes
    if (!Object.hasOwn(obj, key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    if (skip !== undefined && (typeof skip === 'string' ? key === skip : skip.includes(key)))
      continue;
    const def = set.byName(key);
    if (def === undefined)
      throw new EncodeError(`'${key}' is not an attribute of ${set.name}`, key);
    try {
      if (def.multi) {
        if (!Array.isArray(v))
          throw new EncodeError(`multi-attr expects an array, got ${describe(v)}`);
        for (let i = 0; i < v.length; i++) {
          try {
            encodeAttr(w, def, v[i], masked, depth);
          } catch (e) {
            throw withSegment(e, `[${i}]`);
          }
        }
      } else {
        encodeAttr(w, def, v, masked, depth);
      }
    } catch (e) {
      throw withSegment(e, key);
    }
  }
}

/**
 * Re-send the attributes a decoder kept under `extraAttrs` (types the layout
 * does not know, from a newer kernel; repeats of a known attribute). They go
 * before the set's known attributes: for a repeat, the known value (the one
 * the caller sees and may have changed) is then the last, which the kernel's
 * parser keeps.
 */
function writeExtraAttrs(w: Writer, list: unknown): void {
  if (!Array.isArray(list)) {
    throw new EncodeError(
      `extra attributes (extraAttrs): expected an array of { type, flags, data }, got ${describe(list)}`,
    );
  }
  for (const e of list as unknown[]) {
    if (typeof e !== 'object' || e === null) {
      throw new EncodeError(`extra attribute: expected { type, flags, data }, got ${describe(e)}`);
    }
    const t = own(e, 'type');
    const f = own(e, 'flags') ?? 0;
    const path = `#${String(t)}`;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > NLA_TYPE_MASK) {
      throw new EncodeError(`extra attribute type is not in [0, ${NLA_TYPE_MASK}]`, path);
    }
    if (!Number.isInteger(f) || ((f as number) & ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)) !== 0) {
      throw new EncodeError(
        `extra attribute flags ${describe(f)} are not NLA_F_NESTED / NLA_F_NET_BYTEORDER bits`,
        path,
      );
    }
    const start = w.pos;
    try {
      const at = w.beginAttr(t | (f as number));
      w.raw(bytesOf(own(e, 'data')));
      w.endAttr(at);
    } catch (err) {
      w.pos = start;
      throw withSegment(err, path);
    }
  }
}

function encodeOrdered(
  w: Writer,
  set: AttrSet,
  value: unknown,
  masked: boolean,
  depth: number,
): void {
  if (!Array.isArray(value))
    throw new EncodeError(`${set.name} is a sequence: expected an array, got ${describe(value)}`);
  for (let i = 0; i < value.length; i++) {
    const raw: unknown = value[i];
    try {
      if (!isRecord(raw)) throw new EncodeError(`expected { type, value }, got ${describe(raw)}`);
      const type = own(raw, 'type');
      const entryValue = own(raw, 'value');
      if (typeof type === 'number') {
        // An entry the layout does not know (e.g. decoded from a newer kernel): raw bytes.
        const t = type;
        if (!Number.isInteger(t) || t < 0 || t > NLA_TYPE_MASK) {
          throw new EncodeError(`attribute type ${t} is not in [0, ${NLA_TYPE_MASK}]`);
        }
        const at = w.beginAttr(t);
        w.raw(bytesOf(entryValue));
        w.endAttr(at);
        continue;
      }
      const def = typeof type === 'string' ? set.byName(type) : undefined;
      if (def === undefined)
        throw new EncodeError(`${describe(type)} is not a member of ${set.name}`);
      try {
        const v = def.kind === Kind.Flag ? (entryValue ?? true) : entryValue;
        encodeAttr(w, def, v, masked, depth);
      } catch (e) {
        throw withSegment(e, def.name);
      }
    } catch (e) {
      throw withSegment(e, `[${i}]`);
    }
  }
}
