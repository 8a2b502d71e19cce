/**
 * The slot table of the request multiplexer: a request in flight holds one
 * slot, and its sequence number names the slot (low 16 bits) and the slot's
 * generation (high 16 bits). Finding the request an answer belongs to is an
 * array index and one comparison; no per-request map entry or closure.
 * @module
 */

/** Slots, at most: requests in flight on one socket beyond this wait locally. */
export const MAX_SLOTS = 1 << 16;
const SLOT_MASK = MAX_SLOTS - 1;

/** What a slot holds: anything that carries the seq it was given. */
export interface Slotted {
  seq: number;
}

export class SlotTable<T extends Slotted> {
  readonly #slots: (T | undefined)[] = [];
  readonly #free: number[] = [];
  #gen: number;
  #size = 0;

  /** `seed` picks the first generation (a random one keeps sockets apart in traces). */
  constructor(seed = Math.random() * MAX_SLOTS) {
    this.#gen = seed & SLOT_MASK;
  }

  /** Slots taken. */
  get size(): number {
    return this.#size;
  }

  /** Whether every slot is taken. */
  get full(): boolean {
    return this.#size >= MAX_SLOTS;
  }

  /** Give `item` a free slot and a fresh seq (never 0), stored in `item.seq`. */
  take(item: T): number {
    let i = this.#free.pop();
    if (i === undefined) {
      i = this.#slots.length;
      if (i >= MAX_SLOTS) throw new RangeError(`slot table full (${MAX_SLOTS} requests in flight)`);
      this.#slots.push(undefined);
    }
    let gen = (this.#gen + 1) & SLOT_MASK;
    if (gen === 0 && i === 0) gen = 1; // seq 0 is the kernel's own messages
    this.#gen = gen;
    const seq = ((gen << 16) | i) >>> 0;
    item.seq = seq;
    this.#slots[i] = item;
    this.#size++;
    return seq;
  }

  /** The item holding `seq`, if any. */
  get(seq: number): T | undefined {
    const p = this.#slots[seq & SLOT_MASK];
    return p !== undefined && p.seq === seq ? p : undefined;
  }

  /** Whether `item` holds its slot. */
  holds(item: T): boolean {
    return this.#slots[item.seq & SLOT_MASK] === item && item.seq !== 0;
  }

  /** Free the slot of `item`; false when it holds none. */
  release(item: T): boolean {
    if (!this.holds(item)) return false;
    const i = item.seq & SLOT_MASK;
    this.#slots[i] = undefined;
    this.#free.push(i);
    this.#size--;
    return true;
  }

  /** The items holding slots (a copy). */
  values(): T[] {
    const out: T[] = [];
    for (const p of this.#slots) if (p !== undefined) out.push(p);
    return out;
  }
}
