/**
 * The encoding interpreter: writes JS values under a layout into a Writer.
 * Every user value is checked (type, range, spec `checks`) before its bytes
 * are written; a bad value raises an EncodeError naming its path.
 * @module
 */
import {
  MAX_NEST_DEPTH,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLA_TYPE_MASK,
  nlaAlign,
} from './constants.js';
import { EncodeError } from './errors.js';
import { KINDS, Kind, SCALARS, describe, flagWord, scalarSize } from './kinds.js';
import {
  extraAttrs,
  extraBytes,
  structStride,
  type AttrDef,
  type AttrSet,
  type EnumDef,
  type StructDef,
} from './layout.js';
import type { Writer } from './writer.js';
import { fastPath, setEncoder, structEncoder } from './compile.js';
import { isRecord, own } from './own.js';

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
  const s = SCALARS[kind];
  if (s === undefined) throw new EncodeError(`kind ${kind} is not a scalar`);
  if (!s.big) {
    const n = checkInt(v, s.min as number, s.max as number, s.name);
    w.ensure(s.size);
    s.write(w.view, w.pos, n, !be);
    w.pos += s.size;
    return n;
  }
  const b = checkBig(v, s.min as bigint, s.max as bigint, s.name);
  const out = s.narrow?.(b) ?? s;
  w.ensure(out.size);
  out.write(w.view, w.pos, out.big ? b : Number(b), !be);
  w.pos += out.size;
  return b;
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
    case Kind.SubMessage: // written whole by encodeSubMessage
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
  if (def.kind === Kind.SubMessage) {
    if (masked) throw new EncodeError(`'${def.name}' cannot be masked`);
    encodeSubMessage(w, def, v, depth);
    return;
  }
  const nested = KINDS[def.kind].nested;
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
 * one stack serves every call.) `openSets` holds their sets, where
 * sub-messages look their selector up.
 */
const openValues: unknown[] = [];
const openSets: AttrSet[] = [];

/**
 * The value of selector `name` of a sub-message: in the innermost set being
 * encoded that has an attribute of that name (undefined when none has, or
 * when the value does not set it).
 */
function selectorValue(name: string): unknown {
  for (let i = openSets.length - 1; i >= 0; i--) {
    if (openSets[i]!.byName(name) === undefined) continue;
    const v = openValues[i];
    return isRecord(v) ? own(v, name) : undefined;
  }
  return undefined;
}

/**
 * A whole sub-message attribute: the format its selector picks, or raw bytes
 * (a Uint8Array is sent as it is, whatever the selector).
 */
function encodeSubMessage(w: Writer, def: AttrDef, v: unknown, depth: number): void {
  if (v instanceof Uint8Array) {
    const at = w.beginAttr(def.type);
    w.raw(v);
    w.endAttr(at);
    return;
  }
  const sm = def.subMessage!;
  const sel = selectorValue(def.selector!);
  const f = sm.format(sel);
  if (f === undefined) {
    throw new EncodeError(
      sel === undefined
        ? `its selector '${def.selector!}' is not set, so its format is unknown: give the selector, or the payload as a Uint8Array`
        : `${sm.name} has no format for ${def.selector!} ${describe(sel)}: give the payload as a Uint8Array`,
    );
  }
  const h = f.header;
  const at =
    f.attrs !== undefined && h === undefined ? w.beginNest(def.type) : w.beginAttr(def.type);
  if (h !== undefined) {
    if (f.attrs === undefined) encodeStruct(w, h, v, true);
    else {
      if (!isRecord(v))
        throw new EncodeError(
          `expected an object of ${f.attrs.name} attributes, got ${describe(v)}`,
        );
      const hv = own(v, 'header');
      try {
        if (hv === undefined && h.members.some((m) => m.kind !== Kind.Pad))
          throw new EncodeError(`missing: the fixed header ${h.name} is required`);
        encodeStruct(w, h, hv ?? {});
      } catch (e) {
        throw withSegment(e, 'header');
      }
      w.zeros(nlaAlign(h.size) - h.size);
    }
  }
  if (f.attrs !== undefined)
    encodeSet(w, f.attrs, v, false, h !== undefined ? 'header' : undefined, depth + 1);
  else if (h === undefined && !(isRecord(v) && Object.keys(v).length === 0))
    throw new EncodeError(
      `format '${f.value}' of ${sm.name} has no content: expected {}, got ${describe(v)}`,
    );
  w.endAttr(at);
}

/**
 * Write the members of `value` as attributes of `set`. Records are written in
 * the set's (spec) order, whatever the order of the object's keys; ordered
 * sets take an array of `{ type, value }` and keep its order.
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
  openSets.push(set);
  try {
    encodeSetMembers(w, set, value, masked, skip, depth);
  } finally {
    openValues.pop();
    openSets.pop();
  }
}

/** Whether `key` is one of the keys `skip` names (not attributes). */
function isSkipped(skip: string | readonly string[] | undefined, key: string): boolean {
  return skip !== undefined && (typeof skip === 'string' ? key === skip : skip.includes(key));
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
  // Unknown keys first, before anything is written. Own keys only: inherited
  // properties (a polluted Object.prototype) are not attributes.
  for (const key in obj) {
    if (!Object.hasOwn(obj, key) || obj[key] === undefined || isSkipped(skip, key)) continue;
    if (set.byName(key) === undefined)
      throw new EncodeError(`'${key}' is not an attribute of ${set.name}`, key);
  }
  const extra = own(obj, extraAttrs);
  if (extra !== undefined) writeExtraAttrs(w, extra);
  // The attributes in spec order, as the compiled encoders write them.
  for (const def of set.attrs) {
    const key = def.name;
    const v = own(obj, key);
    if (v === undefined || isSkipped(skip, key)) continue;
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
    const path = `#${String(t)}`;
    const start = w.pos;
    try {
      writeRawAttr(w, t, own(e, 'flags'), own(e, 'data'), 'extra attribute');
    } catch (err) {
      w.pos = start;
      throw withSegment(err, path);
    }
  }
}

/**
 * Write one attribute from its parts as a decoder kept them: type number,
 * NLA_F_NESTED / NLA_F_NET_BYTEORDER bits (absent: none) and payload bytes.
 */
const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : describe(v));

function writeRawAttr(w: Writer, t: unknown, f: unknown, data: unknown, what: string): void {
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > NLA_TYPE_MASK)
    throw new EncodeError(`${what} type ${shown(t)} is not in [0, ${NLA_TYPE_MASK}]`);
  const flags = f ?? 0;
  if (!Number.isInteger(flags) || ((flags as number) & ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)) !== 0)
    throw new EncodeError(
      `${what} flags ${shown(flags)} are not NLA_F_NESTED / NLA_F_NET_BYTEORDER bits`,
    );
  const at = w.beginAttr(t | (flags as number));
  w.raw(bytesOf(data));
  w.endAttr(at);
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
        writeRawAttr(w, type, own(raw, 'flags'), entryValue, 'attribute');
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
