// Timing helpers: throughput as the median of several timed rounds after a
// warm-up, so one GC pause or a noisy neighbour does not decide a figure.
import { performance } from 'node:perf_hooks';

/** Results must reach this, so that no benchmarked call is dead code. */
export let sink: unknown;
export function keep(v: unknown): void {
  sink = v;
}

export interface Rate {
  /** Operations per second (median round). */
  readonly perSec: number;
  /** Nanoseconds per operation (median round). */
  readonly ns: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Runs `fn` (one operation per call) in batches for `roundMs` per round,
 * `rounds` times after a warm-up round; returns the median rate.
 */
export function rate(fn: () => void, roundMs: number, rounds = 5): Rate {
  let batch = 1;
  // Warm up (JIT) and size the batch to about 1/20 of a round.
  for (const end = performance.now() + roundMs; performance.now() < end;) {
    const t = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - t < roundMs / 20) batch *= 2;
  }
  const perSec: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < roundMs) {
      for (let i = 0; i < batch; i++) fn();
      n += batch;
      t1 = performance.now();
    }
    perSec.push((n * 1000) / (t1 - t0));
  }
  const p = median(perSec);
  return { perSec: p, ns: 1e9 / p };
}

/**
 * {@link rate} of `fn` and of its `baseline`, their rounds alternated so that
 * a noisy neighbour slows both alike: the ratio is the median of the
 * per-round-pair ratios, not of two medians taken at different times.
 */
export function ratePair(
  fn: () => void,
  baseline: () => void,
  roundMs: number,
  rounds = 7,
): { readonly value: Rate; readonly baseline: Rate; readonly ratio: number } {
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  rate(fn, roundMs, 1); // warm-up
  rate(baseline, roundMs, 1);
  for (let r = 0; r < rounds; r++) {
    const x = rate(fn, roundMs / 2, 1).perSec;
    const y = rate(baseline, roundMs / 2, 1).perSec;
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  const va = median(a);
  const vb = median(b);
  return {
    value: { perSec: va, ns: 1e9 / va },
    baseline: { perSec: vb, ns: 1e9 / vb },
    ratio: median(ratios),
  };
}

/** Like {@link rate} for an async operation driven `inFlight` at a time, for `ms`. */
export async function asyncRate(
  fn: () => Promise<unknown>,
  inFlight: number,
  ms: number,
): Promise<Rate> {
  const run = async (dur: number): Promise<number> => {
    let n = 0;
    const end = performance.now() + dur;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        await fn();
        n++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return (n * 1000) / (performance.now() - t0);
  };
  await run(Math.min(ms / 4, 300)); // warm-up
  const rounds = [await run(ms / 3), await run(ms / 3), await run(ms / 3)];
  const p = median(rounds);
  return { perSec: p, ns: 1e9 / p };
}
