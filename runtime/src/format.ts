/**
 * Display helpers for the spec's `display-hint`s (mac, ipv4, ipv6,
 * ipv4-or-v6, uuid, hex, fddi). Generated layouts carry the hint as
 * `display` on attributes and struct members; {@link formatValue} renders a
 * decoded value with it.
 * @module
 */

/** The spec's display hints. */
export type DisplayHint = 'hex' | 'mac' | 'fddi' | 'ipv4' | 'ipv6' | 'ipv4-or-v6' | 'uuid';

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** `aa:bb:cc:dd:ee:ff` (any length; FDDI addresses too). */
export function formatMac(b: Uint8Array): string {
  return Array.from(b, hex2).join(':');
}

/** Lower-case hex digits, no separators. */
export function formatHex(v: Uint8Array | number | bigint): string {
  if (typeof v === 'number' || typeof v === 'bigint') return '0x' + v.toString(16);
  return Array.from(v, hex2).join('');
}

/**
 * Dotted quad. Numbers are the decoded value of a big-endian u32 (network
 * order, as the specs declare IPv4 addresses); byte arrays are in wire order.
 */
export function formatIpv4(v: number | Uint8Array): string {
  if (typeof v === 'number')
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  if (v.length !== 4) throw new RangeError(`an IPv4 address has 4 bytes, not ${v.length}`);
  return Array.from(v).join('.');
}

/** RFC 5952 text form (lower case, longest zero run as `::`, IPv4-mapped as `::ffff:a.b.c.d`). */
export function formatIpv6(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError(`an IPv6 address has 16 bytes, not ${b.length}`);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIpv4(b.subarray(12))}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return part(words);
  return `${part(words.slice(0, best))}::${part(words.slice(best + bestLen))}`;
}

/** `8-4-4-4-12` hex groups of a 16-byte UUID. */
export function formatUuid(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError(`a UUID has 16 bytes, not ${b.length}`);
  const h = formatHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Renders a decoded value by its display hint (no hint: `String(value)`). */
export function formatValue(hint: DisplayHint | undefined, value: unknown): string {
  if (value instanceof Uint8Array) {
    switch (hint) {
      case 'mac':
      case 'fddi':
        return formatMac(value);
      case 'ipv4':
        return formatIpv4(value);
      case 'ipv6':
        return formatIpv6(value);
      case 'ipv4-or-v6':
        return value.length === 4 ? formatIpv4(value) : formatIpv6(value);
      case 'uuid':
        return formatUuid(value);
      default:
        return formatHex(value);
    }
  }
  if (typeof value === 'number' && (hint === 'ipv4' || hint === 'ipv4-or-v6'))
    return formatIpv4(value);
  if ((typeof value === 'number' || typeof value === 'bigint') && hint === 'hex')
    return formatHex(value);
  return String(value);
}
