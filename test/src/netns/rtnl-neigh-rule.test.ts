// rtnetlink neighbours (permanent entries, IPv4 and IPv6) and policy rules
// (priority, table, fwmark) on the host kernel in this private network
// namespace, both directions against `ip -j neigh` / `ip -j rule`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtnlSocket } from '@ynl-ts/runtime';
import { RtNeighClient, type GetneighDumpReply } from '@ynl-ts/families/rt-neigh';
import { RtRuleClient, type GetruleDumpReply } from '@ynl-ts/families/rt-rule';
import { bytes, ip, ipJson, mac, tag, text, veth } from './rtnl-helpers.js';

const AF_INET = 2;
const AF_INET6 = 10;

interface IpNeigh {
  dst: string;
  lladdr?: string;
  state: string[];
}

function asIpNeigh(n: GetneighDumpReply): IpNeigh {
  return {
    dst: text(n.dst!),
    ...(n.lladdr ? { lladdr: mac(n.lladdr)! } : {}),
    state: n.header.ndmState.map((s) => String(s).toUpperCase()),
  };
}

async function neighs(c: RtNeighClient, family: number, index: number): Promise<IpNeigh[]> {
  const out: IpNeigh[] = [];
  for await (const n of c.getneighDump({ header: { ndmFamily: family }, ifindex: index }))
    out.push(asIpNeigh(n));
  return out;
}

test('permanent neighbours ip adds decode like ip -j neigh shows them; ours show in ip -j neigh', async () => {
  const sock = RtnlSocket.openSync();
  const dev = `${tag}h1`;
  try {
    const index = veth(dev);
    ip('neigh', 'add', '10.33.0.5', 'lladdr', '02:00:00:00:00:05', 'dev', dev, 'nud', 'permanent');
    ip(
      'neigh',
      'add',
      '2001:db8:33::5',
      'lladdr',
      '02:00:00:00:00:06',
      'dev',
      dev,
      'nud',
      'permanent',
    );
    const c = new RtNeighClient(sock);
    const theirs = (): IpNeigh[] =>
      ipJson<IpNeigh[]>('neigh', 'show', 'dev', dev).filter((n) => n.state.includes('PERMANENT'));
    const both = async (): Promise<IpNeigh[]> => [
      ...(await neighs(c, AF_INET, index)),
      ...(await neighs(c, AF_INET6, index)),
    ];
    assert.deepEqual(
      (await both()).filter((n) => n.state.includes('PERMANENT')),
      theirs(),
    );
    for (const [family, dst, ll] of [
      [AF_INET, '10.33.0.7', Uint8Array.of(2, 0, 0, 0, 0, 7)],
      [AF_INET6, '2001:db8:33::7', Uint8Array.of(2, 0, 0, 0, 0, 8)],
    ] as const)
      await c.newneigh(
        {
          header: { ndmFamily: family, ndmIfindex: index, ndmState: ['permanent'] },
          dst: bytes(dst),
          lladdr: ll,
        },
        { create: true, excl: true },
      );
    const after = theirs();
    assert.deepEqual(
      after.filter((n) => n.dst.endsWith('7')),
      [
        { dst: '10.33.0.7', lladdr: '02:00:00:00:00:07', state: ['PERMANENT'] },
        { dst: '2001:db8:33::7', lladdr: '02:00:00:00:00:08', state: ['PERMANENT'] },
      ],
    );
    assert.deepEqual(
      (await both()).filter((n) => n.state.includes('PERMANENT')),
      after,
    );
    await c.delneigh({
      header: { ndmFamily: AF_INET, ndmIfindex: index },
      dst: bytes('10.33.0.7'),
    });
    assert.ok(!theirs().some((n) => n.dst === '10.33.0.7'), 'deleted');
  } finally {
    sock.close();
    ip('link', 'del', dev);
  }
});

interface IpRule {
  priority: number;
  table: string;
  fwmark?: string;
  fwmask?: string;
}

const tables: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };

function asIpRule(r: GetruleDumpReply): IpRule {
  const table = r.table ?? r.header.table;
  const out: IpRule = { priority: r.priority ?? 0, table: tables[table] ?? String(table) };
  if (r.fwmark !== undefined) out.fwmark = `0x${r.fwmark.toString(16)}`;
  if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) out.fwmask = `0x${r.fwmask.toString(16)}`;
  return out;
}

function ipRules(): IpRule[] {
  return ipJson<IpRule[]>('rule', 'show').map((r) => ({
    priority: r.priority,
    table: r.table,
    ...(r.fwmark !== undefined ? { fwmark: r.fwmark } : {}),
    ...(r.fwmask !== undefined ? { fwmask: r.fwmask } : {}),
  }));
}

async function rules(c: RtRuleClient): Promise<IpRule[]> {
  const out: IpRule[] = [];
  for await (const r of c.getruleDump({ header: { family: AF_INET } })) out.push(asIpRule(r));
  return out;
}

test('rules (priority, table, fwmark) ip adds decode like ip -j rule shows them; ours show in ip -j rule', async () => {
  const sock = RtnlSocket.openSync();
  try {
    ip('rule', 'add', 'priority', '1000', 'fwmark', '0x10', 'table', '100');
    ip('rule', 'add', 'priority', '1001', 'fwmark', '0x10/0xff', 'table', '101');
    const c = new RtRuleClient(sock);
    assert.deepEqual(await rules(c), ipRules());
    await c.newrule(
      {
        header: { family: AF_INET, action: 'toTbl' },
        priority: 2000,
        fwmark: 0x20,
        fwmask: 0xf0,
        table: 1200,
      },
      { create: true, excl: true },
    );
    const mine = ipRules().find((r) => r.priority === 2000);
    assert.deepEqual(mine, { priority: 2000, table: '1200', fwmark: '0x20', fwmask: '0xf0' });
    assert.deepEqual(await rules(c), ipRules());
    await c.delrule({ header: { family: AF_INET, action: 'toTbl' }, priority: 2000, table: 1200 });
    assert.equal(
      ipRules().find((r) => r.priority === 2000),
      undefined,
      'deleted',
    );
  } finally {
    sock.close();
    for (const p of ['1000', '1001', '2000']) {
      try {
        ip('rule', 'del', 'priority', p);
      } catch {
        // already gone
      }
    }
  }
});
