// GenlSocket against the host kernel: family resolution, the nlctrl dump
// compared with iproute2's `genl ctrl list` (an independent netlink client),
// unknown families, many requests in flight on one socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { GenlSocket, NetlinkError, ctrlAttrs } from '@ynl-ts/runtime';

/** `genl ctrl list` parsed to name → id. */
function genlCtrlList(): Map<string, number> {
  const out = execFileSync('/usr/sbin/genl', ['ctrl', 'list'], { encoding: 'utf8' });
  const m = new Map<string, number>();
  const re = /^Name: (\S+)\s*\n\s*ID: (0x[0-9a-f]+)/gm;
  for (const x of out.matchAll(re)) m.set(x[1]!, Number(x[2]));
  return m;
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
  } finally {
    sock.close();
  }
});
