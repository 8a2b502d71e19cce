// The fuzzer's worker thread (see runner.ts): runs the properties and reports
// findings and progress to the supervising thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz } from './engine.js';
import type { FromWorker, WorkerOptions } from './runner.js';

const { opts, heartbeat, current } = workerData as {
  opts: WorkerOptions;
  heartbeat: Int32Array;
  current: Uint8Array;
};
const post = (m: FromWorker): void => parentPort!.postMessage(m);
const report = runFuzz({
  ...opts,
  heartbeat,
  current,
  onFinding: (entry) => post({ kind: 'finding', entry }),
  onProgress: (progress) => post({ kind: 'progress', progress }),
});
post({ kind: 'done', report: { ...report, entries: [] } });
