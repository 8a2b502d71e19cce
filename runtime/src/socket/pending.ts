/**
 * The records of requests in the multiplexer: a do-request (one promise) and
 * a dump (an iterator fed a batch per datagram). One object per request, no
 * closures: the timeout timer and the abort listener call back into the
 * record, which calls its owner.
 * @module
 */
import type { NlMessage } from '../codec/message.js';
import { AbortError, TimeoutError } from './errors.js';
import { AsyncQueue } from './queue.js';
import type { NetlinkRequest } from './request.js';

/** Validated per-request options. */
export interface CheckedRequestOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | undefined;
}

/** What a request record calls when its caller gives up. */
export interface GiveUpTarget {
  giveUp(p: Pending, e: Error): void;
}

abstract class PendingBase {
  /** Its seq while it holds a slot (see SlotTable), else 0. */
  seq = 0;
  /** The bytes sent: a stamped copy of `req.bytes`, made when it takes a slot. */
  bytes: Uint8Array | undefined = undefined;
  /** performance.now() after which the request must not be sent. */
  deadline: number | undefined = undefined;
  /** It went out: the kernel has answered it, or dropped the answer. */
  sent = false;
  #timer: NodeJS.Timeout | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;
  #owner: GiveUpTarget | undefined = undefined;

  constructor(
    readonly req: NetlinkRequest,
    /** It asked for NLM_F_ECHO: the multicast copy of what it caused is its answer. */
    readonly echo: boolean,
  ) {}

  abstract readonly kind: 'do' | 'dump';

  /** Install timeout and abort handling (nothing when neither was asked for). */
  arm(owner: GiveUpTarget, opts: CheckedRequestOptions): void {
    const { signal, timeout } = opts;
    if (timeout === undefined && signal === undefined) return;
    this.#owner = owner;
    if (timeout !== undefined) {
      this.deadline = performance.now() + timeout;
      this.#timer = setTimeout(onTimeout, timeout, this as unknown as Pending, timeout);
      // the pending request itself keeps the loop alive; the timer need not
      this.#timer.unref();
    }
    if (signal !== undefined) {
      this.#signal = signal;
      signal.addEventListener('abort', this, { once: true });
    }
  }

  /** The abort listener (an EventListener object: no closure per request). */
  handleEvent(): void {
    const s = this.#signal;
    if (s !== undefined) this.#owner?.giveUp(this as unknown as Pending, abortError(s));
  }

  /** Timer fired. */
  expire(timeout: number): void {
    this.#owner?.giveUp(
      this as unknown as Pending,
      timeoutError(this.describe(), `after ${timeout} ms`),
    );
  }

  /** Remove the timer and the abort listener. */
  disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signal?.removeEventListener('abort', this);
    this.#signal = undefined;
  }

  /** How errors name it: family and op when known, and its seq once it has one. */
  describe(): string {
    const name = [this.req.family, this.req.op].filter((x) => x !== undefined).join(' ');
    const what = name === '' ? (this.kind === 'dump' ? 'dump' : 'request') : name;
    return this.seq !== 0 ? `${what} (seq ${this.seq})` : what;
  }
}

function onTimeout(p: Pending, timeout: number): void {
  p.expire(timeout);
}

/** A do-request: one promise, settled by the ACK (or error) that ends it. */
export class DoRequest extends PendingBase {
  readonly kind = 'do';
  /**
   * The caller gave up (timeout, abort) after it was sent: the promise is
   * settled, but the seq and the in-flight slot stay taken until the answer
   * arrives (and is dropped) or is known to be lost.
   */
  orphaned = false;
  /** The first reply message, kept until the ACK. */
  reply: NlMessage | undefined = undefined;
  resolve: (m: NlMessage | undefined) => void = noop;
  reject: (e: Error) => void = noop;
}

/** A dump: its messages go to an iterator, a batch (the messages of one datagram) at a time. */
export class DumpRequest extends PendingBase {
  readonly kind = 'dump';
  /** Batches of messages; errors in order with them. */
  readonly queue: AsyncQueue<NlMessage[]>;
  /** Messages queued and not yet taken by the consumer (flow control counts these). */
  queued = 0;
  /** Messages of the datagram being read, queued as one batch at its end. */
  incoming: NlMessage[] = [];
  /** Messages of it received so far. */
  received = 0;
  interrupted = false;
  /** The consumer went away; messages are discarded until DONE. */
  abandoned = false;

  constructor(req: NetlinkRequest, echo: boolean, queue: AsyncQueue<NlMessage[]>) {
    super(req, echo);
    this.queue = queue;
  }
}

export type Pending = DoRequest | DumpRequest;

function noop(): void {}

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError('the request was aborted', { cause: signal.reason });
}

export function timeoutError(what: string, when: string): TimeoutError {
  return new TimeoutError(`${what} timed out ${when}`);
}

/**
 * The iterator a dump returns: messages one by one out of the batches the
 * multiplexer queues, so a datagram costs one queue entry (and one promise
 * hop), not one per message.
 */
export class DumpIterator implements AsyncIterableIterator<NlMessage> {
  #batch: NlMessage[] = [];
  #i = 0;

  constructor(
    private readonly dump: DumpRequest,
    /** Called after each message taken (flow control may resume reading). */
    private readonly pulled: () => void,
  ) {}

  /**
   * The next message when one of the current batch is at hand, without a
   * promise (a consumer that decodes it can settle its own promise with the
   * result); undefined otherwise: then call {@link next}.
   */
  takeBuffered(): NlMessage | undefined {
    // abandoned (timeout, abort): what is left of the batch is dropped too
    if (this.dump.abandoned) this.#batch = [];
    if (this.#i >= this.#batch.length) return undefined;
    const value = this.#batch[this.#i]!;
    this.#batch[this.#i++] = undefined as unknown as NlMessage;
    this.dump.queued--;
    this.pulled();
    return value;
  }

  next(): Promise<IteratorResult<NlMessage>> {
    const value = this.takeBuffered();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    return this.dump.queue.next().then((r) => {
      if (r.done === true) return { value: undefined, done: true };
      this.#batch = r.value;
      this.#i = 0;
      return this.next();
    });
  }

  return(): Promise<IteratorResult<NlMessage>> {
    this.#batch = [];
    this.#i = 0;
    return this.dump.queue.return().then(() => ({ value: undefined, done: true }));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
