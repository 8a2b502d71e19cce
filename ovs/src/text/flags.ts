/**
 * Flag words in the ODP syntax (`tcp_flags`, `ct_state`, tunnel `flags`):
 * `a|b` when exact, `+a-b` when partly masked, `0/0` when wildcarded.
 * @module
 */
import type { Scanner } from './scan.js';
import { readUint } from './values.js';

/** Bit → name of a flag word (bits without a name print as hex). */
export type FlagNames = ReadonlyMap<number, string>;

const bitsOf = (word: number): number[] => {
  const out: number[] = [];
  for (let b = 1; b !== 0 && b <= word; b = (b << 1) >>> 0) if ((word & b) >>> 0) out.push(b);
  return out;
};

/** `name|name|0xbad`, lowest bit first; `0` for no bits. */
export function formatFlags(word: number, names: FlagNames, del = '|'): string {
  if (word === 0) return '0';
  const out: string[] = [];
  let bad = 0;
  for (const b of bitsOf(word)) {
    const n = names.get(b);
    if (n === undefined) bad = (bad | b) >>> 0;
    else out.push(n);
  }
  if (bad) out.push('0x' + bad.toString(16));
  return out.join(del);
}

/** Exact (`mask === max`): {@link formatFlags}; wildcard: `0/0`; else `+set-clear` per masked bit. */
export function formatFlagsMasked(
  word: number,
  mask: number,
  max: number,
  names: FlagNames,
): string {
  if (mask === max) return formatFlags(word, names);
  if (mask === 0) return '0/0';
  return bitsOf(mask)
    .map((b) => ((word & b) >>> 0 ? '+' : '-') + (names.get(b) ?? '[Unknown]'))
    .join('');
}

/**
 * Reads a flag word up to `end`: `N/M` numbers, `+a-b` (masked), or `a|b|N`
 * (exact: the mask is `exactMask`). Bits outside `allowed` are refused.
 */
export function readFlags(
  sc: Scanner,
  names: FlagNames,
  allowed: number,
  exactMask: number,
  end = ')',
): { key: number; mask: number } {
  const what = `flags (${[...names.values()].join(', ')})`;
  const byName = [...names].sort((a, b) => b[1].length - a[1].length);
  const name = (): number => {
    const at = sc.pos;
    for (const [bit, n] of byName) if (sc.eat(n)) return bit;
    throw sc.error(what, at);
  };
  const check = (v: number, at: number): number => {
    if ((v & ~allowed) >>> 0) throw sc.error(`${what} within ${'0x' + allowed.toString(16)}`, at);
    return v;
  };
  const start = sc.pos;
  if (/[0-9]/.test(sc.peek())) {
    const key = check(readUint(sc, 32), start);
    if (sc.eat('/')) return { key, mask: check(readUint(sc, 32), start) };
    sc.pos = start;
  }
  if (sc.peek() === '+' || sc.peek() === '-') {
    let key = 0;
    let mask = 0;
    while (sc.peek() === '+' || sc.peek() === '-') {
      const set = sc.peek() === '+';
      sc.pos++;
      const at = sc.pos;
      const bit = check(name(), at);
      if (mask & bit) throw sc.error(`each flag once (${names.get(bit)} repeats)`, at);
      mask = (mask | bit) >>> 0;
      if (set) key = (key | bit) >>> 0;
    }
    return { key, mask };
  }
  let key = 0;
  while (!sc.atEnd() && sc.peek() !== end) {
    const at = sc.pos;
    key = (key | check(/[0-9]/.test(sc.peek()) ? readUint(sc, 32) : name(), at)) >>> 0;
    if (!sc.eat('|')) break;
  }
  return { key, mask: exactMask };
}
