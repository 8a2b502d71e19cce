/**
 * Fields inside a key attribute (`src=10.0.0.1/255.255.255.0`): how a value
 * and its mask are printed and read. One rule decides what ovs-dpctl shows:
 * a fully wildcarded field is left out (unless verbose), an exact field has
 * no `/mask`, anything else shows its mask.
 * @module
 */
import type { Scanner } from './scan.js';
import {
  formatEth,
  formatHexNumber,
  formatIp,
  formatIp6,
  hexAlt,
  onesOf,
  readBig,
  readEth,
  readHexNumber,
  readIpv4,
  readIpv6,
  readUint,
} from './values.js';

/** A field value before the generated types' enum names: a number, bigint or bytes. */
export type Raw = number | bigint | Uint8Array;

/** How one kind of field is printed and read. */
export interface FieldType<V extends Raw = Raw> {
  zero(): V;
  /** The exact-match mask. */
  ones(): V;
  isZero(v: V): boolean;
  isOnes(v: V): boolean;
  key(v: V): string;
  mask(v: V): string;
  read(sc: Scanner): V;
  /** Reads the mask after `/`; fields without mask syntax leave it out. */
  readMask?(sc: Scanner): V;
  /** Replaces the default `name=key/mask` text (the frag field). */
  text?(name: string, k: V, m: V | undefined): string | undefined;
}

/**
 * The text of field `name`, or undefined when it is left out: a mask of all
 * zeros hides the field unless `verbose`; an absent or all-ones mask prints
 * the value alone.
 */
export function fieldText<V extends Raw>(
  name: string,
  t: FieldType<V>,
  k: V,
  m: V | undefined,
  verbose: boolean,
): string | undefined {
  if (t.text) return t.text(name, k, m);
  if (m !== undefined && t.isZero(m) && !verbose) return undefined;
  const full = m === undefined || t.isOnes(m);
  return `${name}=${t.key(k)}${full ? '' : '/' + t.mask(m)}`;
}

/** Reads a field's value and optional `/mask` (absent: exact). */
export function readField<V extends Raw>(sc: Scanner, t: FieldType<V>): { key: V; mask: V } {
  const key = t.read(sc);
  if (t.readMask && sc.eat('/')) return { key, mask: t.readMask(sc) };
  return { key, mask: t.ones() };
}

/** An unsigned integer of `bits` (<= 32): decimal (`u`) or `%#x` (`x`) value, `%#x` mask. */
export function uint(bits: number, style: 'u' | 'x', what = 'a number'): FieldType<number> {
  const ones = onesOf(bits);
  return {
    zero: () => 0,
    ones: () => ones,
    isZero: (v) => v === 0,
    isOnes: (v) => (v & ones) >>> 0 === ones,
    key: (v) => (style === 'u' ? String(v) : hexAlt(v)),
    mask: hexAlt,
    read: (sc) => readUint(sc, bits, what),
    readMask: (sc) => readUint(sc, bits, `a mask of ${bits} bits`),
  };
}

/** 64-bit `0x…` value with a `%#x` mask (tunnel ids). */
export const u64hex: FieldType<bigint> = {
  zero: () => 0n,
  ones: () => 0xffffffffffffffffn,
  isZero: (v) => v === 0n,
  isOnes: (v) => v === 0xffffffffffffffffn,
  key: (v) => '0x' + v.toString(16),
  mask: hexAlt,
  read: (sc) => readBig(sc, 64),
  readMask: (sc) => readBig(sc, 64, 'a 64-bit mask'),
};

/** The 20-bit IPv6 flow label: exact when its 20 bits are masked. */
export const ipv6Label: FieldType<number> = uint(20, 'x', 'a 20-bit flow label');

export const u8u = uint(8, 'u');
export const u8x = uint(8, 'x');
export const be16 = uint(16, 'u');
export const be16x = uint(16, 'x');

const bytes = (n: number) => ({
  zero: () => new Uint8Array(n),
  ones: () => new Uint8Array(n).fill(0xff),
  isZero: (v: Uint8Array) => v.every((b) => b === 0),
  isOnes: (v: Uint8Array) => v.every((b) => b === 0xff),
});

/** A dotted quad with a dotted-quad mask. */
export const ipv4: FieldType<number> = {
  ...uint(32, 'x'),
  key: formatIp,
  mask: formatIp,
  read: readIpv4,
  readMask: readIpv4,
};

/** An IPv6 address with an IPv6 mask. */
export const ipv6: FieldType<Uint8Array> = {
  ...bytes(16),
  key: formatIp6,
  mask: formatIp6,
  read: readIpv6,
  readMask: readIpv6,
};

/** A MAC address with a MAC mask. */
export const eth: FieldType<Uint8Array> = {
  ...bytes(6),
  key: formatEth,
  mask: formatEth,
  read: readEth,
  readMask: readEth,
};

/** A big-endian number of `n` bytes in `ds_put_hex` form (`0x…`, or `0`). */
export function hexNumber(n: number, what: string): FieldType<Uint8Array> {
  return {
    ...bytes(n),
    key: formatHexNumber,
    mask: formatHexNumber,
    read: (sc) => readHexNumber(sc, n, what),
    readMask: (sc) => readHexNumber(sc, n, `a ${what} mask`),
  };
}

const FRAG = ['no', 'first', 'later'] as const;

/**
 * The IP fragment type (`no`, `first`, `later`): an enumeration, so the mask
 * is all or nothing and never printed; OVS's text for a partial mask is kept.
 */
export const frag: FieldType<number> = {
  ...uint(8, 'u'),
  key: (v) => FRAG[v] ?? '<error>',
  read: (sc) => {
    const at = sc.pos;
    const i = FRAG.indexOf(sc.word() as (typeof FRAG)[number]);
    if (i < 0) throw sc.error(`a fragment type (${FRAG.join(', ')})`, at);
    return i;
  },
  readMask: undefined,
  text(name, k, m) {
    if (m === 0) return undefined;
    if (m !== undefined && m !== 0xff)
      return `error: partial mask not supported for frag (${hexAlt(m)})`;
    return `${name}=${FRAG[k] ?? '<error>'}`;
  },
};
