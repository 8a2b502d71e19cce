// Byte mutations of valid encodings: bit flips, byte writes, truncations,
// edits of attribute length and type fields (found by walking the TLVs),
// payload resizes with the enclosing lengths fixed up (so the damage reaches
// deep decoders instead of failing at the outer length), range deletions,
// junk insertions, duplicated attributes and splices of another valid message.
import fc from 'fast-check';

export interface Mutation {
  readonly op: number;
  readonly x: number;
  readonly y: number;
}

export const MUTATION_OPS = 11;

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.integer({ min: 0, max: MUTATION_OPS - 1 }),
  x: fc.nat(),
  y: fc.nat(),
});

/** One attribute header found in a message: where it is, and the headers around it. */
interface Tlv {
  readonly off: number;
  readonly len: number;
  /** Offsets of the enclosing attribute headers, outermost first. */
  readonly parents: readonly number[];
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
function setU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >> 8) & 0xff;
}
function setU32(b: Uint8Array, at: number, v: number): void {
  setU16(b, at, v & 0xffff);
  setU16(b, at + 2, v >>> 16);
}

/** Walk `[off, end)` as attributes; descend into payloads that parse as attributes too. */
function walk(b: Uint8Array, off: number, end: number, parents: number[], out: Tlv[]): boolean {
  const found: Tlv[] = [];
  while (off + 4 <= end) {
    const len = u16(b, off);
    if (len < 4 || off + len > end) return false;
    found.push({ off, len, parents });
    off += (len + 3) & ~3;
  }
  if (off < end && end - off >= 4) return false;
  for (const t of found) {
    out.push(t);
    if (t.len >= 8) walk(b, t.off + 4, t.off + t.len, [...parents, t.off], out);
  }
  return true;
}

export function tlvs(b: Uint8Array, attrsAt: number): Tlv[] {
  const out: Tlv[] = [];
  const end = b.length >= 4 ? Math.min(b.length, b[0]! | (b[1]! << 8) | (b[2]! << 16)) : 0;
  walk(b, attrsAt, end, [], out);
  return out;
}

function splice(b: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at));
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

function junk(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed | 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** Apply one mutation to a copy of `b`; `attrsAt` is where attributes start, `donor` another message. */
export function mutate(b: Uint8Array, m: Mutation, attrsAt: number, donor: Uint8Array): Uint8Array {
  const len = b.length;
  const { x, y } = m;
  switch (m.op) {
    case 0: {
      // flip one bit
      if (len === 0) return b;
      const c = b.slice();
      c[x % len]! ^= 1 << (y % 8);
      return c;
    }
    case 1: {
      // write one byte, preferring the interesting values
      if (len === 0) return b;
      const c = b.slice();
      c[x % len] = [0, 0xff, 0x80, 0x7f, 1, 4][y % 8] ?? y & 0xff;
      return c;
    }
    case 2:
      // truncate
      return b.slice(0, x % (len + 1));
    case 3: {
      // rewrite an attribute's length field
      const all = tlvs(b, attrsAt);
      if (all.length === 0) return mutate(b, { op: 5, x, y }, attrsAt, donor);
      const t = all[x % all.length]!;
      const choices = [0, 1, 3, 4, 5, 7, 8, t.len - 1, t.len + 1, t.len + 4, t.len - 4];
      choices.push(len - t.off, len - t.off + 1, 0xffff, y & 0xffff);
      const c = b.slice();
      setU16(c, t.off, choices[y % choices.length]! & 0xffff);
      return c;
    }
    case 4: {
      // rewrite an attribute's type field: another type, or the NESTED / BYTEORDER bits
      const all = tlvs(b, attrsAt);
      if (all.length === 0) return mutate(b, { op: 0, x, y }, attrsAt, donor);
      const t = all[x % all.length]!;
      const c = b.slice();
      const type = u16(c, t.off + 2);
      const k = y % 5;
      setU16(
        c,
        t.off + 2,
        k === 0 ? type ^ 0x8000 : k === 1 ? type ^ 0x4000 : k === 2 ? type + 1 : (y >>> 3) & 0xffff,
      );
      return c;
    }
    case 5: {
      // rewrite nlmsg_len
      if (len < 4) return b;
      const c = b.slice();
      const choices = [0, 1, 15, 16, 19, 20, len - 1, len + 1, len + 4, 0xffffffff, y];
      setU32(c, 0, choices[y % choices.length]! >>> 0);
      return c;
    }
    case 6: {
      // splice a range of another valid message in (replacing or inserting)
      if (donor.length === 0) return b;
      const from = x % donor.length;
      const n = 1 + (y % Math.min(64, donor.length - from));
      const at = (x >>> 8) % (len + 1);
      const del = y & 1 ? Math.min(n, len - at) : 0;
      return splice(b, at, del, donor.subarray(from, from + n));
    }
    case 7: {
      // cut a range out
      if (len === 0) return b;
      const at = x % len;
      return splice(b, at, Math.min(1 + (y % 16), len - at), new Uint8Array(0));
    }
    case 8: {
      // insert junk
      const at = x % (len + 1);
      return splice(b, at, 0, junk(1 + (y % 12), x ^ y));
    }
    case 9: {
      // duplicate a whole attribute right after itself, lengths of its parents fixed up
      const all = tlvs(b, attrsAt);
      if (all.length === 0) return mutate(b, { op: 8, x, y }, attrsAt, donor);
      const t = all[x % all.length]!;
      const size = (t.len + 3) & ~3;
      if (t.off + size > len) return b;
      const c = splice(b, t.off + size, 0, b.slice(t.off, t.off + size));
      fixUp(c, t.parents, size);
      return c;
    }
    default: {
      // grow or shrink one attribute's payload, its length and its parents' fixed up
      const all = tlvs(b, attrsAt);
      if (all.length === 0) return mutate(b, { op: 7, x, y }, attrsAt, donor);
      const t = all[x % all.length]!;
      const payload = t.len - 4;
      let c: Uint8Array;
      let delta: number;
      if (y & 1 && payload > 0) {
        delta = -Math.min(payload, 1 + ((y >>> 1) % 8));
        c = splice(b, t.off + t.len + delta, -delta, new Uint8Array(0));
      } else {
        delta = 1 + ((y >>> 1) % 8);
        c = splice(b, t.off + t.len, 0, junk(delta, y));
      }
      setU16(c, t.off, t.len + delta);
      fixUp(c, t.parents, delta);
      return c;
    }
  }
}

/** Add `delta` to the length of each enclosing attribute and of the message. */
function fixUp(c: Uint8Array, parents: readonly number[], delta: number): void {
  for (const p of parents) setU16(c, p, (u16(c, p) + delta) & 0xffff);
  if (c.length >= 4) setU32(c, 0, (c[0]! | (c[1]! << 8) | (c[2]! << 16) | (c[3]! << 24)) + delta);
}

/** Apply a list of mutations in order. */
export function mutateAll(
  b: Uint8Array,
  ms: readonly Mutation[],
  attrsAt: number,
  donor: Uint8Array,
): Uint8Array {
  let out = b;
  for (const m of ms) out = mutate(out, m, attrsAt, donor);
  return out;
}
