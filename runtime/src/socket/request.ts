/**
 * What the socket sends: one encoded netlink message plus the layout needed
 * to explain extended-ACK offsets. Encoding is the codec's job; the socket
 * only assigns the sequence number (and request flags) at send time.
 * @module
 */
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_HDRLEN } from '../codec/constants.js';
import { YnlError } from '../codec/errors.js';
import { nlLen } from '../codec/header.js';
import type { AttrSet, StructDef } from '../codec/layout.js';
import { writeGenlMessage, writeRawMessage } from '../codec/message.js';
import { own } from '../codec/own.js';
import { Writer } from '../codec/writer.js';
import { intOption } from './options.js';

/** One netlink request, encoded. */
export interface NetlinkRequest {
  /**
   * Exactly one netlink message, nlmsghdr first. The socket sends a copy
   * with its own sequence number and NLM_F_REQUEST (+ NLM_F_ACK for do
   * requests, NLM_F_DUMP for dumps); the caller's bytes are not modified.
   */
  readonly bytes: Uint8Array;
  /** Attribute layout of the request, to name the attribute an ext-ack offset points at. */
  readonly set?: AttrSet;
  /** Size of the family's fixed header between the protocol header and the attributes. */
  readonly hdrSize?: number;
  /**
   * A classic netlink message (rtnetlink and other netlink-raw families): no
   * genlmsghdr, the fixed header follows the nlmsghdr. Default: generic netlink.
   */
  readonly raw?: boolean;
  /** Family name, for error messages. */
  readonly family?: string;
  /** Operation name, for error messages. */
  readonly op?: string;
}

/** What {@link genlRequest} and {@link rawRequest} share: the message body and names for errors. */
export interface RequestBodyInit<T = unknown> {
  /** Extra nlmsg_flags (a u16); the socket adds NLM_F_REQUEST/ACK/DUMP itself. */
  readonly flags?: number;
  readonly set: AttrSet<T>;
  readonly attrs?: T;
  /**
   * Fixed header layout; its value is read from `attrs.header` (or
   * `attrs[headerKey]`). Absent members are zeros; an absent header is an
   * error in a generic netlink request (an OVS request without one would go
   * to dp_ifindex 0) and zeros in a classic netlink one.
   */
  readonly fixedHeader?: StructDef;
  /** Property of `attrs` holding the fixed header (default `header`). */
  readonly headerKey?: string;
  readonly family?: string;
  readonly op?: string;
  /** Skip the set's match rules (send what the kernel would reject, to see its error). */
  readonly unchecked?: boolean;
}

/** Inputs of {@link genlRequest}. */
export interface GenlRequestInit<T = unknown> extends RequestBodyInit<T> {
  readonly familyId: number;
  readonly cmd: number;
  /** genlmsghdr.version (the family's spec version). */
  readonly version: number;
}

/** Inputs of {@link rawRequest}. */
export interface RawRequestInit<T = unknown> extends RequestBodyInit<T> {
  /** Message type (nlmsg_type), e.g. RTM_NEWLINK (16). */
  readonly type: number;
}

// Requests are encoded into one shared scratch writer and copied out, so
// building a request allocates only its final bytes.
const scratch = new Writer(4096);

/** Encode a generic netlink request with the codec. */
export function genlRequest<T>(init: GenlRequestInit<T>): NetlinkRequest {
  return encodeRequest(init, init.familyId, init);
}

/** Encode a classic netlink (netlink-raw, e.g. rtnetlink) request with the codec. */
export function rawRequest<T>(init: RawRequestInit<T>): NetlinkRequest {
  return encodeRequest(init, init.type, undefined);
}

/**
 * Encode a request: `body` after an nlmsghdr of `type`, with a genlmsghdr
 * when `genl` is given (generic netlink), without one when not (classic
 * netlink). The family clients call it directly (no init object to build).
 */
export function encodeRequest(
  body: RequestBodyInit,
  type: number,
  genl: { readonly cmd: number; readonly version: number } | undefined,
): NetlinkRequest {
  const flags = NLM_F_REQUEST | intOption('flags', body.flags, 0, 0xffff, 0);
  scratch.reset();
  const attrs = body.attrs ?? {};
  const key = body.headerKey ?? 'header';
  const def = body.fixedHeader;
  // a classic netlink header left out is zeros (rtnetlink: no family, no filter)
  const value =
    def !== undefined ? (own(attrs, key) ?? (genl === undefined ? {} : undefined)) : undefined;
  const fixed = def !== undefined ? { def, value, key } : undefined;
  const unchecked = body.unchecked === true;
  if (genl !== undefined)
    writeGenlMessage(
      scratch,
      { familyId: type, cmd: genl.cmd, version: genl.version, flags },
      body.set,
      attrs,
      fixed,
      unchecked,
    );
  else writeRawMessage(scratch, { type, flags }, body.set, attrs, fixed, unchecked);
  const out: { -readonly [K in keyof NetlinkRequest]: NetlinkRequest[K] } = {
    bytes: scratch.bytes(),
    set: body.set,
    hdrSize: def?.size ?? 0,
  };
  if (genl === undefined) out.raw = true;
  if (body.family !== undefined) out.family = body.family;
  if (body.op !== undefined) out.op = body.op;
  return out;
}

/** Flags the socket forces on a do-request: NLM_F_REQUEST | NLM_F_ACK. */
export const DO_FLAGS = NLM_F_REQUEST | NLM_F_ACK;
/** Flags the socket forces on a dump request: NLM_F_REQUEST | NLM_F_DUMP. */
export const DUMP_FLAGS = NLM_F_REQUEST | NLM_F_DUMP;

/** Check that `req.bytes` holds exactly one well-formed netlink message. */
export function checkRequest(req: NetlinkRequest): void {
  const b = req.bytes;
  if (!(b instanceof Uint8Array)) throw new TypeError('request.bytes must be a Uint8Array');
  if (b.length < NLMSG_HDRLEN) {
    throw new YnlError(
      `request of ${b.length} bytes is shorter than a netlink header (${NLMSG_HDRLEN})`,
    );
  }
  const len = nlLen(b, 0);
  // The kernel stops at the first malformed message of a batch, so one bad
  // request must never share a sendmsg with others.
  if (len !== b.length) {
    throw new YnlError(
      `request nlmsg_len ${len} does not match its ${b.length} bytes (one message per request)`,
    );
  }
}
