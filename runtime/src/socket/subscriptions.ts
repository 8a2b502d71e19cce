/**
 * Multicast subscriptions: group memberships counted per group, one queue
 * per subscription, lost-notification resync. Protocol-agnostic: groups are
 * numbers; the protocol above names them and decides when one must end.
 * @module
 */
import {
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_DROP_MEMBERSHIP,
  SOL_NETLINK,
} from '../codec/constants.js';
import type { NlMessage } from '../codec/message.js';
import { QueueOverflowError, SocketClosedError, SocketError, fromNative } from './errors.js';
import { intOption, signalOption } from './options.js';
import { abortError } from './pending.js';
import { AsyncQueue } from './queue.js';
import type { Transport } from './transport.js';

/** Pseudo group id of messages the kernel sends to our port on its own (multicast ids start at 1). */
export const UNSOLICITED = 0;

/** A multicast message, as a {@link Subscription} yields it. */
export interface McastMessage extends NlMessage {
  /** Multicast group id it was sent to (0: sent to our port, see `unsolicited()`). */
  readonly group: number;
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

/** Options the core understands (the public ones, validated here). */
export interface SubscriptionInit {
  readonly signal?: AbortSignal | undefined;
  readonly resync?: ((lost: SocketError | QueueOverflowError) => void | Promise<void>) | undefined;
  readonly maxQueued?: number | undefined;
  /** Who the groups belong to (e.g. a genl family id): {@link Subscriptions.endOwned} ends them. */
  readonly owner?: number | undefined;
  /** Groups joined for the subscription's lifetime but not delivered to it (watchers). */
  readonly alsoJoin?: readonly number[];
}

interface SubState {
  readonly groups: ReadonlySet<number>;
  readonly queue: AsyncQueue<McastMessage>;
  readonly maxQueued: number;
  readonly owner: number | undefined;
  /** End the subscription with an error and leave its groups. */
  end(e: Error): void;
}

export class Subscriptions {
  readonly #subs = new Set<SubState>();
  readonly #memberships = new Map<number, number>();

  constructor(
    private readonly transport: Transport,
    /** Keep the event loop alive while a consumer waits (+1/-1). */
    private readonly refDelta: (d: number) => void,
    private readonly isClosed: () => boolean,
  ) {}

  /** Join groups by id and iterate over what they carry. */
  subscribe(groupIds: readonly number[], opts: SubscriptionInit): Subscription {
    const maxQueued = intOption('maxQueued', opts.maxQueued, 1, 2 ** 32 - 1, 65536);
    signalOption(opts.signal);
    const resync = opts.resync;
    if (resync !== undefined && typeof resync !== 'function')
      throw new TypeError('resync must be a function');
    if (this.isClosed()) throw new SocketClosedError('netlink socket is closed');
    const joined: number[] = [];
    const extra = opts.alsoJoin ?? [];
    try {
      for (const g of [...groupIds, ...extra]) {
        if (g === UNSOLICITED) {
          joined.push(g); // not a multicast group: nothing to join
          continue;
        }
        const n = this.#memberships.get(g) ?? 0;
        if (n === 0) this.transport.setOption(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g);
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
    const member = joined.slice(0, joined.length - extra.length);
    const queue = new AsyncQueue<McastMessage>({
      waiting: (w) => this.refDelta(w ? 1 : -1),
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
      owner: opts.owner,
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
      if (!this.isClosed()) {
        try {
          this.transport.setOption(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, g);
        } catch {
          // leaving a group cannot meaningfully fail; the socket may be closing
        }
      }
    }
  }

  /** Hand a message of `group` to every subscription of it. */
  deliver(msg: NlMessage, group: number): void {
    let m: McastMessage | undefined;
    for (const s of this.#subs) {
      if (!s.groups.has(group)) continue;
      if (s.queue.size >= s.maxQueued) {
        s.queue.fail(
          new QueueOverflowError(`notification queue full (${s.maxQueued}); messages dropped`),
          false,
        );
        continue;
      }
      m ??= { ...msg, group };
      s.queue.push(m);
    }
  }

  /** Throw `e` into every subscription (of `group` when given), not ending them. */
  fail(e: Error, group?: number): void {
    for (const s of this.#subs)
      if (group === undefined || s.groups.has(group)) s.queue.fail(e, false);
  }

  /** End the subscriptions of `owner` with `e`. */
  endOwned(owner: number, e: Error): void {
    for (const s of [...this.#subs]) if (s.owner === owner) s.end(e);
  }

  /** The socket closed: end every subscription with a SocketClosedError. */
  close(): void {
    for (const s of this.#subs) s.queue.fail(new SocketClosedError('netlink socket closed'), true);
    this.#subs.clear();
    this.#memberships.clear();
  }
}
