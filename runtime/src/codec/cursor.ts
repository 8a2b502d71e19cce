/**
 * The primitives below both decoding paths (the interpreter in `decode.ts`
 * and the compiled decoders of `compile.ts`): the cursor over a received
 * buffer, the string reader and the enum namer.
 * @module
 */
import type { EnumDef } from './layout.js';

/** Decoding state for one buffer. */
export class Cursor {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly copy = false,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  binary(off: number, len: number): Uint8Array {
    return this.copy ? this.bytes.slice(off, off + len) : this.bytes.subarray(off, off + len);
  }
}

let lastCursor: Cursor | undefined;

/**
 * A cursor over `bytes`: the last one made is handed out again for the same
 * bytes and copy mode (the messages of one datagram share their buffer, so a
 * dump does not build a DataView per message). A cursor is never changed.
 * Holds on to the last bytes decoded until other bytes are.
 */
export function cursorFor(bytes: Uint8Array, copy: boolean): Cursor {
  const c = lastCursor;
  if (c !== undefined && c.bytes === bytes && c.copy === copy) return c;
  return (lastCursor = new Cursor(bytes, copy));
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** Decode a NUL-terminated (or NUL-padded) string from `[off, off+len)`. */
export function readString(bytes: Uint8Array, off: number, len: number): string {
  let end = off;
  const stop = off + len;
  let ascii = true;
  while (end < stop && bytes[end] !== 0) {
    if (bytes[end]! >= 0x80) ascii = false;
    end++;
  }
  if (end - off < 24 && ascii) {
    let s = '';
    for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return (ascii ? latin1 : utf8).decode(bytes.subarray(off, end));
}

/** Push the names (or, when unnamed, the values) of the set bits of a 32-bit `word`. */
function pushBits(e: EnumDef, word: number, scale: number, out: (string | number)[]): void {
  for (let mask = 1; word !== 0; mask *= 2) {
    if ((word & mask) !== 0) {
      word -= mask;
      const b = mask * scale; // a power of two: exact as a number up to 2^63
      out.push(e.nameOf(b) ?? b);
    }
  }
}

/** Words whose name lists a flag set keeps (the first ones seen; a flag field takes few distinct values). */
const FLAG_CACHE_MAX = 256;
type FlagNames = (string | number)[];
const flagNamers = new WeakMap<EnumDef, (word: number) => FlagNames>();

/**
 * The function listing the names of the bits of a 32-bit word of flag set
 * `e` (a word is read unsigned). Lists are cached per word, and each call
 * returns a fresh copy, so a caller may change what it got.
 */
export function flagNamer(e: EnumDef): (word: number) => FlagNames {
  let f = flagNamers.get(e);
  if (f === undefined) {
    const cache = new Map<number, FlagNames>();
    f = (word) => {
      const hit = cache.get(word);
      if (hit !== undefined) return hit.slice();
      const out: FlagNames = [];
      pushBits(e, word >>> 0, 1, out);
      if (cache.size < FLAG_CACHE_MAX) cache.set(word, out.slice());
      return out;
    };
    flagNamers.set(e, f);
  }
  return f;
}

/**
 * Map a scalar to its enum name, or a flag word to the names of its bits.
 * Values the enum does not know stay as read (a number, or a bigint for the
 * 64-bit kinds); a bit the flag set does not name stays its value as a number
 * (a power of two, exact at every width up to 2^63), so nothing is dropped
 * and the list encodes back to the same word. A negative word (a signed
 * kind) is read as its 32-bit two's complement, or 64-bit for a bigint.
 */
export function enumValue(
  e: EnumDef,
  raw: number | bigint,
): string | number | bigint | (string | number)[] {
  if (!e.flags) {
    if (typeof raw === 'number') return e.nameOf(raw) ?? raw;
    const n = Number(raw);
    return (Number.isSafeInteger(n) ? e.nameOf(n) : undefined) ?? raw;
  }
  if (typeof raw === 'number') return flagNamer(e)(raw >>> 0);
  const out: (string | number)[] = [];
  const w = BigInt.asUintN(64, raw);
  pushBits(e, Number(w & 0xffffffffn), 1, out);
  pushBits(e, Number(w >> 32n), 2 ** 32, out);
  return out;
}
