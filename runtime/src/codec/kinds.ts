/**
 * The wire kinds, and one record per scalar kind: its size, its range, how the
 * interpreter reads and writes it, and the expressions the run-time compiler
 * emits for the same. The decoding and encoding interpreters (`decode.ts`,
 * `encode.ts`) and the compiler (`compile.ts`) all take a scalar's rules from
 * here, so each rule is written once. This module imports nothing but the
 * error classes: it sits below every path.
 * @module
 */
import { EncodeError } from './errors.js';

/** Wire kinds of attributes and struct members. */
export const Kind = {
  /** Attribute number reserved by the spec; never encoded, kept as extra when received. */
  Unused: 0,
  /** Alignment padding attribute (e.g. `*_ATTR_PAD`); skipped on decode, never encoded. */
  Pad: 1,
  /** Zero-length attribute: present = `true`. */
  Flag: 2,
  U8: 3,
  U16: 4,
  U32: 5,
  U64: 6,
  S8: 7,
  S16: 8,
  S32: 9,
  S64: 10,
  /** Variable-width unsigned: 4 or 8 bytes on the wire, `bigint` in JS. */
  Uint: 11,
  /** Variable-width signed: 4 or 8 bytes on the wire, `bigint` in JS. */
  Sint: 12,
  /** NUL-terminated string (struct member: fixed-size char array). */
  String: 13,
  /** Opaque bytes: a zero-copy `Uint8Array` view. */
  Binary: 14,
  /** Nested attribute set (`nested`). */
  Nest: 15,
  /** `struct nla_bitfield32 { u32 value; u32 selector; }` */
  Bitfield32: 16,
  /** Nest whose attributes are array elements, typed by index (`sub`, `nested`). */
  IndexedArray: 17,
  /** Nest whose attribute types carry values (`typeValue`), each holding a nest (`nested`). */
  NestTypeValue: 18,
  /** Binary payload with a fixed C struct layout (`struct`). */
  Struct: 19,
  /** Binary payload that is a packed array of one scalar (`sub`). */
  ScalarArray: 20,
  /**
   * Binary payload that is a packed array of one fixed struct (`struct`),
   * each element padded to 4 bytes (`NLA_ALIGN`), as OVS's `ovs_zone_limit`s.
   */
  StructArray: 21,
  /**
   * netlink-raw sub-message (`subMessage`): the payload's format (a fixed
   * header, an attribute set, or both) is chosen by the value of the
   * `selector` attribute, looked up in the attribute's set, then in the
   * enclosing sets. Unknown selector values keep the raw bytes.
   */
  SubMessage: 22,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * Everything about one scalar kind. The fixed-width kinds have a `size`; the
 * variable-width ones (`uint`, `sint`) have size 0 and `narrow`, which picks
 * the fixed-width record a value is written as (4 bytes when it fits, else 8).
 */
export interface ScalarKind {
  readonly kind: Kind;
  /** Name in messages and the spec (`u32`). */
  readonly name: string;
  /** Bytes on the wire; 0 for the variable-width kinds (4 or 8). */
  readonly size: number;
  /** The JS value is a bigint (64-bit and variable-width kinds). */
  readonly big: boolean;
  /** Range of the JS value. */
  readonly min: number | bigint;
  readonly max: number | bigint;
  /** Interpreter: the value at `off` (`len` bytes; the variable kinds need it). */
  read(v: DataView, off: number, le: boolean, len: number): number | bigint;
  /** Interpreter: write an in-range value at `off` (fixed-width kinds). */
  write(v: DataView, off: number, x: number | bigint, le: boolean): void;
  /** Variable-width kinds: the fixed-width record an in-range bigint is written as. */
  narrow?(x: bigint): ScalarKind;
  /**
   * Compiler: a JS expression reading the value at offset expression `at` of
   * a payload `len` (an expression) bytes long; `v` (the DataView) and `b` (the
   * bytes) are in scope.
   */
  readExpr(at: string, le: boolean, len: string): string;
  /**
   * Compiler: a statement writing the in-range value `x` at offset expression
   * `at` with the DataView `dv` in scope, and zeroing the bytes up to the
   * next 4-byte boundary when `pad` (a whole attribute payload).
   */
  writeExpr(at: string, x: string, le: boolean, pad: boolean): string;
  /**
   * Compiler: a condition that holds when `x` is a JS value of this kind in
   * range, in the common form only (a number for the narrow kinds, a bigint
   * for the wide ones); the interpreter judges everything else.
   */
  okExpr(x: string): string;
}

const dvRead = (m: string, at: string, le: boolean): string => `v.${m}(${at}, ${le})`;

function narrowKind(
  kind: Kind,
  name: string,
  size: 1 | 2 | 4,
  signed: boolean,
  get: 'getUint8' | 'getInt8' | 'getUint16' | 'getInt16' | 'getUint32' | 'getInt32',
  set: 'setUint8' | 'setInt8' | 'setUint16' | 'setInt16' | 'setUint32' | 'setInt32',
): ScalarKind {
  const bits = size * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  // Exact integers in range, as one integer operation: `(x >>> 0) === x` is false
  // for NaN, fractions and everything outside [0, 2^32).
  const ok =
    size === 4
      ? signed
        ? (x: string) => `(${x} | 0) === ${x}`
        : (x: string) => `(${x} >>> 0) === ${x}`
      : signed
        ? (x: string) => `((${x} << ${32 - bits}) >> ${32 - bits}) === ${x}`
        : (x: string) => `(${x} & ${max}) === ${x}`;
  return {
    kind,
    name,
    size,
    big: false,
    min,
    max,
    read: (v, off, le) => v[get](off, le),
    write: (v, off, x, le) => v[set](off, x as number, le),
    readExpr: (at, le) => (kind === Kind.U8 ? `b[${at}]` : dvRead(get, at, le)),
    writeExpr: (at, x, le, pad) => {
      // A one-byte value and its padding are one little-endian word.
      if (pad && size === 1) return `dv.setUint32(${at}, ${x} & 0xff, true);`;
      const w = `dv.${set}(${at}, ${x}, ${le});`;
      return pad && size === 2 ? `${w} dv.setUint16(${at} + 2, 0, true);` : w;
    },
    okExpr: (x) => `typeof ${x} === 'number' && ${ok(x)}`,
  };
}

function wideKind(kind: Kind, name: string, signed: boolean): ScalarKind {
  const min = signed ? -(1n << 63n) : 0n;
  const max = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  const get = signed ? 'getBigInt64' : 'getBigUint64';
  const set = signed ? 'setBigInt64' : 'setBigUint64';
  return {
    kind,
    name,
    size: 8,
    big: true,
    min,
    max,
    read: (v, off, le) => v[get](off, le),
    write: (v, off, x, le) => v[set](off, x as bigint, le),
    readExpr: (at, le) => dvRead(get, at, le),
    writeExpr: (at, x, le) => `dv.${set}(${at}, ${x}, ${le});`,
    // one truncation and compare, no bigint constants to compare with
    okExpr: (x) =>
      `typeof ${x} === 'bigint' && BigInt.${signed ? 'asIntN' : 'asUintN'}(64, ${x}) === ${x}`,
  };
}

const U32 = narrowKind(Kind.U32, 'u32', 4, false, 'getUint32', 'setUint32');
const S32 = narrowKind(Kind.S32, 's32', 4, true, 'getInt32', 'setInt32');
const U64 = wideKind(Kind.U64, 'u64', false);
const S64 = wideKind(Kind.S64, 's64', true);

/** `uint` / `sint`: 4 bytes when the value fits, else 8 (as the kernel's nla_put_uint). */
function variableKind(kind: Kind, name: string, signed: boolean): ScalarKind {
  const wide = signed ? S64 : U64;
  const four = signed ? S32 : U32;
  const lo = signed ? -(1n << 31n) : 0n;
  const hi = signed ? (1n << 31n) - 1n : 0xffffffffn;
  const get4 = signed ? 'getInt32' : 'getUint32';
  return {
    ...wide,
    kind,
    name,
    size: 0,
    read: (v, off, le, len) => (len === 4 ? BigInt(v[get4](off, le)) : wide.read(v, off, le, 8)),
    narrow: (x) => (x >= lo && x <= hi ? four : wide),
    readExpr: (at, le, len) =>
      `(${len} === 4 ? BigInt(${dvRead(get4, at, le)}) : ${wide.readExpr(at, le, '8')})`,
    writeExpr: () => {
      throw new Error(`${name}: its width depends on the value (narrow() first)`);
    },
  };
}

/** The scalar kinds' records, by kind. */
export const SCALARS: Readonly<Partial<Record<Kind, ScalarKind>>> = {
  [Kind.U8]: narrowKind(Kind.U8, 'u8', 1, false, 'getUint8', 'setUint8'),
  [Kind.S8]: narrowKind(Kind.S8, 's8', 1, true, 'getInt8', 'setInt8'),
  [Kind.U16]: narrowKind(Kind.U16, 'u16', 2, false, 'getUint16', 'setUint16'),
  [Kind.S16]: narrowKind(Kind.S16, 's16', 2, true, 'getInt16', 'setInt16'),
  [Kind.U32]: U32,
  [Kind.S32]: S32,
  [Kind.U64]: U64,
  [Kind.S64]: S64,
  [Kind.Uint]: variableKind(Kind.Uint, 'uint', false),
  [Kind.Sint]: variableKind(Kind.Sint, 'sint', true),
};

/** What each kind states about its attribute on the wire, scalar or not. */
export interface KindInfo {
  readonly kind: Kind;
  /** Name in messages. */
  readonly name: string;
  /** Payload size when it is fixed by the kind (a flag 0, a bitfield32 8, a scalar its size). */
  readonly size?: number;
  /** The payload is attributes: the header carries NLA_F_NESTED. */
  readonly nested: boolean;
  /** The record of a scalar kind. */
  readonly scalar?: ScalarKind;
}

function info(kind: Kind, name: string, nested = false, size?: number): KindInfo {
  const scalar = SCALARS[kind];
  const fixed = size ?? (scalar !== undefined && scalar.size > 0 ? scalar.size : undefined);
  return {
    kind,
    name: scalar?.name ?? name,
    nested,
    ...(fixed !== undefined ? { size: fixed } : {}),
    ...(scalar !== undefined ? { scalar } : {}),
  };
}

/** Every kind's record, by kind. */
export const KINDS: Readonly<Record<Kind, KindInfo>> = {
  [Kind.Unused]: info(Kind.Unused, 'unused'),
  [Kind.Pad]: info(Kind.Pad, 'pad'),
  [Kind.Flag]: info(Kind.Flag, 'flag', false, 0),
  [Kind.U8]: info(Kind.U8, ''),
  [Kind.U16]: info(Kind.U16, ''),
  [Kind.U32]: info(Kind.U32, ''),
  [Kind.U64]: info(Kind.U64, ''),
  [Kind.S8]: info(Kind.S8, ''),
  [Kind.S16]: info(Kind.S16, ''),
  [Kind.S32]: info(Kind.S32, ''),
  [Kind.S64]: info(Kind.S64, ''),
  [Kind.Uint]: info(Kind.Uint, ''),
  [Kind.Sint]: info(Kind.Sint, ''),
  [Kind.String]: info(Kind.String, 'string'),
  [Kind.Binary]: info(Kind.Binary, 'binary'),
  [Kind.Nest]: info(Kind.Nest, 'nest', true),
  [Kind.Bitfield32]: info(Kind.Bitfield32, 'bitfield32', false, 8),
  [Kind.IndexedArray]: info(Kind.IndexedArray, 'indexed-array', true),
  [Kind.NestTypeValue]: info(Kind.NestTypeValue, 'nest-type-value', true),
  [Kind.Struct]: info(Kind.Struct, 'struct'),
  [Kind.ScalarArray]: info(Kind.ScalarArray, 'scalar-array'),
  [Kind.StructArray]: info(Kind.StructArray, 'struct-array'),
  // NLA_F_NESTED depends on the format chosen (set only for a format of attributes alone)
  [Kind.SubMessage]: info(Kind.SubMessage, 'sub-message'),
};

/** The record of scalar kind `kind`, or undefined for the other kinds. */
export function scalarKind(kind: Kind): ScalarKind | undefined {
  return SCALARS[kind];
}

/** Wire size of a fixed-width scalar kind, 0 for the rest. */
export function scalarSize(kind: Kind): number {
  return SCALARS[kind]?.size ?? 0;
}

/** The scalar kinds whose JS value is signed. */
export function isSigned(kind: Kind): boolean {
  const s = SCALARS[kind];
  return s !== undefined && s.min < 0;
}

/** Describe a user value for an error message. */
export function describe(v: unknown): string {
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

const TWO32 = 2 ** 32;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The flag names and bit values of an enum, as `flagWord` needs them (an
 * `EnumDef` satisfies this; kept structural so this module stays at the bottom).
 */
export interface FlagNames {
  readonly name: string;
  valueOf(name: string): number | undefined;
}

/**
 * The word of a flag set given as a list of names and bit values (numbers or
 * bigints), checked to fit `kind`: exact at every width, never truncated.
 * Signed kinds take the bits as their two's complement. The word is
 * accumulated as two 32-bit halves, so the common case allocates nothing.
 */
export function flagWord(list: readonly unknown[], e: FlagNames, kind: Kind): number | bigint {
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
        `flag ${describe(f)} of ${e.name} does not fit in ${SCALARS[kind]?.name ?? `kind ${kind}`}`,
      );
    }
    lo = (lo | (n % TWO32)) >>> 0;
    hi = (hi | h) >>> 0;
  }
  const signed = isSigned(kind);
  if (width <= 32) return signed ? (lo << (32 - width)) >> (32 - width) : lo;
  const word = (BigInt(hi) << 32n) | BigInt(lo);
  return signed ? BigInt.asIntN(64, word) : word;
}
