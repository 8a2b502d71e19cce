// A stand-in for the fuzzer's worker (test/src/fuzz/worker.ts) that hangs on
// its third input, for the watchdog's test in fuzz-codec.test.ts.
import { workerData } from 'node:worker_threads';
import { targets } from '../fuzz/targets.js';

const { heartbeat, current } = workerData as { heartbeat: Int32Array; current: Uint8Array };
Atomics.store(
  heartbeat,
  1,
  targets.findIndex((t) => t.id === 'synthetic/all'),
);
Atomics.store(heartbeat, 2, 1); // mutated
const input = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
for (let i = 0; i < 3; i++) Atomics.add(heartbeat, 0, 1);
new DataView(current.buffer).setUint32(0, input.length, true);
current.set(input, 4);
for (;;) {
  // a decoder stuck in a loop
}
