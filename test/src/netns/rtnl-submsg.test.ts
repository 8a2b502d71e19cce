// Sub-messages against the host kernel, in this private network namespace,
// with iproute2 as the peer: the kind-specific data of links (bridge, vxlan,
// veth, and the bridge port data of an enslaved veth) and the options of an
// htb qdisc and class, both directions. What `ip`/`tc` create decodes through
// our dumps and gets equal to `ip -j -d link show` / `tc -j qdisc show` (and
// tc's class text, which iproute2 6.1 prints without JSON), field for field;
// what we create shows up in them as we asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { NLM_F_ECHO, NetlinkError, RtnlSocket, selects } from '@ynl-ts/runtime';
import { RtLinkClient, type GetlinkDumpReply, type LinkinfoAttrs } from '@ynl-ts/families/rt-link';
import { TcClient } from '@ynl-ts/families/tc';
import { bytes, ip, ipJson, mac, tag, text, veth } from './rtnl-helpers.js';

type Json = Record<string, unknown>;

/** `ip -j -d link show dev NAME`: its linkinfo. */
function ipLinkinfo(name: string): Json {
  return (ipJson<Json[]>('-d', 'link', 'show', 'dev', name)[0]!['linkinfo'] ?? {}) as Json;
}

/** ip's name of a netlink attribute (`forward_delay`) from ours (`forwardDelay`). */
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Our numeric fields that ip prints as numbers, each equal to ip's (a 0/1 u8 ip prints as a boolean). */
function sameNumbers(ours: Json, theirs: Json, fields: readonly string[], what: string): void {
  for (const f of fields) {
    const t = theirs[snake(f)];
    assert.notEqual(t, undefined, `${what}: ip prints no ${snake(f)}`);
    const o = ours[f];
    assert.equal(typeof t === 'boolean' ? o === 1 : o, t, `${what}.${f}`);
  }
}

const BRIDGE_FIELDS = [
  'forwardDelay',
  'helloTime',
  'maxAge',
  'ageingTime',
  'stpState',
  'priority',
  'vlanFiltering',
  'mcastSnooping',
  'mcastRouter',
  'mcastHashMax',
  'mcastIgmpVersion',
  'nfCallIptables',
] as const;
const VXLAN_FIELDS = ['id', 'ttl', 'learning', 'ageing', 'port', 'udpCsum'] as const;
const BRPORT_FIELDS = ['priority', 'cost', 'learning', 'designatedPort', 'mcastFlood'] as const;

async function dumpLinks(links: RtLinkClient): Promise<Map<string, GetlinkDumpReply>> {
  const out = new Map<string, GetlinkDumpReply>();
  for await (const l of links.getlinkDump({ header: {} })) out.set(l.ifname!, l);
  return out;
}

function del(...names: string[]): void {
  for (const n of names) spawnSync('ip', ['link', 'del', n]);
}

test('sub-messages decoded: bridge, vxlan, veth and bridge-port data of links ip created equal ip -j -d', async () => {
  const sock = RtnlSocket.openSync();
  const [br, vx, va, vb] = [`${tag}sbr`, `${tag}svx`, `${tag}sva`, `${tag}svb`];
  try {
    ip(
      ...['link', 'add', br, 'type', 'bridge', 'stp_state', '1', 'forward_delay', '1000'],
      ...['hello_time', '300', 'max_age', '2500', 'ageing_time', '20000', 'priority', '100'],
    );
    ip(
      ...['link', 'add', vx, 'type', 'vxlan', 'id', '42', 'dstport', '4789'],
      ...['local', '10.9.8.7', 'ttl', '10', 'ageing', '600', 'nolearning'],
    );
    ip('link', 'add', va, 'type', 'veth', 'peer', 'name', vb);
    ip('link', 'set', va, 'master', br);
    const links = await dumpLinks(new RtLinkClient(sock));

    const b = links.get(br)!.linkinfo!;
    const ipB = ipLinkinfo(br);
    assert.equal(b.kind, 'bridge');
    assert.ok(selects(b, 'kind', 'bridge') && b.data !== undefined);
    const bd = b.data as Json;
    sameNumbers(bd, ipB['info_data'] as Json, BRIDGE_FIELDS, 'bridge');
    assert.equal(mac(bd['groupAddr'] as Uint8Array), (ipB['info_data'] as Json)['group_addr']);
    assert.equal(bd['stpState'], 1, 'the options given to ip');
    assert.equal(bd['forwardDelay'], 1000);

    const x = links.get(vx)!.linkinfo!;
    const ipX = ipLinkinfo(vx)['info_data'] as Json;
    assert.ok(selects(x, 'kind', 'vxlan') && x.data !== undefined);
    const xd = x.data as Json;
    sameNumbers(xd, ipX, VXLAN_FIELDS, 'vxlan');
    assert.equal(text(xd['local'] as Uint8Array), ipX['local']);
    assert.deepEqual(xd['portRange'], ipX['port_range']);
    assert.deepEqual(
      [xd['id'], xd['port'], xd['ttl'], xd['learning'], xd['ageing']],
      [42, 4789, 10, 0, 600],
    );

    // a veth enslaved to the bridge: kind veth (no data in a dump), slave kind bridge with port data
    const v = links.get(va)!.linkinfo!;
    const ipV = ipLinkinfo(va);
    assert.equal(v.kind, ipV['info_kind']);
    assert.equal(v.slaveKind, ipV['info_slave_kind']);
    assert.ok(selects(v, 'slaveKind', 'bridge') && v.slaveData !== undefined);
    sameNumbers(v.slaveData as Json, ipV['info_slave_data'] as Json, BRPORT_FIELDS, 'brport');

    // every link of the dump with kind data: each field ip prints for it, as ours
    for (const [name, l] of links) {
      const info = ipLinkinfo(name);
      assert.equal(l.linkinfo?.kind, info['info_kind'], name);
      const data = l.linkinfo?.data;
      assert.ok(!(data instanceof Uint8Array), `${name}: ${String(l.linkinfo?.kind)} data decoded`);
    }
  } finally {
    sock.close();
    del(va, br, vx);
  }
});

test('sub-messages encoded: a bridge with options, a veth pair with its peer, a vxlan; ip -j -d shows them', async () => {
  const sock = RtnlSocket.openSync();
  const links = new RtLinkClient(sock);
  const [br, vx, pa, pb] = [`${tag}ebr`, `${tag}evx`, `${tag}epa`, `${tag}epb`];
  const create = { create: true, excl: true };
  try {
    const bridge: LinkinfoAttrs = {
      kind: 'bridge',
      data: { stpState: 1, forwardDelay: 1200, helloTime: 400, maxAge: 3000, priority: 200 },
    };
    await links.newlink({ header: {}, ifname: br, linkinfo: bridge }, create);
    const ipB = ipLinkinfo(br);
    assert.equal(ipB['info_kind'], 'bridge');
    sameNumbers(
      bridge.data as Json,
      ipB['info_data'] as Json,
      ['stpState', 'forwardDelay', 'helloTime', 'maxAge', 'priority'],
      'bridge',
    );

    // the peer: its ifinfomsg and IFLA_* attributes in VETH_INFO_PEER
    const peer = { ifiFamily: 0, ifiType: 0, ifiIndex: 0, ifiFlags: [], ifiChange: 0 };
    await links.newlink(
      {
        header: {},
        ifname: pa,
        mtu: 1400,
        linkinfo: { kind: 'veth', data: { peer: { header: peer, ifname: pb, mtu: 1300 } } },
      },
      create,
    );
    const [a, b] = [pa, pb].map((n) => ipJson<Json[]>('-d', 'link', 'show', 'dev', n)[0]!);
    assert.equal((a!['linkinfo'] as Json)['info_kind'], 'veth');
    assert.equal((b!['linkinfo'] as Json)['info_kind'], 'veth');
    assert.equal(a!['mtu'], 1400);
    assert.equal(b!['mtu'], 1300, 'the peer took the mtu given in VETH_INFO_PEER');
    assert.equal(a!['link'], pb, 'each end names the other');
    assert.equal(b!['link'], pa);

    const vxlan: LinkinfoAttrs = {
      kind: 'vxlan',
      data: { id: 77, port: 4790, local: bytes('10.1.2.3'), ttl: 20, learning: 0, ageing: 900 },
    };
    await links.newlink({ header: {}, ifname: vx, linkinfo: vxlan }, create);
    const ipX = ipLinkinfo(vx);
    assert.equal(ipX['info_kind'], 'vxlan');
    const xd = ipX['info_data'] as Json;
    sameNumbers(vxlan.data as Json, xd, ['id', 'port', 'ttl', 'learning', 'ageing'], 'vxlan');
    assert.equal(xd['local'], '10.1.2.3');

    // the kernel's ext-ack offset, inside the sub-message, names the attribute of its format
    await assert.rejects(
      links.newlink(
        { header: {}, ifname: `${tag}ebad`, linkinfo: { kind: 'vxlan', data: { id: 1 << 24 } } },
        create,
      ),
      (e: unknown) =>
        e instanceof NetlinkError &&
        e.code === 'ERANGE' &&
        e.extack.attrPath === 'linkinfo.data.id' &&
        /VXLAN ID/i.test(e.extack.message ?? ''),
    );

    // and our own dump reads back what we sent
    const back = (await dumpLinks(links)).get(vx)!.linkinfo!;
    assert.ok(selects(back, 'kind', 'vxlan'));
    assert.deepEqual(
      (({ id, port, ttl, learning, ageing }) => ({ id, port, ttl, learning, ageing }))(back.data!),
      { id: 77, port: 4790, ttl: 20, learning: 0, ageing: 900 },
    );
  } finally {
    sock.close();
    del(br, pa, vx);
  }
});

/** `1Mbit`, `2Kbit`, `800bit` (tc's rate text) in bytes per second. */
function rateBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)bit$/.exec(s);
  assert.ok(m, `rate ${s}`);
  const unit = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'K' | 'M' | 'G'];
  return Math.round((Number(m[1]) * unit) / 8);
}

/** The fields of tc's text line for an htb class (`-d`): prio, quantum, rate, ceil. */
function tcClass(dev: string, id: string): Record<string, string> {
  const r = spawnSync('tc', ['-d', 'class', 'show', 'dev', dev, 'classid', id], {
    encoding: 'utf8',
  });
  const words = r.stdout.trim().split(/\s+/);
  const out: Record<string, string> = {};
  for (const k of ['prio', 'quantum', 'rate', 'ceil', 'level']) {
    const i = words.indexOf(k);
    if (i >= 0) out[k] = words[i + 1]!;
  }
  return out;
}

function tc(...args: string[]): void {
  const r = spawnSync('tc', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tc ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

const ROOT = 0xffffffff;
const handle = (major: number, minor: number): number => ((major << 16) | minor) >>> 0;

test('tc htb: a qdisc and class tc made decode like tc shows them; ours show in tc as we sent them', async () => {
  const sock = RtnlSocket.openSync();
  const tcc = new TcClient(sock);
  const [d0, e0] = [`${tag}t0`, `${tag}u0`];
  try {
    const [i0, j0] = [veth(d0), veth(e0)];

    // tc creates, we decode
    tc('qdisc', 'add', 'dev', d0, 'root', 'handle', '1:', 'htb', 'default', '10', 'r2q', '5');
    tc(
      ...['class', 'add', 'dev', d0, 'parent', '1:', 'classid', '1:10', 'htb'],
      ...['rate', '1mbit', 'ceil', '2mbit', 'prio', '3', 'quantum', '1600'],
    );
    const qdiscs = [];
    for await (const q of tcc.getqdiscDump({ header: { ifindex: i0 } })) qdiscs.push(q);
    const q = qdiscs.find((x) => x.header.ifindex === i0 && x.header.handle === handle(1, 0))!;
    assert.ok(q, 'the htb root qdisc is in the dump');
    const ipQ = (
      JSON.parse(
        spawnSync('tc', ['-j', 'qdisc', 'show', 'dev', d0], { encoding: 'utf8' }).stdout,
      ) as Json[]
    )[0]!;
    assert.equal(q.kind, ipQ['kind']);
    assert.ok(selects(q, 'kind', 'htb') && q.options !== undefined);
    const o = ipQ['options'] as Json;
    assert.equal(q.options.init?.rate2quantum, o['r2q']);
    assert.equal(q.options.init?.defcls, Number(o['default']));
    assert.equal(q.options.directQlen, o['direct_qlen']);
    assert.equal(q.options.init?.directPkts, o['direct_packets_stat']);

    // RTM_GETTCLASS answers through the notification path: NLM_F_ECHO gets it to us
    const c = await tcc.gettclass(
      { header: { ifindex: i0, handle: handle(1, 0x10), parent: 0 } },
      { flags: NLM_F_ECHO },
    );
    assert.ok(selects(c, 'kind', 'htb') && c.options?.parms !== undefined);
    const shown = tcClass(d0, '1:10');
    assert.equal(c.options.parms.prio, Number(shown['prio']));
    assert.equal(c.options.parms.quantum, Number(shown['quantum']));
    assert.equal(c.options.parms.rate.rate, rateBytes(shown['rate']!));
    assert.equal(c.options.parms.ceil.rate, rateBytes(shown['ceil']!));
    assert.equal(c.options.parms.rate.rate, 125000, '1mbit');
    // stats2.app: selected by the kind of the set around stats2 (tc_htb_xstats), as xstats
    const app = c.stats2?.app;
    assert.ok(app !== undefined && !(app instanceof Uint8Array) && 'ctokens' in app, 'htb xstats');
    assert.deepEqual(c.xstats, app);
    const st = spawnSync('tc', ['-s', '-d', 'class', 'show', 'dev', d0, 'classid', '1:10'], {
      encoding: 'utf8',
    }).stdout;
    const num = (k: string): number => Number(new RegExp(`\\b${k}: (-?\\d+)`).exec(st)![1]);
    assert.deepEqual(
      [app.lends, app.borrows, app.giants, app.tokens, app.ctokens],
      [num('lended'), num('borrowed'), num('giants'), num('tokens'), num('ctokens')],
    );

    // we create, tc shows
    await tcc.newqdisc(
      {
        header: { ifindex: j0, handle: handle(2, 0), parent: ROOT },
        kind: 'htb',
        options: { init: { version: 3, rate2quantum: 7, defcls: 0x20, debug: 0, directPkts: 0 } },
      },
      { create: true, excl: true },
    );
    const ipQ2 = (
      JSON.parse(
        spawnSync('tc', ['-j', 'qdisc', 'show', 'dev', e0], { encoding: 'utf8' }).stdout,
      ) as Json[]
    )[0]!;
    assert.equal(ipQ2['kind'], 'htb');
    assert.equal(ipQ2['handle'], '2:');
    assert.equal((ipQ2['options'] as Json)['r2q'], 7);
    assert.equal((ipQ2['options'] as Json)['default'], '0x20');
    const spec = (rate: number) => ({
      cellLog: 0,
      linklayer: 1,
      overhead: 0,
      cellAlign: 0,
      mpu: 0,
      rate,
    });
    await tcc.newtclass(
      {
        header: { ifindex: j0, handle: handle(2, 0x20), parent: handle(2, 0) },
        kind: 'htb',
        options: {
          parms: {
            rate: spec(250000),
            ceil: spec(500000),
            buffer: 20000,
            cbuffer: 20000,
            quantum: 3000,
            level: 0,
            prio: 2,
          },
        },
      },
      { create: true, excl: true },
    );
    const ours = tcClass(e0, '2:20');
    assert.equal(rateBytes(ours['rate']!), 250000);
    assert.equal(rateBytes(ours['ceil']!), 500000);
    assert.equal(ours['prio'], '2');
    assert.equal(ours['quantum'], '3000');
  } finally {
    sock.close();
    del(d0, e0);
  }
});
