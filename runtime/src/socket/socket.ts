/**
 * `GenlSocket`: one generic netlink socket with many requests in flight,
 * matched by sequence number; dumps and multicast notifications as async
 * iterables; family resolution through nlctrl with a per-socket cache.
 *
 * It is the generic-netlink layer over a protocol-agnostic core: the
 * transport (transport.ts, the native addon), the request multiplexer
 * (mux.ts: slots, batching, dumps, lost answers) and subscriptions
 * (subscriptions.ts). What is genl-specific lives here and in families.ts
 * (nlctrl) and explain.ts (ext-ack explanation, GENL op flags for EPERM).
 * @module
 */
import { GENL_ID_CTRL, NETLINK_GENERIC } from '../codec/constants.js';
import { YnlError } from '../codec/errors.js';
import type { NlMessage } from '../codec/message.js';
import {
  FamilyCache,
  familyFromMessage,
  getFamilyRequest,
  type ResolvedFamily,
} from './families.js';
import { FamilyRemovedError, QueueOverflowError, SocketError } from './errors.js';
import { netlinkError } from './explain.js';
import { Multiplexer, type SocketStats } from './mux.js';
import { boolOption, intOption, signalOption, timeoutOption } from './options.js';
import type { CheckedRequestOptions } from './pending.js';
import { checkRequest, genlRequest, type GenlRequestInit, type NetlinkRequest } from './request.js';
import { Subscriptions, UNSOLICITED, type Subscription } from './subscriptions.js';
import { SOL_SOCKET, SO_RCVBUF, openTransport, type Transport } from './transport.js';

export { netlinkError } from './explain.js';
export type { ResolvedFamily } from './families.js';
export type { SocketStats } from './mux.js';
export type { McastMessage, Subscription } from './subscriptions.js';

/** Options of {@link GenlSocket.open}. */
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
  /** Ask for strict checking of dump requests (NETLINK_GET_STRICT_CHK). Default true. */
  readonly strict?: boolean;
  /**
   * Read the answers inside the send call. Generic netlink answers a request
   * inside the sender's sendmsg, so right after it the reply and the ACK are
   * queued: with this on (the default) they are read and the requests
   * settled at once, without waiting for the event loop to poll the socket.
   * So that a program chaining requests back to back does not starve timers
   * and I/O, at most 16 sends in a row are answered inline; the next one's
   * answer waits for the event loop, which then gets its turn. Turn it off
   * to have every answer go through the event loop. What arrives later
   * (multicast, upcalls, the rest of a dump) always comes through the event
   * loop.
   */
  readonly drainOnSend?: boolean;
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
   * clamped. Without a timeout no timer is set.
   */
  readonly timeout?: number;
}

/** A request as {@link GenlSocket.request} accepts it. */
export type RequestInput = NetlinkRequest | GenlRequestInit | Uint8Array;

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
  readonly #t: Transport;
  readonly #mux: Multiplexer;
  readonly #subs: Subscriptions;
  readonly #families = new FamilyCache();

  private constructor(transport: Transport, portId: number, opts: CheckedSocketOptions) {
    this.#t = transport;
    this.portId = portId;
    this.#subs = new Subscriptions(
      transport,
      (d) => this.#mux.refDelta(d),
      () => this.#mux.closed,
    );
    this.#mux = new Multiplexer(transport, portId, opts, {
      explain: (errno, ext, req) => netlinkError(errno, ext, req, this.#families.opFlags(req)),
      notify: (msg, group) => this.#onNotify(msg, group),
      socketError: (e, group) => this.#subs.fail(e, group),
    });
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
    const { transport, portId } = openTransport(NETLINK_GENERIC, opts);
    try {
      return new GenlSocket(transport, portId, opts);
    } catch (e) {
      transport.close();
      throw e;
    }
  }

  /** A snapshot of the socket's counters. */
  get stats(): Readonly<SocketStats> {
    return { ...this.#mux.stats };
  }

  /** Whether {@link GenlSocket.close} was called. */
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
  request(input: RequestInput, opts: SocketRequestOptions = {}): Promise<NlMessage | undefined> {
    let req: NetlinkRequest;
    let ro: CheckedRequestOptions;
    try {
      ro = checkRequestOptions(opts);
      req = prepare(input);
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
    return this.#mux.dump(prepare(input), checkRequestOptions(opts));
  }

  // ---- families ------------------------------------------------------------

  /**
   * Resolve a generic netlink family by name (CTRL_CMD_GETFAMILY). Results
   * are cached per socket; concurrent calls for one name share one request.
   * An unknown family rejects with a NetlinkError of code `'ENOENT'`.
   */
  resolveFamily(name: string, opts: SocketRequestOptions = {}): Promise<ResolvedFamily> {
    return this.#families.resolve(name, () => this.request(getFamilyRequest(name), opts));
  }

  /** Forget cached families (all, or one name), e.g. after a module reload. */
  clearFamilyCache(name?: string): void {
    this.#families.clear(name);
  }

  /** Dump every registered family (CTRL_CMD_GETFAMILY with NLM_F_DUMP). */
  async *families(opts: SocketRequestOptions = {}): AsyncGenerator<ResolvedFamily> {
    for await (const msg of this.dump(getFamilyRequest(), opts)) yield familyFromMessage(msg);
  }

  /** A message that answers no request: nlctrl's family removals, then subscribers. */
  #onNotify(msg: NlMessage, group: number): void {
    if (group === GENL_ID_CTRL && msg.type === GENL_ID_CTRL) {
      const removed = this.#families.onCtrlEvent(msg);
      if (removed !== undefined)
        this.#subs.endOwned(
          removed.id,
          new FamilyRemovedError(
            `generic netlink family ${removed.name} was unregistered (module unloaded?): its notifications end`,
          ),
        );
    }
    this.#subs.deliver(msg, group);
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
    // nlctrl's "notify" group (its id is GENL_ID_CTRL) announces removed
    // families; joined for the subscription, not delivered to it.
    const watch = opts.family !== undefined && opts.family.id !== GENL_ID_CTRL;
    return this.#subs.subscribe(groupIds, {
      signal: opts.signal,
      resync: opts.resync,
      maxQueued: opts.maxQueued,
      owner: opts.family?.id,
      alsoJoin: watch ? [GENL_ID_CTRL] : [],
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

interface CheckedSocketOptions {
  readonly rcvbuf: number;
  readonly maxInFlight: number;
  readonly dumpHighWater: number;
  readonly strict: boolean;
  readonly drainOnSend: boolean;
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

/** Build a {@link NetlinkRequest} from any accepted input, checking it. */
function prepare(input: RequestInput): NetlinkRequest {
  let req: NetlinkRequest;
  if (input instanceof Uint8Array) req = { bytes: input };
  else if ('bytes' in input) req = input;
  else req = genlRequest(input);
  checkRequest(req);
  return req;
}
