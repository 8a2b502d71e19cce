// RSS sampling for the soak runs: a sample every `every` operations (after a
// forced GC when node runs with --expose-gc, so the samples show what is
// retained, not what is merely uncollected), and a verdict on flatness from a
// least-squares fit of the samples after warm-up.

export interface RssSample {
  readonly ops: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly seconds: number;
}

export interface RssVerdict {
  readonly first: RssSample;
  readonly last: RssSample;
  /** Least-squares slope of RSS over the samples after warm-up, MiB per 100,000 operations. */
  readonly slopeMiBPer100k: number;
  readonly flat: boolean;
}

const MiB = 2 ** 20;
const gc = (globalThis as { gc?: () => void }).gc;

export class RssSampler {
  readonly samples: RssSample[] = [];
  readonly #t0 = performance.now();
  constructor(readonly label: string) {
    if (!gc) console.log(`${label}: node runs without --expose-gc; samples include garbage`);
  }
  /** Take a sample and print it. */
  sample(ops: number, extra = ''): RssSample {
    gc?.();
    const m = process.memoryUsage();
    const s: RssSample = {
      ops,
      rssMiB: m.rss / MiB,
      heapMiB: m.heapUsed / MiB,
      seconds: (performance.now() - this.#t0) / 1000,
    };
    this.samples.push(s);
    console.log(
      `${this.label}: ${String(ops).padStart(9)} ops  rss ${s.rssMiB.toFixed(1)} MiB  heap ${s.heapMiB.toFixed(1)} MiB  ${s.seconds.toFixed(1)} s${extra ? '  ' + extra : ''}`,
    );
    return s;
  }
  /**
   * Flat: after the first `warmup` fraction of the samples, RSS grows less than
   * `maxSlope` MiB per 100,000 operations and the last sample is within
   * `maxGrowthMiB` of the first.
   */
  verdict(warmup = 0.2, maxSlope = 1, maxGrowthMiB = 16): RssVerdict {
    const from = Math.min(this.samples.length - 2, Math.floor(this.samples.length * warmup));
    const xs = this.samples.slice(Math.max(0, from));
    const n = xs.length;
    const mx = xs.reduce((a, s) => a + s.ops, 0) / n;
    const my = xs.reduce((a, s) => a + s.rssMiB, 0) / n;
    let num = 0;
    let den = 0;
    for (const s of xs) {
      num += (s.ops - mx) * (s.rssMiB - my);
      den += (s.ops - mx) ** 2;
    }
    const slope = den === 0 ? 0 : (num / den) * 100_000;
    const first = xs[0]!;
    const last = xs[n - 1]!;
    return {
      first,
      last,
      slopeMiBPer100k: slope,
      flat: slope < maxSlope && last.rssMiB - first.rssMiB < maxGrowthMiB,
    };
  }
}
