/**
 * `GenlSocket`: one generic netlink socket with many requests in flight,
 * matched by sequence number; dumps and multicast notifications as async
 * iterables; family resolution through nlctrl with a shared cache.
 * @module
 */
import {
  CTRL_CMD_DELFAMILY,
  CTRL_CMD_GETFAMILY,
  GENL_ID_CTRL,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GENERIC,
  NETLINK_GET_STRICT_CHK,
  NETLINK_PKTINFO,
  NLA_TYPE_MASK,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_MIN_TYPE,
  NLMSG_OVERRUN,
  NLM_F_DUMP_INTR,
  NLM_F_ECHO,
  SOL_NETLINK,
  nlaAlign,
} from '../codec/constants.js';
import { DecodeError, YnlError } from '../codec/errors.js';
import type { AttrSet } from '../codec/layout.js';
import { locateAttr } from '../codec/locate.js';
import {
  readDoneMessage,
  readErrorMessage,
  readGenlMessage,
  readHeader,
  type ExtAck,
  type NlMessage,
} from '../codec/message.js';
import { ctrlAttrs } from './ctrl.js';
import {
  AbortError,
  DumpInterruptedError,
  FamilyRemovedError,
  NetlinkError,
  QueueOverflowError,
  ReplyLostError,
  SocketClosedError,
  SocketError,
  TimeoutError,
  fromNative,
  type ExtAckInfo,
  type MissingAttr,
} from './errors.js';
import { nativeBinding, type NativeSocket } from './native.js';
import { boolOption, intOption, signalOption, timeoutOption } from './options.js';
import { AsyncQueue } from './queue.js';
import {
  DO_FLAGS,
  DUMP_FLAGS,
  checkRequest,
  genlRequest,
  type GenlRequestInit,
  type NetlinkRequest,
} from './request.js';

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;

/** Pseudo group id of {@link GenlSocket.unsolicited} subscriptions (multicast ids start at 1). */
const UNSOLICITED = 0;

/** Options of {@link GenlSocket.open}. */
export interface SocketOptions {
  /**
   * Receive buffer size in bytes, an integer in [0, 2^31 - 1]. Set with
   * SO_RCVBUFFORCE when permitted (root), else SO_RCVBUF (capped by
   * net.core.rmem_max). Default 1 MiB; `0` keeps the system default.
   */
  readonly rcvbuf?: number;
  /** Requests sent but not yet answered, at most (an integer >= 1); more wait in a local queue. Default 256. */
  readonly maxInFlight?: number;
  /** Dump messages queued for a slow consumer before the socket stops reading (an integer >= 1). Default 1024. */
  readonly dumpHighWater?: number;
  /** Ask for strict checking of dump requests (NETLINK_GET_STRICT_CHK). Default true. */
  readonly strict?: boolean;
}

/** Per-request options of {@link GenlSocket.request} and {@link GenlSocket.dump}. */
export interface SocketRequestOptions {
  /** Abort the request; a late reply is discarded. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds until the request fails with a TimeoutError (a dump: until
   * its end). A request still waiting to be sent at its deadline is not sent.
   * A number in [0, 2^31 - 1] (setTimeout's range, about 24.8 days), or
   * `Infinity` (like `undefined`: no timeout); anything else is a TypeError
   * (not a number) or RangeError (negative, NaN, larger), never coerced or
   * clamped.
   */
  readonly timeout?: number;
}

/** A request as {@link GenlSocket.request} accepts it. */
export type RequestInput = NetlinkRequest | GenlRequestInit | Uint8Array;

/** A resolved generic netlink family, from CTRL_CMD_GETFAMILY. */
export interface ResolvedFamily {
  /** Family id (nlmsg_type of its messages). */
  readonly id: number;
  /** Family name (CTRL_ATTR_FAMILY_NAME). */
  readonly name: string;
  /** The kernel's version of the family (CTRL_ATTR_VERSION). */
  readonly version: number;
  /** Size of the family's fixed header (CTRL_ATTR_HDRSIZE). */
  readonly hdrSize: number;
  /** Highest attribute type of the family's main set (CTRL_ATTR_MAXATTR). */
  readonly maxAttr: number;
  /** Supported operations: cmd and GENL_* flags. */
  readonly ops: readonly { readonly cmd: number; readonly flags: number }[];
  /** Multicast groups by name → group id. */
  readonly mcastGroups: ReadonlyMap<string, number>;
}

/** A multicast message, as a {@link Subscription} yields it. */
export interface McastMessage extends NlMessage {
  /** Multicast group id it was sent to. */
  readonly group: number;
}

/** Counters of one socket, for benchmarks and diagnostics. */
export interface SocketStats {
  /** sendmsg calls. */
  sendCalls: number;
  /** Netlink messages sent (several per sendmsg when batched). */
  messagesSent: number;
  /** Receive wake-ups that delivered data to JS. */
  wakeups: number;
  /** Datagrams received. */
  datagrams: number;
  /** Netlink messages received. */
  messagesReceived: number;
  /** Size of the largest datagram received (each is read whole, never truncated). */
  largestDatagram: number;
  /** Times reading stopped because a dump consumer fell behind (backpressure). */
  pauses: number;
  /** Answers that arrived for requests that had already timed out or been aborted (dropped). */
  lateReplies: number;
  /** Requests whose answer the kernel dropped in a receive-buffer overflow (ENOBUFS). */
  lostReplies: number;
}

/** Options of {@link GenlSocket.subscribe}. */
export interface SubscribeOptions {
  /** Leave the groups and end the iteration with an AbortError. */
  readonly signal?: AbortSignal;
  /**
   * Called when notifications were lost (a kernel receive-buffer overflow,
   * ENOBUFS, or a full local queue) instead of throwing into the iteration:
   * the iterator awaits it (e.g. a re-dump of the state the notifications
   * track) and goes on. An error it throws is thrown by the iterator.
   */
  readonly resync?: (lost: SocketError | QueueOverflowError) => void | Promise<void>;
  /**
   * The family the groups belong to ({@link GenlSocket.subscribe} sets it):
   * when the kernel unregisters it (module unloaded), the iteration ends with
   * a {@link FamilyRemovedError} instead of waiting forever.
   */
  readonly family?: ResolvedFamily;
  /** Notifications queued for a slow consumer before newer ones are dropped with a QueueOverflowError (an integer >= 1). Default 65536. */
  readonly maxQueued?: number;
}

/**
 * Multicast notifications of one or more groups. Iterate it with `for await`;
 * a kernel receive-buffer overflow is thrown as a {@link SocketError} with
 * code `'ENOBUFS'` (notifications were lost), after which iteration may go on.
 * Leaving the loop (or {@link Subscription.close}) leaves the groups.
 */
export interface Subscription extends AsyncIterableIterator<McastMessage> {
  /** Leave the groups and end the iteration. */
  close(): void;
  /** Group ids joined. */
  readonly groups: readonly number[];
}

interface PendingBase {
  readonly seq: number;
  readonly req: NetlinkRequest;
  readonly bytes: Uint8Array;
  /** performance.now() after which the request must not be sent. */
  deadline: number | undefined;
  /** It went out: the kernel has answered it, or dropped the answer. */
  sent: boolean;
}

interface DoPending extends PendingBase {
  readonly kind: 'do';
  /**
   * The caller gave up (timeout, abort) after it was sent: the promise is
   * settled, but the seq and the in-flight slot stay taken until the answer
   * arrives (and is dropped) or is known to be lost.
   */
  orphaned: boolean;
  reply: NlMessage | undefined;
  resolve(m: NlMessage | undefined): void;
  reject(e: Error): void;
  cleanup(): void;
}

interface DumpPending extends PendingBase {
  readonly kind: 'dump';
  readonly queue: AsyncQueue<NlMessage>;
  /** Messages of it received so far. */
  received: number;
  interrupted: boolean;
  /** The consumer went away; messages are discarded until DONE. */
  abandoned: boolean;
  cleanup(): void;
}

type Pending = DoPending | DumpPending;

interface SubState {
  readonly groups: ReadonlySet<number>;
  readonly queue: AsyncQueue<McastMessage>;
  readonly maxQueued: number;
  /** Id of the family the groups belong to, when known. */
  readonly familyId: number | undefined;
  /** End the subscription with an error and leave its groups. */
  end(e: Error): void;
}

let nextSeq = (Math.random() * 0x7fffffff) >>> 0;

/**
 * A NETLINK_GENERIC socket. Many requests can be in flight at once: each gets
 * its own sequence number and the replies are routed back to it. Dumps run one
 * at a time per socket (the kernel allows a single dump per socket); further
 * dumps wait their turn. An idle socket does not keep the process alive.
 *
 * No do-request waits forever, with or without a timeout:
 * - a request whose deadline passed while it waited to be sent (for an
 *   in-flight slot, or behind a stalled application) fails with a
 *   {@link TimeoutError} without being sent;
 * - a sent request whose caller gave up (timeout, abort) keeps its sequence
 *   number and in-flight slot until its answer is read (and dropped) or known
 *   lost, so a late answer is never taken for a newer request's;
 * - after a receive-buffer overflow (ENOBUFS) the kernel drops everything for
 *   the socket until its receive queue is read empty; the kernel answers a
 *   request while it is sent, so once the queue was read empty every sent
 *   request still without its answer has lost it and fails with a
 *   {@link ReplyLostError} (it may or may not have taken effect). Answers read
 *   before that settle their requests as usual; later requests work. A dump
 *   that received messages goes on (dump parts are never dropped).
 */
export class GenlSocket {
  /** Netlink port id the kernel assigned to this socket. */
  readonly portId: number;
  readonly #native: NativeSocket;
  readonly #pending = new Map<number, Pending>();
  /** Requests waiting for an in-flight slot or (dumps) for the running dump to end. */
  readonly #sendQueue: Pending[] = [];
  readonly #dumpQueue: DumpPending[] = [];
  #dumpActive: DumpPending | undefined;
  #inFlight = 0;
  /** Requests whose caller gave up while the kernel still owed the answer. */
  #orphans = 0;
  /** The kernel reported ENOBUFS; answers are lost until the receive queue is read empty. */
  #overflowed = false;
  readonly #maxInFlight: number;
  readonly #dumpHighWater: number;
  #flushScheduled = false;
  #outBatch: Pending[] = [];
  #closed = false;
  #paused = false;
  #refs = 0;
  readonly #stats: SocketStats = {
    sendCalls: 0,
    messagesSent: 0,
    wakeups: 0,
    datagrams: 0,
    messagesReceived: 0,
    largestDatagram: 0,
    pauses: 0,
    lateReplies: 0,
    lostReplies: 0,
  };
  readonly #families = new Map<string, Promise<ResolvedFamily>>();
  /** Resolved families by id: the op flags explain an EPERM. */
  readonly #familiesById = new Map<number, ResolvedFamily>();
  readonly #subs = new Set<SubState>();
  readonly #memberships = new Map<number, number>();

  private constructor(native: NativeSocket, portId: number, opts: CheckedSocketOptions) {
    this.#native = native;
    this.portId = portId;
    this.#maxInFlight = opts.maxInFlight;
    this.#dumpHighWater = opts.dumpHighWater;
  }

  /** Open and bind a generic netlink socket with extended ACKs on. */
  static open(opts: SocketOptions = {}): Promise<GenlSocket> {
    try {
      return Promise.resolve(GenlSocket.openSync(opts));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new YnlError(String(e)));
    }
  }

  /** Synchronous {@link GenlSocket.open}. */
  static openSync(options: SocketOptions = {}): GenlSocket {
    const opts = checkSocketOptions(options);
    const { NetlinkSocket } = nativeBinding();
    let native: NativeSocket;
    try {
      native = new NetlinkSocket(NETLINK_GENERIC);
    } catch (e) {
      throw fromNative(e);
    }
    try {
      native.setOption(SOL_NETLINK, NETLINK_EXT_ACK, 1);
      native.setOption(SOL_NETLINK, NETLINK_CAP_ACK, 1);
      native.setOption(SOL_NETLINK, NETLINK_PKTINFO, 1);
      if (opts.strict) native.setOption(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      const rcvbuf = opts.rcvbuf;
      if (rcvbuf > 0) {
        try {
          native.setOption(SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf);
        } catch {
          native.setOption(SOL_SOCKET, SO_RCVBUF, rcvbuf);
        }
      }
      const portId = native.bind(0);
      const sock = new GenlSocket(native, portId, opts);
      native.start((err, datagrams, meta, drained) =>
        sock.#onReceive(err, datagrams, meta, drained),
      );
      return sock;
    } catch (e) {
      native.close();
      throw fromNative(e);
    }
  }

  /** A snapshot of the socket's counters. */
  get stats(): Readonly<SocketStats> {
    return { ...this.#stats };
  }

  /** Whether {@link GenlSocket.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Requests sent or queued that have not finished (not counting requests
   * whose caller gave up while their answer is still owed).
   */
  get pending(): number {
    return this.#pending.size - this.#orphans + this.#sendQueue.length + this.#dumpQueue.length;
  }

  /** The socket's file descriptor (for diagnostics), -1 once closed. */
  get fd(): number {
    return this.#native.fd;
  }

  /** SO_RCVBUF as the kernel reports it (twice the requested size). */
  get receiveBufferSize(): number {
    return this.#native.getOption(SOL_SOCKET, SO_RCVBUF);
  }

  // ---- requests --------------------------------------------------------

  /**
   * Send one do-request and wait for its answer: the (first) reply message,
   * or `undefined` when the kernel only acknowledged. Rejects with a
   * {@link NetlinkError} when the kernel says no, with `extack.attrPath`
   * computed against `req.set` when given.
   */
  request(input: RequestInput, opts: SocketRequestOptions = {}): Promise<NlMessage | undefined> {
    let req: NetlinkRequest;
    let ro: CheckedRequestOptions;
    try {
      ro = checkRequestOptions(opts);
      req = this.#prepare(input);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new YnlError(String(e)));
    }
    return new Promise<NlMessage | undefined>((resolve, reject) => {
      if (this.#closed) return reject(new SocketClosedError('netlink socket is closed'));
      if (ro.signal?.aborted) return reject(abortError(ro.signal));
      const seq = this.#seq();
      const bytes = stamp(req.bytes, seq, DO_FLAGS);
      const p: DoPending = {
        kind: 'do',
        seq,
        req,
        bytes,
        deadline: undefined,
        sent: false,
        orphaned: false,
        reply: undefined,
        resolve,
        reject,
        cleanup: () => undefined,
      };
      p.cleanup = this.#arm(p, ro, (e) => this.#giveUp(p, e));
      this.#enqueue(p);
    });
  }

  /**
   * Send several do-requests in as few sendmsg calls as possible and wait
   * for all of them; each result is settled on its own, like
   * `Promise.allSettled`.
   */
  requestMany(
    inputs: readonly RequestInput[],
    opts: SocketRequestOptions = {},
  ): Promise<PromiseSettledResult<NlMessage | undefined>[]> {
    // request() only queues; the batch goes out in one flush at the end of this tick.
    return Promise.allSettled(inputs.map((i) => this.request(i, opts)));
  }

  /**
   * Send a dump request and iterate over the reply messages as they arrive
   * (NLM_F_MULTI … NLMSG_DONE). A DONE carrying an error throws a
   * {@link NetlinkError}; a dump the kernel flagged NLM_F_DUMP_INTR (data
   * changed while dumping) throws a {@link DumpInterruptedError} after its
   * last message. Breaking out of the loop discards the rest of the dump.
   */
  dump(input: RequestInput, opts: SocketRequestOptions = {}): AsyncIterableIterator<NlMessage> {
    const ro = checkRequestOptions(opts);
    const req = this.#prepare(input);
    const seq = this.#seq();
    const bytes = stamp(req.bytes, seq, DUMP_FLAGS);
    const queue: AsyncQueue<NlMessage> = new AsyncQueue<NlMessage>({
      waiting: (w) => this.#refDelta(w ? 1 : -1),
      pulled: () => this.#maybeResume(),
      returned: () => this.#abandon(p),
      // timeout and abort cover the dump until its consumer saw the end
      finished: () => p.cleanup(),
    });
    const p: DumpPending = {
      kind: 'dump',
      seq,
      req,
      bytes,
      deadline: undefined,
      sent: false,
      queue,
      received: 0,
      interrupted: false,
      abandoned: false,
      cleanup: () => undefined,
    };
    if (this.#closed) {
      queue.fail(new SocketClosedError('netlink socket is closed'), true);
      return queue;
    }
    if (ro.signal?.aborted) {
      queue.fail(abortError(ro.signal), true);
      return queue;
    }
    p.cleanup = this.#arm(p, ro, (e) => this.#abandon(p, e));
    if (this.#dumpActive === undefined) {
      this.#dumpActive = p;
      this.#enqueue(p);
    } else {
      this.#dumpQueue.push(p);
    }
    return queue;
  }

  /** Build a {@link NetlinkRequest} from any accepted input, checking it. */
  #prepare(input: RequestInput): NetlinkRequest {
    let req: NetlinkRequest;
    if (input instanceof Uint8Array) req = { bytes: input };
    else if ('bytes' in input) req = input;
    else req = genlRequest(input);
    checkRequest(req);
    return req;
  }

  #seq(): number {
    do {
      nextSeq = (nextSeq + 1) >>> 0;
    } while (nextSeq === 0 || this.#pending.has(nextSeq));
    return nextSeq;
  }

  /** Install timeout and abort handling; returns the function that removes them. */
  #arm(p: Pending, opts: CheckedRequestOptions, fail: (e: Error) => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const { signal, timeout } = opts;
    const onAbort = (): void => {
      if (signal) fail(abortError(signal));
    };
    if (timeout !== undefined) {
      p.deadline = performance.now() + timeout;
      timer = setTimeout(() => fail(timeoutError(p, `after ${timeout} ms`)), timeout);
      // the pending request itself keeps the loop alive; the timer need not
      timer.unref();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
  }

  #enqueue(p: Pending): void {
    if (p.kind === 'do') this.#refDelta(1);
    if (this.#inFlight >= this.#maxInFlight) {
      this.#sendQueue.push(p);
      return;
    }
    this.#inFlight++;
    this.#pending.set(p.seq, p);
    this.#outBatch.push(p);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** One sendmsg for every request queued in this tick (iovec, no concatenation). */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#outBatch;
    this.#outBatch = [];
    if (this.#closed) return;
    const now = performance.now();
    const live: Pending[] = [];
    for (const p of batch) {
      if (this.#pending.get(p.seq) !== p) continue;
      // Its deadline passed while it waited (for a slot, or for a stalled
      // application): fail it here rather than send it and drop the answer.
      if (p.deadline !== undefined && now >= p.deadline) {
        this.#failPending(p, timeoutError(p, 'before it could be sent'));
        continue;
      }
      live.push(p);
    }
    for (let i = 0; i < live.length; i += 1024) {
      const chunk = live.slice(i, i + 1024);
      try {
        this.#native.send(chunk.map((p) => p.bytes));
        this.#stats.sendCalls++;
        this.#stats.messagesSent += chunk.length;
        for (const p of chunk) p.sent = true;
      } catch (e) {
        const err = fromNative(e);
        for (const p of chunk) this.#failPending(p, err);
      }
    }
  }

  /**
   * The caller of a do-request gave up (timeout, abort). Not sent yet: it is
   * dropped. Sent: the kernel has answered it (or dropped the answer), so
   * its seq and in-flight slot stay taken until that answer is read or known
   * lost: a late answer is then recognised and dropped, never matched to a
   * newer request, and the slot limit keeps bounding what the kernel owes.
   */
  #giveUp(p: DoPending, e: Error): void {
    if (p.orphaned || this.#pending.get(p.seq) !== p || !p.sent) {
      this.#forget(p);
      p.reject(e);
      return;
    }
    p.orphaned = true;
    p.cleanup();
    this.#orphans++;
    this.#refDelta(-1); // an orphan does not keep the process alive
    p.reject(e);
  }

  /** Remove a request from every table; frees its in-flight slot. */
  #forget(p: Pending): void {
    const orphan = p.kind === 'do' && p.orphaned;
    if (orphan && this.#pending.get(p.seq) !== p) return; // already forgotten
    if (p.kind === 'do') p.cleanup();
    if (orphan) this.#orphans--;
    if (this.#pending.get(p.seq) === p) {
      this.#pending.delete(p.seq);
      this.#inFlight--;
      this.#pumpSendQueue();
    } else {
      const i = this.#sendQueue.indexOf(p);
      if (i >= 0) this.#sendQueue.splice(i, 1);
      if (p.kind === 'dump') {
        const j = this.#dumpQueue.indexOf(p);
        if (j >= 0) this.#dumpQueue.splice(j, 1);
      }
    }
    if (p.kind === 'do' && !orphan) this.#refDelta(-1);
    if (p.kind === 'dump' && this.#dumpActive === p) {
      this.#dumpActive = undefined;
      const next = this.#closed ? undefined : this.#dumpQueue.shift();
      if (next !== undefined) {
        this.#dumpActive = next;
        this.#enqueue(next);
      }
      this.#maybeResume();
    }
  }

  #pumpSendQueue(): void {
    if (this.#closed) return;
    while (this.#inFlight < this.#maxInFlight && this.#sendQueue.length > 0) {
      const p = this.#sendQueue.shift()!;
      if (p.kind === 'do') this.#refDelta(-1); // #enqueue counts it again
      this.#enqueue(p);
    }
  }

  #failPending(p: Pending, e: Error): void {
    this.#forget(p);
    if (p.kind === 'do') p.reject(e);
    else p.queue.fail(e, true);
  }

  /**
   * The consumer left a dump (break, timeout, abort): drop its queued
   * messages; keep reading and discarding until the kernel's DONE so the
   * socket is free for the next dump.
   */
  #abandon(p: DumpPending, error?: Error): void {
    if (p.abandoned) return;
    p.abandoned = true;
    p.cleanup();
    if (error !== undefined) p.queue.abort(error);
    else p.queue.discard();
    if (this.#pending.get(p.seq) !== p) this.#forget(p); // not sent yet: just drop it
    this.#maybeResume();
  }

  // ---- flow control and event-loop references ---------------------------

  #refDelta(d: number): void {
    const before = this.#refs;
    this.#refs += d;
    if (this.#closed) return;
    if (before === 0 && this.#refs > 0) this.#native.ref();
    else if (before > 0 && this.#refs === 0) this.#native.unref();
  }

  #maybePause(q: AsyncQueue<NlMessage>): void {
    if (!this.#paused && !this.#closed && q.size >= this.#dumpHighWater) {
      this.#paused = true;
      this.#native.pause();
      this.#stats.pauses++;
    }
  }

  #maybeResume(): void {
    if (!this.#paused || this.#closed) return;
    const d = this.#dumpActive;
    if (d !== undefined && !d.abandoned && d.queue.size > this.#dumpHighWater / 2) return;
    this.#paused = false;
    this.#native.resume();
  }

  // ---- receive -----------------------------------------------------------

  #onReceive(err: Error | null, datagrams: Buffer[], meta: number[], drained: boolean): void {
    if (datagrams.length > 0) {
      this.#stats.wakeups++;
      this.#stats.datagrams += datagrams.length;
    }
    try {
      for (let i = 0; i < datagrams.length; i++) {
        this.#onDatagram(datagrams[i]!, meta[2 * i]!, meta[2 * i + 1]!);
      }
      if (err !== null) this.#onSocketError(fromNative(err));
      if (drained && this.#overflowed) this.#onOverflowDrained();
    } catch (e) {
      // Never let an unexpected error escape into the native callback (it
      // would become an uncaught exception): fail what is waiting instead.
      const error = e instanceof Error ? e : new YnlError(String(e));
      for (const p of [...this.#pending.values()]) this.#failPending(p, error);
      for (const s of this.#subs) s.queue.fail(error, false);
    }
  }

  #onSocketError(e: Error): void {
    if (e instanceof SocketError && e.code === 'ENOBUFS') {
      // The receive buffer overflowed: the kernel dropped messages, and it
      // drops everything for this socket until the receive queue is read
      // empty. Subscribers are told now (notifications were lost). Which
      // requests lost their answer is known once the queue is empty (the
      // answers still queued come first): see #onOverflowDrained.
      this.#overflowed = true;
      for (const s of this.#subs) s.queue.fail(e, false);
      return;
    }
    // Anything else fails what is pending.
    for (const p of [...this.#pending.values()]) this.#failPending(p, e);
    for (const s of this.#subs) s.queue.fail(e, false);
  }

  /**
   * After an ENOBUFS the receive queue was read empty. The kernel answers a
   * request while it is being sent (generic netlink runs the request in
   * sendmsg), so every request sent before now either got its answer or had
   * it dropped: those still waiting fail with a {@link ReplyLostError} (an
   * orphan is just released). A dump that received messages goes on: dump
   * parts wait for room instead of being dropped; one that received nothing
   * lost its error answer.
   */
  #onOverflowDrained(): void {
    this.#overflowed = false;
    for (const p of [...this.#pending.values()]) {
      if (!p.sent) continue;
      if (p.kind === 'dump' && p.received > 0) continue;
      this.#stats.lostReplies++;
      this.#failPending(p, replyLostError(p));
    }
  }

  #onDatagram(buf: Uint8Array, group: number, port: number): void {
    if (buf.length > this.#stats.largestDatagram) this.#stats.largestDatagram = buf.length;
    if (port !== 0) return; // only the kernel talks to us
    let off = 0;
    while (off < buf.length) {
      let msg: NlMessage;
      try {
        const h = readHeader(buf, off);
        msg = { ...h, buffer: buf, offset: off };
      } catch (e) {
        this.#onBadDatagram(
          buf,
          off,
          group,
          e instanceof Error ? e : new DecodeError(String(e), '', off),
        );
        return;
      }
      off += nlaAlign(msg.len);
      this.#stats.messagesReceived++;
      // A notification echoed to its sender (NLM_F_ECHO) is the same skb the
      // kernel multicast, so it arrives marked with the group: it is ours when
      // it carries our port id and the seq of a request we wait for that
      // asked for the echo. Without NLM_F_ECHO, the notification our own
      // request caused is a notification like any other (for subscribers).
      const echo = group !== 0 && msg.portId === this.portId && this.#asksEcho(msg.seq);
      if (group !== 0 && !echo) this.#onMcast(msg, group);
      else this.#onUnicast(msg);
    }
  }

  /** The pending request `seq` was sent with NLM_F_ECHO. */
  #asksEcho(seq: number): boolean {
    const p = this.#pending.get(seq);
    return p !== undefined && ((p.bytes[6]! | (p.bytes[7]! << 8)) & NLM_F_ECHO) !== 0;
  }

  /** A datagram whose framing does not parse: fail whoever it was for, never crash. */
  #onBadDatagram(buf: Uint8Array, off: number, group: number, e: Error): void {
    if (group !== 0) {
      for (const s of this.#subs) if (s.groups.has(group)) s.queue.fail(e, false);
      return;
    }
    if (buf.length - off >= NLMSG_HDRLEN) {
      const seq = new DataView(buf.buffer, buf.byteOffset + off).getUint32(8, true);
      const p = this.#pending.get(seq);
      if (p !== undefined) this.#failPending(p, e);
    }
  }

  #onUnicast(msg: NlMessage): void {
    const p = this.#pending.get(msg.seq);
    if (p === undefined) {
      // seq 0: the kernel's own message to our port (an upcall); anything
      // else is for no request of ours (requests keep their seq until their
      // answer was read or is known lost): dropped.
      if (msg.seq === 0 && msg.type >= NLMSG_MIN_TYPE) this.#onMcast(msg, UNSOLICITED);
      return;
    }
    if (msg.type === NLMSG_NOOP || msg.type === NLMSG_OVERRUN) return;
    if (p.kind === 'do' && p.orphaned) {
      // The answer of a request whose caller gave up: frees its seq and slot.
      if (msg.type === NLMSG_ERROR) {
        this.#stats.lateReplies++;
        this.#forget(p);
      }
      return;
    }
    if (msg.type === NLMSG_ERROR) {
      let em;
      try {
        em = readErrorMessage(msg);
      } catch (e) {
        this.#failPending(p, e as Error);
        return;
      }
      if (em.error === 0) {
        // ACK: the end of a do-request (dumps are not sent with NLM_F_ACK).
        this.#forget(p);
        if (p.kind === 'do') p.resolve(p.reply);
        else p.queue.end();
        return;
      }
      this.#failPending(p, netlinkError(-em.error, em.extack, p.req, this.#opFlags(p.req)));
      return;
    }
    if (p.kind === 'do') {
      if (msg.type === NLMSG_DONE) return;
      p.reply ??= msg;
      return;
    }
    // dump
    if (msg.type === NLMSG_DONE) {
      let done;
      try {
        done = readDoneMessage(msg);
      } catch (e) {
        this.#failPending(p, e as Error);
        return;
      }
      if ((msg.flags & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
      this.#forget(p);
      if (done.error !== 0)
        p.queue.fail(netlinkError(-done.error, done.extack, p.req, this.#opFlags(p.req)), true);
      else if (p.interrupted) {
        p.queue.fail(
          new DumpInterruptedError(
            'the dump was interrupted (NLM_F_DUMP_INTR): the data changed while it was read; retry',
          ),
          true,
        );
      } else p.queue.end();
      return;
    }
    p.received++;
    if (p.abandoned) return;
    if ((msg.flags & NLM_F_DUMP_INTR) !== 0) p.interrupted = true;
    p.queue.push(msg);
    this.#maybePause(p.queue);
  }

  #onMcast(msg: McastMessage | NlMessage, group: number): void {
    if (group === GENL_ID_CTRL && msg.type === GENL_ID_CTRL) this.#onCtrlEvent(msg);
    const m: McastMessage = { ...msg, group };
    for (const s of this.#subs) {
      if (!s.groups.has(group)) continue;
      if (s.queue.size >= s.maxQueued) {
        s.queue.fail(
          new QueueOverflowError(`notification queue full (${s.maxQueued}); messages dropped`),
          false,
        );
        continue;
      }
      s.queue.push(m);
    }
  }

  /** GENL_* flags of a request's op, when its family was resolved on this socket. */
  #opFlags(req: NetlinkRequest): number | undefined {
    const b = req.bytes;
    if (b.length < NLMSG_HDRLEN + 4) return undefined;
    const fam = this.#familiesById.get(b[4]! | (b[5]! << 8));
    const cmd = b[NLMSG_HDRLEN]!;
    return fam?.ops.find((o) => o.cmd === cmd)?.flags;
  }

  /** An nlctrl notification: a removed family ends its subscriptions and leaves the cache. */
  #onCtrlEvent(msg: NlMessage): void {
    if (msg.buffer[msg.offset + NLMSG_HDRLEN] !== CTRL_CMD_DELFAMILY) return;
    const f = readGenlMessage(msg, ctrlAttrs).attrs;
    if (f.familyId === undefined) return;
    const name = f.familyName ?? `#${f.familyId}`;
    this.#familiesById.delete(f.familyId);
    if (f.familyName !== undefined) this.#families.delete(f.familyName);
    for (const s of [...this.#subs]) {
      if (s.familyId !== f.familyId) continue;
      s.end(
        new FamilyRemovedError(
          `generic netlink family ${name} was unregistered (module unloaded?): its notifications end`,
        ),
      );
    }
  }

  // ---- families ------------------------------------------------------------

  /**
   * Resolve a generic netlink family by name (CTRL_CMD_GETFAMILY). Results
   * are cached per socket; concurrent calls for one name share one request.
   * An unknown family rejects with a NetlinkError of code `'ENOENT'`.
   */
  resolveFamily(name: string, opts: SocketRequestOptions = {}): Promise<ResolvedFamily> {
    const cached = this.#families.get(name);
    if (cached !== undefined) return cached;
    const p = this.request(
      {
        familyId: GENL_ID_CTRL,
        cmd: CTRL_CMD_GETFAMILY,
        version: 2,
        set: ctrlAttrs,
        attrs: { familyName: name },
        family: 'nlctrl',
        op: `getfamily ${name}`,
      },
      opts,
    ).then((msg) => {
      if (msg === undefined)
        throw new YnlError(`nlctrl answered getfamily ${name} without a reply`);
      const f = familyFromMessage(msg);
      this.#familiesById.set(f.id, f);
      return f;
    });
    this.#families.set(name, p);
    p.catch(() => {
      if (this.#families.get(name) === p) this.#families.delete(name);
    });
    return p;
  }

  /** Forget cached families (all, or one name), e.g. after a module reload. */
  clearFamilyCache(name?: string): void {
    if (name === undefined) this.#families.clear();
    else this.#families.delete(name);
    for (const [id, f] of this.#familiesById)
      if (name === undefined || f.name === name) this.#familiesById.delete(id);
  }

  /** Dump every registered family (CTRL_CMD_GETFAMILY with NLM_F_DUMP). */
  async *families(opts: SocketRequestOptions = {}): AsyncGenerator<ResolvedFamily> {
    const it = this.dump(
      {
        familyId: GENL_ID_CTRL,
        cmd: CTRL_CMD_GETFAMILY,
        version: 2,
        set: ctrlAttrs,
        family: 'nlctrl',
        op: 'getfamily dump',
      },
      opts,
    );
    for await (const msg of it) yield familyFromMessage(msg);
  }

  // ---- multicast -----------------------------------------------------------

  /**
   * Join multicast groups of a family by name (or by group id) and iterate
   * over the notifications. The groups are left when the iteration ends.
   */
  async subscribe(
    family: string | ResolvedFamily,
    groups: readonly (string | number)[],
    opts: SubscribeOptions = {},
  ): Promise<Subscription> {
    const fam = typeof family === 'string' ? await this.resolveFamily(family) : family;
    const ids = groups.map((g) => {
      if (typeof g === 'number') return g;
      const id = fam.mcastGroups.get(g);
      if (id === undefined) {
        throw new YnlError(
          `family ${fam.name} has no multicast group '${g}' (it has: ${[...fam.mcastGroups.keys()].join(', ') || 'none'})`,
        );
      }
      return id;
    });
    return this.subscribeGroups(ids, { ...opts, family: fam });
  }

  /**
   * Iterate over messages the kernel sends to this socket's port on its own
   * initiative (sequence number 0, no multicast group): e.g. OVS upcalls
   * (`OVS_PACKET_CMD_MISS`) sent to the port given as a vport's upcall PID.
   * They arrive with `group` 0. Without such a subscription they are dropped.
   */
  unsolicited(opts: SubscribeOptions = {}): Subscription {
    return this.subscribeGroups([UNSOLICITED], opts);
  }

  /** Join multicast groups by id; see {@link GenlSocket.subscribe}. */
  subscribeGroups(groupIds: readonly number[], opts: SubscribeOptions = {}): Subscription {
    const maxQueued = intOption('maxQueued', opts.maxQueued, 1, 2 ** 32 - 1, 65536);
    signalOption(opts.signal);
    const resync = opts.resync;
    if (resync !== undefined && typeof resync !== 'function')
      throw new TypeError('resync must be a function');
    if (this.#closed) throw new SocketClosedError('netlink socket is closed');
    const joined: number[] = [];
    // nlctrl's "notify" group (its id is GENL_ID_CTRL) announces removed
    // families; joined for the subscription, not delivered to it.
    const watch = opts.family !== undefined && opts.family.id !== GENL_ID_CTRL;
    try {
      for (const g of watch ? [...groupIds, GENL_ID_CTRL] : groupIds) {
        if (g === UNSOLICITED) {
          joined.push(g); // not a multicast group: nothing to join
          continue;
        }
        const n = this.#memberships.get(g) ?? 0;
        if (n === 0) this.#native.setOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g);
        this.#memberships.set(g, n + 1);
        joined.push(g);
      }
    } catch (e) {
      this.#leave(joined);
      throw fromNative(e);
    }
    const holder: { state?: SubState } = {};
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (holder.state) this.#subs.delete(holder.state);
      this.#leave(joined);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const member = watch ? joined.slice(0, -1) : joined;
    const queue = new AsyncQueue<McastMessage>({
      waiting: (w) => this.#refDelta(w ? 1 : -1),
      returned: finish,
    });
    const onAbort = (): void => {
      if (opts.signal) queue.fail(abortError(opts.signal), true);
      finish();
    };
    const state: SubState = {
      groups: new Set(member),
      queue,
      maxQueued,
      familyId: opts.family?.id,
      end: (e) => {
        queue.fail(e, true);
        finish();
      },
    };
    holder.state = state;
    this.#subs.add(state);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const sub = queue as AsyncQueue<McastMessage> & { close(): void; groups: readonly number[] };
    Object.defineProperty(sub, 'groups', { value: Object.freeze([...member]) });
    if (resync !== undefined) {
      const next = queue.next.bind(queue);
      sub.next = async (): Promise<IteratorResult<McastMessage>> => {
        for (;;) {
          try {
            return await next();
          } catch (e) {
            const lost =
              (e instanceof SocketError && e.code === 'ENOBUFS') || e instanceof QueueOverflowError;
            if (!lost) throw e;
            await resync(e);
          }
        }
      };
    }
    sub.close = (): void => {
      queue.end();
      finish();
    };
    return sub;
  }

  #leave(groups: readonly number[]): void {
    for (const g of groups) {
      if (g === UNSOLICITED) continue;
      const n = (this.#memberships.get(g) ?? 1) - 1;
      if (n > 0) {
        this.#memberships.set(g, n);
        continue;
      }
      this.#memberships.delete(g);
      if (!this.#closed) {
        try {
          this.#native.setOption(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, g);
        } catch {
          // leaving a group cannot meaningfully fail; the socket may be closing
        }
      }
    }
  }

  // ---- close -----------------------------------------------------------------

  /**
   * Close the socket. Everything in flight is rejected with a
   * {@link SocketClosedError}; dumps and subscriptions throw it. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const err = new SocketClosedError('netlink socket closed while the request was in flight');
    for (const p of [...this.#pending.values(), ...this.#sendQueue, ...this.#dumpQueue]) {
      this.#failPending(p, err);
    }
    for (const s of this.#subs) s.queue.fail(new SocketClosedError('netlink socket closed'), true);
    this.#subs.clear();
    this.#memberships.clear();
    this.#native.close();
  }
}

interface CheckedSocketOptions {
  readonly rcvbuf: number;
  readonly maxInFlight: number;
  readonly dumpHighWater: number;
  readonly strict: boolean;
}

function checkSocketOptions(o: SocketOptions): CheckedSocketOptions {
  return {
    // setsockopt takes an int
    rcvbuf: intOption('rcvbuf', o.rcvbuf, 0, 2 ** 31 - 1, 1 << 20),
    maxInFlight: intOption('maxInFlight', o.maxInFlight, 1, 2 ** 32 - 1, 256),
    dumpHighWater: intOption('dumpHighWater', o.dumpHighWater, 1, 2 ** 32 - 1, 1024),
    strict: boolOption('strict', o.strict, true),
  };
}

interface CheckedRequestOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | undefined;
}

function checkRequestOptions(o: SocketRequestOptions): CheckedRequestOptions {
  return { signal: signalOption(o.signal), timeout: timeoutOption(o.timeout) };
}

/** Copy a request with our seq and the flags its kind needs; the caller's bytes stay untouched. */
function stamp(src: Uint8Array, seq: number, flags: number): Uint8Array {
  // A pooled copy (a fresh ArrayBuffer per request costs more than the request).
  const pooled = Buffer.allocUnsafe(src.length);
  pooled.set(src);
  const b = new Uint8Array(pooled.buffer, pooled.byteOffset, src.length);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  v.setUint16(6, v.getUint16(6, true) | flags, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, 0, true);
  return b;
}

function timeoutError(p: Pending, when: string): TimeoutError {
  return new TimeoutError(`${what(p)} (seq ${p.seq}) timed out ${when}`);
}

function replyLostError(p: Pending): ReplyLostError {
  return new ReplyLostError(
    `${what(p)} (seq ${p.seq}): the reply was lost: the kernel dropped it when the socket's ` +
      `receive buffer overflowed (ENOBUFS); the request may or may not have taken effect`,
  );
}

/** How errors name a request: family and op when known. */
function what(p: Pending): string {
  const name = [p.req.family, p.req.op].filter((x) => x !== undefined).join(' ');
  return name === '' ? (p.kind === 'dump' ? 'dump' : 'request') : name;
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError('the request was aborted', { cause: signal.reason });
}

/**
 * Build the NetlinkError of a kernel error, explaining ext-ack offsets
 * against the request; `opFlags` (the op's GENL_* flags) name the capability
 * behind an EPERM.
 */
export function netlinkError(
  errno: number,
  ext: ExtAck,
  req: NetlinkRequest,
  opFlags?: number,
): NetlinkError {
  const hdr = req.hdrSize ?? 0;
  const info: { -readonly [K in keyof ExtAckInfo]: ExtAckInfo[K] } = {};
  if (ext.message !== undefined) info.message = ext.message;
  if (ext.offset !== undefined) {
    info.offset = ext.offset;
    const loc = locateAttr(req.bytes, ext.offset, req.set, hdr);
    if (loc !== undefined) info.attrPath = loc.path;
  }
  if (ext.policy !== undefined) info.policy = ext.policy;
  if (ext.cookie !== undefined) info.cookie = ext.cookie;
  if (ext.missingType !== undefined)
    info.missingAttr = missingAttr(ext.missingType, ext.missingNest, req);
  const ctx: { family?: string; op?: string; opFlags?: number } = {};
  if (req.family !== undefined) ctx.family = req.family;
  if (req.op !== undefined) ctx.op = req.op;
  if (opFlags !== undefined) ctx.opFlags = opFlags;
  return new NetlinkError(errno, info, ctx);
}

function missingAttr(type: number, nestOff: number | undefined, req: NetlinkRequest): MissingAttr {
  let set: AttrSet | undefined = req.set;
  let nest: string | undefined;
  if (nestOff !== undefined) {
    const loc = locateAttr(req.bytes, nestOff, req.set, req.hdrSize ?? 0);
    nest = loc?.path;
    set = undefined;
    if (loc?.set !== undefined && nestOff + 4 <= req.bytes.length) {
      const t =
        new DataView(req.bytes.buffer, req.bytes.byteOffset).getUint16(nestOff + 2, true) &
        NLA_TYPE_MASK;
      set = loc.set.byType(t)?.nested;
    }
  }
  const name = set?.byType(type)?.name;
  return { type, ...(name !== undefined ? { name } : {}), ...(nest !== undefined ? { nest } : {}) };
}

/** Decode a CTRL_CMD_GETFAMILY reply. */
function familyFromMessage(msg: NlMessage): ResolvedFamily {
  const f = readGenlMessage(msg, ctrlAttrs).attrs;
  if (f.familyId === undefined || f.familyName === undefined) {
    throw new DecodeError('nlctrl family reply without an id or a name', '', msg.offset);
  }
  const groups = new Map<string, number>();
  for (const g of f.mcastGroups ?? [])
    if (g.name !== undefined && g.id !== undefined) groups.set(g.name, g.id);
  return {
    id: f.familyId,
    name: f.familyName,
    version: f.version ?? 0,
    hdrSize: f.hdrsize ?? 0,
    maxAttr: f.maxattr ?? 0,
    ops: (f.ops ?? []).map((o) => ({ cmd: o.id ?? 0, flags: o.flags ?? 0 })),
    mcastGroups: groups,
  };
}
