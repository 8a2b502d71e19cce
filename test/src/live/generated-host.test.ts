// Generated families against the host kernel, checked against independent
// peers: iproute2 (`genl`, `ip tcp_metrics`) and /sys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { EncodeError, formatIpv4, formatIpv6, GenlSocket, NetlinkError } from '@ynl-ts/runtime';
import { NlctrlClient } from '@ynl-ts/families/nlctrl';
import { NetdevClient } from '@ynl-ts/families/netdev';
import { EthtoolClient } from '@ynl-ts/families/ethtool';
import { TcpMetricsClient } from '@ynl-ts/families/tcp_metrics';

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });

test('a generated dump behaves as an async generator: lazy start, queued next(), return() and errors end it', async () => {
  const sock = await GenlSocket.open();
  try {
    const ctrl = await NlctrlClient.open(sock);
    const all: string[] = [];
    for await (const f of ctrl.getfamilyDump()) all.push(f.familyName!);
    assert.ok(all.length > 3);
    // nothing is encoded or sent before the first next()
    const sends = sock.stats.sendCalls;
    const lazy = ctrl.getfamilyDump();
    const bad = ctrl.getfamilyDump({ bogus: 1 } as never);
    assert.equal(sock.stats.sendCalls, sends);
    await assert.rejects(bad.next(), (e: unknown) => e instanceof EncodeError);
    assert.deepEqual(await bad.next(), { value: undefined, done: true });
    // next() calls made together are answered in order
    const firsts = await Promise.all([lazy.next(), lazy.next(), lazy.next()]);
    assert.deepEqual(
      firsts.map((r) => r.value?.familyName),
      all.slice(0, 3),
    );
    // return() ends it and discards the rest; the socket is free for the next dump
    assert.deepEqual(await lazy.return(undefined), { value: undefined, done: true });
    assert.deepEqual(await lazy.next(), { value: undefined, done: true });
    const again: string[] = [];
    for await (const f of ctrl.getfamilyDump()) again.push(f.familyName!);
    assert.deepEqual(again, all);
    // throw() ends it too, with the error given
    const thrown = ctrl.getfamilyDump();
    assert.equal((await thrown.next()).value?.familyName, all[0]);
    await assert.rejects(thrown.throw(new Error('stop')), /stop/);
    assert.deepEqual(await thrown.next(), { value: undefined, done: true });
    for (let i = 0; i < 50 && sock.pending > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('nlctrl getfamily and its dump agree with `genl ctrl`', async () => {
  const sock = await GenlSocket.open();
  try {
    const ctrl = await NlctrlClient.open(sock);
    const nd = await ctrl.getfamily({ familyName: 'netdev' });
    const peer = run('genl', ['ctrl', 'get', 'name', 'netdev']);
    assert.equal(nd.familyName, 'netdev');
    assert.equal(nd.familyId, Number(/ID: (0x[0-9a-f]+)/.exec(peer)![1]));
    assert.equal(nd.version, Number(/Version: (0x[0-9a-f]+)/.exec(peer)![1]));
    const groups = [...peer.matchAll(/ID-(0x[0-9a-f]+)\s+name: (\S+)/g)].map((m) => [
      m[2],
      Number(m[1]),
    ]);
    assert.deepEqual(
      (nd.mcastGroups ?? []).map((g) => [g.name, g.id]),
      groups,
    );
    const ours = new Map<string, number>();
    for await (const f of ctrl.getfamilyDump({})) ours.set(f.familyName!, f.familyId!);
    const theirs = new Map(
      [...run('genl', ['ctrl', 'list']).matchAll(/Name: (\S+)\s+ID: (0x[0-9a-f]+)/g)].map((m) => [
        m[1]!,
        Number(m[2]),
      ]),
    );
    assert.deepEqual([...ours].sort(), [...theirs].sort());
  } finally {
    sock.close();
  }
});

test('netdev dev dump lists every ifindex in /sys/class/net; lo has no XDP features', async () => {
  const sock = await GenlSocket.open();
  try {
    const nd = await NetdevClient.open(sock);
    const ours = new Map<number, readonly (string | number)[]>();
    for await (const d of nd.devDump({})) ours.set(d.ifindex!, d.xdpFeatures ?? []);
    const sys = readdirSync('/sys/class/net').map((n) =>
      Number(readFileSync(`/sys/class/net/${n}/ifindex`, 'utf8')),
    );
    assert.deepEqual(
      [...ours.keys()].sort((a, b) => a - b),
      sys.sort((a, b) => a - b),
    );
    const lo = Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8'));
    assert.deepEqual(ours.get(lo), []);
    const one = await nd.devGet({ ifindex: lo });
    assert.equal(one.ifindex, lo);
    assert.deepEqual(one.xdpFeatures, []);
  } finally {
    sock.close();
  }
});

test("ethtool: strset for lo decodes the feature names; linkinfo on lo is the kernel's EOPNOTSUPP with ext-ack text", async () => {
  const sock = await GenlSocket.open();
  try {
    const et = await EthtoolClient.open(sock);
    // ETH_SS_FEATURES (4): the names of netdev features, indexed 0..count-1.
    const r = await et.strsetGet({
      header: { devName: 'lo' },
      stringsets: { stringset: [{ id: 4 }] },
    });
    assert.equal(r.header?.devName, 'lo');
    assert.equal(r.header?.devIndex, Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8')));
    const set = r.stringsets?.stringset?.[0];
    assert.equal(set?.id, 4);
    const strings = set?.strings?.flatMap((x) => x.string ?? []) ?? [];
    assert.equal(strings.length, set?.count);
    assert.deepEqual(
      strings.map((x) => x.index),
      strings.map((_, i) => i),
    );
    for (const f of ['tx-scatter-gather', 'rx-checksum', 'loopback']) {
      assert.ok(
        strings.some((x) => x.value === f),
        `ETH_SS_FEATURES names ${f}`,
      );
    }
    await assert.rejects(et.linkinfoGet({ header: { devName: 'lo' } }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, 'EOPNOTSUPP');
      assert.equal(e.extack?.message, 'failed to retrieve link settings');
      return true;
    });
  } finally {
    sock.close();
  }
});

test('tcp_metrics dump agrees with `ip tcp_metrics show`', async () => {
  // Make sure there is at least one entry: a loopback TCP connection creates one on close.
  const { createServer, connect } = await import('node:net');
  await new Promise<void>((resolve) => {
    const srv = createServer((c) => c.end()).listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      const c = connect(port, '127.0.0.1', () => c.end());
      c.on('close', () => srv.close(() => resolve()));
    });
  });
  const sock = await GenlSocket.open();
  try {
    const tm = await TcpMetricsClient.open(sock);
    const ours = new Set<string>();
    for await (const m of tm.dump({})) {
      if (m.addrIpv4 !== undefined) ours.add(formatIpv4(m.addrIpv4));
      else if (m.addrIpv6 !== undefined) ours.add(formatIpv6(m.addrIpv6));
    }
    const theirs = new Set(
      run('ip', ['tcp_metrics', 'show'])
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]!),
    );
    // Entries can appear between the two reads; every address ip shows that we also saw must match.
    const common = [...theirs].filter((a) => ours.has(a));
    assert.ok(common.length >= Math.min(1, theirs.size), `ours ${[...ours]} vs ip ${[...theirs]}`);
    assert.deepEqual(
      [...ours].filter((a) => !theirs.has(a)),
      [],
      'every address we decoded is one ip shows',
    );
  } finally {
    sock.close();
  }
});
