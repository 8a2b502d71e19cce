// ovs_ct_limit (specs/extra/ovs_ct_limit.yaml, ours: the kernel ships no
// spec) through the generated client, proved by effect: with a zone limit of
// 1, the `ct(commit,zone=N)` of a second UDP connection in that zone fails and
// its frames are dropped, while the first connection's still pass; raising
// the limit lets the second one through. set / get / del each have a test,
// with ovs-dpctl's ct-*-limits commands as the independent peer. The kernel
// has no dump of limits (get without zone-limit lists them all).
// Runs in the VM on 6.1 and 6.12 (npm run test:ovs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OvsCtLimitClient, zoneLimitDefaultZone } from '@ynl-ts/families/ovs_ct_limit';
import { parseActions, parseKey } from '@ynl-ts/ovs';
import { ovsSkipReason, run, sendFrames, withDatapath, withVethDatapath } from './vm.js';

const skip = ovsSkipReason();
const SRC = '02:00:00:00:00:01';
const DST = '02:00:00:00:00:02';
const IP_SRC = [10, 7, 0, 1];
const IP_DST = [10, 7, 0, 2];
const DPORT = 5000;

/** An Ethernet + IPv4 + UDP frame from IP_SRC:sport to IP_DST:DPORT (UDP checksum 0: none). */
function udpFrame(sport: number, seq: number): Uint8Array {
  const mac = (s: string): number[] => s.split(':').map((x) => parseInt(x, 16));
  const payload = [...Buffer.from(`ynl-ts ct limit ${sport} ${seq}`.padEnd(32, '.'))];
  const udp = [sport >> 8, sport & 0xff, DPORT >> 8, DPORT & 0xff];
  const udpLen = 8 + payload.length;
  udp.push(udpLen >> 8, udpLen & 0xff, 0, 0);
  const total = 20 + udpLen;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, seq & 0xff, 0x40, 0, 64, 17, 0, 0];
  ip.push(...IP_SRC, ...IP_DST);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (ip[i]! << 8) | ip[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  const csum = ~sum & 0xffff;
  ip[10] = csum >> 8;
  ip[11] = csum & 0xff;
  return Uint8Array.from([...mac(DST), ...mac(SRC), 0x08, 0x00, ...ip, ...udp, ...payload]);
}

/** UDP source ports of the frames that arrived. */
const sports = (frames: readonly Uint8Array[]): number[] =>
  frames.map((f) => (f[34]! << 8) | f[35]!).sort((a, b) => a - b);

/** `ovs-dpctl ct-get-limits DP [zone=N,...]` as { zone → [limit, count] } ('default' for the default). */
function dpctlLimits(dp: string, zones: readonly number[] = []): Map<string, [number, number?]> {
  const args = ['ct-get-limits', dp];
  if (zones.length) args.push(`zone=${zones.join(',')}`);
  const out = new Map<string, [number, number?]>();
  for (const line of run('ovs-dpctl', args).split('\n')) {
    const d = /^default limit=(\d+)/.exec(line);
    if (d) out.set('default', [Number(d[1])]);
    const z = /^zone=(\d+),limit=(\d+),count=(\d+)/.exec(line);
    if (z) out.set(z[1]!, [Number(z[2]), Number(z[3])]);
  }
  return out;
}

test(
  'ovs_ct_limit set, get, del: ours and ovs-dpctl ct-*-limits read each other',
  { skip, timeout: 60_000 },
  async () => {
    await withDatapath('ynlctl0', [], async ({ sock, h }) => {
      const ct = await OvsCtLimitClient.open(sock);
      try {
        await ct.set({
          ...h,
          zoneLimit: [
            { zoneId: 101, limit: 10, count: 0 },
            { zoneId: 102, limit: 20, count: 0 },
          ],
        });
        // get of listed zones: each with its limit and a count of 0
        const got = await ct.get({
          ...h,
          zoneLimit: [
            { zoneId: 102, limit: 0, count: 0 },
            { zoneId: 101, limit: 0, count: 0 },
          ],
        });
        assert.deepEqual(got.zoneLimit, [
          { zoneId: 102, limit: 20, count: 0 },
          { zoneId: 101, limit: 10, count: 0 },
        ]);
        // get without zones: the default (zone id -1) and every zone with a limit
        const all = (await ct.get(h)).zoneLimit ?? [];
        assert.equal(all[0]?.zoneId, zoneLimitDefaultZone, 'the default comes first');
        for (const z of [101, 102])
          assert.ok(
            all.some((x) => x.zoneId === z),
            `zone ${z} in ${JSON.stringify(all)}`,
          );
        // ovs-dpctl reads what we set
        const theirs = dpctlLimits('ynlctl0', [101, 102]);
        assert.deepEqual(theirs.get('101'), [10, 0]);
        assert.deepEqual(theirs.get('102'), [20, 0]);
        // we read what ovs-dpctl sets (zone 103, and the default)
        run('ovs-dpctl', ['ct-set-limits', 'ynlctl0', 'default=77', 'zone=103,limit=30']);
        const after = await ct.get({
          ...h,
          zoneLimit: [
            { zoneId: 103, limit: 0, count: 0 },
            { zoneId: zoneLimitDefaultZone, limit: 0, count: 0 },
          ],
        });
        assert.deepEqual(after.zoneLimit, [
          { zoneId: 103, limit: 30, count: 0 },
          { zoneId: -1, limit: 77, count: 0 },
        ]);
        // del: the zones fall back to the default limit; del of the default restores 0 (none)
        await ct.del({ ...h, zoneLimit: [{ zoneId: 101, limit: 0, count: 0 }] });
        const afterDel = dpctlLimits('ynlctl0', [101]);
        assert.deepEqual(afterDel.get('101'), [77, 0], 'zone 101 has the default limit again');
        await ct.del({ ...h, zoneLimit: [{ zoneId: zoneLimitDefaultZone, limit: 0, count: 0 }] });
        assert.deepEqual(dpctlLimits('ynlctl0').get('default'), [0]);
        const left = (await ct.get(h)).zoneLimit ?? [];
        assert.ok(!left.some((x) => x.zoneId === 101), 'zone 101 is no longer listed');
        assert.ok(left.some((x) => x.zoneId === 102 && x.limit === 20));
      } finally {
        await ct.del({
          ...h,
          zoneLimit: [101, 102, 103, -1].map((zoneId) => ({ zoneId, limit: 0, count: 0 })),
        });
      }
    });
  },
);

test(
  'a zone limit of 1 refuses a second connection in the zone (its ct commit fails, frames dropped)',
  { skip, timeout: 120_000 },
  async () => {
    await withVethDatapath('ynlctl1', 'ynlct', async (c) => {
      const ct = await OvsCtLimitClient.open(c.sock);
      const ZONE = 55;
      const zone = (limit: number): { zoneId: number; limit: number; count: number } => ({
        zoneId: ZONE,
        limit,
        count: 0,
      });
      try {
        await ct.set({ ...c.h, zoneLimit: [zone(1)] });
        const ip = (a: number[]): string => a.join('.');
        const key = `in_port(${c.inPort}),eth(src=${SRC},dst=${DST}),eth_type(0x0800),ipv4(src=${ip(IP_SRC)},dst=${ip(IP_DST)},proto=17,frag=no),udp(dst=${DPORT})`;
        await c.flows.new({
          ...c.h,
          ...parseKey(key),
          actions: parseActions(`ct(commit,zone=${ZONE}),${c.outPort}`),
        });
        const send = (sport: number, n: number): number[] =>
          sports(
            sendFrames(
              c.sendDev,
              c.recvDev,
              0x0800,
              Array.from({ length: n }, (_, i) => udpFrame(sport, i)),
            ),
          );
        // the first connection commits and passes
        assert.deepEqual(send(1001, 2), [1001, 1001]);
        const one = (await ct.get({ ...c.h, zoneLimit: [zone(0)] })).zoneLimit;
        assert.deepEqual(one, [{ zoneId: ZONE, limit: 1, count: 1 }]);
        // a second connection in the zone: over the limit, dropped
        assert.deepEqual(send(1002, 2), [], 'the second connection is refused');
        // the first one is still fine (confirmed, not counted again)
        assert.deepEqual(send(1001, 1), [1001]);
        assert.deepEqual((await ct.get({ ...c.h, zoneLimit: [zone(0)] })).zoneLimit, [
          { zoneId: ZONE, limit: 1, count: 1 },
        ]);
        // raise the limit: the second connection now commits and passes
        await ct.set({ ...c.h, zoneLimit: [zone(2)] });
        assert.deepEqual(send(1002, 1), [1002]);
        assert.deepEqual((await ct.get({ ...c.h, zoneLimit: [zone(0)] })).zoneLimit, [
          { zoneId: ZONE, limit: 2, count: 2 },
        ]);
        // and a third is refused again
        assert.deepEqual(send(1003, 1), []);
      } finally {
        await ct.del({ ...c.h, zoneLimit: [zone(0)] });
      }
    });
  },
);
