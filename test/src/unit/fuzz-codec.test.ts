// The codec fuzzer (test/src/fuzz/, `npm run fuzz` for the full run), in the
// unit layer: a short run with a fixed seed over every generated family's
// layouts and the synthetic every-kind layout, and a replay of every input
// saved in test/fixtures/fuzz-corpus/. The properties (see fuzz/engine.ts):
// random valid values round-trip exactly through the compiled and the
// interpreted codec; mutated messages decode or throw DecodeError, never a
// foreign exception, never a read past the buffer, never a hang (watchdog);
// values with junk in them encode or throw EncodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, Kind, Writer, decodeAttrs, encodeSet } from '@ynl-ts/runtime';
import { setArb } from '../fuzz/arbitrary.js';
import {
  OutOfBounds,
  checkBytes,
  checkJunk,
  checkRoundTrip,
  fromJson,
  guarded,
  replay,
  runFuzz,
  toJson,
  type CorpusEntry,
} from '../fuzz/engine.js';
import { mutate } from '../fuzz/mutate.js';
import { fuzzInWorker, loadCorpus } from '../fuzz/runner.js';
import { familyNames, targets } from '../fuzz/targets.js';
import { all as synthetic } from '../fuzz/synthetic.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed1234);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 120);

test('fuzz: the targets cover every generated family, request, reply and notification layout', () => {
  for (const f of [
    'ethtool',
    'netdev',
    'nlctrl',
    'ovs_ct_limit',
    'ovs_datapath',
    'ovs_flow',
    'ovs_meter',
    'ovs_packet',
    'ovs_vport',
    'rt-addr',
    'rt-link',
    'rt-neigh',
    'rt-route',
    'rt-rule',
    'tc',
    'tcp_metrics',
    'synthetic',
  ])
    assert.ok(familyNames.includes(f), f);
  // netlink-raw: framed without a genlmsghdr, as the RawFamilyClient sends them
  assert.ok(
    targets.some((t) => t.id === 'rt-link/link-attrs' && t.raw && t.fixed?.name === 'ifinfomsg'),
  );
  assert.ok(targets.every((t) => t.raw === (t.family.startsWith('rt-') || t.family === 'tc')));
  assert.ok(targets.some((t) => t.id === 'ovs_flow/flow-attrs' && t.fixed?.name === 'ovs-header'));
  assert.ok(targets.some((t) => t.id === 'ethtool/cable-test-ntf'));
  assert.ok(
    targets.some((t) => t.id === 'ovs_ct_limit/ct-limit'),
    'the StructArray of ovs_ct_limit',
  );
  // distinct (set, fixed header, header key) layouts of the 10 families, plus the synthetic one
  assert.ok(targets.length >= 49, `${targets.length} targets`);
});

test('fuzz: the arbitrary builder reaches every kind of the synthetic layout', () => {
  const seen = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
      for (const [k, x] of Object.entries(v)) {
        seen.add(k);
        collect(x);
      }
    }
  };
  for (const v of fc.sample(setArb(synthetic), { seed: SEED, numRuns: 400 })) collect(v);
  for (const d of synthetic.attrs) {
    if (d.kind === Kind.Pad || d.kind === Kind.Unused) continue;
    assert.ok(seen.has(d.name), `never generated '${d.name}'`);
  }
});

test('fuzz: the mutations change valid messages, and the bounds guard catches reads past the end', () => {
  const probe = guarded(new Uint8Array([1, 2]));
  assert.throws(() => probe[2], OutOfBounds);
  assert.equal(probe[1], 2);
  assert.deepEqual(decodeAttrs(synthetic, guarded(new Uint8Array([5, 0, 1, 0, 9]))), { u8: 9 });
  const w = new Writer();
  encodeSet(w, synthetic, { u32: 7, tree: { value: 1, child: { value: 2 } } });
  const valid = w.bytes();
  const changed = new Set<number>();
  for (let op = 0; op < 11; op++)
    for (let x = 0; x < 20; x++) {
      const m = mutate(valid, { op, x: x * 7919, y: x * 104729 }, 0, valid);
      if (Buffer.compare(m, valid) !== 0) changed.add(op);
    }
  assert.equal(changed.size, 11, `mutation ops that changed something: ${[...changed].join(',')}`);
  // a checker that would miss a foreign exception is no checker
  assert.throws(() =>
    checkBytes(
      { ...targets.find((t) => t.id === 'synthetic/all')!, set: throwingSet() },
      valid,
      false,
    ),
  );
});

/** A layout whose decoding throws a TypeError: the property must report it. */
function throwingSet(): typeof synthetic {
  return new Proxy(synthetic, {
    get(target, prop, recv) {
      if (prop === 'byType' || prop === 'attrs') throw new TypeError('boom');
      return Reflect.get(target, prop, recv) as unknown;
    },
  });
}

test(
  `fuzz: ${RUNS} inputs per property and target, all families, in a watched worker (seed ${SEED})`,
  { timeout: 600_000 },
  async () => {
    const found: CorpusEntry[] = [];
    const report = await fuzzInWorker({ seed: SEED, runs: RUNS, onFinding: (e) => found.push(e) });
    const s = report.ms / 1000;
    console.log(
      `fuzz: ${report.inputs} inputs in ${s.toFixed(1)} s (${Math.round(report.inputs / s)}/s): ` +
        `round-trip ${report.byProperty['round-trip']}, mutated ${report.byProperty.mutated}, ` +
        `junk ${report.byProperty.junk}; ${report.targets} targets; seed ${SEED}`,
    );
    assert.deepEqual(
      found.map((e) => `${e.target} ${e.property}: ${e.error}`),
      [],
      `replay: npm run fuzz -- --seed ${SEED} --runs ${RUNS}`,
    );
    assert.equal(report.targets, targets.length);
    assert.ok(report.byProperty['round-trip'] >= RUNS * targets.length);
    assert.ok(report.byProperty.mutated >= 4 * RUNS * targets.length);
  },
);

test('fuzz: the same seed gives the same inputs', () => {
  const a: string[] = [];
  const b: string[] = [];
  for (const out of [a, b]) {
    runFuzz({
      seed: SEED,
      runs: 5,
      families: ['tcp_metrics'],
      properties: ['mutated'],
      onProgress: (p) => out.push(`${p.target}:${p.inputs}`),
    });
  }
  assert.deepEqual(a, b);
  assert.ok(a.length > 0);
});

test('fuzz: a property that fails is shrunk and reported with its input', () => {
  // the checks themselves reject what they must: a value that does not round-trip,
  // and junk whose encoding throws a foreign error
  const t = targets.find((x) => x.id === 'tcp_metrics/tcp-metrics')!;
  assert.throws(() => checkRoundTrip(t, { age: 5n, nope: 1 }), /does not encode/);
  assert.doesNotThrow(() => checkJunk(t, { age: 'x' }));
  assert.doesNotThrow(() => checkBytes(t, new Uint8Array(3), false));
  // tagged JSON keeps what corpus values need
  const v = { a: 1n, b: new Uint8Array([1, 2]), c: [undefined, NaN], d: new Map([[1, 2]]) };
  assert.deepEqual(fromJson(JSON.parse(JSON.stringify(toJson(v)))), v);
});

test('fuzz: every corpus input replays clean (test/fixtures/fuzz-corpus)', () => {
  const corpus = loadCorpus();
  for (const { file, entry } of corpus) {
    try {
      replay(entry);
    } catch (e) {
      assert.fail(`${file} (${entry.target} ${entry.property}): ${String(e)}`);
    }
  }
  // and decoding each saved mutated input throws nothing but DecodeError
  for (const { entry } of corpus)
    if (entry.property === 'mutated') {
      const t = targets.find((x) => x.id === entry.target)!;
      try {
        decodeAttrs(t.set, new Uint8Array(Buffer.from(entry.hex!, 'hex')));
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
    }
});

test('fuzz: a corpus entry that still fails makes the replay fail', () => {
  const t = targets.find((x) => x.id === 'netdev/dev')!;
  const bad: CorpusEntry[] = [
    // a value that cannot round-trip (an attribute the set does not have)
    { target: t.id, property: 'round-trip', value: toJson({ nope: 1 }), error: '', seed: 0 },
    // an unknown target
    { target: 'nope/nope', property: 'mutated', hex: '00', error: '', seed: 0 },
  ];
  for (const e of bad) assert.throws(() => replay(e));
  // and a clean one passes
  replay({ target: t.id, property: 'mutated', hex: '0000', error: '', seed: 0 });
});

test(
  'fuzz: the watchdog ends a hung worker and reports the input it hung on',
  { timeout: 30_000 },
  async () => {
    const found: CorpusEntry[] = [];
    const report = await fuzzInWorker({
      seed: 1,
      runs: 1,
      hangMs: 1500,
      workerScript: new URL('./fuzz-hang-worker.js', import.meta.url),
      onFinding: (e) => found.push(e),
    });
    assert.equal(found.length, 1);
    assert.equal(report.entries.length, 1);
    const e = found[0]!;
    assert.equal(e.target, 'synthetic/all');
    assert.equal(e.property, 'mutated');
    assert.equal(e.hex, 'deadbeef');
    assert.match(e.error, /^hang: input 3 made no progress for 1500 ms/);
  },
);
