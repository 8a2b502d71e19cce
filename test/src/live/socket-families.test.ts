// GenlSocket against the host kernel: family resolution, the nlctrl dump
// compared with iproute2's `genl ctrl list` (an independent netlink client),
// unknown families, many requests in flight on one socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { GenlSocket, NetlinkError, ctrlAttrs } from '@ynl-ts/runtime';

interface PeerFamily {
  readonly id: number;
  readonly version: number;
  readonly hdrSize: number;
  readonly maxAttr: number;
  readonly groups: Map<string, number>;
}

/** `genl ctrl list` parsed to name → id, version, header size, max attribs, multicast groups. */
function genlCtrlFamilies(): Map<string, PeerFamily> {
  const out = execFileSync('/usr/sbin/genl', ['ctrl', 'list'], { encoding: 'utf8' });
  const m = new Map<string, PeerFamily>();
  for (const block of out.split(/\n(?=Name: )/)) {
    const head =
      /Name: (\S+)\s*\n\s*ID: (0x[0-9a-f]+)\s+Version: (0x[0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/.exec(
        block,
      );
    if (!head) continue;
    const groups = new Map<string, number>();
    for (const g of block.matchAll(/ID-(0x[0-9a-f]+)\s+name: (\S+)/g))
      groups.set(g[2]!, Number(g[1]));
    m.set(head[1]!, {
      id: Number(head[2]),
      version: Number(head[3]),
      hdrSize: Number(head[4]),
      maxAttr: Number(head[5]),
      groups,
    });
  }
  return m;
}

/** `genl ctrl list` parsed to name → id. */
function genlCtrlList(): Map<string, number> {
  return new Map([...genlCtrlFamilies()].map(([n, f]) => [n, f.id]));
}

test('resolve nlctrl, ethtool, netdev, tcp_metrics', async () => {
  const sock = await GenlSocket.open();
  try {
    const peer = genlCtrlList();
    const ctrl = await sock.resolveFamily('nlctrl');
    assert.equal(ctrl.id, 16);
    assert.equal(ctrl.name, 'nlctrl');
    assert.equal(ctrl.version, 2);
    assert.equal(ctrl.mcastGroups.get('notify'), 16);
    assert.ok(ctrl.ops.some((o) => o.cmd === 3));
    for (const name of ['ethtool', 'netdev', 'tcp_metrics']) {
      const f = await sock.resolveFamily(name);
      assert.equal(f.name, name);
      assert.equal(f.id, peer.get(name), `${name} id as genl reports it`);
      assert.ok(f.ops.length > 0, `${name} has ops`);
    }
    assert.ok((await sock.resolveFamily('netdev')).mcastGroups.has('mgmt'));
    assert.ok((await sock.resolveFamily('ethtool')).mcastGroups.has('monitor'));
    // cached: the same promise result object
    assert.equal(await sock.resolveFamily('netdev'), await sock.resolveFamily('netdev'));
  } finally {
    sock.close();
  }
});

test('the nlctrl family dump matches `genl ctrl list` (names and ids)', async () => {
  const sock = await GenlSocket.open();
  try {
    const ours = new Map<string, number>();
    for await (const f of sock.families()) ours.set(f.name, f.id);
    const peer = genlCtrlList();
    assert.ok(peer.size >= 4, 'genl lists families');
    assert.deepEqual([...ours.entries()].sort(), [...peer.entries()].sort());
    // and every field genl prints, per family
    const full = genlCtrlFamilies();
    for await (const f of sock.families()) {
      const p = full.get(f.name);
      assert.ok(p, f.name);
      assert.deepEqual(
        {
          id: f.id,
          version: f.version,
          hdrSize: f.hdrSize,
          maxAttr: f.maxAttr,
          groups: f.mcastGroups,
        },
        { id: p.id, version: p.version, hdrSize: p.hdrSize, maxAttr: p.maxAttr, groups: p.groups },
        f.name,
      );
    }
  } finally {
    sock.close();
  }
});

test('an unknown family (ovs_datapath on the host) is NetlinkError ENOENT', async () => {
  const sock = await GenlSocket.open();
  try {
    await assert.rejects(sock.resolveFamily('ovs_datapath'), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.errno, 2);
      assert.match(e.message, /ENOENT/);
      return true;
    });
    // a failed resolve is not cached as a failure forever
    await assert.rejects(sock.resolveFamily('ovs_datapath'), { code: 'ENOENT' });
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('1,000 concurrent resolveFamily calls on one socket (uncached, distinct and repeated names)', async () => {
  const sock = await GenlSocket.open();
  try {
    const peer = genlCtrlList();
    const names = [...peer.keys()];
    // Uncached: clear the cache before each call so every call is its own kernel request.
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        sock.clearFamilyCache();
        return sock.resolveFamily(names[i % names.length]!);
      }),
    );
    const ms = performance.now() - t0;
    results.forEach((f, i) => {
      const name = names[i % names.length]!;
      assert.equal(f.name, name);
      assert.equal(f.id, peer.get(name));
    });
    // Cached and shared: 1,000 calls over a few names, including unknown ones.
    sock.clearFamilyCache();
    const mixed = Array.from({ length: 1000 }, (_, i) =>
      i % 10 === 9 ? `ynl_nx_${i % 3}` : names[i % names.length]!,
    );
    const settled = await Promise.allSettled(mixed.map((n) => sock.resolveFamily(n)));
    settled.forEach((r, i) => {
      const name = mixed[i]!;
      if (name.startsWith('ynl_nx_')) {
        assert.equal(r.status, 'rejected');
        assert.equal((r as PromiseRejectedResult).reason.code, 'ENOENT');
      } else {
        assert.equal(r.status, 'fulfilled');
        assert.equal((r as PromiseFulfilledResult<{ id: number }>).value.id, peer.get(name));
      }
    });
    assert.equal(sock.pending, 0);
    console.log(`# 1,000 uncached concurrent resolves: ${ms.toFixed(1)} ms`);
  } finally {
    sock.close();
  }
});

test('requestMany sends a batch and settles each request', async () => {
  const sock = await GenlSocket.open();
  try {
    const res = await sock.requestMany(
      ['nlctrl', 'ynl_nx', 'netdev'].map((familyName) => ({
        familyId: 16,
        cmd: 3,
        version: 2,
        set: ctrlAttrs,
        attrs: { familyName },
      })),
    );
    assert.deepEqual(
      res.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    // 50 requests issued in one tick leave in one sendmsg (iovec batch)
    const before = sock.stats;
    const many = await sock.requestMany(
      Array.from({ length: 50 }, () => ({
        familyId: 16,
        cmd: 3,
        version: 2,
        set: ctrlAttrs,
        attrs: { familyName: 'netdev' },
      })),
    );
    assert.ok(many.every((r) => r.status === 'fulfilled'));
    const after = sock.stats;
    assert.equal(after.sendCalls - before.sendCalls, 1);
    assert.equal(after.messagesSent - before.messagesSent, 50);
    assert.ok(after.messagesReceived - before.messagesReceived >= 100, 'a reply and an ACK each');
  } finally {
    sock.close();
  }
});
