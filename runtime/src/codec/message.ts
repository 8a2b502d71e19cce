/**
 * Message framing: nlmsghdr, genlmsghdr, fixed headers, NLMSG_ERROR with
 * extended ACK. Splitting a datagram into messages checks every length.
 * @module
 */
import {
  GENL_HDRLEN,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NL_POLICY_TYPE_ATTR_BITFIELD32_MASK,
  NL_POLICY_TYPE_ATTR_MASK,
  NL_POLICY_TYPE_ATTR_MAX_LENGTH,
  NL_POLICY_TYPE_ATTR_MAX_VALUE_S,
  NL_POLICY_TYPE_ATTR_MAX_VALUE_U,
  NL_POLICY_TYPE_ATTR_MIN_LENGTH,
  NL_POLICY_TYPE_ATTR_MIN_VALUE_S,
  NL_POLICY_TYPE_ATTR_MIN_VALUE_U,
  NL_POLICY_TYPE_ATTR_PAD,
  NL_POLICY_TYPE_ATTR_POLICY_IDX,
  NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE,
  NL_POLICY_TYPE_ATTR_TYPE,
  nlaAlign,
} from './constants.js';
import { Cursor, cursorFor, readString } from './cursor.js';
import { decodeSet, decodeStruct, forEachAttr, type DecodeOptions } from './decode.js';
import { encodeSet, encodeStruct } from './encode.js';
import { DecodeError, EncodeError } from './errors.js';
import { Kind, type AttrSet, type StructDef } from './layout.js';
import {
  checkNlHeader,
  nlFlags,
  nlLen,
  nlPort,
  nlSeq,
  nlType,
  readGenlHeader,
  readNlHeaderAt,
  type NlMsgHeader,
} from './header.js';
import type { Writer } from './writer.js';
import { checkMatchFast } from './match.js';
import { put } from './own.js';

/** One netlink message inside a datagram. */
export interface NlMessage extends NlMsgHeader {
  /** The datagram the message came in. */
  readonly buffer: Uint8Array;
  /** Offset of the nlmsghdr in `buffer`. */
  readonly offset: number;
}

/** Split a received datagram into its messages. */
export function splitMessages(buffer: Uint8Array): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off < buffer.length) {
    const len = checkNlHeader(buffer, off, buffer.length);
    out.push(messageAt(buffer, off));
    off += nlaAlign(len);
  }
  return out;
}

/**
 * The message whose (checked by `checkNlHeader`) header is at `off`:
 * one object, no intermediate header record.
 */
export function messageAt(buffer: Uint8Array, off: number): NlMessage {
  return {
    len: nlLen(buffer, off),
    type: nlType(buffer, off),
    flags: nlFlags(buffer, off),
    seq: nlSeq(buffer, off),
    portId: nlPort(buffer, off),
    buffer,
    offset: off,
  };
}

/** End of `msg` in its buffer; a hand-built NlMessage is checked like a received one. */
function messageEnd(msg: NlMessage): number {
  if (msg.offset < 0 || msg.len < NLMSG_HDRLEN || msg.offset + msg.len > msg.buffer.length) {
    throw new DecodeError(
      `message of ${msg.len} bytes at ${msg.offset} is outside the ${msg.buffer.length}-byte buffer`,
      '',
      msg.offset,
    );
  }
  return msg.offset + msg.len;
}

/** What a generic netlink request needs besides its attributes. */
export interface GenlRequestHeader {
  /** Family id (nlmsg_type). */
  readonly familyId: number;
  readonly cmd: number;
  /** The family's version byte in genlmsghdr, from the spec. */
  readonly version: number;
  readonly flags: number;
  readonly seq?: number;
  readonly portId?: number;
}

/** What a classic netlink (netlink-raw) request needs besides its fixed header and attributes. */
export interface RawRequestHeader {
  /** Message type (nlmsg_type), e.g. RTM_NEWLINK. */
  readonly type: number;
  readonly flags: number;
  readonly seq?: number;
  readonly portId?: number;
}

/**
 * Append one generic netlink message: nlmsghdr + genlmsghdr + optional fixed
 * header + attributes. Returns the message's offset in the writer. A set with
 * match rules is checked once its attributes encoded (so the checks see only
 * well-formed, finite values) unless `unchecked` (to send what the kernel
 * would reject, e.g. to see its error).
 */
export function writeGenlMessage(
  w: Writer,
  h: GenlRequestHeader,
  set: AttrSet | null,
  attrs: unknown,
  fixed?: FixedHeaderValue,
  unchecked = false,
): number {
  return writeMessage(w, h.familyId, h, set, attrs, fixed, unchecked, h);
}

/**
 * Append one classic netlink (netlink-raw, e.g. rtnetlink) message:
 * nlmsghdr + optional fixed header (ifinfomsg, rtmsg, ...) + attributes,
 * checked like {@link writeGenlMessage}. Returns the message's offset.
 */
export function writeRawMessage(
  w: Writer,
  h: RawRequestHeader,
  set: AttrSet | null,
  attrs: unknown,
  fixed?: FixedHeaderValue,
  unchecked = false,
): number {
  return writeMessage(w, h.type, h, set, attrs, fixed, unchecked);
}

/** A fixed header to write: its layout, its value and the key it came under (for errors). */
export interface FixedHeaderValue {
  readonly def: StructDef;
  readonly value: unknown;
  readonly key?: string;
}

function writeMessage(
  w: Writer,
  type: number,
  h: { readonly flags: number; readonly seq?: number; readonly portId?: number },
  set: AttrSet | null,
  attrs: unknown,
  fixed: FixedHeaderValue | undefined,
  unchecked: boolean,
  genl?: { readonly cmd: number; readonly version: number },
): number {
  const start = w.pos;
  const at = w.beginMessage(type, h.flags, h.seq ?? 0, h.portId ?? 0);
  try {
    if (genl) w.genlHeader(genl.cmd, genl.version);
    if (fixed) {
      try {
        // Absent, a header with members is an error, not zeros (an OVS request
        // without its header would go to dp_ifindex 0).
        if (fixed.value === undefined && fixed.def.members.some((m) => m.kind !== Kind.Pad))
          throw new EncodeError(`missing: the fixed header ${fixed.def.name} is required`);
        encodeStruct(w, fixed.def, fixed.value ?? {});
      } catch (e) {
        throw e instanceof EncodeError ? e.prefixed(fixed.key ?? 'header') : e;
      }
    }
    if (set !== null && attrs !== undefined)
      encodeSet(w, set, attrs, false, fixed ? (fixed.key ?? 'header') : undefined);
    if (set?.match !== undefined && !unchecked) checkMatchFast(set.match, set, attrs);
  } catch (e) {
    w.pos = start;
    throw e;
  }
  w.endMessage(at);
  return at;
}

/** A decoded generic netlink message. */
export interface GenlMessage<T> {
  readonly cmd: number;
  readonly version: number;
  /** Attributes (and, for families with a fixed header, its fields under `header`). */
  readonly attrs: T;
}

/**
 * Decode the generic netlink message at `msg`: genlmsghdr, fixed header (put
 * under `attrs.header`, or `opts.headerKey`), attributes.
 */
export function readGenlMessage<T>(
  msg: NlMessage,
  set: AttrSet<T>,
  fixed?: StructDef,
  opts: DecodeOptions & { readonly headerKey?: string } = {},
): GenlMessage<T> {
  const end = messageEnd(msg);
  const { cmd, version } = readGenlHeader(msg.buffer, msg.offset, end);
  const attrs = readBody(msg, msg.offset + NLMSG_HDRLEN + GENL_HDRLEN, end, set, fixed, opts);
  return { cmd, version, attrs };
}

/**
 * Decode the classic netlink (netlink-raw) message at `msg`: the fixed
 * header right after the nlmsghdr (put under `attrs.header`, or
 * `opts.headerKey`), then the attributes. The message type is `msg.type`.
 */
export function readRawMessage<T>(
  msg: NlMessage,
  set: AttrSet<T>,
  fixed?: StructDef,
  opts: DecodeOptions & { readonly headerKey?: string } = {},
): T {
  return readBody(msg, msg.offset + NLMSG_HDRLEN, messageEnd(msg), set, fixed, opts);
}

/** Fixed header and attributes of a message, from `off` (past the protocol headers) to `end`. */
function readBody<T>(
  msg: NlMessage,
  start: number,
  end: number,
  set: AttrSet<T>,
  fixed: StructDef | undefined,
  opts: DecodeOptions & { readonly headerKey?: string },
): T {
  let off = start;
  const c = cursorFor(msg.buffer, opts.copy === true);
  let header: object | undefined;
  if (fixed) {
    if (end - off < fixed.size) {
      throw new DecodeError(
        `message too short for fixed header ${fixed.name} (${fixed.size} bytes)`,
        '',
        off,
      );
    }
    header = decodeStruct(c, fixed, off, fixed.size);
    off += fixed.size;
  }
  const attrs = decodeSet(c, set, off, end) as Record<string, unknown>;
  if (header) put(attrs, opts.headerKey ?? 'header', header);
  return attrs as T;
}

/** Policy of the attribute an error refers to (`NLMSGERR_ATTR_POLICY`). */
export interface ErrorPolicy {
  /** enum netlink_attribute_type (NL_ATTR_TYPE_*). */
  readonly type?: number;
  readonly minValue?: bigint;
  readonly maxValue?: bigint;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly policyIndex?: number;
  readonly policyMaxType?: number;
  readonly bitfield32Mask?: number;
  readonly mask?: bigint;
  readonly pad?: number;
}

/** The decoded payload of an NLMSG_ERROR message. */
export interface ErrorMessage {
  /** Negative errno, or 0 for an ACK. */
  readonly error: number;
  /** The header of the request this answers. */
  readonly request: NlMsgHeader;
  /** The request was truncated to its header (NETLINK_CAP_ACK). */
  readonly capped: boolean;
  readonly extack: ExtAck;
}

/** Extended ACK TLVs. */
export interface ExtAck {
  readonly message?: string;
  /** Byte offset into the original request of the offending attribute. */
  readonly offset?: number;
  readonly cookie?: Uint8Array;
  readonly policy?: ErrorPolicy;
  /** Type of the attribute that was required but missing. */
  readonly missingType?: number;
  /** Offset in the request of the nest that misses it (absent: top level). */
  readonly missingNest?: number;
}

function u(c: Cursor, off: number, len: number): number {
  if (len === 4) return c.view.getUint32(off, true);
  if (len === 2) return c.view.getUint16(off, true);
  if (len === 1) return c.view.getUint8(off);
  throw new DecodeError(`expected a 1, 2 or 4-byte integer, got ${len} bytes`, '', off);
}
function u64(c: Cursor, off: number, len: number): bigint {
  if (len === 8) return c.view.getBigUint64(off, true);
  return BigInt(u(c, off, len));
}
function s64(c: Cursor, off: number, len: number): bigint {
  if (len === 8) return c.view.getBigInt64(off, true);
  if (len === 4) return BigInt(c.view.getInt32(off, true));
  throw new DecodeError(`expected a 4 or 8-byte integer, got ${len} bytes`, '', off);
}

function readPolicy(c: Cursor, off: number, end: number): ErrorPolicy {
  const p: Record<string, number | bigint> = {};
  forEachAttr(c, off, end, (type, _f, poff, plen) => {
    switch (type) {
      case NL_POLICY_TYPE_ATTR_TYPE:
        p['type'] = u(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
        p['minValue'] = s64(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
        p['maxValue'] = s64(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
        p['minValue'] = u64(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
        p['maxValue'] = u64(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
        p['minLength'] = u(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
        p['maxLength'] = u(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_POLICY_IDX:
        p['policyIndex'] = u(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE:
        p['policyMaxType'] = u(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_BITFIELD32_MASK:
        p['bitfield32Mask'] = u(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_MASK:
        p['mask'] = u64(c, poff, plen);
        break;
      case NL_POLICY_TYPE_ATTR_PAD:
        p['pad'] = u(c, poff, plen);
        break;
    }
  });
  return p as ErrorPolicy;
}

/**
 * The error code of an NLMSG_ERROR message (0: an ACK, else a negative
 * errno) without decoding the rest: the cheap test for the common ACK.
 */
export function errorCode(msg: NlMessage): number {
  const end = messageEnd(msg);
  const off = msg.offset + NLMSG_HDRLEN;
  if (end - off < 4) throw new DecodeError('NLMSG_ERROR too short for its error code', '', off);
  const b = msg.buffer;
  return b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24);
}

/** Decode an NLMSG_ERROR message (error code, echoed request header, extended ACK). */
export function readErrorMessage(msg: NlMessage): ErrorMessage {
  if (msg.type !== NLMSG_ERROR)
    throw new DecodeError(`message type ${msg.type} is not NLMSG_ERROR`, '', msg.offset);
  const c = new Cursor(msg.buffer);
  const end = messageEnd(msg);
  let off = msg.offset + NLMSG_HDRLEN;
  if (end - off < 4 + NLMSG_HDRLEN) {
    throw new DecodeError('NLMSG_ERROR too short for errno and the request header', '', off);
  }
  const error = c.view.getInt32(off, true);
  off += 4;
  const capped = (msg.flags & NLM_F_CAPPED) !== 0;
  const request = readNlHeaderAt(c.bytes, off);
  // Without NETLINK_CAP_ACK the whole request is echoed; with it, only its header.
  const echoed = capped ? NLMSG_HDRLEN : request.len;
  if (echoed < NLMSG_HDRLEN || echoed > end - off) {
    throw new DecodeError(
      `echoed request of ${echoed} bytes does not fit in the error message`,
      '',
      off,
    );
  }
  off += nlaAlign(echoed);
  return { error, request, capped, extack: readExtAck(c, msg.flags, off, end) };
}

/** Extended ACK TLVs in `[off, end)`, present only when the kernel flagged them. */
function readExtAck(c: Cursor, flags: number, off: number, end: number): ExtAck {
  const ext: Record<string, unknown> = {};
  if ((flags & NLM_F_ACK_TLVS) === 0 || off >= end) return ext;
  forEachAttr(c, off, end, (type, _f, poff, plen) => {
    switch (type) {
      case NLMSGERR_ATTR_MSG:
        ext['message'] = readString(c.bytes, poff, plen);
        break;
      case NLMSGERR_ATTR_OFFS:
        ext['offset'] = u(c, poff, plen);
        break;
      // copied: the cookie outlives the receive buffer in NetlinkError
      case NLMSGERR_ATTR_COOKIE:
        ext['cookie'] = c.bytes.slice(poff, poff + plen);
        break;
      case NLMSGERR_ATTR_POLICY:
        ext['policy'] = readPolicy(c, poff, poff + plen);
        break;
      case NLMSGERR_ATTR_MISS_TYPE:
        ext['missingType'] = u(c, poff, plen);
        break;
      case NLMSGERR_ATTR_MISS_NEST:
        ext['missingNest'] = u(c, poff, plen);
        break;
    }
  });
  return ext;
}

/** The decoded payload of an NLMSG_DONE message that ends a dump. */
export interface DoneMessage {
  /** 0, or the negative errno that cut the dump short. */
  readonly error: number;
  /** Ext-ack TLVs (only a message) when NETLINK_EXT_ACK is on and the kernel set one. */
  readonly extack: ExtAck;
}

/**
 * Decode an NLMSG_DONE: an `int` error (netlink_dump_done), then ext-ack TLVs
 * when NLM_F_ACK_TLVS is set. A DONE without payload (very old kernels and
 * some non-genetlink protocols) counts as success.
 */
export function readDoneMessage(msg: NlMessage): DoneMessage {
  if (msg.type !== NLMSG_DONE)
    throw new DecodeError(`message type ${msg.type} is not NLMSG_DONE`, '', msg.offset);
  const end = messageEnd(msg);
  const off = msg.offset + NLMSG_HDRLEN;
  if (off === end) return { error: 0, extack: {} };
  if (end - off < 4)
    throw new DecodeError(
      `NLMSG_DONE payload of ${end - off} bytes is too short for its error code`,
      '',
      off,
    );
  const c = new Cursor(msg.buffer);
  return { error: c.view.getInt32(off, true), extack: readExtAck(c, msg.flags, off + 4, end) };
}
