// rtnetlink addresses (IPv4 and IPv6, flags, lifetimes) on the host kernel in
// this private network namespace, both directions against `ip -j addr`;
// the kernel's extended ACK for an address that exists; a dump filtered by
// the ifa_index of its fixed header (honoured under strict checking).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetlinkError, RtnlSocket } from '@ynl-ts/runtime';
import { RtAddrClient, type GetaddrDumpReply } from '@ynl-ts/families/rt-addr';
import { bytes, ip, ipJson, tag, text, veth } from './rtnl-helpers.js';

const AF_INET = 2;
const AF_INET6 = 10;

interface IpAddr {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
  label?: string;
  valid_life_time: number;
  preferred_life_time: number;
  [flag: string]: unknown;
}

/** The IFA_F_* flags ip -j prints as booleans, by their spec names (ip says `dynamic` for "not permanent"). */
const ipFlag: Record<string, string> = {
  nodad: 'nodad',
  noprefixroute: 'noprefixroute',
  deprecated: 'deprecated',
  tentative: 'tentative',
  dadfailed: 'dadfailed',
  mcautojoin: 'autojoin',
  managetempaddr: 'mngtmpaddr',
  optimistic: 'optimistic',
};

const scopes: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host' };

/** Our decoded address in the fields ip -j prints (lifetimes apart). */
function asIp(a: GetaddrDumpReply): Record<string, unknown> {
  const flags = new Set(a.flags ?? a.header.ifaFlags);
  const out: Record<string, unknown> = {
    family: a.header.ifaFamily === AF_INET ? 'inet' : 'inet6',
    local: text(a.local ?? a.address!),
    prefixlen: a.header.ifaPrefixlen,
    scope: scopes[a.header.ifaScope] ?? String(a.header.ifaScope),
  };
  if (a.label !== undefined) out['label'] = a.label;
  if (!flags.has('permanent')) out['dynamic'] = true;
  for (const [ours, theirs] of Object.entries(ipFlag))
    if (flags.has(ours as never)) out[theirs] = true;
  return out;
}

function ipView(a: IpAddr): Record<string, unknown> {
  const out: Record<string, unknown> = {
    family: a.family,
    local: a.local,
    prefixlen: a.prefixlen,
    scope: a.scope,
  };
  if (a.label !== undefined) out['label'] = a.label;
  for (const k of ['dynamic', ...Object.values(ipFlag)]) if (a[k] === true) out[k] = true;
  return out;
}

function ipAddrs(dev: string): IpAddr[] {
  return ipJson<{ addr_info: IpAddr[] }[]>('addr', 'show', 'dev', dev)[0]!.addr_info;
}

async function ours(c: RtAddrClient, index: number): Promise<GetaddrDumpReply[]> {
  const out: GetaddrDumpReply[] = [];
  for await (const a of c.getaddrDump({ header: { ifaIndex: index } })) out.push(a);
  return out;
}

/** Lifetimes count down each second: equal up to the seconds between the two reads. */
function closeTo(a: number, b: number, what: string): void {
  if (a === 0xffffffff || b === 0xffffffff) assert.equal(a, b, what);
  else assert.ok(Math.abs(a - b) <= 3, `${what}: ${a} vs ${b}`);
}

test('addresses ip adds (IPv4 and IPv6, flags, lifetimes) decode through the getaddr dump like ip -j shows them', async () => {
  const sock = RtnlSocket.openSync();
  const dev = `${tag}a1`;
  try {
    const index = veth(dev);
    ip(
      'addr',
      'add',
      '10.31.0.1/24',
      'dev',
      dev,
      'label',
      `${dev}:x`,
      'valid_lft',
      '1000',
      'preferred_lft',
      '500',
    );
    ip('addr', 'add', '10.32.0.1/16', 'dev', dev, 'noprefixroute');
    ip(
      'addr',
      'add',
      '2001:db8:31::1/64',
      'dev',
      dev,
      'nodad',
      'valid_lft',
      '2000',
      'preferred_lft',
      '0',
    );
    const c = new RtAddrClient(sock);
    const got = await ours(c, index);
    const theirs = ipAddrs(dev);
    const key = (x: Record<string, unknown>): string => String(x['local']);
    assert.deepEqual(
      got.map(asIp).sort((a, b) => key(a).localeCompare(key(b))),
      theirs.map(ipView).sort((a, b) => key(a).localeCompare(key(b))),
    );
    for (const t of theirs) {
      const o = got.find((a) => text(a.local ?? a.address!) === t.local)!;
      closeTo(o.cacheinfo!.ifaValid, t.valid_life_time, `${t.local} valid`);
      closeTo(o.cacheinfo!.ifaPrefered, t.preferred_life_time, `${t.local} preferred`);
    }
    // preferred_lft 0: deprecated, as ip says
    assert.ok(
      asIp(got.find((a) => a.header.ifaFamily === AF_INET6 && a.header.ifaScope === 0)!)[
        'deprecated'
      ],
    );
  } finally {
    sock.close();
    ip('link', 'del', dev);
  }
});

test('addresses we add (IPv4 and IPv6, flags, lifetimes) show in ip -j addr; deleting them too', async () => {
  const sock = RtnlSocket.openSync();
  const dev = `${tag}a2`;
  try {
    const index = veth(dev);
    const c = new RtAddrClient(sock);
    const v4 = bytes('10.41.0.1');
    await c.newaddr(
      {
        header: { ifaFamily: AF_INET, ifaPrefixlen: 24, ifaIndex: index },
        local: v4,
        address: v4,
        label: `${dev}:y`,
        cacheinfo: { ifaValid: 900, ifaPrefered: 400, cstamp: 0, tstamp: 0 },
        flags: ['noprefixroute'],
      },
      { create: true, excl: true },
    );
    await c.newaddr(
      {
        header: { ifaFamily: AF_INET6, ifaPrefixlen: 64, ifaIndex: index },
        address: bytes('2001:db8:41::1'),
        flags: ['nodad'],
      },
      { create: true, excl: true },
    );
    const theirs = ipAddrs(dev);
    const v4ip = theirs.find((a) => a.local === '10.41.0.1')!;
    assert.deepEqual(ipView(v4ip), {
      family: 'inet',
      local: '10.41.0.1',
      prefixlen: 24,
      scope: 'global',
      label: `${dev}:y`,
      dynamic: true,
      noprefixroute: true,
    });
    closeTo(v4ip.valid_life_time, 900, 'valid');
    closeTo(v4ip.preferred_life_time, 400, 'preferred');
    const v6ip = theirs.find((a) => a.local === '2001:db8:41::1')!;
    assert.deepEqual(ipView(v6ip), {
      family: 'inet6',
      local: '2001:db8:41::1',
      prefixlen: 64,
      scope: 'global',
      nodad: true,
    });
    assert.equal(v6ip.valid_life_time, 0xffffffff, 'forever');
    await c.deladdr({
      header: { ifaFamily: AF_INET, ifaPrefixlen: 24, ifaIndex: index },
      local: v4,
    });
    await c.deladdr({
      header: { ifaFamily: AF_INET6, ifaPrefixlen: 64, ifaIndex: index },
      address: bytes('2001:db8:41::1'),
    });
    assert.deepEqual(
      ipAddrs(dev).filter((a) => a.scope === 'global'),
      [],
    );
  } finally {
    sock.close();
    ip('link', 'del', dev);
  }
});

test('an address that exists: EEXIST with the kernel extended ACK text', async () => {
  const sock = RtnlSocket.openSync();
  const dev = `${tag}a3`;
  try {
    const index = veth(dev);
    ip('addr', 'add', '10.51.0.1/24', 'dev', dev);
    const c = new RtAddrClient(sock);
    const err = await c
      .newaddr(
        {
          header: { ifaFamily: AF_INET, ifaPrefixlen: 24, ifaIndex: index },
          local: bytes('10.51.0.1'),
          address: bytes('10.51.0.1'),
        },
        { create: true, excl: true },
      )
      .then(
        () => assert.fail('no error'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof NetlinkError, String(err));
    assert.equal(err.code, 'EEXIST');
    assert.equal(err.extack.message, 'ipv4: Address already assigned');
    assert.match(err.message, /^rt-addr newaddr: ipv4: Address already assigned \(EEXIST\)/);
  } finally {
    sock.close();
    ip('link', 'del', dev);
  }
});

test('strict checking: a getaddr dump filtered by the header ifa_index returns that device only (without strict checking, all)', async () => {
  const [d1, d2] = [`${tag}f1`, `${tag}f2`];
  const strict = RtnlSocket.openSync();
  const loose = RtnlSocket.openSync({ strict: false });
  try {
    const i1 = veth(d1);
    const i2 = veth(d2);
    ip('addr', 'add', '10.61.0.1/24', 'dev', d1);
    ip('addr', 'add', '10.62.0.1/24', 'dev', d2);
    const filtered = await ours(new RtAddrClient(strict), i1);
    assert.ok(filtered.length > 0);
    assert.deepEqual([...new Set(filtered.map((a) => a.header.ifaIndex))], [i1]);
    const all = await ours(new RtAddrClient(loose), i1);
    assert.ok(
      all.some((a) => a.header.ifaIndex === i2),
      'without NETLINK_GET_STRICT_CHK the kernel ignores the filter',
    );
  } finally {
    strict.close();
    loose.close();
    for (const d of [d1, d2]) ip('link', 'del', d);
  }
});
