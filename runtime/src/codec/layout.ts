/**
 * Layout tables: the contract between generated code and the codec. Generated
 * families declare their structs and attribute sets with these types; the
 * interpreters in `decode.ts` / `encode.ts` are the only place that knows how
 * each kind travels on the wire.
 * @module
 */
import type { DisplayHint } from '../format.js';
import { nlaAlign } from './constants.js';
import type { Kind } from './kinds.js';

export { Kind, scalarSize } from './kinds.js';

/** Kernel-side input checks the encoder enforces before anything is sent. */
export interface Checks {
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  readonly minLen?: number;
  readonly maxLen?: number;
  readonly exactLen?: number;
}

/** One attribute of an attribute set. */
export interface AttrDef {
  /** JS property name (camelCase of the spec name). */
  readonly name: string;
  /** Attribute type number on the wire. */
  readonly type: number;
  readonly kind: Kind;
  /** Big-endian (network byte order) scalar. */
  readonly be?: boolean;
  /** May repeat: decoded into an array. */
  readonly multi?: boolean;
  /** Attribute set inside a Nest / IndexedArray / NestTypeValue. */
  readonly nested?: AttrSet;
  /** Struct layout of a Struct attribute, or of the elements of a StructArray. */
  readonly struct?: StructDef;
  /** Element kind of an IndexedArray or ScalarArray. */
  readonly sub?: Kind;
  /** Names of the values carried in the types of a NestTypeValue's levels. */
  readonly typeValue?: readonly string[];
  /**
   * The nested set's attributes each carry `value` followed by `mask` of
   * equal size (OVS `set-masked`); decoded as `{ value, mask }`.
   */
  readonly masked?: boolean;
  /** Checks applied when encoding. */
  readonly checks?: Checks;
  /** Scalar values are members of this enum (or flag set): decoded to names. */
  readonly enum?: EnumDef;
  /** The spec's display hint (see `formatValue` in the runtime's format module). */
  readonly display?: DisplayHint;
  /** The formats of a SubMessage attribute. */
  readonly subMessage?: SubMessageDef;
  /**
   * JS name of the attribute whose value picks the SubMessage format: looked
   * up in this attribute's set, else in the nearest enclosing set that has an
   * attribute of that name (as the kernel's python YNL does).
   */
  readonly selector?: string;
}

/**
 * One format of a sub-message, used when the selector's value is `value`.
 * The payload is the `header` struct (padded to 4 bytes when attributes
 * follow), then the attributes of `attrs`. Decoded as: the struct (header
 * only), the set's object (attributes only), the set's object with the struct
 * under `header` (both), `{}` (neither).
 */
export interface SubMessageFormat {
  readonly value: string;
  readonly header?: StructDef;
  readonly attrs?: AttrSet;
}

/**
 * A netlink-raw sub-message: formats by selector value. The formats are given
 * as a thunk, like an attribute set's attributes, so that declaration order
 * does not matter.
 */
export class SubMessageDef {
  #thunk: (() => readonly SubMessageFormat[]) | null;
  #formats: readonly SubMessageFormat[] = [];
  #byValue = new Map<string, SubMessageFormat>();
  constructor(
    /** Spec name (used in error messages). */
    readonly name: string,
    formats: () => readonly SubMessageFormat[],
  ) {
    this.#thunk = formats;
  }
  /** The format for selector value `value` (a string, or a number as its decimal string). */
  /** The formats, in spec order. */
  get formats(): readonly SubMessageFormat[] {
    if (this.#thunk) {
      this.#formats = this.#thunk();
      this.#thunk = null;
      for (const f of this.#formats) if (!this.#byValue.has(f.value)) this.#byValue.set(f.value, f);
    }
    return this.#formats;
  }
  format(value: unknown): SubMessageFormat | undefined {
    if (this.#thunk) void this.formats;
    if (typeof value === 'string') return this.#byValue.get(value);
    if (typeof value === 'number' || typeof value === 'bigint')
      return this.#byValue.get(String(value));
    return undefined;
  }
}

/**
 * An enum or flag set. Decoders turn values into names (unknown values stay
 * numbers, so nothing is lost); encoders accept names or numbers.
 */
export class EnumDef {
  readonly #byValue = new Map<number, string>();
  readonly #byName = new Map<string, number>();
  constructor(
    /** Spec name, for error messages. */
    readonly name: string,
    /** Name -> value (for flags: the bit value, not the bit number). */
    readonly entries: Readonly<Record<string, number>>,
    /** A flag set: values are OR-ed bits, decoded to an array of names. */
    readonly flags = false,
  ) {
    for (const [k, v] of Object.entries(entries)) {
      this.#byName.set(k, v);
      if (!this.#byValue.has(v)) this.#byValue.set(v, k);
    }
  }
  nameOf(value: number): string | undefined {
    return this.#byValue.get(value);
  }
  valueOf(name: string): number | undefined {
    return this.#byName.get(name);
  }
}

export interface AttrSetOptions {
  /**
   * Order and repetition carry meaning (a program, such as OVS actions): the
   * set decodes to an array of `{ type, value }` entries, in wire order.
   */
  readonly ordered?: boolean;
  /** Key/mask consistency the kernel enforces (checked before encoding; see `checkMatch`). */
  readonly match?: MatchRules;
}

/**
 * An attribute set. Its attribute list is given as a thunk so that sets can
 * reference each other (and themselves) regardless of declaration order; the
 * lookup tables are built on first use.
 */
export class AttrSet<T = unknown> {
  declare readonly __type?: T;
  readonly ordered: boolean;
  readonly match: MatchRules | undefined;
  #thunk: (() => readonly AttrDef[]) | null;
  #attrs: readonly AttrDef[] = [];
  #byType: (AttrDef | undefined)[] = [];
  #byName = new Map<string, AttrDef>();

  constructor(
    /** Spec name of the set (used in error paths). */
    readonly name: string,
    attrs: () => readonly AttrDef[],
    opts: AttrSetOptions = {},
  ) {
    this.#thunk = attrs;
    this.ordered = opts.ordered === true;
    this.match = opts.match;
  }

  #init(): void {
    const attrs = this.#thunk!();
    this.#thunk = null;
    this.#attrs = attrs;
    for (const a of attrs) {
      this.#byType[a.type] = a;
      this.#byName.set(a.name, a);
    }
  }

  get attrs(): readonly AttrDef[] {
    if (this.#thunk) this.#init();
    return this.#attrs;
  }
  /** Definition of attribute type `type`, if known. */
  byType(type: number): AttrDef | undefined {
    if (this.#thunk) this.#init();
    return this.#byType[type];
  }
  /** Definition of the attribute with JS name `name`, if known. */
  byName(name: string): AttrDef | undefined {
    if (this.#thunk) this.#init();
    return this.#byName.get(name);
  }
}

/** One member of a C struct. Offsets are explicit, so no padding rules are implied. */
export interface StructMember {
  /** JS property name; pad members are never exposed. */
  readonly name: string;
  /** U8..S64, Binary (fixed `len`), String (fixed `len`, NUL-padded), Struct, or Pad. */
  readonly kind: Kind;
  readonly offset: number;
  /** Size in bytes of Binary / String / Pad members. */
  readonly len?: number;
  readonly be?: boolean;
  readonly struct?: StructDef;
  readonly enum?: EnumDef;
  /** The spec's display hint. */
  readonly display?: DisplayHint;
}

/** A fixed-layout C struct (fixed headers and `binary` attributes with `struct:`). */
export interface StructDef<T = unknown> {
  /** Phantom: the decoded JS type. */
  readonly __type?: T;
  readonly name: string;
  readonly size: number;
  readonly members: readonly StructMember[];
}

/** An attribute the layout could not represent: unknown type, or an earlier occurrence of a repeated non-multi attribute (the last one is the value). */
export interface ExtraAttr {
  readonly type: number;
  /** The NLA_F_NESTED / NLA_F_NET_BYTEORDER bits it carried. */
  readonly flags: number;
  readonly data: Uint8Array;
}

/**
 * Decoded objects keep attributes they could not represent under this symbol,
 * so nothing the kernel sends is silently dropped.
 */
export const extraAttrs: unique symbol = Symbol.for('ynl-ts.extraAttrs');
/** Bytes past the known end of a struct that was longer than its layout. */
export const extraBytes: unique symbol = Symbol.for('ynl-ts.extraBytes');

/** An element of an ordered set whose type the layout does not know. */
export interface UnknownEntry {
  readonly type: number;
  readonly value: Uint8Array;
  /**
   * The attribute's NLA_F_NESTED / NLA_F_NET_BYTEORDER bits as received
   * (decoded entries always have it), sent again on encode; absent: 0.
   */
  readonly flags?: number;
}

/** `value` and `mask` of one masked attribute (OVS `set-masked`). */
export interface Masked<T> {
  readonly value: T;
  readonly mask: T;
}

/** `struct nla_bitfield32` */
export interface Bitfield32 {
  readonly value: number;
  readonly selector: number;
}

/** A condition on one key field: `path` is an attribute name, then struct member names. */
export interface MatchCond {
  readonly path: readonly string[];
  /** Holds when the field's value is one of these. */
  readonly in?: readonly number[];
  /** Holds when the field's value is none of these. */
  readonly notIn?: readonly number[];
}

/** When every condition holds for the key, the rule applies. */
export interface MatchRule {
  readonly when: readonly MatchCond[];
  /** Gated attributes the key must then contain (and the mask may cover). */
  readonly expect?: readonly string[];
  /** Gated attributes the mask may then cover, without the key needing them. */
  readonly allow?: readonly string[];
  /** Attributes the mask may then not cover, whatever other rules allow. */
  readonly deny?: readonly string[];
  /** Fields the mask must match exactly (all ones) for `expect`/`allow` to open the mask. */
  readonly exact?: readonly (readonly string[])[];
}

/** Key/mask consistency of a set that carries a key and its mask (declared by an override). */
export interface MatchRules {
  /** Attribute holding the key (a nest). */
  readonly key: string;
  /** Attribute holding the mask, a nest of the same set; absent mask = exact match. */
  readonly mask: string;
  /** Nested attribute of the key whose attributes count as the key's own (OVS `encap`). */
  readonly flatten?: string;
  /** Attributes a mask may cover even when the key lacks them. */
  readonly always?: readonly string[];
  /** Attributes a mask may cover only when a rule opens them. */
  readonly gated: readonly string[];
  readonly rules: readonly MatchRule[];
}

/** Distance between the elements of a StructArray: the struct's size, 4-byte aligned. */
export function structStride(def: StructDef): number {
  return nlaAlign(def.size);
}

/**
 * Number of elements of a StructArray payload of `len` bytes, or undefined
 * when the length does not fit: whole elements `structStride` apart, where
 * the last may lack its padding (the kernel steps through `NLA_ALIGN(len)`
 * bytes) but not bytes of the struct itself.
 */
export function structArrayCount(def: StructDef, len: number): number | undefined {
  const stride = structStride(def);
  if (stride === 0) return len === 0 ? 0 : undefined;
  const n = Math.ceil(len / stride);
  return n === 0 || (n - 1) * stride + def.size <= len ? n : undefined;
}
