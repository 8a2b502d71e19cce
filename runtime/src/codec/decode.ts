/**
 * The decoding interpreter: walks attribute TLVs under a layout and builds
 * plain JS objects. Every length is checked against its parent before it is
 * read; binary values are zero-copy views unless `copy` is requested.
 * @module
 */
import {
  MAX_NEST_DEPTH,
  NLA_TYPE_MASK,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  nlaAlign,
} from './constants.js';
import { DecodeError } from './errors.js';
import { Cursor, enumValue, readString } from './cursor.js';
import { KINDS, Kind, SCALARS, scalarSize } from './kinds.js';
import {
  extraAttrs,
  extraBytes,
  structArrayCount,
  structStride,
  type AttrDef,
  type AttrSet,
  type ExtraAttr,
  type StructDef,
  type SubMessageFormat,
} from './layout.js';
import { FAIL, fastPath, setDecoder, structDecoder } from './compile.js';
import { own, put } from './own.js';
import { defer, forget, pathOf, pending, settle } from './submsg.js';

// The primitives moved to cursor.ts; re-exported for importers of this module.
export { Cursor, enumValue, readString } from './cursor.js';

export interface DecodeOptions {
  /** Copy binary values out of the receive buffer instead of returning views into it. */
  readonly copy?: boolean;
}

/** Prefix the path of a DecodeError with a segment as it propagates out of a nest. */
export function withSegment(e: unknown, segment: string): unknown {
  if (e instanceof DecodeError) return e.prefixed(segment);
  return e;
}

function sizeError(what: string, expected: string, got: number, off: number): DecodeError {
  return new DecodeError(`${what} needs ${expected} bytes of payload, got ${got}`, '', off);
}

/** Read one fixed-width or variable-width scalar of `kind` at `[off, off+len)`. */
export function readScalar(
  c: Cursor,
  kind: Kind,
  be: boolean,
  off: number,
  len: number,
): number | bigint {
  const s = SCALARS[kind];
  if (s === undefined) throw new DecodeError(`kind ${kind} is not a scalar`, '', off);
  if (s.size === 0 ? len !== 4 && len !== 8 : len !== s.size)
    throw sizeError(s.name, s.size === 0 ? '4 or 8' : String(s.size), len, off);
  return s.read(c.view, off, !be, len);
}

/** Decode a struct laid out at `[off, off+len)`. */
export function decodeStruct(c: Cursor, def: StructDef, off: number, len: number): object {
  if (len === def.size && fastPath.enabled) return structDecoder(def)(c, off);
  if (len < def.size) {
    throw new DecodeError(`struct ${def.name} needs ${def.size} bytes, got ${len}`, '', off);
  }
  const out: Record<string | symbol, unknown> = {};
  for (const m of def.members) {
    const at = off + m.offset;
    switch (m.kind) {
      case Kind.Pad:
        break;
      case Kind.Binary:
        put(out, m.name, c.binary(at, m.len!));
        break;
      case Kind.String:
        put(out, m.name, readString(c.bytes, at, m.len!));
        break;
      case Kind.Struct:
        put(out, m.name, decodeStruct(c, m.struct!, at, m.struct!.size));
        break;
      default: {
        const v = readScalar(c, m.kind, m.be === true, at, scalarSize(m.kind));
        put(out, m.name, m.enum ? enumValue(m.enum, v) : v);
      }
    }
  }
  if (len > def.size) out[extraBytes] = c.binary(off + def.size, len - def.size);
  return out;
}

/**
 * Decode the payload `[off, off+len)` of one attribute described by `def`;
 * `depth` is the nesting level of the set it belongs to.
 */
function decodeValue(c: Cursor, def: AttrDef, off: number, len: number, depth: number): unknown {
  switch (def.kind) {
    case Kind.Flag:
      // The kernel's policy rejects a flag with a payload (NLA_FLAG: attrlen > 0).
      if (len !== KINDS[Kind.Flag].size)
        throw new DecodeError(`flag has ${len} bytes of payload, expected none`, '', off);
      return true;
    case Kind.String:
      return readString(c.bytes, off, len);
    case Kind.Binary:
    case Kind.SubMessage: // the raw bytes until its selector is known (see submsg.ts)
      return c.binary(off, len);
    case Kind.Nest:
      return decodeSet(c, def.nested!, off, off + len, def.masked === true, depth + 1);
    case Kind.Struct:
      return decodeStruct(c, def.struct!, off, len);
    case Kind.Bitfield32:
      if (len !== KINDS[Kind.Bitfield32].size)
        throw sizeError('bitfield32', String(KINDS[Kind.Bitfield32].size), len, off);
      return { value: c.view.getUint32(off, true), selector: c.view.getUint32(off + 4, true) };
    case Kind.ScalarArray: {
      const size = scalarSize(def.sub!);
      if (len % size !== 0) {
        throw new DecodeError(`array of ${size}-byte elements has length ${len}`, '', off);
      }
      const out: (number | bigint)[] = new Array(len / size);
      for (let i = 0; i < out.length; i++) {
        out[i] = readScalar(c, def.sub!, def.be === true, off + i * size, size);
      }
      return out;
    }
    case Kind.StructArray: {
      const def1 = def.struct!;
      const n = structArrayCount(def1, len);
      if (n === undefined) {
        throw new DecodeError(
          `array of struct ${def1.name} (${structStride(def1)} bytes each) has length ${len}`,
          '',
          off,
        );
      }
      const out: object[] = new Array(n);
      const stride = structStride(def1);
      for (let i = 0; i < n; i++) out[i] = decodeStruct(c, def1, off + i * stride, def1.size);
      return out;
    }
    case Kind.IndexedArray:
      return decodeIndexedArray(c, def, off, off + len, depth + 1);
    case Kind.NestTypeValue:
      return decodeTypeValue(c, def, 0, off, off + len, {}, depth + 1);
    default: {
      const v = readScalar(c, def.kind, def.be === true, off, len);
      return def.enum ? enumValue(def.enum, v) : v;
    }
  }
}

/** Names an attribute by its type and position, for error paths. */
export type AttrLabel = (type: number, index: number) => string;

/**
 * Iterate the attributes in `[off, end)`, calling `fn(type, flags, payloadOff,
 * payloadLen, attrOff)`. Lengths are validated before `fn` sees them; the last
 * attribute may lack its alignment padding. When `label` is given, an
 * attribute whose own length is bad is named in the error path (its type is
 * readable even when its length lies); a header cut short names only the parent.
 */
export function forEachAttr(
  c: Cursor,
  off: number,
  end: number,
  fn: (type: number, flags: number, poff: number, plen: number, aoff: number) => void,
  label?: AttrLabel,
): void {
  const v = c.view;
  let index = 0;
  while (off < end) {
    if (end - off < 4) {
      throw new DecodeError(
        `${end - off} trailing bytes are too short for an attribute header`,
        '',
        off,
      );
    }
    const len = v.getUint16(off, true);
    const raw = v.getUint16(off + 2, true);
    const type = raw & NLA_TYPE_MASK;
    if (len < 4 || len > end - off) {
      const reason =
        len < 4
          ? `attribute length ${len} is shorter than its 4-byte header`
          : `attribute type ${type} claims ${len} bytes but only ${end - off} remain`;
      throw new DecodeError(reason, label ? label(type, index) : '', off);
    }
    fn(type, raw & (NLA_F_NESTED | NLA_F_NET_BYTEORDER), off + 4, len - 4, off);
    off += nlaAlign(len);
    index++;
  }
}

/** Name of attribute `type` in `set` for paths: its JS name, or `#<type>` when unknown. */
function nameIn(set: AttrSet, type: number): string {
  const def = set.byType(type);
  return def === undefined ? `#${type}` : def.name;
}

/** The DecodeError for a set nested deeper than {@link MAX_NEST_DEPTH}. */
function tooDeep(off: number): DecodeError {
  return new DecodeError(`nested deeper than ${MAX_NEST_DEPTH} levels`, '', off);
}

/**
 * Decode the attributes in `[off, end)` as members of `set`, nested `depth`
 * levels below the message (at most {@link MAX_NEST_DEPTH}).
 */
export function decodeSet(
  c: Cursor,
  set: AttrSet,
  off: number,
  end: number,
  masked = false,
  depth = 0,
): object {
  if (depth > MAX_NEST_DEPTH) throw tooDeep(off);
  // Sub-messages recorded from here on are settled when this set is complete.
  if (depth !== 0) return decodeSetAt(c, set, off, end, masked, depth, pending.length);
  // A message's set: records a decode that threw left behind are dropped, and
  // those still waiting at the end (no set has their selector) keep their bytes.
  pending.length = 0;
  const out = decodeSetAt(c, set, off, end, masked, 0, 0);
  pending.length = 0;
  return out;
}

function decodeSetAt(
  c: Cursor,
  set: AttrSet,
  off: number,
  end: number,
  masked: boolean,
  depth: number,
  mark: number,
): object {
  if (!masked && fastPath.enabled) {
    // The compiled decoder takes the well-formed common case; anything else
    // is decoded (or rejected, with its path) by the interpreter below.
    const r = setDecoder(set)(c, off, end, depth);
    if (r !== FAIL) return r;
    pending.length = mark;
  }
  const out = set.ordered
    ? decodeOrdered(c, set, off, end, masked, depth)
    : decodeRecord(c, set, off, end, masked, depth);
  if (pending.length !== mark)
    settle(set, out, mark, (p, f) => {
      try {
        return decodeFormat(c, f, p.off, p.len, p.depth);
      } catch (e) {
        throw pathOf(out, p).reduceRight((err, seg) => withSegment(err, seg), e);
      }
    });
  return out;
}

/**
 * Decode `[off, off+len)` in format `f` of a sub-message of a set `depth`
 * levels deep: the struct (and the bytes past it, if longer), the set, the
 * set with the struct under `header` (the attributes start 4-byte aligned
 * after it), or `{}` (content where the spec knows none stays raw bytes).
 */
function decodeFormat(
  c: Cursor,
  f: SubMessageFormat,
  off: number,
  len: number,
  depth: number,
): unknown {
  const h = f.header;
  if (f.attrs === undefined) {
    if (h !== undefined) return decodeStruct(c, h, off, len);
    return len === 0 ? {} : c.binary(off, len);
  }
  if (h === undefined) return decodeSet(c, f.attrs, off, off + len, false, depth + 1);
  if (len < h.size)
    throw new DecodeError(`struct ${h.name} needs ${h.size} bytes, got ${len}`, 'header', off);
  const header = decodeStruct(c, h, off, h.size);
  const out = decodeSet(
    c,
    f.attrs,
    Math.min(off + nlaAlign(h.size), off + len),
    off + len,
    false,
    depth + 1,
  );
  put(out, 'header', header);
  return out;
}

/** The attributes in `[off, end)` of the record (not ordered) `set`. */
function decodeRecord(
  c: Cursor,
  set: AttrSet,
  off: number,
  end: number,
  masked: boolean,
  depth: number,
): object {
  const out: Record<string | symbol, unknown> = {};
  // A repeat of a single attribute replaces its value (the kernel's nla_parse
  // keeps the last) and the earlier one is kept as extra; extras stay in wire
  // order, so that encode -> decode gives them back alike. Offsets of extras
  // are only tracked once there is one.
  let extraAt: number[] | undefined;
  const extra = (poff: number, e: ExtraAttr): void => {
    extraAt ??= [];
    let i = extraAt.length;
    while (i > 0 && extraAt[i - 1]! > poff) i--;
    extraAt.splice(i, 0, poff);
    const list = own(out, extraAttrs) as ExtraAttr[] | undefined;
    if (list) list.splice(i, 0, e);
    else out[extraAttrs] = [e];
  };
  forEachAttr(
    c,
    off,
    end,
    (type, flags, poff, plen) => {
      const def = set.byType(type);
      if (def === undefined || def.kind === Kind.Unused) {
        extra(poff, { type, flags, data: c.binary(poff, plen) });
        return;
      }
      if (def.kind === Kind.Pad) return;
      let value: unknown;
      try {
        value = masked
          ? decodeMasked(c, def, poff, plen, depth)
          : decodeValue(c, def, poff, plen, depth);
      } catch (e) {
        throw withSegment(e, def.name);
      }
      const prev = own(out, def.name);
      if (def.multi) {
        if (prev === undefined) put(out, def.name, [value]);
        else (prev as unknown[]).push(value);
        if (def.kind === Kind.SubMessage) {
          const list = own(out, def.name) as unknown[];
          defer(def, poff, plen, list, list.length - 1, depth);
        }
      } else {
        if (prev !== undefined) {
          // rare: find the occurrence being replaced (the last one before this)
          let was: readonly [flags: number, poff: number, plen: number] | undefined;
          forEachAttr(c, off, poff - 4, (t, f, o, l) => {
            if (t === type) was = [f, o, l];
          });
          extra(was![1], { type, flags: was![0], data: c.binary(was![1], was![2]) });
          if (def.kind === Kind.SubMessage) forget(out, def.name);
        }
        put(out, def.name, value);
        if (def.kind === Kind.SubMessage) defer(def, poff, plen, out, def.name, depth);
      }
    },
    (type) => nameIn(set, type),
  );
  return out;
}

function decodeMasked(c: Cursor, def: AttrDef, off: number, len: number, depth: number): object {
  if (def.kind === Kind.Nest || def.kind === Kind.Flag || def.kind === Kind.SubMessage) {
    throw new DecodeError(`attribute ${def.name} cannot carry a value/mask pair`, '', off);
  }
  if (len % 2 !== 0) throw new DecodeError(`masked attribute has odd length ${len}`, '', off);
  const half = len / 2;
  let value: unknown;
  try {
    value = decodeValue(c, def, off, half, depth);
  } catch (e) {
    throw withSegment(e, 'value');
  }
  try {
    return { value, mask: decodeValue(c, def, off + half, half, depth) };
  } catch (e) {
    throw withSegment(e, 'mask');
  }
}

function decodeOrdered(
  c: Cursor,
  set: AttrSet,
  off: number,
  end: number,
  masked: boolean,
  depth: number,
): object {
  const out: { type: string | number; flags?: number; value: unknown }[] = [];
  forEachAttr(
    c,
    off,
    end,
    (type, flags, poff, plen) => {
      const def = set.byType(type);
      if (def === undefined || def.kind === Kind.Unused || def.kind === Kind.Pad) {
        out.push({ type, flags, value: c.binary(poff, plen) });
        return;
      }
      try {
        const value = masked
          ? decodeMasked(c, def, poff, plen, depth)
          : decodeValue(c, def, poff, plen, depth);
        const entry = { type: def.name, value };
        out.push(entry);
        if (def.kind === Kind.SubMessage) defer(def, poff, plen, entry, 'value', depth);
      } catch (e) {
        throw withSegment(e, `[${out.length}].${def.name}`);
      }
    },
    (type, index) => `[${index}].${nameIn(set, type)}`,
  );
  return out;
}

const indexLabel: AttrLabel = (_type, index) => `[${index}]`;

/**
 * IndexedArray: the nest's attribute types are array positions (the kernel
 * and YNL number them from 0 or 1; either way the order is the array order).
 */
function decodeIndexedArray(
  c: Cursor,
  def: AttrDef,
  off: number,
  end: number,
  depth: number,
): unknown[] {
  const out: unknown[] = [];
  const sub = def.sub ?? Kind.Nest;
  forEachAttr(
    c,
    off,
    end,
    (_type, _flags, poff, plen) => {
      try {
        if (sub === Kind.Nest)
          out.push(decodeSet(c, def.nested!, poff, poff + plen, false, depth + 1));
        else if (sub === Kind.Binary) {
          out.push(def.struct ? decodeStruct(c, def.struct, poff, plen) : c.binary(poff, plen));
        } else if (sub === Kind.String) out.push(readString(c.bytes, poff, plen));
        else {
          const v = readScalar(c, sub, def.be === true, poff, plen);
          out.push(def.enum ? enumValue(def.enum, v) : v);
        }
      } catch (e) {
        throw withSegment(e, `[${out.length}]`);
      }
    },
    indexLabel,
  );
  return out;
}

/**
 * NestTypeValue: each level's attribute types are values named by
 * `typeValue[level]`; the innermost payload is a nest of `nested`. Decodes to
 * a flat array of records carrying those values plus the nested attributes.
 * (YNL's python library reads only the first entry of each level; the kernel
 * sends several, e.g. nlctrl's policy dump, so all are kept here.)
 */
function decodeTypeValue(
  c: Cursor,
  def: AttrDef,
  level: number,
  off: number,
  end: number,
  keys: Record<string, number>,
  depth: number,
  out: object[] = [],
): object[] {
  const names = def.typeValue!;
  forEachAttr(
    c,
    off,
    end,
    (type, _flags, poff, plen) => {
      const k = { ...keys, [names[level]!]: type };
      try {
        if (level + 1 < names.length)
          decodeTypeValue(c, def, level + 1, poff, poff + plen, k, depth + 1, out);
        else
          // spread, not Object.assign: an attribute named `__proto__` stays data
          out.push({ ...k, ...decodeSet(c, def.nested!, poff, poff + plen, false, depth + 1) });
      } catch (e) {
        throw withSegment(e, `[${names[level]}=${type}]`);
      }
    },
    (type) => `[${names[level]}=${type}]`,
  );
  return out;
}

/** Decode `bytes[start, end)` as the attributes of `set`. */
export function decodeAttrs<T>(
  set: AttrSet<T>,
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  opts: DecodeOptions = {},
): T {
  if (start < 0 || end > bytes.length || start > end) {
    throw new DecodeError(
      `range [${start}, ${end}) is outside the ${bytes.length}-byte buffer`,
      '',
      start,
    );
  }
  return decodeSet(new Cursor(bytes, opts.copy === true), set, start, end) as T;
}
