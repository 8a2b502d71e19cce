/**
 * Scalar values of the ODP syntax: integers as C's `%i` reads them, `%#x`
 * hex, IPv4/IPv6/MAC addresses as `inet_ntop` and OVS print them, and hex
 * byte strings. Each is a pair: a formatter and a reader on a {@link Scanner}.
 * @module
 */
import { formatIpv4, formatIpv6, formatMac } from '@ynl-ts/runtime';
import type { Scanner } from './scan.js';

/** C's `%#x`: `0` for zero, else `0x` and lower-case hex digits. */
export function hexAlt(n: number | bigint): string {
  return n === 0 || n === 0n ? '0' : '0x' + n.toString(16);
}

const INT = /0[xX][0-9a-fA-F]+|[1-9][0-9]*|0[0-7]*/;

/** An unsigned integer as C's `%i` reads it (decimal, `0x` hex, `0` octal) that fits in `bits`. */
export function readUint(sc: Scanner, bits: number, what = 'a number'): number {
  return Number(readBig(sc, bits, what));
}

/** {@link readUint} for widths up to 64 bits, as a bigint. */
export function readBig(sc: Scanner, bits: number, what = 'a number'): bigint {
  const at = sc.pos;
  const m = sc.match(INT, what);
  const t = m[0];
  const v = /^0[xX]/.test(t)
    ? BigInt(t)
    : t.length > 1 && t[0] === '0'
      ? BigInt('0o' + t.slice(1))
      : BigInt(t);
  if (v >> BigInt(bits) !== 0n) throw sc.error(`${what} of at most ${bits} bits`, at);
  return v;
}

/** Ones in the low `bits` bits (bits <= 32). */
export const onesOf = (bits: number): number => (bits >= 32 ? 0xffffffff : 2 ** bits - 1);

/** A dotted quad (the number is the decoded big-endian u32). */
export const formatIp = formatIpv4;

/** Reads a dotted quad into the decoded big-endian u32. */
export function readIpv4(sc: Scanner): number {
  const at = sc.pos;
  const m = sc.match(/(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/, 'an IPv4 address');
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw sc.error('an IPv4 address (octets up to 255)', at);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * IPv6 text as glibc's `inet_ntop` writes it (what OVS prints): RFC 5952, and
 * an IPv4 tail for IPv4-compatible (`::a.b.c.d`) and IPv4-mapped addresses.
 */
export function formatIp6(b: Uint8Array): string {
  const v4compat = b.subarray(0, 12).every((x) => x === 0) && (b[12]! | b[13]!) !== 0;
  if (v4compat) return `::${formatIpv4(b.subarray(12))}`;
  return formatIpv6(b);
}

/** Reads an IPv6 address (`inet_pton` syntax, including an IPv4 tail). */
export function readIpv6(sc: Scanner): Uint8Array {
  const at = sc.pos;
  const text = sc.match(/[0-9A-Fa-f:.]+/, 'an IPv6 address')[0];
  const out = parseIpv6(text);
  if (!out) throw sc.error('an IPv6 address', at);
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes('.')) {
        const q = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(p);
        if (!q || q.slice(1).some((x) => Number(x) > 255)) return undefined;
        out.push((Number(q[1]) << 8) | Number(q[2]), (Number(q[3]) << 8) | Number(q[4]));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const words = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** `aa:bb:cc:dd:ee:ff`. */
export const formatEth = formatMac;

/** Reads a MAC address (hex octets, one or two digits each, `:`-separated). */
export function readEth(sc: Scanner): Uint8Array {
  const m = sc.match(
    /([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2})/,
    'a MAC address',
  );
  return Uint8Array.from(m.slice(1).map((x) => parseInt(x, 16)));
}

/** Two hex digits per byte, no prefix (OVS `userdata(...)`). */
export function formatHexBytes(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Reads pairs of hex digits until a non-hex character. */
export function readHexBytes(sc: Scanner, what = 'hex digit pairs'): Uint8Array {
  const at = sc.pos;
  const t = sc.match(/[0-9A-Fa-f]*/, what)[0];
  if (t.length % 2) throw sc.error(`${what} (an even number of digits)`, at + t.length);
  return Uint8Array.from(Buffer.from(t, 'hex'));
}

/** OVS `ds_put_hex`: a big-endian number, `0x` and no leading zero bytes, or `0`. */
export function formatHexNumber(b: Uint8Array): string {
  const first = b.findIndex((x) => x !== 0);
  if (first < 0) return '0';
  return '0x' + b[first]!.toString(16) + formatHexBytes(b.subarray(first + 1));
}

/**
 * Reads a number of `width` bytes in big-endian order: `0x` hex digits (of
 * any count that fits) or a decimal that fits in 64 bits.
 */
export function readHexNumber(sc: Scanner, width: number, what: string): Uint8Array {
  const at = sc.pos;
  let v: bigint;
  if (sc.startsWith('0x') || sc.startsWith('0X')) {
    v = BigInt(sc.match(/0[xX][0-9A-Fa-f]+/, what)[0]);
  } else {
    v = BigInt(sc.match(/[0-9]+/, what)[0]);
    if (v >> 64n) throw sc.error(`${what} (decimal up to 64 bits; use 0x for more)`, at);
  }
  if (v >> BigInt(8 * width)) throw sc.error(`${what} of at most ${width} bytes`, at);
  const out = new Uint8Array(width);
  for (let i = width - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}
