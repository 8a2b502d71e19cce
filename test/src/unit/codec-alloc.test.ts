// The encoder's hot path allocates nothing per attribute: a reused Writer
// encoding millions of attributes of every zero-copy kind triggers no garbage
// collection. Detection is by counting GC events (perf_hooks 'gc'): a single
// 16-byte object per attribute over 3M attributes is ~48 MB of garbage, which
// forces several scavenges; none per attribute forces none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { AttrSet, EnumDef, Kind, Writer, encodeSet, type StructDef } from '@ynl-ts/runtime';

const flags = new EnumDef('f', { a: 1, b: 2, c: 4 }, true);
const color = new EnumDef('c', { red: 1, blue: 2 });
const pair: StructDef = {
  name: 'pair',
  size: 12,
  members: [
    { name: 'x', kind: Kind.U32, offset: 0, be: true },
    { name: 'pad', kind: Kind.Pad, offset: 4, len: 4 },
    { name: 'n', kind: Kind.String, offset: 8, len: 4 },
  ],
};
const inner = new AttrSet('inner', () => [
  { name: 'a', type: 1, kind: Kind.U32 },
  { name: 's', type: 2, kind: Kind.String },
]);
const actions: AttrSet = new AttrSet(
  'actions',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'clone', type: 2, kind: Kind.Nest, nested: actions },
  ],
  { ordered: true },
);
const set = new AttrSet('s', () => [
  { name: 'u8', type: 1, kind: Kind.U8 },
  { name: 'u16', type: 2, kind: Kind.U16, be: true },
  { name: 's32', type: 3, kind: Kind.S32 },
  { name: 'u64', type: 4, kind: Kind.U64 },
  { name: 'str', type: 5, kind: Kind.String },
  { name: 'utf8', type: 6, kind: Kind.String },
  { name: 'bin', type: 7, kind: Kind.Binary },
  { name: 'flag', type: 8, kind: Kind.Flag },
  { name: 'nest', type: 9, kind: Kind.Nest, nested: inner },
  { name: 'multi', type: 10, kind: Kind.U32, multi: true },
  { name: 'color', type: 11, kind: Kind.U32, enum: color },
  { name: 'flags', type: 12, kind: Kind.U32, enum: flags },
  { name: 'uint', type: 13, kind: Kind.Uint },
  { name: 'sint', type: 14, kind: Kind.Sint },
  { name: 'bf', type: 15, kind: Kind.Bitfield32 },
  { name: 'pair', type: 16, kind: Kind.Struct, struct: pair },
  { name: 'arr', type: 17, kind: Kind.ScalarArray, sub: Kind.U16 },
  { name: 'masked', type: 18, kind: Kind.Nest, nested: inner, masked: true },
  { name: 'actions', type: 19, kind: Kind.Nest, nested: actions },
  { name: 'idx', type: 20, kind: Kind.IndexedArray, sub: Kind.U32 },
]);
const value = {
  u8: 1,
  u16: 2,
  s32: -3,
  u64: 1n << 60n,
  str: 'hello',
  utf8: 'h\u00e9llo \u20ac \u{1F600}',
  bin: new Uint8Array(7),
  flag: true,
  nest: { a: 1, s: 'x' },
  multi: [1, 2, 3],
  color: 'blue',
  flags: ['a', 'c'],
  uint: 1n << 40n,
  sint: -(1n << 40n),
  bf: { value: 1, selector: 3 },
  pair: { x: 5, n: 'abc' },
  arr: [1, 2, 3],
  masked: { a: { value: 1, mask: 0xff } },
  actions: [
    { type: 'output', value: 1 },
    { type: 'clone', value: [{ type: 'output', value: 2 }] },
  ],
  idx: [4, 5],
};
const ATTRS_PER_ENCODE = 30; // top-level and nested attributes in `value`

function gcsDuring(fn: () => void): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    const obs = new PerformanceObserver((list) => {
      count += list.getEntries().length;
    });
    obs.observe({ entryTypes: ['gc'] });
    fn();
    // entries are delivered asynchronously
    setTimeout(() => {
      obs.disconnect();
      resolve(count);
    }, 100);
  });
}

test('encodeSet allocates nothing per attribute (no GC over 3M attributes)', async () => {
  const w = new Writer(4096);
  const run = (n: number, v: unknown): void => {
    for (let i = 0; i < n; i++) {
      w.reset();
      encodeSet(w, set, v);
    }
  };
  run(20000, value); // warm up: JIT, lookup tables
  const baseline = await gcsDuring(() => undefined);
  const n = 100000;
  const gcs = await gcsDuring(() => run(n, value));
  assert.ok(
    gcs <= baseline + 1,
    `${gcs} GCs (baseline ${baseline}) while encoding ${n * ATTRS_PER_ENCODE} attributes`,
  );
  // the probe is sensitive: a value that forces one small allocation per
  // encode (a number for a u64 becomes a fresh BigInt) is caught
  const numeric = { ...value, u64: 2 ** 40, uint: 2 ** 41, sint: -(2 ** 41) };
  const gcsAlloc = await gcsDuring(() => run(n, numeric));
  assert.ok(gcsAlloc > gcs + 1, `allocating variant: ${gcsAlloc} GCs vs ${gcs}`);
});
