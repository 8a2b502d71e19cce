/**
 * The one home of the two message headers: `struct nlmsghdr` (every netlink
 * message) and `struct genlmsghdr` (generic netlink). Everything else reads
 * and writes them through these functions, never by offset.
 * @module
 */
import { GENL_HDRLEN, NLMSG_HDRLEN } from './constants.js';
import { DecodeError } from './errors.js';

/** `struct nlmsghdr` */
export interface NlMsgHeader {
  readonly len: number;
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly portId: number;
}

// struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq; __u32 nlmsg_pid; }
const LEN = 0;
const TYPE = 4;
const FLAGS = 6;
const SEQ = 8;
const PORT = 12;
// struct genlmsghdr { __u8 cmd; __u8 version; __u16 reserved; }
const CMD = 0;
const VERSION = 1;
const RESERVED = 2;

// Netlink headers are in host byte order; the runtime (like the kernel
// families it talks to through Node) assumes little-endian hosts, as every
// reader and writer of the codec does. Byte reads need no DataView.
function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** nlmsg_len of the header at `off` (unchecked: the caller knows 16 bytes are there). */
export function nlLen(b: Uint8Array, off: number): number {
  return u32(b, off + LEN);
}
/** nlmsg_type of the header at `off` (unchecked). */
export function nlType(b: Uint8Array, off: number): number {
  return u16(b, off + TYPE);
}
/** nlmsg_flags of the header at `off` (unchecked). */
export function nlFlags(b: Uint8Array, off: number): number {
  return u16(b, off + FLAGS);
}
/** nlmsg_seq of the header at `off` (unchecked). */
export function nlSeq(b: Uint8Array, off: number): number {
  return u32(b, off + SEQ);
}
/** nlmsg_pid of the header at `off` (unchecked). */
export function nlPort(b: Uint8Array, off: number): number {
  return u32(b, off + PORT);
}

/** The nlmsghdr at `off` as an object (unchecked). */
export function readNlHeaderAt(b: Uint8Array, off: number): NlMsgHeader {
  return {
    len: nlLen(b, off),
    type: nlType(b, off),
    flags: nlFlags(b, off),
    seq: nlSeq(b, off),
    portId: nlPort(b, off),
  };
}

/**
 * Check that a message header at `off` fits in `[off, end)` and its
 * nlmsg_len is sane; returns nlmsg_len.
 * @throws DecodeError naming the offset.
 */
export function checkNlHeader(b: Uint8Array, off: number, end: number): number {
  if (end - off < NLMSG_HDRLEN) {
    throw new DecodeError(`${end - off} bytes are too short for a netlink header`, '', off);
  }
  const len = nlLen(b, off);
  if (len < NLMSG_HDRLEN)
    throw new DecodeError(`nlmsg_len ${len} is shorter than the header`, '', off);
  if (len > end - off) {
    throw new DecodeError(
      `nlmsg_len ${len} runs past the datagram (${end - off} bytes left)`,
      '',
      off,
    );
  }
  return len;
}

/** Read the nlmsghdr at `off`, checking it fits in `[off, end)`. */
export function readHeader(bytes: Uint8Array, off: number, end = bytes.length): NlMsgHeader {
  checkNlHeader(bytes, off, end);
  return readNlHeaderAt(bytes, off);
}

/** Write a whole nlmsghdr at `off`. */
export function writeNlHeader(v: DataView, off: number, h: NlMsgHeader): void {
  v.setUint32(off + LEN, h.len >>> 0, true);
  v.setUint16(off + TYPE, h.type, true);
  v.setUint16(off + FLAGS, h.flags, true);
  v.setUint32(off + SEQ, h.seq >>> 0, true);
  v.setUint32(off + PORT, h.portId >>> 0, true);
}

/** Set nlmsg_len of the header at `off`. */
export function setNlLen(v: DataView, off: number, len: number): void {
  v.setUint32(off + LEN, len >>> 0, true);
}

/** Set nlmsg_seq of the header at `off`. */
export function setNlSeq(v: DataView, off: number, seq: number): void {
  v.setUint32(off + SEQ, seq >>> 0, true);
}

/**
 * Address a request: OR `flags` into nlmsg_flags, set nlmsg_seq, and clear
 * nlmsg_pid (the kernel fills in the sender).
 */
export function stampNlHeader(b: Uint8Array, off: number, flags: number, seq: number): void {
  const f = nlFlags(b, off) | flags;
  b[off + FLAGS] = f & 0xff;
  b[off + FLAGS + 1] = (f >>> 8) & 0xff;
  b[off + SEQ] = seq & 0xff;
  b[off + SEQ + 1] = (seq >>> 8) & 0xff;
  b[off + SEQ + 2] = (seq >>> 16) & 0xff;
  b[off + SEQ + 3] = (seq >>> 24) & 0xff;
  b.fill(0, off + PORT, off + PORT + 4);
}

/** `struct genlmsghdr` */
export interface GenlHeader {
  readonly cmd: number;
  readonly version: number;
}

/**
 * Read the genlmsghdr of the message whose nlmsghdr is at `msgOff`, checking
 * it fits before `end`.
 * @throws DecodeError naming the offset.
 */
export function readGenlHeader(bytes: Uint8Array, msgOff: number, end: number): GenlHeader {
  const off = msgOff + NLMSG_HDRLEN;
  if (end - off < GENL_HDRLEN)
    throw new DecodeError('message too short for a genetlink header', '', off);
  return { cmd: bytes[off + CMD]!, version: bytes[off + VERSION]! };
}

/**
 * genlmsghdr.cmd of the message at `msgOff`, or undefined when the message
 * (of `len` bytes) is too short to have one.
 */
export function genlCmd(bytes: Uint8Array, msgOff: number, len: number): number | undefined {
  return len >= NLMSG_HDRLEN + GENL_HDRLEN ? bytes[msgOff + NLMSG_HDRLEN + CMD] : undefined;
}

/** Write a genlmsghdr (cmd, version, reserved 0) at `off`. */
export function writeGenlHeader(bytes: Uint8Array, v: DataView, off: number, h: GenlHeader): void {
  bytes[off + CMD] = h.cmd;
  bytes[off + VERSION] = h.version;
  v.setUint16(off + RESERVED, 0, true);
}
