/**
 * Errors of the socket layer. `NetlinkError` is the kernel saying no (an
 * NLMSG_ERROR or a failed dump); the others are local conditions: a failed
 * syscall, a closed socket, a timeout, an abort, an interrupted dump.
 * @module
 */
import { constants } from 'node:os';
import { YnlError } from '../codec/errors.js';
import type { NlMsgHeader } from '../codec/header.js';
import type { ErrorPolicy } from '../codec/message.js';
import { errnoName, errnoText } from './errno.js';

/** The attribute the kernel required but did not find (`NLMSGERR_ATTR_MISS_TYPE`). */
export interface MissingAttr {
  /** Attribute type number. */
  readonly type: number;
  /** Its name, when the request's layout knows it. */
  readonly name?: string;
  /** Path of the nest that lacks it (absent: top level of the message). */
  readonly nest?: string;
}

/** Extended ACK of a kernel error, explained against the request. */
export interface ExtAckInfo {
  /** The kernel's human-readable message (`NLMSGERR_ATTR_MSG`). */
  readonly message?: string;
  /** Byte offset into the request of the offending attribute. */
  readonly offset?: number;
  /**
   * The attribute `offset` points at: names from the request layout
   * (`key.ipv4`), or `#type` numbers (`#6.#1`) when no layout was given.
   */
  readonly attrPath?: string;
  readonly missingAttr?: MissingAttr;
  /** Policy of the offending attribute (`NLMSGERR_ATTR_POLICY`). */
  readonly policy?: ErrorPolicy;
  /** Operation-specific cookie (`NLMSGERR_ATTR_COOKIE`). */
  readonly cookie?: Uint8Array;
}

/** What a NetlinkError answered, for the message and for callers. */
export interface NetlinkErrorContext {
  readonly family?: string;
  readonly op?: string;
  /** Header of the request, as the kernel echoed it. */
  readonly request?: NlMsgHeader;
  /**
   * The GENL_* flags of the operation, as the kernel listed them
   * (CTRL_ATTR_OP_FLAGS): an EPERM of an op flagged GENL_ADMIN_PERM or
   * GENL_UNS_ADMIN_PERM names the capability it needs.
   */
  readonly opFlags?: number;
}

const GENL_ADMIN_PERM = 0x01;
const GENL_UNS_ADMIN_PERM = 0x10;
const EPERM = 1;

/** The kernel rejected a request (NLMSG_ERROR) or ended a dump with an error. */
export class NetlinkError extends YnlError {
  override name = 'NetlinkError';
  /** Positive errno, e.g. 2. */
  readonly errno: number;
  /** errno name, e.g. `'ENOENT'`. */
  readonly code: string;
  readonly extack: ExtAckInfo;
  readonly family?: string;
  readonly op?: string;
  readonly request?: NlMsgHeader;
  /**
   * The capability the operation requires, on an EPERM of an op the kernel
   * guards with GENL_ADMIN_PERM (CAP_NET_ADMIN) or GENL_UNS_ADMIN_PERM
   * (CAP_NET_ADMIN over the network namespace's user namespace).
   */
  readonly capability?: 'CAP_NET_ADMIN';
  readonly #permFlag: string | undefined;

  constructor(errno: number, extack: ExtAckInfo = {}, ctx: NetlinkErrorContext = {}) {
    super();
    this.errno = errno;
    this.code = errnoName(errno);
    this.extack = extack;
    if (ctx.family !== undefined) this.family = ctx.family;
    if (ctx.op !== undefined) this.op = ctx.op;
    if (ctx.request !== undefined) this.request = ctx.request;
    const f = ctx.opFlags ?? 0;
    if (errno === EPERM && (f & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM)) !== 0) {
      this.capability = 'CAP_NET_ADMIN';
      this.#permFlag =
        (f & GENL_ADMIN_PERM) !== 0
          ? 'GENL_ADMIN_PERM'
          : "GENL_UNS_ADMIN_PERM: over the network namespace's user namespace";
    }
    this.message = this.#format();
  }

  #format(): string {
    const who = [this.family, this.op].filter((s) => s !== undefined).join(' ');
    const e = this.extack;
    let text = `${who ? who + ': ' : ''}${e.message ?? errnoText(this.errno)} (${this.code})`;
    if (e.attrPath !== undefined) text += ` at attribute ${e.attrPath}`;
    else if (e.offset !== undefined) text += ` at byte ${e.offset}`;
    if (e.missingAttr) {
      const m = e.missingAttr;
      text += `; missing attribute ${m.name ?? '#' + m.type}${m.nest !== undefined ? ` in ${m.nest}` : ''}`;
    }
    if (this.capability !== undefined)
      text += `; the operation requires ${this.capability} (${this.#permFlag})`;
    return text;
  }
}

/** A socket syscall failed; `code` is the errno name (`'ENOBUFS'`). */
export class SocketError extends YnlError {
  override name = 'SocketError';
  constructor(
    message: string,
    /** errno name, e.g. `'ENOBUFS'`. */
    readonly code: string,
    /** Positive errno. */
    readonly errno: number,
    /** The syscall that failed (`'recvmsg'`, `'sendmsg'`, `'setsockopt'`). */
    readonly syscall: string,
  ) {
    super(message);
  }
}

/** The socket was closed while the operation was pending. */
export class SocketClosedError extends YnlError {
  override name = 'SocketClosedError';
  readonly code = 'ERR_SOCKET_CLOSED';
}

/** A request took longer than its `timeout`. */
export class TimeoutError extends YnlError {
  override name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/** A request's AbortSignal fired; `cause` is the signal's reason. */
export class AbortError extends YnlError {
  override name = 'AbortError';
  readonly code = 'ABORT_ERR';
}

/**
 * A dump reply carried NLM_F_DUMP_INTR: the kernel's data changed while it
 * was dumped, so the result may be inconsistent. Thrown after the last
 * message unless the dump was opened with `interrupted: 'flag'`.
 */
export class DumpInterruptedError extends YnlError {
  override name = 'DumpInterruptedError';
  readonly code = 'EINTR';
}

/**
 * The kernel dropped the answer to a request: the socket's receive buffer
 * overflowed (ENOBUFS) while the reply was owed. Found when the socket has
 * read its receive queue empty after the overflow, since the kernel answers
 * a request while sending it and delivers nothing to the socket between the
 * overflow and that moment. The request may or may not have taken effect.
 */
export class ReplyLostError extends YnlError {
  override name = 'ReplyLostError';
  readonly code = 'ENOBUFS';
  readonly errno = constants.errno.ENOBUFS;
}

/**
 * The generic netlink family of a subscription was unregistered (its module
 * was unloaded): nlctrl announced CTRL_CMD_DELFAMILY. The subscription ends
 * with it; requests to the family fail with the kernel's ENOENT.
 */
export class FamilyRemovedError extends YnlError {
  override name = 'FamilyRemovedError';
  readonly code = 'ENOENT';
}

/** A notification queue filled up because its consumer fell behind. */
export class QueueOverflowError extends YnlError {
  override name = 'QueueOverflowError';
  readonly code = 'ENOBUFS';
}

/** Convert an error thrown by the native addon into a SocketError. */
export function fromNative(e: unknown): Error {
  if (e instanceof Error && typeof (e as { errno?: unknown }).errno === 'number') {
    const x = e as Error & { errno: number; code?: string; syscall?: string };
    return new SocketError(
      x.message,
      x.code ?? errnoName(x.errno),
      x.errno,
      x.syscall ?? 'unknown',
    );
  }
  return e instanceof Error ? e : new YnlError(String(e));
}
