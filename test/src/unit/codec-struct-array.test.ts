// Kind.StructArray: a binary attribute whose payload is a packed array of one
// struct, each element padded to 4 bytes (OVS ct_limit's zone-limit, struct
// ovs_zone_limit, which conntrack.c walks NLA_ALIGN(sizeof) apart). Golden
// bytes, both codec paths (compiled and interpreter) agreeing, the kernel's
// tolerance of a last element without its padding, and typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  DecodeError,
  EncodeError,
  Kind,
  Writer,
  decodeAttrs,
  encodeSet,
  type StructDef,
} from '@ynl-ts/runtime';
import { ctLimitSet } from '@ynl-ts/families/ovs_ct_limit';
import { bothPaths } from './both-paths.js';
import { hex, bytes } from './hex.js';

const encode = (set: AttrSet, v: unknown): string =>
  bothPaths(() => {
    const w = new Writer(8);
    encodeSet(w, set, v);
    return hex(w.bytes());
  });
const decode = (set: AttrSet, wire: string): unknown =>
  bothPaths(() => decodeAttrs(set, bytes(wire)));

/** 6 bytes, so each element is followed by 2 bytes of padding. */
const odd: StructDef = {
  name: 'odd',
  size: 6,
  members: [
    { name: 'x', kind: Kind.U32, offset: 0 },
    { name: 'y', kind: Kind.U16, offset: 4 },
  ],
};
const oddSet = new AttrSet('odd-set', () => [
  { name: 'items', type: 2, kind: Kind.StructArray, struct: odd },
  { name: 'few', type: 3, kind: Kind.StructArray, struct: odd, checks: { maxLen: 8 } },
]);

test('ovs_ct_limit zone-limit: packed struct ovs_zone_limit entries, back and forth', () => {
  const v = {
    zoneLimit: [
      { zoneId: -1, limit: 5, count: 0 },
      { zoneId: 7, limit: 1, count: 2 },
    ],
  };
  const wire = '1c00 0100 ffffffff 05000000 00000000 07000000 01000000 02000000';
  assert.equal(encode(ctLimitSet, v), wire.replace(/\s+/g, ''));
  assert.deepEqual(decode(ctLimitSet, wire), v);
  // no elements: an attribute without payload
  assert.equal(encode(ctLimitSet, { zoneLimit: [] }), '04000100');
  assert.deepEqual(decode(ctLimitSet, '04000100'), { zoneLimit: [] });
  // absent members are zero, as in any struct
  assert.equal(
    encode(ctLimitSet, { zoneLimit: [{ zoneId: 3 }] }),
    '10000100030000000000000000000000',
  );
});

test('elements are padded to 4 bytes; the last may lack its padding, as the kernel accepts', () => {
  const v = {
    items: [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ],
  };
  const wire = '1400 0200 01000000 0200 0000 03000000 0400 0000';
  assert.equal(encode(oddSet, v), wire.replace(/\s+/g, ''));
  assert.deepEqual(decode(oddSet, wire), v);
  // nla_len 18: the second element's padding is only the attribute's alignment
  assert.deepEqual(decode(oddSet, '1200 0200 01000000 0200 0000 03000000 0400 0000'), v);
  assert.deepEqual(decode(oddSet, '1300 0200 01000000 0200 0000 03000000 0400 00'), v);
  // but an element cut short is an error (13 bytes: the second has 5 of its 6)
  bothPaths(() =>
    assert.throws(
      () => decodeAttrs(oddSet, bytes('1100 0200 01000000 0200 0000 03000000 04')),
      /items: array of struct odd \(8 bytes each\) has length 13/,
    ),
  );
});

test('a payload that is not a whole number of elements is a DecodeError naming the attribute', () => {
  for (const [wire, len] of [
    ['1100 0100 ffffffff 05000000 00000000 07 000000', 13],
    ['0c00 0100 ffffffff 05000000', 8],
    // 9 bytes round up to one 12-byte element: the struct's own bytes are missing
    ['0d00 0100 ffffffff 05000000 00', 9],
  ] as const) {
    bothPaths(() =>
      assert.throws(
        () => decodeAttrs(ctLimitSet, bytes(wire)),
        (e: unknown) => {
          assert.ok(e instanceof DecodeError, String(e));
          assert.equal(e.path, 'zoneLimit');
          assert.equal(e.offset, 4);
          assert.equal(
            e.reason,
            `array of struct ovs-zone-limit (12 bytes each) has length ${len}`,
          );
          return true;
        },
      ),
    );
  }
});

test('bad values are EncodeErrors naming the element and member', () => {
  const fails = (set: AttrSet, v: unknown, path: string, reason: RegExp): void =>
    bothPaths(() =>
      assert.throws(
        () => encodeSet(new Writer(8), set, v),
        (e: unknown) => {
          assert.ok(e instanceof EncodeError, String(e));
          assert.equal(e.path, path);
          assert.match(e.reason, reason);
          return true;
        },
      ),
    );
  fails(ctLimitSet, { zoneLimit: { zoneId: 1 } }, 'zoneLimit', /expected an array, got/);
  fails(ctLimitSet, { zoneLimit: [{ zoneId: 1 }, 5] }, 'zoneLimit[1]', /expected an object/);
  fails(ctLimitSet, { zoneLimit: [{ limit: -1 }] }, 'zoneLimit[0].limit', /u32/);
  fails(ctLimitSet, { zoneLimit: [{ zone: 1 }] }, 'zoneLimit[0].zone', /has no member 'zone'/);
  // checks on the attribute's length count the padding
  fails(oddSet, { few: [{ x: 1 }, { x: 2 }] }, 'few', /length 16 exceeds the maximum 8/);
  assert.equal(encode(oddSet, { few: [{ x: 1 }] }), '0c000300010000000000' + '0000');
});
