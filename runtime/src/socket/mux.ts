/**
 * The request multiplexer: the protocol-agnostic core of a netlink socket.
 * Many requests in flight on one socket, each holding a slot whose seq
 * routes its answers back; requests batched into one sendmsg per tick;
 * dumps one at a time with backpressure; the ENOBUFS accounting that tells
 * which answers were lost. It knows netlink framing (nlmsghdr, NLMSG_ERROR,
 * NLMSG_DONE) and nothing of any protocol above it: explaining an error and
 * routing multicast are hooks.
 * @module
 */
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLM_F_DUMP_INTR,
  NLM_F_ECHO,
  nlaAlign,
} from '../codec/constants.js';
import { DecodeError, YnlError } from '../codec/errors.js';
import { checkNlHeader, nlFlags, nlSeq, stampNlHeader } from '../codec/header.js';
import {
  errorCode,
  messageAt,
  readDoneMessage,
  readErrorMessage,
  type ExtAck,
  type NlMessage,
} from '../codec/message.js';
import {
  DumpInterruptedError,
  ReplyLostError,
  SocketClosedError,
  SocketError,
  fromNative,
} from './errors.js';
import {
  DoRequest,
  DumpIterator,
  DumpRequest,
  abortError,
  timeoutError,
  type CheckedRequestOptions,
  type Pending,
} from './pending.js';
import { AsyncQueue } from './queue.js';
import { DO_FLAGS, DUMP_FLAGS, type NetlinkRequest } from './request.js';
import { MAX_SLOTS, SlotTable } from './slots.js';
import { META_STRIDE, type Transport } from './transport.js';

/** Counters of one socket, for benchmarks and diagnostics. */
export interface SocketStats {
  /** sendmsg calls. */
  sendCalls: number;
  /** Netlink messages sent (several per sendmsg when batched). */
  messagesSent: number;
  /** Deliveries of received data to JS (event-loop wake-ups and drains right after a send). */
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

/** Validated multiplexer options. */
export interface MuxOptions {
  /** Requests in flight at most (capped at the slot table's 65,536). */
  readonly maxInFlight: number;
  /** Dump messages queued before reading stops. */
  readonly dumpHighWater: number;
  /** Read the answers inside the send call (see {@link Transport.send}). */
  readonly drainOnSend: boolean;
}

/** What the protocol above the core decides. */
export interface MuxHooks {
  /** The error a request is rejected with when the kernel answers `errno` (ext-ack explained). */
  explain(errno: number, extack: ExtAck, req: NetlinkRequest): Error;
  /**
   * A message that answers no request: multicast (`group` > 0), or the
   * kernel's own message to our port (`group` 0, seq 0, e.g. an upcall).
   */
  notify(msg: NlMessage, group: number): void;
  /**
   * A socket error: ENOBUFS (notifications were lost; not terminal), an
   * unexpected one, or (with `group`) a datagram of that multicast group
   * whose framing does not parse. Pending requests were already handled.
   */
  socketError(e: Error, group?: number): void;
}

/**
 * Sends in a row whose answers are read inside the send before the event
 * loop must get a turn: a program that chains requests back to back would
 * otherwise run them all in microtasks and starve timers and I/O.
 */
export const INLINE_SENDS_MAX = 16;

export class Multiplexer {
  readonly #t: Transport;
  readonly #hooks: MuxHooks;
  readonly #slots = new SlotTable<Pending>();
  /** Requests waiting for an in-flight slot. */
  readonly #sendQueue: Pending[] = [];
  /** Dumps waiting for the running dump to end. */
  readonly #dumpQueue: DumpRequest[] = [];
  #dumpActive: DumpRequest | undefined;
  /** The dump whose messages of the current datagram are being collected. */
  #batching: DumpRequest | undefined;
  /** Requests whose caller gave up while the kernel still owed the answer. */
  #orphans = 0;
  /** The kernel reported ENOBUFS; answers are lost until the receive queue is read empty. */
  #overflowed = false;
  readonly #maxInFlight: number;
  readonly #dumpHighWater: number;
  readonly #drainOnSend: boolean;
  #flushScheduled = false;
  #outBatch: Pending[] = [];
  #closed = false;
  #paused = false;
  #receiving = false;
  /** Sends answered inline since the event loop last turned (see {@link INLINE_SENDS_MAX}). */
  #inline = 0;
  #turnScheduled = false;
  readonly #onTurn = (): void => {
    this.#turnScheduled = false;
    this.#inline = 0;
  };
  #refs = 0;
  readonly stats: SocketStats = {
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

  constructor(
    transport: Transport,
    /** Our port id: an echoed notification carries it. */
    readonly portId: number,
    opts: MuxOptions,
    hooks: MuxHooks,
  ) {
    this.#t = transport;
    this.#hooks = hooks;
    this.#maxInFlight = Math.min(opts.maxInFlight, MAX_SLOTS);
    this.#dumpHighWater = opts.dumpHighWater;
    this.#drainOnSend = opts.drainOnSend;
    transport.start((err, buffers, meta, count, drained) =>
      this.#onReceive(err, buffers, meta, count, drained),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Requests sent or queued that have not finished (orphans not counted). */
  get pending(): number {
    return this.#slots.size - this.#orphans + this.#sendQueue.length + this.#dumpQueue.length;
  }

  // ---- requests ------------------------------------------------------------

  /** Send a do-request; resolves to its first reply message, or undefined for a bare ACK. */
  request(req: NetlinkRequest, ro: CheckedRequestOptions): Promise<NlMessage | undefined> {
    const p = new DoRequest(req, asksEcho(req.bytes));
    const promise = new Promise<NlMessage | undefined>((resolve, reject) => {
      p.resolve = resolve;
      p.reject = reject;
    });
    if (this.#closed) p.reject(new SocketClosedError('netlink socket is closed'));
    else if (ro.signal?.aborted) p.reject(abortError(ro.signal));
    else {
      p.arm(this, ro);
      this.#enqueue(p);
    }
    return promise;
  }

  /** Send a dump request; its messages come through the returned iterator. */
  dump(req: NetlinkRequest, ro: CheckedRequestOptions): AsyncIterableIterator<NlMessage> {
    const queue: AsyncQueue<NlMessage[]> = new AsyncQueue<NlMessage[]>({
      waiting: (w) => this.refDelta(w ? 1 : -1),
      returned: () => this.#abandon(p),
      // timeout and abort cover the dump until its consumer saw the end
      finished: () => p.disarm(),
    });
    const p = new DumpRequest(req, asksEcho(req.bytes), queue);
    const it = new DumpIterator(p, () => this.#maybeResume());
    if (this.#closed) queue.fail(new SocketClosedError('netlink socket is closed'), true);
    else if (ro.signal?.aborted) queue.fail(abortError(ro.signal), true);
    else {
      p.arm(this, ro);
      if (this.#dumpActive === undefined) {
        this.#dumpActive = p;
        this.#enqueue(p);
      } else this.#dumpQueue.push(p);
    }
    return it;
  }

  #enqueue(p: Pending): void {
    if (p.kind === 'do') this.refDelta(1);
    if (this.#slots.size >= this.#maxInFlight) {
      this.#sendQueue.push(p);
      return;
    }
    const seq = this.#slots.take(p);
    p.bytes = stamp(p.req.bytes, seq, p.kind === 'do' ? DO_FLAGS : DUMP_FLAGS);
    this.#outBatch.push(p);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // a microtask without queueMicrotask's per-call AsyncResource
      void resolved.then(this.#onFlush);
    }
  }

  /** One sendmsg for every request queued in this tick (iovec, no concatenation). */
  readonly #onFlush = (): void => this.#flush();

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#outBatch;
    this.#outBatch = [];
    if (this.#closed) return;
    let now = -1;
    let live = batch;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      let keep = this.#slots.holds(p);
      // Its deadline passed while it waited (for a slot, or for a stalled
      // application): fail it here rather than send it and drop the answer.
      if (keep && p.deadline !== undefined) {
        if (now < 0) now = performance.now();
        if (now >= p.deadline) {
          this.#failPending(p, timeoutError(p.describe(), 'before it could be sent'));
          keep = false;
        }
      }
      // (the batch is its own list of live requests until one drops out)
      if (!keep && live === batch) live = batch.slice(0, i);
      else if (keep && live !== batch) live.push(p);
    }
    for (let i = 0; i < live.length; i += 1024) {
      // (answers read inside an earlier send may have failed some of these)
      const chunk =
        i === 0 && live.length <= 1024
          ? live
          : live.slice(i, i + 1024).filter((p) => this.#slots.holds(p));
      if (chunk.length === 0) continue;
      // Marked sent first: the answers may be delivered inside send().
      for (const p of chunk) p.sent = true;
      this.stats.sendCalls++;
      this.stats.messagesSent += chunk.length;
      try {
        this.#t.send(
          chunk.length === 1 ? [chunk[0]!.bytes!] : chunk.map((p) => p.bytes!),
          this.#mayDrain(),
        );
      } catch (e) {
        this.stats.sendCalls--;
        this.stats.messagesSent -= chunk.length;
        const err = fromNative(e);
        for (const p of chunk) {
          p.sent = false;
          this.#failPending(p, err);
        }
      }
    }
  }

  /**
   * Whether this send may read the answers inline: asked for, not from
   * inside a receive callback, and fewer than {@link INLINE_SENDS_MAX} sends
   * in a row since the event loop last turned (a check-phase immediate
   * marks the turn).
   */
  #mayDrain(): boolean {
    if (!this.#drainOnSend || this.#receiving || this.#inline >= INLINE_SENDS_MAX) return false;
    this.#inline++;
    if (!this.#turnScheduled) {
      this.#turnScheduled = true;
      setImmediate(this.#onTurn).unref();
    }
    return true;
  }

  /**
   * The caller gave up (timeout, abort). A do-request not sent yet is
   * dropped. A sent one: the kernel has answered it (or dropped the answer),
   * so its seq and slot stay taken until that answer is read or known lost:
   * a late answer is then recognised and dropped, never matched to a newer
   * request, and the slot limit keeps bounding what the kernel owes. A dump
   * is abandoned (read to its DONE and discarded).
   * @internal called by the pending records (`GiveUpTarget`)
   */
  giveUp(p: Pending, e: Error): void {
    if (p.kind === 'dump') {
      this.#abandon(p, e);
      return;
    }
    if (p.orphaned || !this.#slots.holds(p) || !p.sent) {
      this.#forget(p);
      p.reject(e);
      return;
    }
    p.orphaned = true;
    p.disarm();
    this.#orphans++;
    this.refDelta(-1); // an orphan does not keep the process alive
    p.reject(e);
  }

  /** Remove a request from every table; frees its in-flight slot. */
  #forget(p: Pending): void {
    const held = this.#slots.release(p);
    const orphan = p.kind === 'do' && p.orphaned;
    if (orphan && !held) return; // already forgotten
    if (p.kind === 'do') p.disarm();
    if (orphan) this.#orphans--;
    if (held) this.#pumpSendQueue();
    else {
      const i = this.#sendQueue.indexOf(p);
      if (i >= 0) this.#sendQueue.splice(i, 1);
      if (p.kind === 'dump') {
        const j = this.#dumpQueue.indexOf(p);
        if (j >= 0) this.#dumpQueue.splice(j, 1);
      }
    }
    if (p.kind === 'do' && !orphan) this.refDelta(-1);
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
    while (this.#slots.size < this.#maxInFlight && this.#sendQueue.length > 0) {
      const p = this.#sendQueue.shift()!;
      if (p.kind === 'do') this.refDelta(-1); // #enqueue counts it again
      this.#enqueue(p);
    }
  }

  #failPending(p: Pending, e: Error): void {
    this.#forget(p);
    if (p.kind === 'do') p.reject(e);
    else {
      this.#deliverBatch(p);
      p.queue.fail(e, true);
    }
  }

  /**
   * The consumer left a dump (break, timeout, abort): drop its queued
   * messages; keep reading and discarding until the kernel's DONE so the
   * socket is free for the next dump.
   */
  #abandon(p: DumpRequest, error?: Error): void {
    if (p.abandoned) return;
    p.abandoned = true;
    p.disarm();
    // (messages the iterator took in a batch but did not yield yet count too)
    if (error !== undefined) p.queue.abort(error, p.queued > 0);
    else p.queue.discard();
    p.queued = 0;
    if (!this.#slots.holds(p)) this.#forget(p); // not sent yet: just drop it
    this.#maybeResume();
  }

  // ---- flow control and event-loop references ------------------------------

  /**
   * Count a reason to keep the event loop alive (+1) or drop one (-1). The
   * transport is unref'd in the check phase after the count dropped to 0,
   * if it is still 0 then: requests made one after another do not cost two
   * native calls each.
   */
  refDelta(d: number): void {
    const before = this.#refs;
    this.#refs += d;
    if (this.#closed) return;
    if (before === 0 && this.#refs > 0) {
      if (!this.#refd) {
        this.#refd = true;
        this.#t.ref();
      }
    } else if (before > 0 && this.#refs === 0 && this.#refd && !this.#unrefScheduled) {
      this.#unrefScheduled = true;
      // unref'd itself: the transport's own ref keeps the loop alive until it runs
      setImmediate(this.#onUnrefCheck).unref();
    }
  }

  #refd = false;
  #unrefScheduled = false;
  readonly #onUnrefCheck = (): void => {
    this.#unrefScheduled = false;
    if (this.#refs === 0 && this.#refd && !this.#closed) {
      this.#refd = false;
      this.#t.unref();
    }
  };

  #maybePause(p: DumpRequest): void {
    if (!this.#paused && !this.#closed && p.queued >= this.#dumpHighWater) {
      this.#paused = true;
      this.#t.pause();
      this.stats.pauses++;
    }
  }

  #maybeResume(): void {
    if (!this.#paused || this.#closed) return;
    const d = this.#dumpActive;
    if (d !== undefined && !d.abandoned && d.queued > this.#dumpHighWater / 2) return;
    this.#paused = false;
    this.#t.resume();
  }

  // ---- receive -------------------------------------------------------------

  #onReceive(
    err: Error | null,
    buffers: readonly (ArrayBufferLike | undefined)[],
    meta: Uint32Array,
    count: number,
    drained: boolean,
  ): void {
    if (count > 0) {
      this.stats.wakeups++;
      this.stats.datagrams += count;
    }
    this.#receiving = true;
    try {
      for (let i = 0, m = 0; i < count; i++, m += META_STRIDE) {
        // one view per datagram, made here (messages keep it as their buffer)
        const bytes = new Uint8Array(buffers[meta[m]!]!, meta[m + 1]!, meta[m + 2]!);
        this.#onDatagram(bytes, meta[m + 3]!, meta[m + 4]!);
      }
      if (err !== null) this.#onSocketError(fromNative(err));
      if (drained && this.#overflowed) this.#onOverflowDrained();
    } catch (e) {
      // Never let an unexpected error escape into the native callback (it
      // would become an uncaught exception): fail what is waiting instead.
      const error = e instanceof Error ? e : new YnlError(String(e));
      for (const p of this.#slots.values()) this.#failPending(p, error);
      this.#hooks.socketError(error);
    } finally {
      this.#receiving = false;
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
      this.#hooks.socketError(e);
      return;
    }
    if (e instanceof SocketError && e.code === 'EMSGSIZE') {
      // A datagram larger than every buffer offered was cut (never happens
      // with kernel messages of today): whoever waited for it may never get
      // its answer, so this is reported like a lost answer.
      this.#overflowed = true;
    } else {
      // Anything else fails what is pending.
      for (const p of this.#slots.values()) this.#failPending(p, e);
    }
    this.#hooks.socketError(e);
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
    for (const p of this.#slots.values()) {
      if (!p.sent) continue;
      if (p.kind === 'dump' && p.received > 0) continue;
      this.stats.lostReplies++;
      this.#failPending(
        p,
        new ReplyLostError(
          `${p.describe()}: the reply was lost: the kernel dropped it when the socket's ` +
            `receive buffer overflowed (ENOBUFS); the request may or may not have taken effect`,
        ),
      );
    }
  }

  #onDatagram(buf: Uint8Array, group: number, port: number): void {
    if (buf.length > this.stats.largestDatagram) this.stats.largestDatagram = buf.length;
    if (port !== 0) return; // only the kernel talks to us
    let off = 0;
    try {
      while (off < buf.length) {
        let len: number;
        try {
          len = checkNlHeader(buf, off, buf.length);
        } catch (e) {
          this.#onBadDatagram(
            buf,
            off,
            group,
            e instanceof Error ? e : new DecodeError(String(e), '', off),
          );
          return;
        }
        const msg = messageAt(buf, off);
        off += nlaAlign(len);
        this.stats.messagesReceived++;
        // A notification echoed to its sender (NLM_F_ECHO) is the same skb the
        // kernel multicast, so it arrives marked with the group: it is ours when
        // it carries our port id and the seq of a request we wait for that
        // asked for the echo. Without NLM_F_ECHO, the notification our own
        // request caused is a notification like any other (for subscribers).
        if (group !== 0 && !(msg.portId === this.portId && this.#slots.get(msg.seq)?.echo === true))
          this.#hooks.notify(msg, group);
        else this.#onUnicast(msg);
      }
    } finally {
      // a dump gets the messages of a datagram as one batch
      if (this.#batching !== undefined) this.#deliverBatch(this.#batching);
    }
  }

  /** A datagram whose framing does not parse: fail whoever it was for, never crash. */
  #onBadDatagram(buf: Uint8Array, off: number, group: number, e: Error): void {
    if (group !== 0) {
      this.#hooks.socketError(e, group);
      return;
    }
    if (buf.length - off >= NLMSG_HDRLEN) {
      const p = this.#slots.get(nlSeq(buf, off));
      if (p !== undefined) this.#failPending(p, e);
    }
  }

  /** Queue the dump messages collected from the current datagram. */
  #deliverBatch(p: DumpRequest): void {
    if (this.#batching === p) this.#batching = undefined;
    const batch = p.incoming;
    if (batch.length === 0) return;
    p.incoming = [];
    if (p.abandoned) return;
    p.queued += batch.length;
    p.queue.push(batch);
    this.#maybePause(p);
  }

  #onUnicast(msg: NlMessage): void {
    const p = this.#slots.get(msg.seq);
    if (p === undefined) {
      // seq 0: the kernel's own message to our port (an upcall); anything
      // else is for no request of ours (requests keep their seq until their
      // answer was read or is known lost): dropped.
      if (msg.seq === 0 && msg.type >= NLMSG_MIN_TYPE) this.#hooks.notify(msg, 0);
      return;
    }
    if (msg.type === NLMSG_NOOP || msg.type === NLMSG_OVERRUN) return;
    if (p.kind === 'do' && p.orphaned) {
      // The answer of a request whose caller gave up: frees its seq and slot.
      if (msg.type === NLMSG_ERROR) {
        this.stats.lateReplies++;
        this.#forget(p);
      }
      return;
    }
    if (msg.type === NLMSG_ERROR) {
      let em;
      try {
        // an ACK needs no more than its error code
        em = errorCode(msg) === 0 ? undefined : readErrorMessage(msg);
      } catch (e) {
        this.#failPending(p, e as Error);
        return;
      }
      if (em === undefined) {
        // ACK: the end of a do-request (dumps are not sent with NLM_F_ACK).
        this.#forget(p);
        if (p.kind === 'do') p.resolve(p.reply);
        else {
          this.#deliverBatch(p);
          p.queue.end();
        }
        return;
      }
      this.#failPending(p, this.#hooks.explain(-em.error, em.extack, p.req));
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
      this.#deliverBatch(p);
      if (done.error !== 0)
        p.queue.fail(this.#hooks.explain(-done.error, done.extack, p.req), true);
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
    p.incoming.push(msg);
    this.#batching = p;
  }

  // ---- close -----------------------------------------------------------------

  /** Reject everything in flight or queued with a SocketClosedError; stop sending. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const err = new SocketClosedError('netlink socket closed while the request was in flight');
    for (const p of [...this.#slots.values(), ...this.#sendQueue, ...this.#dumpQueue]) {
      this.#failPending(p, err);
    }
  }
}

const resolved = Promise.resolve();

/** Whether the request asks for NLM_F_ECHO. */
function asksEcho(bytes: Uint8Array): boolean {
  return (nlFlags(bytes, 0) & NLM_F_ECHO) !== 0;
}

/** Copy a request with our seq and the flags its kind needs; the caller's bytes stay untouched. */
function stamp(src: Uint8Array, seq: number, flags: number): Uint8Array {
  // A slice of a shared slab (a fresh ArrayBuffer per request costs more than
  // the request); a slab is never rewritten, only replaced when full.
  const n = src.length;
  if (n > SLAB_SIZE / 8) {
    const own = src.slice();
    stampNlHeader(own, 0, flags, seq);
    return own;
  }
  if (slabUsed + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const b = new Uint8Array(slab, slabUsed, n);
  slabUsed += (n + 7) & ~7;
  b.set(src);
  stampNlHeader(b, 0, flags, seq);
  return b;
}

const SLAB_SIZE = 64 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;
