// Multicast on the host kernel, in this private network namespace: netdev's
// "mgmt" group announces devices that `ip link add` creates (veth pairs); a
// tiny receive buffer that is not read while many notifications arrive
// overflows, and the iterator throws ENOBUFS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  AbortError,
  AttrSet,
  GenlFamilyClient,
  GenlSocket,
  Kind,
  SocketError,
  type FamilyDef,
  type Notification,
} from '@ynl-ts/runtime';

interface Dev {
  readonly ifindex?: number;
}
const dev = new AttrSet<Dev>('dev', () => [{ name: 'ifindex', type: 1, kind: Kind.U32 }]);
const netdevDef: FamilyDef = {
  name: 'netdev',
  version: 1,
  mcastGroups: ['mgmt'],
  notifications: {
    2: { name: 'dev-add-ntf', set: dev },
    3: { name: 'dev-del-ntf', set: dev },
    4: { name: 'dev-change-ntf', set: dev },
  },
};
/** The generated-code pattern: the class names its FamilyDef and inherits open(sock). */
class Netdev extends GenlFamilyClient {
  static override readonly familyDef = netdevDef;
}

const tag = `y${process.pid % 100000}`;

function ifindex(name: string): number {
  const out = execFileSync('ip', ['-o', 'link', 'show', 'dev', name], { encoding: 'utf8' });
  return Number(out.split(':')[0]);
}

function ipBatch(lines: string[]): void {
  const r = spawnSync('ip', ['-force', '-batch', '-'], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
  });
  if (r.status !== 0 && !lines[0]!.startsWith('link del'))
    throw new Error(`ip -batch failed: ${r.stderr}`);
}

test('netdev mgmt: dev-add-ntf and dev-del-ntf for a veth pair created with ip link', async () => {
  const sock = await GenlSocket.open();
  const a = `${tag}a0`;
  const b = `${tag}b0`;
  try {
    const netdev = await Netdev.open(sock);
    assert.ok(netdev instanceof Netdev);
    assert.equal(netdev.family.name, 'netdev');
    const it = netdev.notifications({ groups: ['mgmt'] })[Symbol.asyncIterator]();
    // joining happens on the first next(); start it, then make the device
    const first = it.next();
    await new Promise((r) => setTimeout(r, 10));
    execFileSync('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    const ids = new Set([ifindex(a), ifindex(b)]);
    const seen: Notification[] = [];
    let r = await first;
    for (;;) {
      assert.equal(r.done, false);
      const n = r.value as Notification;
      const idx = (n.attrs as Dev).ifindex;
      if (idx !== undefined && ids.has(idx)) seen.push(n);
      if (seen.filter((x) => x.name === 'dev-add-ntf').length === 2) break;
      r = await it.next();
    }
    assert.deepEqual(new Set(seen.map((n) => (n.attrs as Dev).ifindex)), ids);
    assert.ok(seen.every((n) => n.group === 'mgmt' && n.cmd === 2));
    execFileSync('ip', ['link', 'del', a]);
    const gone = new Set<number>();
    while (gone.size < 2) {
      const n = (await it.next()).value as Notification;
      const idx = (n.attrs as Dev).ifindex;
      if (n.name === 'dev-del-ntf' && idx !== undefined && ids.has(idx)) gone.add(idx);
    }
    await it.return?.(undefined);
    // the socket is still good for requests after leaving the group
    assert.equal((await sock.resolveFamily('nlctrl')).id, 16);
  } finally {
    spawnSync('ip', ['link', 'del', a]);
    sock.close();
  }
});

test('a subscription ends with AbortError when its signal fires; groups by unknown name are refused', async () => {
  const sock = await GenlSocket.open();
  try {
    await assert.rejects(
      sock.subscribe('netdev', ['no-such-group']),
      /no multicast group 'no-such-group'/,
    );
    const ac = new AbortController();
    const sub = await sock.subscribe('netdev', ['mgmt'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(async () => {
      for await (const m of sub) void m;
    }, AbortError);
    assert.equal((await sock.resolveFamily('nlctrl')).id, 16);
  } finally {
    sock.close();
  }
});

test('a tiny receive buffer that overflows surfaces ENOBUFS to the iterator', async () => {
  // SO_RCVBUFFORCE 1: the kernel's minimum (a couple of KiB)
  const sock = await GenlSocket.open({ rcvbuf: 1 });
  const pairs = 40;
  const names = Array.from({ length: pairs }, (_, i) => `${tag}e${i}`);
  try {
    const sub = await sock.subscribe('netdev', ['mgmt']);
    // spawnSync blocks the event loop, so nothing is read while ~160
    // notifications (add + del of 80 devices) arrive.
    ipBatch(names.map((n, i) => `link add ${n} type veth peer name ${tag}f${i}`));
    ipBatch(names.map((n) => `link del ${n}`));
    let error: unknown;
    let received = 0;
    try {
      for await (const m of sub) {
        void m;
        received++;
        if (received > 4 * pairs) break;
      }
    } catch (e) {
      error = e;
    }
    assert.ok(
      error instanceof SocketError,
      `expected a SocketError, got ${String(error)} after ${received}`,
    );
    assert.equal(error.code, 'ENOBUFS');
    assert.equal(error.errno, 105);
    assert.ok(received < 4 * pairs, 'notifications were lost');
    // ENOBUFS is not terminal: the subscription is still open (the rest of
    // the queue is read on; with a buffer this small, more overflows may follow)
    assert.equal(sub.groups.length, 1);
    sub.close();
  } finally {
    ipBatch(names.map((n) => `link del ${n}`));
    sock.close();
  }
});
