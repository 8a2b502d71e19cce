// Hardening of the codec against values that do not fit, hostile nesting,
// attribute names that collide with Object.prototype, data from a newer
// kernel and odd user input (issue 11). Every decode runs through both the
// compiled fast path and the interpreter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  EncodeError,
  EnumDef,
  Kind,
  Writer,
  decodeAttrs,
  encodeSet,
  fastPath,
} from '@ynl-ts/runtime';
import { devSet } from '@ynl-ts/families/netdev';

const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Run `f` with the compiled fast path on, then off; both must agree. */
function bothPaths<T>(f: () => T): T {
  const on = f();
  fastPath.enabled = false;
  try {
    assert.deepStrictEqual(f(), on, 'the interpreter and the compiled path disagree');
  } finally {
    fastPath.enabled = true;
  }
  return on;
}

function encode(set: AttrSet, value: unknown): Uint8Array {
  return bothPaths(() => {
    const w = new Writer(16);
    encodeSet(w, set, value);
    return w.bytes().slice();
  });
}

/** `f` throws an EncodeError at `path` whose reason matches, on both paths. */
function encodeFails(f: () => unknown, path: string, reason: RegExp): void {
  bothPaths(() => {
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof EncodeError, `expected an EncodeError, got ${String(e)}`);
      assert.equal(e.path, path);
      assert.match(e.reason, reason);
      return true;
    });
  });
}

const u64Attr = (type: number, v: bigint): Uint8Array => {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 12, true);
  dv.setUint16(2, type, true);
  dv.setBigUint64(4, v, true);
  return b;
};

// ---- item 4: flag sets of every width are exact ----

const feature = new EnumDef('feature', { a: 1, b: 2, high: 2 ** 40 }, true);
const widths = new AttrSet('widths', () => [
  { name: 'f8', type: 1, kind: Kind.U8, enum: feature },
  { name: 'f16', type: 2, kind: Kind.U16, enum: feature },
  { name: 'f32', type: 3, kind: Kind.U32, enum: feature },
  { name: 'f64', type: 4, kind: Kind.U64, enum: feature },
  { name: 'fuint', type: 5, kind: Kind.Uint, enum: feature },
]);

test('u64 flag sets keep bits above 32 (netdev xdp-features)', () => {
  // basic (1) plus an unnamed bit 40
  const b = encode(devSet, { xdpFeatures: ['basic', 2 ** 40] });
  assert.equal(hex(b), hex(u64Attr(3, (1n << 40n) | 1n)));
  // decoded: names for known bits, the value of each unknown bit as a number
  const d = bothPaths(() => decodeAttrs(devSet, u64Attr(3, (1n << 60n) | 1n)));
  assert.deepStrictEqual(d, { xdpFeatures: ['basic', 2 ** 60] });
  // and it round-trips exactly
  assert.equal(hex(encode(devSet, d)), hex(u64Attr(3, (1n << 60n) | 1n)));
  const top = bothPaths(() => decodeAttrs(devSet, u64Attr(3, 1n << 63n)));
  assert.deepStrictEqual(top, { xdpFeatures: [2 ** 63] });
  assert.equal(hex(encode(devSet, top)), hex(u64Attr(3, 1n << 63n)));
  // bigints are accepted as bits too
  assert.equal(hex(encode(devSet, { xdpFeatures: [1n << 62n] })), hex(u64Attr(3, 1n << 62n)));
});

test('a flag that does not fit the width is an EncodeError naming the attribute', () => {
  encodeFails(
    () => encodeSet(new Writer(), widths, { f32: [2 ** 32] }),
    'f32',
    /does not fit in u32/,
  );
  encodeFails(
    () => encodeSet(new Writer(), widths, { f32: ['high'] }),
    'f32',
    /does not fit in u32/,
  );
  encodeFails(() => encodeSet(new Writer(), widths, { f8: [256] }), 'f8', /does not fit in u8/);
  encodeFails(() => encodeSet(new Writer(), widths, { f16: ['a', 2 ** 16] }), 'f16', /u16/);
  encodeFails(() => encodeSet(new Writer(), widths, { f64: [2 ** 64] }), 'f64', /u64/);
  encodeFails(() => encodeSet(new Writer(), widths, { f64: [1n << 64n] }), 'f64', /u64/);
  // a number that is neither a safe integer nor a single bit is not exact
  encodeFails(
    () => encodeSet(new Writer(), widths, { f64: [2 ** 60 + 2 ** 8] }),
    'f64',
    /not a flag of feature/,
  );
  encodeFails(() => encodeSet(new Writer(), widths, { f64: [1.5] }), 'f64', /not a flag/);
  // what fits is exact at every width
  const w = new Writer();
  encodeSet(w, widths, {
    f8: ['a', 128],
    f16: [2 ** 15],
    f32: ['b', 2 ** 31],
    f64: ['high', 2 ** 63],
    fuint: ['high'],
  });
  const d = bothPaths(() => decodeAttrs(widths, w.bytes()));
  assert.deepStrictEqual(d, {
    f8: ['a', 128],
    f16: [2 ** 15],
    f32: ['b', 2 ** 31],
    f64: ['high', 2 ** 63],
    fuint: ['high'],
  });
});
