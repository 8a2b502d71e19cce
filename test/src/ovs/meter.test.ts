// ovs_meter (specs/extra/ovs_meter.yaml, ours: the kernel ships no spec)
// through the generated client, proved by effect: a meter with a low packet
// rate, used by a flow's `meter` action, drops the frames over its rate, and
// its drop band counts them. features / set / get / del each have a test; the
// kernel has no dump of meters (spec-vs-kernel checks the model says so).
// Runs in the VM on 6.1 and 6.12 (npm run test:ovs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetlinkError } from '@ynl-ts/runtime';
import { OvsMeterClient } from '@ynl-ts/families/ovs_meter';
import { parseActions, parseKey } from '@ynl-ts/ovs';
import { ovsSkipReason, sendFrames, withDatapath, withVethDatapath } from './vm.js';

const skip = ovsSkipReason();
const ETHERTYPE = 0x88b5; // local experimental
const SRC = '02:00:00:00:00:01';
const DST = '02:00:00:00:00:02';

/** A frame of our ethertype, numbered (distinct payloads). */
function frame(i: number): Uint8Array {
  const mac = (s: string): number[] => s.split(':').map((x) => parseInt(x, 16));
  // at least 60 bytes in all: no question of padding
  const payload = Buffer.from(
    `ynl-ts meter test frame ${String(i).padStart(4, '0')}`.padEnd(60, '.'),
  );
  return Uint8Array.from([...mac(DST), ...mac(SRC), ETHERTYPE >> 8, ETHERTYPE & 0xff, ...payload]);
}

test('ovs_meter features: the drop band type, maximums', { skip, timeout: 60_000 }, async () => {
  await withDatapath('ynlmtr0', [], async ({ sock, h }) => {
    const meters = await OvsMeterClient.open(sock);
    const f = await meters.features(h);
    assert.equal(f.header.dpIfindex, h.header.dpIfindex);
    assert.ok(f.maxMeters !== undefined && f.maxMeters > 0, `max-meters ${f.maxMeters}`);
    assert.ok(f.maxBands !== undefined && f.maxBands >= 1, `max-bands ${f.maxBands}`);
    // the kernel lists the band types it supports: only drop
    assert.deepEqual(f.bands, [{ type: 'drop' }]);
  });
});

test(
  'ovs_meter set, get, del: what is set reads back; replacing returns the old stats; get and del of a missing meter',
  { skip, timeout: 60_000 },
  async () => {
    await withDatapath('ynlmtr0', [], async ({ sock, h }) => {
      const meters = await OvsMeterClient.open(sock);
      const bands = [{ type: 'drop' as const, rate: 1000, burst: 64 }];
      const created = await meters.set({ ...h, id: 7, kbps: true, bands });
      // a new meter: the reply names it, without stats (there was no old one)
      assert.equal(created.id, 7);
      assert.equal(created.stats, undefined);
      const got = await meters.get({ ...h, id: 7 });
      assert.equal(got.id, 7);
      assert.deepEqual(got.stats, { nPackets: 0n, nBytes: 0n });
      assert.equal(typeof got.used, 'bigint');
      assert.deepEqual(got.bands, [{ stats: { nPackets: 0n, nBytes: 0n } }]);

      // set on an existing id replaces the meter; the reply carries the old one's stats
      const stats = { nPackets: 5n, nBytes: 500n };
      await meters.set({ ...h, id: 8, bands, stats });
      assert.deepEqual((await meters.get({ ...h, id: 8 })).stats, stats, 'stats given on set');
      const replaced = await meters.set({ ...h, id: 8, bands, clear: true });
      assert.deepEqual(replaced.stats, stats, 'the replaced meter');
      assert.deepEqual((await meters.get({ ...h, id: 8 })).stats, { nPackets: 0n, nBytes: 0n });

      // del returns the deleted meter's stats; afterwards get finds none
      const deleted = await meters.del({ ...h, id: 7 });
      assert.equal(deleted.id, 7);
      assert.deepEqual(deleted.stats, { nPackets: 0n, nBytes: 0n });
      await assert.rejects(
        meters.get({ ...h, id: 7 }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT',
      );
      // del of a meter that does not exist succeeds, with no stats
      const none = await meters.del({ ...h, id: 99 });
      assert.equal(none.stats, undefined);
      assert.equal(none.bands, undefined);
      // a band rate of 0 is refused by the kernel
      await assert.rejects(
        meters.set({ ...h, id: 9, bands: [{ type: 'drop', rate: 0, burst: 1 }] }),
        (e: unknown) => e instanceof NetlinkError && e.code === 'EINVAL',
      );
    });
  },
);

test(
  'a meter(ID) action drops the frames over the meter rate; the drop band counts them',
  { skip, timeout: 120_000 },
  async () => {
    await withVethDatapath('ynlmtr1', 'ynlmt', async (c) => {
      const meters = await OvsMeterClient.open(c.sock);
      const METER = 3;
      // 1 packet per second, burst 1: the bucket starts full with 2 packets' worth
      await meters.set({ ...c.h, id: METER, bands: [{ type: 'drop', rate: 1, burst: 1 }] });
      const key = `in_port(${c.inPort}),eth(src=${SRC},dst=${DST}),eth_type(0x${ETHERTYPE.toString(16)})`;
      await c.flows.new({
        ...c.h,
        ...parseKey(key),
        actions: parseActions(`meter(${METER}),${c.outPort}`),
      });
      const N = 30;
      const sent = Array.from({ length: N }, (_, i) => frame(i));
      const got = sendFrames(c.sendDev, c.recvDev, ETHERTYPE, sent);
      const passed = got.length;
      // every frame that arrived is one we sent
      const sentHex = new Set(sent.map((f) => Buffer.from(f).toString('hex')));
      for (const g of got) assert.ok(sentHex.has(Buffer.from(g).toString('hex')), 'a sent frame');
      assert.ok(passed >= 1, 'the first frames pass (the bucket starts full)');
      assert.ok(passed < N / 2, `the meter let ${passed} of ${N} frames through`);

      const m = await meters.get({ ...c.h, id: METER });
      assert.equal(m.stats?.nPackets, BigInt(N), 'every frame went through the meter');
      assert.equal(m.bands?.length, 1);
      assert.equal(
        m.bands[0]!.stats?.nPackets,
        BigInt(N - passed),
        'the drop band counts exactly the frames that did not arrive',
      );
      assert.equal(m.bands[0]!.stats.nBytes, BigInt((N - passed) * sent[0]!.length));

      // without the meter (deleted), the same flow lets every frame through
      const deleted = await meters.del({ ...c.h, id: METER });
      assert.equal(deleted.bands?.[0]?.stats?.nPackets, BigInt(N - passed));
      const again = sendFrames(c.sendDev, c.recvDev, ETHERTYPE, sent);
      assert.equal(again.length, N, 'a meter action naming no meter drops nothing');
    });
  },
);
