/**
 * One growing buffer that whole netlink messages (or batches of them) are
 * written into. Attribute headers are reserved in place and patched when the
 * payload is known, so encoding allocates nothing per attribute.
 * @module
 */
import { EncodeError } from './errors.js';
import { NLA_F_NESTED, NLA_HDRLEN, NLMSG_HDRLEN, GENL_HDRLEN } from './constants.js';
import { setNlLen, setNlSeq, writeGenlHeader, writeNlHeader } from './header.js';

const POOL_SIZE = 64 * 1024;
let pool = new ArrayBuffer(POOL_SIZE);
let poolUsed = 0;

export class Writer {
  /** The underlying storage; valid bytes are `[0, pos)`. Replaced on growth. */
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forget what was written, keeping the storage for reuse. */
  reset(): void {
    this.pos = 0;
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 64);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Copy of the bytes written so far. Small copies are carved out of a shared
   * 64 KiB pool (a fresh ArrayBuffer per message costs more than encoding
   * it), so the result may be a view into a shared ArrayBuffer: use its
   * `byteOffset`/`byteLength`, as every reader in the runtime does. Pool
   * memory is never reused while a view of it is alive.
   */
  bytes(): Uint8Array {
    const n = this.pos;
    let out: Uint8Array;
    if (n > POOL_SIZE / 8) out = new Uint8Array(n);
    else {
      if (poolUsed + n > POOL_SIZE) {
        pool = new ArrayBuffer(POOL_SIZE);
        poolUsed = 0;
      }
      out = new Uint8Array(pool, poolUsed, n);
      poolUsed += (n + 7) & ~7;
    }
    // a plain view, not subarray(): subarray() goes through the species constructor
    out.set(new Uint8Array(this.buf.buffer, this.buf.byteOffset, n));
    return out;
  }

  /** View (not a copy) of the bytes written so far; invalid after the next write. */
  subarray(start = 0, end = this.pos): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** Append zero bytes until `pos` is 4-byte aligned. */
  align(): void {
    const pad = (4 - (this.pos & 3)) & 3;
    if (pad === 0) return;
    this.ensure(pad);
    const b = this.buf;
    for (let i = this.pos, end = this.pos + pad; i < end; i++) b[i] = 0;
    this.pos += pad;
  }

  zeros(n: number): void {
    this.ensure(n);
    // A loop beats the fill() builtin's call overhead for the few bytes of a struct or pad.
    if (n <= 64) {
      const b = this.buf;
      for (let i = this.pos, end = this.pos + n; i < end; i++) b[i] = 0;
    } else this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number, be = false): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, !be);
    this.pos += 2;
  }
  u32(v: number, be = false): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, !be);
    this.pos += 4;
  }
  u64(v: bigint, be = false): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, !be);
    this.pos += 8;
  }
  s8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.pos, v);
    this.pos += 1;
  }
  s16(v: number, be = false): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v, !be);
    this.pos += 2;
  }
  s32(v: number, be = false): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, !be);
    this.pos += 4;
  }
  s64(v: bigint, be = false): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, v, !be);
    this.pos += 8;
  }

  raw(data: Uint8Array): void {
    const n = data.length;
    this.ensure(n);
    if (n <= 16) {
      const b = this.buf;
      for (let i = 0, o = this.pos; i < n; i++) b[o + i] = data[i]!;
    } else this.buf.set(data, this.pos);
    this.pos += n;
  }

  /**
   * UTF-8 bytes of `s`, plus a NUL terminator when `nul` is set. Returns the
   * byte count. Encoded by hand rather than with TextEncoder.encodeInto, which
   * needs a fresh subarray and returns a fresh object on every call. A lone
   * surrogate (which TextEncoder would turn into U+FFFD) is an EncodeError.
   */
  string(s: string, nul = true): number {
    // worst case 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units)
    this.ensure(s.length * 3 + 1);
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
        continue;
      }
      if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
          continue;
        }
        // TextEncoder would send U+FFFD: not the caller's text
        throw new EncodeError(
          `string has a lone surrogate (U+${c.toString(16).toUpperCase()}) at index ${i}: not valid text`,
        );
      }
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
    if (nul) buf[p++] = 0;
    this.pos = p;
    return p - start;
  }

  /** Reserve an attribute header; returns its offset for {@link endAttr}. */
  beginAttr(type: number): number {
    this.ensure(NLA_HDRLEN);
    const at = this.pos;
    this.view.setUint16(at + 2, type, true);
    this.pos += NLA_HDRLEN;
    return at;
  }

  /** Patch the length of the attribute begun at `at`, then pad to alignment. */
  endAttr(at: number): void {
    const len = this.pos - at;
    // nla_len is 16 bits: a longer attribute cannot be expressed, and a silently
    // wrapped length would make the kernel misparse everything after it.
    if (len > 0xffff)
      throw new EncodeError(`attribute of ${len} bytes exceeds the 65535-byte netlink limit`);
    this.view.setUint16(at, len, true);
    this.align();
  }

  /** Begin a nest attribute (sets NLA_F_NESTED). */
  beginNest(type: number): number {
    return this.beginAttr(type | NLA_F_NESTED);
  }

  /**
   * Reserve a nlmsghdr (and, when `genlCmd` is given, a genlmsghdr) at the
   * current position. Returns the message start for {@link endMessage}.
   */
  beginMessage(type: number, flags: number, seq: number, portId = 0): number {
    this.align();
    this.ensure(NLMSG_HDRLEN);
    const at = this.pos;
    writeNlHeader(this.view, at, { len: 0, type, flags, seq, portId });
    this.pos += NLMSG_HDRLEN;
    return at;
  }

  /** Write a genlmsghdr (cmd, version, reserved). */
  genlHeader(cmd: number, version: number): void {
    this.ensure(GENL_HDRLEN);
    writeGenlHeader(this.buf, this.view, this.pos, { cmd, version });
    this.pos += GENL_HDRLEN;
  }

  /** Patch nlmsg_len of the message begun at `at` and align. */
  endMessage(at: number): void {
    this.align();
    setNlLen(this.view, at, this.pos - at);
  }

  /** Overwrite the sequence number of the message at `at`. */
  patchSeq(at: number, seq: number): void {
    setNlSeq(this.view, at, seq);
  }
}
