// rtnetlink links on the host kernel, in this private network namespace,
// with iproute2 as the peer: what `ip link add` creates decodes through our
// getlink / getlink dump field for field against `ip -j link show`; what we
// change (mtu, up/down, name, master) and create/delete shows in `ip -j`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetlinkError, RtnlSocket } from '@ynl-ts/runtime';
import { RtLinkClient, type GetlinkDumpReply } from '@ynl-ts/families/rt-link';
import { ip, ipJson, mac, operstates, tag } from './rtnl-helpers.js';

interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  operstate: string;
  address?: string;
  master?: string;
  flags: string[];
}

function ipLink(name: string): IpLink {
  return ipJson<IpLink[]>('link', 'show', 'dev', name)[0]!;
}

/** The fields `ip -j link show` prints, from our decoded link (master by name, as ip prints it). */
function asIp(l: GetlinkDumpReply, names: ReadonlyMap<number, string>): Partial<IpLink> {
  return {
    ifindex: l.header.ifiIndex,
    ifname: l.ifname!,
    mtu: l.mtu!,
    operstate: operstates[l.operstate!]!,
    ...(l.address !== undefined ? { address: mac(l.address)! } : {}),
    ...(l.master !== undefined ? { master: names.get(l.master)! } : {}),
  };
}

function pick(l: IpLink): Partial<IpLink> {
  return {
    ifindex: l.ifindex,
    ifname: l.ifname,
    mtu: l.mtu,
    operstate: l.operstate,
    ...(l.address !== undefined ? { address: l.address } : {}),
    ...(l.master !== undefined ? { master: l.master } : {}),
  };
}

test('links: a veth pair and a bridge from ip decode through getlink and the dump like ip -j shows them', async () => {
  const sock = RtnlSocket.openSync();
  const [va, vb, br] = [`${tag}va`, `${tag}vb`, `${tag}br`];
  try {
    ip('link', 'add', va, 'mtu', '1400', 'type', 'veth', 'peer', 'name', vb);
    ip('link', 'add', br, 'type', 'bridge');
    ip('link', 'set', va, 'master', br);
    ip('link', 'set', va, 'up');
    ip('link', 'set', vb, 'up');
    ip('link', 'set', br, 'up');
    const links = new RtLinkClient(sock);
    const dumped: GetlinkDumpReply[] = [];
    for await (const l of links.getlinkDump()) dumped.push(l); // no header: zeros, all links
    const names = new Map(dumped.map((l) => [l.header.ifiIndex, l.ifname!]));
    const ipAll = ipJson<IpLink[]>('link', 'show');
    assert.deepEqual(
      dumped.map((l) => asIp(l, names)),
      ipAll.map(pick),
      'the dump equals ip -j link show, link for link',
    );
    for (const name of [va, vb, br]) {
      const one = await links.getlink({ ifname: name });
      assert.deepEqual(asIp(one, names), pick(ipLink(name)), name);
    }
    const a = await links.getlink({ ifname: va });
    assert.equal(names.get(a.master!), br, 'the veth is enslaved to the bridge');
    assert.equal(a.linkinfo?.kind, 'veth');
    assert.equal(a.mtu, 1400);
    assert.ok(a.header.ifiFlags.includes('up'));
  } finally {
    sock.close();
    for (const n of [va, br]) spawnDel(n);
  }
});

test('links: we create a bridge, set mtu, up/down, name, master and delete; ip -j shows each step', async () => {
  const sock = RtnlSocket.openSync();
  const links = new RtLinkClient(sock);
  const [br, va, vb, renamed] = [`${tag}b2`, `${tag}x`, `${tag}y`, `${tag}b3`];
  try {
    await links.newlink(
      { ifname: br, mtu: 1450, linkinfo: { kind: 'bridge' } },
      { create: true, excl: true },
    );
    let shown = ipLink(br);
    assert.equal(shown.mtu, 1450);
    assert.equal(shown.operstate, 'DOWN');
    // create + excl: a second one is EEXIST
    await assert.rejects(
      links.newlink({ ifname: br, linkinfo: { kind: 'bridge' } }, { create: true, excl: true }),
      (e: unknown) => e instanceof NetlinkError && e.code === 'EEXIST',
    );
    const index = shown.ifindex;
    await links.setlink({ header: { ifiIndex: index }, mtu: 1300 });
    assert.equal(ipLink(br).mtu, 1300);
    await links.setlink({ header: { ifiIndex: index, ifiFlags: ['up'], ifiChange: 1 } });
    assert.ok(ipLink(br).flags.includes('UP'), 'up');
    await links.setlink({ header: { ifiIndex: index, ifiFlags: [], ifiChange: 1 } });
    assert.ok(!ipLink(br).flags.includes('UP'), 'down');
    await links.setlink({ header: { ifiIndex: index }, ifname: renamed });
    shown = ipLink(renamed);
    assert.equal(shown.ifindex, index, 'renamed, same ifindex');
    ip('link', 'add', va, 'type', 'veth', 'peer', 'name', vb);
    const vIndex = ipLink(va).ifindex;
    await links.setlink({ header: { ifiIndex: vIndex }, master: index });
    assert.equal(ipLink(va).master, renamed, 'enslaved to the bridge');
    await links.setlink({ header: { ifiIndex: vIndex }, master: 0 });
    assert.equal(ipLink(va).master, undefined, 'released');
    await links.dellink({ header: { ifiIndex: index } });
    await links.dellink({ ifname: va });
    assert.deepEqual(
      ipJson<IpLink[]>('link', 'show').filter((l) => [renamed, va, vb].includes(l.ifname)),
      [],
      'deleted (the veth peer with it)',
    );
  } finally {
    sock.close();
    for (const n of [br, renamed, va]) spawnDel(n);
  }
});

function spawnDel(name: string): void {
  try {
    ip('link', 'del', name);
  } catch {
    // already gone
  }
}
