// Golden byte vectors for every scalar kind, strings, binaries, flags,
// bitfield32, enums and the attributes a layout cannot represent. Each vector
// is written by hand from the kernel's wire format (include/uapi/linux/netlink.h:
// struct nlattr { __u16 nla_len; __u16 nla_type; }, payload padded to 4 bytes,
// nla_len excluding the padding), i.e. what nla_put_u32() & co. produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  EnumDef,
  Kind,
  Writer,
  decodeAttrs,
  encodeSet,
  extraAttrs,
  fastPath,
  type AttrDef,
} from '@ynl-ts/runtime';
import { hex, bytes } from './hex.js';

const color = new EnumDef('color', { red: 0, green: 1, blue: 2 });
const feature = new EnumDef('feature', { a: 1, b: 2, c: 4 }, true);

const attrs: AttrDef[] = [
  { name: 'u8', type: 1, kind: Kind.U8 },
  { name: 'u16', type: 2, kind: Kind.U16 },
  { name: 'u32', type: 3, kind: Kind.U32 },
  { name: 'u64', type: 4, kind: Kind.U64 },
  { name: 's8', type: 5, kind: Kind.S8 },
  { name: 's16', type: 6, kind: Kind.S16 },
  { name: 's32', type: 7, kind: Kind.S32 },
  { name: 's64', type: 8, kind: Kind.S64 },
  { name: 'u16be', type: 9, kind: Kind.U16, be: true },
  { name: 'u32be', type: 10, kind: Kind.U32, be: true },
  { name: 'u64be', type: 11, kind: Kind.U64, be: true },
  { name: 's16be', type: 12, kind: Kind.S16, be: true },
  { name: 's32be', type: 13, kind: Kind.S32, be: true },
  { name: 's64be', type: 14, kind: Kind.S64, be: true },
  { name: 'uint', type: 15, kind: Kind.Uint },
  { name: 'sint', type: 16, kind: Kind.Sint },
  { name: 'str', type: 17, kind: Kind.String },
  { name: 'bin', type: 18, kind: Kind.Binary },
  { name: 'flag', type: 19, kind: Kind.Flag },
  { name: 'bf', type: 20, kind: Kind.Bitfield32 },
  { name: 'pad', type: 21, kind: Kind.Pad },
  { name: 'unused', type: 22, kind: Kind.Unused },
  { name: 'color', type: 23, kind: Kind.U32, enum: color },
  { name: 'features', type: 24, kind: Kind.U32, enum: feature },
  { name: 'u8be', type: 25, kind: Kind.U8, be: true },
  { name: 's8be', type: 26, kind: Kind.S8, be: true },
  { name: 'uintbe', type: 27, kind: Kind.Uint, be: true },
  { name: 'u16arr', type: 28, kind: Kind.ScalarArray, sub: Kind.U16 },
  { name: 'u32bearr', type: 29, kind: Kind.ScalarArray, sub: Kind.U32, be: true },
  { name: 'addrs', type: 30, kind: Kind.U32, multi: true },
];
const set = new AttrSet('scalars', () => attrs);

function encode(value: unknown): string {
  const w = new Writer(8); // small on purpose: growth happens mid-attribute
  encodeSet(w, set, value);
  return hex(w.bytes());
}

/** `value` encodes to exactly `wire`, and `wire` decodes to `decoded` (default: `value`). */
function golden(value: Record<string, unknown>, wire: string, decoded: unknown = value): void {
  assert.equal(encode(value), wire.replace(/\s+/g, ''));
  assert.deepEqual(decodeAttrs(set, bytes(wire)), decoded);
}

test('unsigned host-order integers: u8 u16 u32 u64 (nla_put_u8/u16/u32/u64)', () => {
  golden({ u8: 0xab }, '0500 0100 ab000000');
  golden({ u8: 0 }, '0500 0100 00000000');
  golden({ u8: 0xff }, '0500 0100 ff000000');
  golden({ u16: 0x1234 }, '0600 0200 3412 0000');
  golden({ u16: 0xffff }, '0600 0200 ffff 0000');
  golden({ u32: 0xdeadbeef }, '0800 0300 efbeadde');
  golden({ u32: 0xffffffff }, '0800 0300 ffffffff');
  golden({ u64: 0x0102030405060708n }, '0c00 0400 0807060504030201');
  golden({ u64: 0xffffffffffffffffn }, '0c00 0400 ffffffffffffffff');
});

test('u64 accepts a safe-integer number and decodes to bigint', () => {
  assert.equal(encode({ u64: 5 }), '0c0004000500000000000000');
  assert.deepEqual(decodeAttrs(set, bytes('0c0004000500000000000000')), { u64: 5n });
});

test('signed integers at their extremes: s8 s16 s32 s64', () => {
  golden({ s8: -128 }, '0500 0500 80000000');
  golden({ s8: 127 }, '0500 0500 7f000000');
  golden({ s8: -1 }, '0500 0500 ff000000');
  golden({ s16: -32768 }, '0600 0600 0080 0000');
  golden({ s16: 32767 }, '0600 0600 ff7f 0000');
  golden({ s32: -2147483648 }, '0800 0700 00000080');
  golden({ s32: 2147483647 }, '0800 0700 ffffff7f');
  golden({ s64: -(2n ** 63n) }, '0c00 0800 0000000000000080');
  golden({ s64: 2n ** 63n - 1n }, '0c00 0800 ffffffffffffff7f');
  golden({ s64: -2n }, '0c00 0800 feffffffffffffff');
});

test('big-endian integers (nla_put_be16/be32/be64): network order, no NLA_F_NET_BYTEORDER bit', () => {
  golden({ u16be: 0x1234 }, '0600 0900 1234 0000');
  golden({ u32be: 0xdeadbeef }, '0800 0a00 deadbeef');
  golden({ u64be: 0x0102030405060708n }, '0c00 0b00 0102030405060708');
  golden({ s16be: -2 }, '0600 0c00 fffe 0000');
  golden({ s32be: -2147483648 }, '0800 0d00 80000000');
  golden({ s64be: -2n }, '0c00 0e00 fffffffffffffffe');
  golden({ u8be: 0x7f }, '0500 1900 7f000000');
  golden({ s8be: -1 }, '0500 1a00 ff000000');
});

test('NLA_F_NET_BYTEORDER / NLA_F_NESTED bits are masked off the type on decode', () => {
  // type 0x4009 = u16be with NLA_F_NET_BYTEORDER (what nla_put_net16 sends)
  assert.deepEqual(decodeAttrs(set, bytes('0600 0940 1234 0000')), { u16be: 0x1234 });
  assert.deepEqual(decodeAttrs(set, bytes('0800 0380 01000000')), { u32: 1 });
});

test('uint/sint pick 4 bytes when the value fits in 32 bits, else 8 (nla_put_uint/sint)', () => {
  golden({ uint: 0n }, '0800 0f00 00000000');
  golden({ uint: 0xffffffffn }, '0800 0f00 ffffffff');
  golden({ uint: 0x100000000n }, '0c00 0f00 0000000001000000');
  golden({ uint: 0xffffffffffffffffn }, '0c00 0f00 ffffffffffffffff');
  golden({ sint: -0x80000000n }, '0800 1000 00000080');
  golden({ sint: 0x7fffffffn }, '0800 1000 ffffff7f');
  golden({ sint: -1n }, '0800 1000 ffffffff');
  golden({ sint: -0x80000001n }, '0c00 1000 ffffff7fffffffff');
  golden({ sint: 0x80000000n }, '0c00 1000 0000008000000000');
  golden({ sint: -(2n ** 63n) }, '0c00 1000 0000000000000080');
  golden({ uintbe: 0x01020304n }, '0800 1b00 01020304');
  golden({ uintbe: 0x0102030405n }, '0c00 1b00 0000000102030405');
  // numbers are accepted for encoding and come back as bigint
  assert.equal(encode({ uint: 7, sint: -7 }), '08000f0007000000' + '08001000f9ffffff');
});

test('NUL-terminated strings (nla_put_string): NUL counted in nla_len, then padding', () => {
  golden({ str: 'eth0' }, '0900 1100 65746830 00 000000');
  golden({ str: 'abc' }, '0800 1100 616263 00');
  golden({ str: '' }, '0500 1100 00 000000');
  // UTF-8 multi-byte: "é" is c3 a9
  golden({ str: 'é' }, '0700 1100 c3a9 00 00');
  // a string longer than the 24-byte fast path, ASCII and not
  const long = 'abcdefghijklmnopqrstuvwxyz0123';
  golden({ str: long }, '2300 1100' + Buffer.from(long).toString('hex') + '00' + '00');
  const longU = 'ü'.repeat(20);
  golden({ str: longU }, '2d00 1100' + Buffer.from(longU).toString('hex') + '00' + '000000');
  // the kernel may send strings without a NUL, or with garbage after it
  assert.deepEqual(decodeAttrs(set, bytes('0700 1100 616263 00')), { str: 'abc' });
  assert.deepEqual(decodeAttrs(set, bytes('0800 1100 6162 00 63')), { str: 'ab' });
});

test('binary, flag, bitfield32', () => {
  golden({ bin: new Uint8Array([1, 2, 3]) }, '0700 1200 010203 00');
  golden({ bin: new Uint8Array([]) }, '0400 1200');
  golden({ bin: new Uint8Array([1, 2, 3, 4, 5]) }, '0900 1200 0102030405 000000');
  golden({ flag: true }, '0400 1300');
  assert.equal(encode({ flag: false }), '', 'false flags are left out');
  golden({ bf: { value: 5, selector: 7 } }, '0c00 1400 05000000 07000000');
  golden({ bf: { value: 0xffffffff, selector: 0x80000000 } }, '0c00 1400 ffffffff 00000080');
});

test('packed scalar arrays (binary + sub-type)', () => {
  golden({ u16arr: [1, 0xffff, 3] }, '0a00 1c00 0100 ffff 0300 0000');
  golden({ u16arr: [] }, '0400 1c00');
  golden({ u32bearr: [0x0a000001, 2] }, '0c00 1d00 0a000001 00000002');
});

test('multi-attr: one attribute per element, order kept', () => {
  golden({ addrs: [1, 2, 1] }, '0800 1e00 01000000 0800 1e00 02000000 0800 1e00 01000000');
  assert.equal(encode({ addrs: [] }), '');
});

test('enums: names on the wire as values and back; unknown values stay numbers', () => {
  golden({ color: 'blue' }, '0800 1700 02000000');
  golden({ color: 'red' }, '0800 1700 00000000');
  assert.equal(encode({ color: 2 }), '0800170002000000', 'numbers are accepted');
  assert.deepEqual(decodeAttrs(set, bytes('0800 1700 09000000')), { color: 9 });
  golden({ color: 9 }, '0800 1700 09000000');
});

test('flag sets: arrays of names; unknown bits stay numbers', () => {
  golden({ features: ['a', 'c'] }, '0800 1800 05000000');
  golden({ features: [] }, '0800 1800 00000000');
  golden({ features: ['a', 8, 'b'] }, '0800 1800 0b000000', { features: ['a', 'b', 8] });
  golden({ features: [0x80000000] }, '0800 1800 00000080');
  assert.equal(encode({ features: 'c' }), '0800180004000000', 'a single name is one bit');
});

test('flag sets: each decode returns its own name list (cached lists are copied out)', () => {
  for (const compiled of [true, false]) {
    fastPath.enabled = compiled;
    try {
      const wire = bytes('0800 1800 05000000');
      const first = decodeAttrs(set, wire) as { features: (string | number)[] };
      assert.deepEqual(first.features, ['a', 'c']);
      first.features.push('changed');
      first.features[0] = 'x';
      const second = decodeAttrs(set, wire) as { features: (string | number)[] };
      assert.deepEqual(
        second.features,
        ['a', 'c'],
        'a caller changing its list changes no later decode',
      );
      assert.notEqual(second.features, first.features);
      // every bit, the sign bit included, through the cached path too
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(decodeAttrs(set, bytes('0800 1800 0f000080')), {
          features: ['a', 'b', 'c', 8, 0x80000000],
        });
      }
    } finally {
      fastPath.enabled = true;
    }
  }
});

test('pad attributes are skipped; unused and unknown types are kept under [extraAttrs]', () => {
  const wire = bytes(
    '0c00 1500 0000000000000000' +
      '0500 1600 aa000000' +
      '0600 6300 bbcc 0000' +
      '0800 0380 01000000' +
      '0800 6480 0000 0000',
  );
  const out = decodeAttrs(set, wire) as Record<string | symbol, unknown>;
  assert.deepEqual(out, {
    u32: 1,
    [extraAttrs]: [
      { type: 22, flags: 0, data: new Uint8Array([0xaa]) },
      { type: 99, flags: 0, data: new Uint8Array([0xbb, 0xcc]) },
      { type: 100, flags: 0x8000, data: new Uint8Array([0, 0, 0, 0]) },
    ],
  });
});

test('a repeated non-multi attribute keeps the last (as the kernel does) and the earlier one in [extraAttrs]', () => {
  const out = decodeAttrs(set, bytes('0800 0300 01000000 0800 0340 02000000'));
  assert.deepEqual(out, {
    u32: 2,
    [extraAttrs]: [{ type: 3, flags: 0, data: new Uint8Array([1, 0, 0, 0]) }],
  });
  // extras keep their wire order, and encode -> decode gives the same value back
  const mixed = bytes('0800 0300 01000000 0800 6300 07000000 0800 0300 02000000');
  const once = decodeAttrs(set, mixed);
  const w = new Writer(64);
  encodeSet(w, set, once);
  assert.deepEqual(decodeAttrs(set, w.bytes()), once);
  assert.deepEqual(
    (once as Record<symbol, { type: number }[]>)[extraAttrs]!.map((e) => e.type),
    [3, 99],
  );
});

test('a whole set in one buffer, in spec order whatever the order of the keys', () => {
  const expected =
    '0500 0100 01000000' + // u8
    '0c00 0400 0200000000000000' + // u64
    '0600 0c00 ffff 0000' + // s16be
    '0600 1100 7800 0000' + // str
    '0400 1300'; // flag
  golden({ u8: 1, str: 'x', u64: 2n, flag: true, s16be: -1 }, expected);
  golden({ flag: true, s16be: -1, str: 'x', u64: 2n, u8: 1 }, expected);
});
