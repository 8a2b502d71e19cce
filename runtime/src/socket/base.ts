/**
 * `NetlinkSocket`: what every netlink socket of the runtime shares, whatever
 * the protocol above it (generic netlink in socket.ts, classic netlink such
 * as rtnetlink in rtnl.ts): the transport, the request multiplexer, dumps,
 * extended-ACK errors, multicast subscriptions, the option checks and the
 * socket's counters. A protocol subclass says how a request input is encoded
 * and may hook into error explanation and message routing.
 * @module
 */
import { YnlError } from '../codec/errors.js';
import type { ExtAck, NlMessage } from '../codec/message.js';
import type { QueueOverflowError, SocketError } from './errors.js';
import { netlinkError } from './explain.js';
import { Multiplexer, type MuxOptions, type SocketStats } from './mux.js';
import { boolOption, intOption, signalOption, timeoutOption } from './options.js';
import type { CheckedRequestOptions } from './pending.js';
import { checkRequest, type NetlinkRequest } from './request.js';
import {
  Subscriptions,
  UNSOLICITED,
  type Subscription,
  type SubscriptionInit,
} from './subscriptions.js';
import { SOL_SOCKET, SO_RCVBUF, openTransport, type Transport } from './transport.js';

/** Options of opening a socket ({@link GenlSocket.open}, {@link RtnlSocket.open}). */
export interface SocketOptions {
  /**
   * Receive buffer size in bytes, an integer in [0, 2^31 - 1]. Set with
   * SO_RCVBUFFORCE when permitted (root), else SO_RCVBUF (capped by
   * net.core.rmem_max). Default 1 MiB; `0` keeps the system default.
   */
  readonly rcvbuf?: number;
  /**
   * Requests sent but not yet answered, at most (an integer >= 1; above
   * 65,536 it counts as 65,536); more wait in a local queue. Default 256.
   */
  readonly maxInFlight?: number;
  /** Dump messages queued for a slow consumer before the socket stops reading (an integer >= 1). Default 1024. */
  readonly dumpHighWater?: number;
  /**
   * Ask for strict checking of dump requests (NETLINK_GET_STRICT_CHK): the
   * kernel then honours the filters in a dump request's fixed header (an
   * rtnetlink address dump for one `ifa_index`, a route dump of one
   * `rtm_table`) and rejects malformed ones. Default true.
   */
  readonly strict?: boolean;
  /**
   * Read the answers inside the send call. Generic netlink and rtnetlink
   * answer a request inside the sender's sendmsg, so right after it the
   * reply and the ACK are queued: with this on (the default) they are read
   * and the requests settled at once, without waiting for the event loop to
   * poll the socket. So that a program chaining requests back to back does
   * not starve timers and I/O, at most 16 sends in a row are answered
   * inline; the next one's answer waits for the event loop, which then gets
   * its turn. Turn it off to have every answer go through the event loop.
   * What arrives later (multicast, upcalls, the rest of a dump) always comes
   * through the event loop.
   */
  readonly drainOnSend?: boolean;
}

/** Per-request options of {@link NetlinkSocket.request} and {@link NetlinkSocket.dump}. */
export interface SocketRequestOptions {
  /** Abort the request; a late reply is discarded. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds until the request fails with a TimeoutError (a dump: until
   * its end). A request still waiting to be sent at its deadline is not sent.
   * A number in [0, 2^31 - 1] (setTimeout's range, about 24.8 days), or
   * `Infinity` (like `undefined`: no timeout); anything else is a TypeError
   * (not a number) or RangeError (negative, NaN, larger), never coerced or
   * clamped. Without a timeout no timer is set.
   */
  readonly timeout?: number;
}

/** Options of a subscription to multicast groups by number ({@link RtnlSocket.subscribe}, {@link NetlinkSocket.unsolicited}). */
export interface GroupSubscribeOptions {
  /** Leave the groups and end the iteration with an AbortError. */
  readonly signal?: AbortSignal;
  /**
   * Called when notifications were lost (a kernel receive-buffer overflow,
   * ENOBUFS, or a full local queue) instead of throwing into the iteration:
   * the iterator awaits it (e.g. a re-dump of the state the notifications
   * track) and goes on. An error it throws is thrown by the iterator.
   */
  readonly resync?: (lost: SocketError | QueueOverflowError) => void | Promise<void>;
  /** Notifications queued for a slow consumer before newer ones are dropped with a QueueOverflowError (an integer >= 1). Default 65536. */
  readonly maxQueued?: number;
}

/** Socket options after their checks. */
export interface CheckedSocketOptions extends MuxOptions {
  readonly rcvbuf: number;
  readonly strict: boolean;
}

/**
 * A netlink socket: many requests in flight at once, each with its own
 * sequence number, the replies routed back to it. Dumps run one at a time
 * per socket (the kernel allows a single dump per socket); further dumps
 * wait their turn. An idle socket does not keep the process alive.
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
 *
 * `Init` is what the protocol's `request` accepts besides encoded requests
 * (e.g. {@link GenlRequestInit}, {@link RawRequestInit}).
 */
export abstract class NetlinkSocket<Init extends object> {
  /** Netlink port id the kernel assigned to this socket. */
  readonly portId: number;
  readonly #t: Transport;
  readonly #mux: Multiplexer;
  readonly #subs: Subscriptions;

  /** @internal Subclasses open the transport with {@link openSocket}. */
  protected constructor(transport: Transport, portId: number, opts: MuxOptions) {
    this.#t = transport;
    this.portId = portId;
    this.#subs = new Subscriptions(
      transport,
      (d) => this.#mux.refDelta(d),
      () => this.#mux.closed,
    );
    this.#mux = new Multiplexer(transport, portId, opts, {
      explain: (errno, ext, req) => this.explainError(errno, ext, req),
      notify: (msg, group) => this.onMessage(msg, group),
      socketError: (e, group) => this.#subs.fail(e, group),
    });
  }

  /** @internal Encode a protocol request input (its checks throw before anything is sent). */
  protected abstract encodeInit(init: Init): NetlinkRequest;

  /** @internal The error a request is rejected with when the kernel answers `errno`. */
  protected explainError(errno: number, ext: ExtAck, req: NetlinkRequest): Error {
    return netlinkError(errno, ext, req);
  }

  /** @internal A message that answers no request (multicast, or sent to our port): to the subscribers. */
  protected onMessage(msg: NlMessage, group: number): void {
    this.#subs.deliver(msg, group);
  }

  /** @internal Join groups by id for a subscription (see {@link Subscriptions.subscribe}). */
  protected joinGroups(groupIds: readonly number[], init: SubscriptionInit): Subscription {
    return this.#subs.subscribe(groupIds, init);
  }

  /** @internal End the subscriptions owned by `owner` with `e`. */
  protected endSubscriptions(owner: number, e: Error): void {
    this.#subs.endOwned(owner, e);
  }

  /** A snapshot of the socket's counters. */
  get stats(): Readonly<SocketStats> {
    return { ...this.#mux.stats };
  }

  /** Whether {@link NetlinkSocket.close} was called. */
  get closed(): boolean {
    return this.#mux.closed;
  }

  /**
   * Requests sent or queued that have not finished (not counting requests
   * whose caller gave up while their answer is still owed).
   */
  get pending(): number {
    return this.#mux.pending;
  }

  /** The socket's file descriptor (for diagnostics), -1 once closed. */
  get fd(): number {
    return this.#t.fd;
  }

  /** SO_RCVBUF as the kernel reports it (twice the requested size). */
  get receiveBufferSize(): number {
    return this.#t.getOption(SOL_SOCKET, SO_RCVBUF);
  }

  // ---- requests --------------------------------------------------------

  /**
   * Send one do-request and wait for its answer: the (first) reply message,
   * or `undefined` when the kernel only acknowledged. Rejects with a
   * {@link NetlinkError} when the kernel says no, with `extack.attrPath`
   * computed against `req.set` when given.
   */
  request(
    input: NetlinkRequest | Init | Uint8Array,
    opts: SocketRequestOptions = {},
  ): Promise<NlMessage | undefined> {
    let req: NetlinkRequest;
    let ro: CheckedRequestOptions;
    try {
      ro = checkRequestOptions(opts);
      req = this.#prepare(input);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new YnlError(String(e)));
    }
    return this.#mux.request(req, ro);
  }

  /**
   * Send several do-requests in as few sendmsg calls as possible and wait
   * for all of them; each result is settled on its own, like
   * `Promise.allSettled`.
   */
  requestMany(
    inputs: readonly (NetlinkRequest | Init | Uint8Array)[],
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
  dump(
    input: NetlinkRequest | Init | Uint8Array,
    opts: SocketRequestOptions = {},
  ): AsyncIterableIterator<NlMessage> {
    return this.#mux.dump(this.#prepare(input), checkRequestOptions(opts));
  }

  /** Build a {@link NetlinkRequest} from any accepted input, checking it. */
  #prepare(input: NetlinkRequest | Init | Uint8Array): NetlinkRequest {
    let req: NetlinkRequest;
    if (input instanceof Uint8Array) req = { bytes: input };
    else if ('bytes' in input) req = input;
    else req = this.encodeInit(input);
    checkRequest(req);
    return req;
  }

  // ---- multicast -----------------------------------------------------------

  /**
   * Iterate over messages the kernel sends to this socket's port on its own
   * initiative (sequence number 0, no multicast group): e.g. OVS upcalls
   * (`OVS_PACKET_CMD_MISS`) sent to the port given as a vport's upcall PID.
   * They arrive with `group` 0. Without such a subscription they are dropped.
   */
  unsolicited(opts: GroupSubscribeOptions = {}): Subscription {
    return this.joinGroups([UNSOLICITED], {
      signal: opts.signal,
      resync: opts.resync,
      maxQueued: opts.maxQueued,
    });
  }

  // ---- close -----------------------------------------------------------------

  /**
   * Close the socket. Everything in flight is rejected with a
   * {@link SocketClosedError}; dumps and subscriptions throw it. Idempotent.
   */
  close(): void {
    if (this.#mux.closed) return;
    this.#mux.close();
    this.#subs.close();
    this.#t.close();
  }
}

/**
 * Check the options, open and bind a socket of `protocol`, and build the
 * protocol's socket object on it (the transport is closed if that throws).
 */
export function openSocket<S>(
  protocol: number,
  options: SocketOptions,
  make: (transport: Transport, portId: number, opts: CheckedSocketOptions) => S,
): S {
  const opts = checkSocketOptions(options);
  const { transport, portId } = openTransport(protocol, opts);
  try {
    return make(transport, portId, opts);
  } catch (e) {
    transport.close();
    throw e;
  }
}

/** {@link openSocket} as a promise: a thrown error becomes a rejection. */
export function openSocketAsync<S>(open: () => S): Promise<S> {
  try {
    return Promise.resolve(open());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new YnlError(String(e)));
  }
}

function checkSocketOptions(o: SocketOptions): CheckedSocketOptions {
  return {
    // setsockopt takes an int
    rcvbuf: intOption('rcvbuf', o.rcvbuf, 0, 2 ** 31 - 1, 1 << 20),
    maxInFlight: intOption('maxInFlight', o.maxInFlight, 1, 2 ** 32 - 1, 256),
    dumpHighWater: intOption('dumpHighWater', o.dumpHighWater, 1, 2 ** 32 - 1, 1024),
    strict: boolOption('strict', o.strict, true),
    drainOnSend: boolOption('drainOnSend', o.drainOnSend, true),
  };
}

function checkRequestOptions(o: SocketRequestOptions): CheckedRequestOptions {
  return { signal: signalOption(o.signal), timeout: timeoutOption(o.timeout) };
}
