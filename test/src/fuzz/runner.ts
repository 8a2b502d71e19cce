// Runs the fuzzer in a worker thread under a watchdog (a decoder stuck in a
// loop cannot be interrupted from its own thread), and keeps the corpus:
// one JSON file per finding under test/fixtures/fuzz-corpus/.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  PROPERTIES,
  type CorpusEntry,
  type FuzzOptions,
  type FuzzReport,
  type Progress,
} from './engine.js';
import { targets } from './targets.js';

/** test/fixtures/fuzz-corpus (this file runs from test/dist/fuzz/). */
export const CORPUS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'fuzz-corpus',
);

/** File name of an entry: target, property and a hash of its input. */
export function entryFile(e: CorpusEntry): string {
  const h = createHash('sha256')
    .update(e.hex ?? JSON.stringify(e.value))
    .digest('hex')
    .slice(0, 12);
  return `${e.target.replace(/[^A-Za-z0-9_-]+/g, '-')}-${e.property}-${h}.json`;
}

/** Save `e` in `dir` (idempotent); returns the path. */
export function saveEntry(e: CorpusEntry, dir = CORPUS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, entryFile(e));
  writeFileSync(p, JSON.stringify(e, null, 2) + '\n');
  return p;
}

/** Every saved entry, with its file name. */
export function loadCorpus(dir = CORPUS_DIR): { file: string; entry: CorpusEntry }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((file) => ({
    file,
    entry: JSON.parse(readFileSync(join(dir, file), 'utf8')) as CorpusEntry,
  }));
}

export type WorkerOptions = Omit<FuzzOptions, 'onFinding' | 'onProgress' | 'heartbeat' | 'current'>;

export interface SuperviseOptions extends WorkerOptions {
  /** No progress for this long is a hang (default 20 s). */
  readonly hangMs?: number;
  readonly onFinding?: (e: CorpusEntry) => void;
  readonly onProgress?: (p: Progress) => void;
  /** The worker script (default ./worker.js; the watchdog's test swaps in one that hangs). */
  readonly workerScript?: URL;
}

/** Messages from the worker. */
export type FromWorker =
  | { readonly kind: 'finding'; readonly entry: CorpusEntry }
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'done'; readonly report: FuzzReport };

const CURRENT_BYTES = 1 << 20;

/**
 * Run the fuzzer in a worker. Resolves with its report; a hang ends the
 * worker and resolves with a report whose last entry is the hung input.
 */
export function fuzzInWorker(o: SuperviseOptions): Promise<FuzzReport> {
  const heartbeat = new Int32Array(new SharedArrayBuffer(12));
  const current = new Uint8Array(new SharedArrayBuffer(CURRENT_BYTES));
  const { onFinding, onProgress, hangMs = 20_000, workerScript, ...opts } = o;
  const worker = new Worker(workerScript ?? new URL('./worker.js', import.meta.url), {
    workerData: { opts, heartbeat, current },
  });
  return new Promise((resolve, reject) => {
    let last = -1;
    let lastChange = Date.now();
    let latest: Progress | undefined;
    const found: CorpusEntry[] = [];
    const watchdog = setInterval(() => {
      const n = Atomics.load(heartbeat, 0);
      if (n !== last) {
        last = n;
        lastChange = Date.now();
        return;
      }
      if (Date.now() - lastChange < hangMs) return;
      clearInterval(watchdog);
      const t = targets[Atomics.load(heartbeat, 1)];
      const property = PROPERTIES[Atomics.load(heartbeat, 2)] ?? 'mutated';
      const len = new DataView(current.buffer).getUint32(0, true);
      const entry: CorpusEntry = {
        target: t?.id ?? '?',
        property,
        ...(property === 'mutated'
          ? { hex: Buffer.from(current.slice(4, 4 + len)).toString('hex') }
          : {}),
        error: `hang: input ${n} made no progress for ${hangMs} ms (seed ${o.seed}; replay the run to find the value)`,
        seed: o.seed,
      };
      found.push(entry);
      onFinding?.(entry);
      void worker.terminate().then(() =>
        resolve({
          ...(latest ?? {
            inputs: n,
            byProperty: { 'round-trip': 0, mutated: 0, junk: 0 },
            targets: 0,
            findings: 0,
            ms: 0,
            target: entry.target,
          }),
          findings: found.length,
          seed: o.seed,
          entries: found,
        }),
      );
    }, 1000);
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'finding') {
        found.push(m.entry);
        onFinding?.(m.entry);
      } else if (m.kind === 'progress') {
        latest = m.progress;
        onProgress?.(m.progress);
      } else {
        clearInterval(watchdog);
        resolve({ ...m.report, entries: found, findings: found.length });
      }
    });
    worker.on('error', (e) => {
      clearInterval(watchdog);
      reject(e);
    });
    worker.on('exit', (code) => {
      clearInterval(watchdog);
      if (code !== 0 && code !== 1) reject(new Error(`fuzz worker exited with code ${code}`));
    });
  });
}
