// ovs_meter's layout against the bytes meter.c sends: the bands nest and each
// band nest are started with nla_nest_start_noflag (no NLA_F_NESTED) and every
// band nest has attribute type 0 (OVS_BAND_ATTR_UNSPEC); the u64 `used` is
// preceded by a pad attribute when it would be misaligned. Requests encode
// bands as a nest of nests (types 0, 1, ...: the kernel walks them with
// nla_for_each_nested and ignores the type) and decode back to what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer, decodeAttrs, encodeSet } from '@ynl-ts/runtime';
import { meterSet } from '@ynl-ts/families/ovs_meter';

/** One netlink attribute: type (flag bits included), payload, padded to 4 bytes. */
function nla(type: number, payload: readonly number[]): number[] {
  const len = 4 + payload.length;
  const pad = (4 - (len % 4)) % 4;
  return [
    len & 0xff,
    len >> 8,
    type & 0xff,
    type >> 8,
    ...payload,
    ...new Array<number>(pad).fill(0),
  ];
}
const u32 = (v: number): number[] => [...Buffer.from(Uint32Array.of(v).buffer)];
const u64 = (v: bigint): number[] => [...Buffer.from(BigUint64Array.of(v).buffer)];
const stats = (p: bigint, b: bigint): number[] => [...u64(p), ...u64(b)];

test('a get reply as meter.c builds it decodes to typed bands and stats', () => {
  const wire = Uint8Array.from([
    ...nla(1, u32(7)), // OVS_METER_ATTR_ID
    ...nla(3, stats(30n, 2700n)), // OVS_METER_ATTR_STATS
    ...nla(9, []), // OVS_METER_ATTR_PAD (nla_put_u64_64bit)
    ...nla(5, u64(123456n)), // OVS_METER_ATTR_USED
    ...nla(4, [...nla(0, nla(4, stats(28n, 2520n))), ...nla(0, nla(4, stats(1n, 90n)))]),
  ]);
  assert.deepEqual(decodeAttrs(meterSet, wire), {
    id: 7,
    stats: { nPackets: 30n, nBytes: 2700n },
    used: 123456n,
    bands: [{ stats: { nPackets: 28n, nBytes: 2520n } }, { stats: { nPackets: 1n, nBytes: 90n } }],
  });
  // features: the supported band types, one nest per type
  const features = Uint8Array.from([
    ...nla(7, u32(0xffffffff)),
    ...nla(8, u32(1)),
    ...nla(4, nla(0, nla(1, u32(1)))),
  ]);
  assert.deepEqual(decodeAttrs(meterSet, features), {
    maxMeters: 0xffffffff,
    maxBands: 1,
    bands: [{ type: 'drop' }],
  });
});

test('a set request: bands as a nest of band nests, decoding to what was sent', () => {
  const req = {
    id: 3,
    kbps: true,
    bands: [
      { type: 'drop' as const, rate: 1000, burst: 100 },
      { type: 'drop' as const, rate: 10, burst: 1 },
    ],
  };
  const w = new Writer(64);
  encodeSet(w, meterSet, req);
  const band = (rate: number, burst: number): number[] => [
    ...nla(1, u32(1)),
    ...nla(2, u32(rate)),
    ...nla(3, u32(burst)),
  ];
  const NESTED = 0x8000;
  assert.deepEqual(
    [...w.bytes()],
    [
      ...nla(1, u32(3)),
      ...nla(2, []),
      ...nla(4 | NESTED, [...nla(0 | NESTED, band(1000, 100)), ...nla(1 | NESTED, band(10, 1))]),
    ],
  );
  assert.deepEqual(decodeAttrs(meterSet, w.bytes()), req);
});
