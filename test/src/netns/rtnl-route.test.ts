// rtnetlink routes on the host kernel in this private network namespace,
// both directions against `ip -j route`: gateway, device, metrics (mtu),
// multipath, table; the kernel's errors for an unreachable and a malformed
// gateway; a route dump filtered by the rtm_table of its fixed header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetlinkError, RtnlSocket } from '@ynl-ts/runtime';
import { RtRouteClient, type GetrouteDumpReply } from '@ynl-ts/families/rt-route';
import { ip, ipJson, tag, veth } from './rtnl-helpers.js';

const AF_INET = 2;
const RTPROT_STATIC = 4;
const RTA_GATEWAY = 5;
const scopes: Record<number, string> = { 0: 'global', 253: 'link', 254: 'host' };
const protocols: Record<number, string> = { 2: 'kernel', 3: 'boot', 4: 'static' };

const v4 = (s: string): Uint8Array => Uint8Array.from(s.split('.').map(Number));
const text = (b: Uint8Array): string => [...b].join('.');

interface Nexthop {
  readonly gateway: Uint8Array;
  readonly ifindex: number;
  /** ip's weight: rtnh_hops + 1. */
  readonly weight: number;
}

// RTA_MULTIPATH is `binary` in the spec (a sequence of struct rtnexthop,
// each followed by its attributes); the test reads and writes it itself.
function encodeMultipath(hops: readonly Nexthop[]): Uint8Array {
  const out = new Uint8Array(hops.length * 16);
  const dv = new DataView(out.buffer);
  hops.forEach((h, i) => {
    const at = i * 16;
    dv.setUint16(at, 16, true); // rtnh_len: rtnexthop (8) + RTA_GATEWAY (8)
    out[at + 3] = h.weight - 1; // rtnh_hops
    dv.setInt32(at + 4, h.ifindex, true);
    dv.setUint16(at + 8, 8, true);
    dv.setUint16(at + 10, RTA_GATEWAY, true);
    out.set(h.gateway, at + 12);
  });
  return out;
}

function decodeMultipath(b: Uint8Array): Nexthop[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Nexthop[] = [];
  for (let at = 0; at + 8 <= b.length;) {
    const len = dv.getUint16(at, true);
    let gateway = new Uint8Array();
    for (let a = at + 8; a + 4 <= at + len;) {
      const alen = dv.getUint16(a, true);
      if (dv.getUint16(a + 2, true) === RTA_GATEWAY) gateway = b.slice(a + 4, a + alen);
      a += (alen + 3) & ~3;
    }
    out.push({ gateway, ifindex: dv.getInt32(at + 4, true), weight: b[at + 3]! + 1 });
    at += (len + 3) & ~3;
  }
  return out;
}

interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  scope?: string;
  protocol?: string;
  metrics?: Record<string, number>[];
  nexthops?: { gateway: string; dev: string; weight: number }[];
  table?: string;
}

/** Our decoded route in the fields ip -j route prints (device names from `names`). */
function asIp(r: GetrouteDumpReply, names: ReadonlyMap<number, string>): IpRoute {
  const out: IpRoute = { dst: `${text(r.dst!)}/${r.header.rtmDstLen}` };
  if (r.gateway) out.gateway = text(r.gateway);
  if (r.oif !== undefined) out.dev = names.get(r.oif)!;
  if (r.header.rtmScope !== 0) out.scope = scopes[r.header.rtmScope]!;
  if (r.header.rtmProtocol !== 3) out.protocol = protocols[r.header.rtmProtocol]!;
  if (r.metrics?.mtu !== undefined) out.metrics = [{ mtu: r.metrics.mtu }];
  if (r.multipath)
    out.nexthops = decodeMultipath(r.multipath).map((h) => ({
      gateway: text(h.gateway),
      dev: names.get(h.ifindex)!,
      weight: h.weight,
    }));
  return out;
}

function ipView(r: IpRoute): IpRoute {
  const out: IpRoute = { dst: r.dst };
  for (const k of ['gateway', 'dev', 'scope', 'protocol', 'metrics'] as const)
    if (r[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = r[k];
  if (r.nexthops)
    out.nexthops = r.nexthops.map((h) => ({ gateway: h.gateway, dev: h.dev, weight: h.weight }));
  return out;
}

async function dumpTable(c: RtRouteClient, table: number): Promise<GetrouteDumpReply[]> {
  const out: GetrouteDumpReply[] = [];
  for await (const r of c.getrouteDump({ header: { rtmFamily: AF_INET, rtmTable: table } }))
    out.push(r);
  return out;
}

/** Two veth pairs, up, with an address each: 10.7{1,2}.0.1/24. */
function setup(): { d1: string; d2: string; names: Map<number, string>; i1: number; i2: number } {
  const [d1, d2] = [`${tag}r1`, `${tag}r2`];
  const names = new Map<number, string>();
  for (const [d, net] of [
    [d1, '71'],
    [d2, '72'],
  ] as const) {
    const index = veth(d, true);
    ip('addr', 'add', `10.${net}.0.1/24`, 'dev', d);
    names.set(index, d);
  }
  const [i1, i2] = [...names.keys()] as [number, number];
  return { d1, d2, names, i1, i2 };
}

function teardown(...devs: string[]): void {
  for (const d of devs) ip('link', 'del', d);
}

test('routes ip adds (gateway, device, mtu metric, multipath, table 100) decode like ip -j route shows them', async () => {
  const sock = RtnlSocket.openSync();
  const { d1, d2, names } = setup();
  try {
    ip(
      'route',
      'add',
      '10.81.0.0/24',
      'via',
      '10.71.0.2',
      'dev',
      d1,
      'mtu',
      '1300',
      'table',
      '100',
    );
    ip(
      'route',
      'add',
      '10.82.0.0/24',
      'table',
      '100',
      'nexthop',
      'via',
      '10.71.0.2',
      'dev',
      d1,
      'weight',
      '1',
      'nexthop',
      'via',
      '10.72.0.2',
      'dev',
      d2,
      'weight',
      '3',
    );
    ip('route', 'add', '10.83.0.0/24', 'dev', d2, 'table', '100', 'proto', 'static');
    const got = await dumpTable(new RtRouteClient(sock), 100);
    assert.deepEqual(
      got.map((r) => asIp(r, names)),
      ipJson<IpRoute[]>('route', 'show', 'table', '100').map(ipView),
    );
    assert.ok(got.every((r) => r.table === 100));
  } finally {
    sock.close();
    teardown(d1, d2);
  }
});

test('routes we add (gateway, device, mtu metric, multipath, table 1000) show in ip -j route; deleting them too', async () => {
  const sock = RtnlSocket.openSync();
  const { d1, d2, names, i1, i2 } = setup();
  try {
    const c = new RtRouteClient(sock);
    const header = {
      rtmFamily: AF_INET,
      rtmDstLen: 24,
      rtmProtocol: RTPROT_STATIC,
      rtmType: 'unicast',
    } as const;
    await c.newroute(
      {
        header,
        table: 1000,
        dst: v4('10.91.0.0'),
        gateway: v4('10.71.0.2'),
        oif: i1,
        metrics: { mtu: 1280 },
      },
      { create: true, excl: true },
    );
    await c.newroute(
      {
        header,
        table: 1000,
        dst: v4('10.92.0.0'),
        multipath: encodeMultipath([
          { gateway: v4('10.71.0.2'), ifindex: i1, weight: 2 },
          { gateway: v4('10.72.0.2'), ifindex: i2, weight: 5 },
        ]),
      },
      { create: true, excl: true },
    );
    await c.newroute(
      { header: { ...header, rtmScope: 253 }, table: 1000, dst: v4('10.93.0.0'), oif: i2 },
      { create: true, excl: true },
    );
    assert.deepEqual(ipJson<IpRoute[]>('route', 'show', 'table', '1000').map(ipView), [
      {
        dst: '10.91.0.0/24',
        gateway: '10.71.0.2',
        dev: d1,
        protocol: 'static',
        metrics: [{ mtu: 1280 }],
      },
      {
        dst: '10.92.0.0/24',
        protocol: 'static',
        nexthops: [
          { gateway: '10.71.0.2', dev: d1, weight: 2 },
          { gateway: '10.72.0.2', dev: d2, weight: 5 },
        ],
      },
      { dst: '10.93.0.0/24', dev: d2, scope: 'link', protocol: 'static' },
    ]);
    // and our dump reads back what we wrote
    const back = await dumpTable(c, 0);
    assert.deepEqual(
      back.filter((r) => r.table === 1000).map((r) => asIp(r, names)),
      ipJson<IpRoute[]>('route', 'show', 'table', '1000').map(ipView),
    );
    for (const dst of ['10.91.0.0', '10.92.0.0', '10.93.0.0'])
      // RT_SCOPE_NOWHERE (255) matches a route of any scope, as ip route del sends it
      await c.delroute({
        header: { rtmFamily: AF_INET, rtmDstLen: 24, rtmScope: 255 },
        table: 1000,
        dst: v4(dst),
      });
    assert.deepEqual(ipJson('route', 'show', 'table', '1000'), []);
  } finally {
    sock.close();
    teardown(d1, d2);
  }
});

test('route errors: an unreachable gateway gives the kernel text; a malformed one the attribute path', async () => {
  const sock = RtnlSocket.openSync();
  const { d1, d2, i1 } = setup();
  try {
    const c = new RtRouteClient(sock);
    const header = {
      rtmFamily: AF_INET,
      rtmDstLen: 24,
      rtmTable: 254,
      rtmType: 'unicast',
    } as const;
    const unreachable = await c
      .newroute(
        { header, dst: v4('10.99.0.0'), gateway: v4('192.0.2.1'), oif: i1 },
        { create: true },
      )
      .then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
    assert.ok(unreachable instanceof NetlinkError, String(unreachable));
    assert.equal(unreachable.code, 'ENETUNREACH');
    assert.equal(unreachable.extack.message, 'Nexthop has invalid gateway');
    assert.equal(
      unreachable.message,
      'rt-route newroute: Nexthop has invalid gateway (ENETUNREACH)',
    );
    const malformed = await c
      .newroute(
        { header, dst: v4('10.99.0.0'), gateway: Uint8Array.of(192, 0, 2), oif: i1 },
        { create: true },
      )
      .then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
    assert.ok(malformed instanceof NetlinkError, String(malformed));
    assert.equal(malformed.extack.attrPath, 'gateway');
    assert.match(
      malformed.message,
      /Attribute failed policy validation \(ERANGE\) at attribute gateway/,
    );
  } finally {
    sock.close();
    teardown(d1, d2);
  }
});

test('strict checking: a getroute dump filtered by the header rtm_table returns that table only (without strict checking, all)', async () => {
  const strict = RtnlSocket.openSync();
  const loose = RtnlSocket.openSync({ strict: false });
  const { d1, d2 } = setup();
  try {
    ip('route', 'add', '10.85.0.0/24', 'via', '10.71.0.2', 'table', '100');
    const filtered = await dumpTable(new RtRouteClient(strict), 100);
    assert.deepEqual(
      filtered.map((r) => [r.table, text(r.dst!)]),
      [[100, '10.85.0.0']],
    );
    // strict checking also rejects what a dump request may not carry, with the kernel's text
    await assert.rejects(
      async () => {
        for await (const r of new RtRouteClient(strict).getrouteDump({
          header: { rtmFamily: AF_INET, rtmDstLen: 8 },
        }))
          assert.fail(`a route of a rejected dump: ${String(r.dst)}`);
      },
      (e: unknown) =>
        e instanceof NetlinkError &&
        e.code === 'EINVAL' &&
        e.message === 'rt-route getroute: Invalid values in header for FIB dump request (EINVAL)',
    );
    const all = await dumpTable(new RtRouteClient(loose), 100);
    assert.ok(
      all.some((r) => r.table !== 100),
      'without NETLINK_GET_STRICT_CHK the kernel ignores the filter',
    );
  } finally {
    strict.close();
    loose.close();
    teardown(d1, d2);
  }
});
