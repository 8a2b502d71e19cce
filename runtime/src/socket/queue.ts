/**
 * A single-consumer async queue: the socket pushes, an `for await` loop
 * pulls. Errors travel in-band, in order with the items: a terminal error
 * ends the queue, a non-terminal one (a multicast overflow) is thrown once
 * and iteration may continue afterwards.
 * @module
 */

/** Hooks the socket uses for reference counting and flow control. */
export interface QueueHooks {
  /** A consumer started (`true`) or stopped (`false`) waiting for an item. */
  waiting?(waiting: boolean): void;
  /** An item was taken (flow control may resume reading). */
  pulled?(): void;
  /** The consumer called return() (broke out of its loop). */
  returned?(): void;
  /** The consumer saw the end: next() returned done or threw a terminal error. */
  finished?(): void;
}

interface ErrorEntry {
  readonly error: Error;
  readonly terminal: boolean;
}

type Entry<T> = { readonly item: T } | ErrorEntry;

interface Waiter<T> {
  resolve(r: IteratorResult<T>): void;
  reject(e: Error): void;
}

/**
 * The iterator behind dumps and subscriptions: items and errors in arrival
 * order, one consumer, hooks for the socket's bookkeeping.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #entries: Entry<T>[] = [];
  #head = 0;
  #ended = false;
  #returned = false;
  #waiter: Waiter<T> | undefined;
  #hooks: QueueHooks;

  constructor(hooks: QueueHooks = {}) {
    this.#hooks = hooks;
  }

  /** Number of queued entries not yet taken. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** No more items will come (after the queued ones). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Queue an item (ignored once ended). */
  push(item: T): void {
    if (this.#ended) return;
    this.#deliver({ item });
  }

  /** Queue an error; a terminal one ends the queue after it is thrown. */
  fail(error: Error, terminal: boolean): void {
    if (this.#ended) return;
    this.#deliver({ error, terminal });
    if (terminal) this.#ended = true;
  }

  /** End the queue after the queued entries. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const w = this.#waiter;
    if (w !== undefined && this.size === 0) {
      this.#waiter = undefined;
      this.#hooks.waiting?.(false);
      w.resolve({ value: undefined, done: true });
    }
  }

  /**
   * Drop the queued entries and end with `error`, which the next `next()`
   * throws (a timeout or abort must not wait behind buffered items). A queue
   * that ended with nothing left to take ignores it, unless `held` (the
   * consumer still holds items taken in bulk, which are dropped too).
   */
  abort(error: Error, held = false): void {
    if (this.#ended && this.size === 0 && !held) return;
    this.#entries = [];
    this.#head = 0;
    this.#deliver({ error, terminal: true });
    this.#ended = true;
  }

  /** Drop the queued entries and end now (the consumer went away). */
  discard(): void {
    this.#entries = [];
    this.#head = 0;
    this.end();
  }

  #deliver(e: Entry<T>): void {
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      this.#hooks.waiting?.(false);
      if ('item' in e) w.resolve({ value: e.item, done: false });
      else w.reject(e.error);
      return;
    }
    this.#entries.push(e);
  }

  #take(): Entry<T> | undefined {
    if (this.#head >= this.#entries.length) return undefined;
    const e = this.#entries[this.#head]!;
    this.#entries[this.#head++] = undefined as unknown as Entry<T>;
    // Compact once the consumed prefix dominates, keeping take() O(1) amortized.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return e;
  }

  /** The next item; waits when none is queued; throws queued errors in order. */
  next(): Promise<IteratorResult<T>> {
    const e = this.#take();
    if (e !== undefined) {
      this.#hooks.pulled?.();
      if ('item' in e) return Promise.resolve({ value: e.item, done: false });
      if (e.terminal) this.#hooks.finished?.();
      return Promise.reject(e.error);
    }
    if (this.#ended) {
      this.#hooks.finished?.();
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter !== undefined)
      return Promise.reject(new Error('AsyncQueue: next() called while another next() is pending'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#hooks.waiting?.(true);
    });
  }

  /** The consumer is done (break, return): drop what is queued and tell the owner. */
  return(): Promise<IteratorResult<T>> {
    if (!this.#returned) {
      this.#returned = true;
      this.discard();
      this.#hooks.returned?.();
      this.#hooks.finished?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The queue is its own iterator. */
  [Symbol.asyncIterator](): this {
    return this;
  }
}
