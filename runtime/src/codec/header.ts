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

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** nlmsg_len of the header at `off` (unchecked: the caller knows 16 bytes are there). */
export function nlLen(v: DataView, off: number): number {
  return v.getUint32(off + LEN, true);
}
/** nlmsg_type of the header at `off` (unchecked). */
export function nlType(v: DataView, off: number): number {
  return v.getUint16(off + TYPE, true);
}
/** nlmsg_flags of the header at `off` (unchecked). */
export function nlFlags(v: DataView, off: number): number {
  return v.getUint16(off + FLAGS, true);
}
/** nlmsg_seq of the header at `off` (unchecked). */
export function nlSeq(v: DataView, off: number): number {
  return v.getUint32(off + SEQ, true);
}
/** nlmsg_pid of the header at `off` (unchecked). */
export function nlPort(v: DataView, off: number): number {
  return v.getUint32(off + PORT, true);
}

/** The nlmsghdr at `off` as an object (unchecked). */
export function readNlHeaderAt(v: DataView, off: number): NlMsgHeader {
  return {
    len: nlLen(v, off),
    type: nlType(v, off),
    flags: nlFlags(v, off),
    seq: nlSeq(v, off),
    portId: nlPort(v, off),
  };
}

/**
 * Check that a message header at `off` fits in `[off, end)` and its
 * nlmsg_len is sane; returns nlmsg_len.
 * @throws DecodeError naming the offset.
 */
export function checkNlHeader(v: DataView, off: number, end: number): number {
  if (end - off < NLMSG_HDRLEN) {
    throw new DecodeError(`${end - off} bytes are too short for a netlink header`, '', off);
  }
  const len = nlLen(v, off);
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
  const v = viewOf(bytes);
  checkNlHeader(v, off, end);
  return readNlHeaderAt(v, off);
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
export function stampNlHeader(v: DataView, off: number, flags: number, seq: number): void {
  v.setUint16(off + FLAGS, v.getUint16(off + FLAGS, true) | flags, true);
  v.setUint32(off + SEQ, seq >>> 0, true);
  v.setUint32(off + PORT, 0, true);
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
