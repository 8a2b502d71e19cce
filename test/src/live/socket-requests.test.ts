// Requests on the host kernel: extended ACK explained against the request
// layout, dumps (streaming, break, serialization), timeouts, aborts, close,
// decode/encode errors, and that an idle socket lets the process exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  AbortError,
  AttrSet,
  DecodeError,
  EncodeError,
  GenlFamilyClient,
  GenlSocket,
  Kind,
  NetlinkError,
  SocketClosedError,
  TimeoutError,
  ctrlAttrs,
  readGenlMessage,
  type CtrlFamily,
  type FamilyDef,
  type NlMessage,
  type OpDef,
  type RequestOptions,
} from '@ynl-ts/runtime';

const nlctrlDef: FamilyDef = {
  name: 'nlctrl',
  version: 2,
  mcastGroups: ['notify'],
  notifications: {},
};
const getfamily: OpDef<CtrlFamily, CtrlFamily> = {
  name: 'getfamily',
  cmd: 3,
  requestSet: ctrlAttrs,
  replySet: ctrlAttrs,
};

/** A hand-written family client, the way generated code builds on GenlFamilyClient. */
class Nlctrl extends GenlFamilyClient {
  getfamily(req: CtrlFamily, opts?: RequestOptions): Promise<CtrlFamily | undefined> {
    return this.doOp(getfamily, req, opts);
  }
  getfamilyDump(opts?: RequestOptions): AsyncIterable<CtrlFamily> {
    return this.dumpOp(getfamily, {}, opts);
  }
  getfamilies(names: readonly string[]): Promise<PromiseSettledResult<unknown>[]> {
    return this.doOpMany(names.map((familyName) => ({ op: getfamily, req: { familyName } })));
  }
}

interface Dev {
  readonly ifindex?: number;
}
const netdevDev = new AttrSet<Dev>('dev', () => [{ name: 'ifindex', type: 1, kind: Kind.U32 }]);

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // keep the loop from reaching its poll phase
  }
}

test('bad requests: extended ACK message, offset, attrPath, policy, missing attribute', async () => {
  const sock = await GenlSocket.open();
  try {
    // nlctrl: CTRL_ATTR_FAMILY_NAME longer than GENL_NAMSIZ - 1
    const ctrl = await Nlctrl.open(sock, nlctrlDef);
    await assert.rejects(ctrl.getfamily({ familyName: 'x'.repeat(40) }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, 'EINVAL');
      assert.equal(e.errno, 22);
      assert.equal(e.extack.message, 'Attribute failed policy validation');
      assert.equal(e.extack.offset, 20);
      assert.equal(e.extack.attrPath, 'familyName');
      assert.equal(e.extack.policy?.maxLength, 15);
      assert.equal(e.family, 'nlctrl');
      assert.equal(e.op, 'getfamily');
      assert.match(
        e.message,
        /Attribute failed policy validation \(EINVAL\) at attribute familyName/,
      );
      return true;
    });
    // netdev dev-get: ifindex 0 is below the policy minimum
    const nd = await sock.resolveFamily('netdev');
    const devGet = {
      familyId: nd.id,
      cmd: 1,
      version: 1,
      set: netdevDev,
      family: 'netdev',
      op: 'dev-get',
    };
    await assert.rejects(sock.request({ ...devGet, attrs: { ifindex: 0 } }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, 'ERANGE');
      assert.equal(e.extack.attrPath, 'ifindex');
      assert.equal(e.extack.policy?.minValue, 1n);
      return true;
    });
    // netdev dev-get without ifindex: NLMSGERR_ATTR_MISS_TYPE named from the layout
    await assert.rejects(sock.request({ ...devGet, attrs: {} }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, 'EINVAL');
      assert.deepEqual(e.extack.missingAttr, { type: 1, name: 'ifindex' });
      return true;
    });
    // raw bytes without a layout: the path falls back to type numbers
    const raw = (await import('@ynl-ts/runtime')).genlRequest({
      ...devGet,
      attrs: { ifindex: 0 },
    }).bytes;
    await assert.rejects(sock.request(raw), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.extack.attrPath, '#1');
      return true;
    });
    // a do-request that works, through the client
    const lo = await sock.request({ ...devGet, attrs: { ifindex: 1 } });
    assert.ok(lo !== undefined);
    assert.equal(readGenlMessage(lo, netdevDev).attrs.ifindex, 1);
    assert.equal((await ctrl.getfamily({ familyName: 'nlctrl' }))?.familyId, 16);
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('dumps stream, stop cleanly on break, and run one at a time', async () => {
  const sock = await GenlSocket.open({ dumpHighWater: 2 });
  try {
    const ctrl = await Nlctrl.open(sock, nlctrlDef);
    const all: string[] = [];
    for await (const f of ctrl.getfamilyDump()) all.push(f.familyName!);
    assert.ok(all.includes('nlctrl') && all.includes('netdev'));

    // break after two: the socket stays usable, the rest of that dump is discarded
    const some: string[] = [];
    for await (const f of ctrl.getfamilyDump()) {
      some.push(f.familyName!);
      if (some.length === 2) break;
    }
    assert.deepEqual(some, all.slice(0, 2));
    assert.equal((await ctrl.getfamily({ familyName: 'netdev' }))?.familyName, 'netdev');
    const again: string[] = [];
    for await (const f of ctrl.getfamilyDump()) again.push(f.familyName!);
    assert.deepEqual(again, all);

    // three dumps at once (the kernel allows one per socket): queued, all complete
    const collect = async (): Promise<string[]> => {
      const out: string[] = [];
      for await (const f of ctrl.getfamilyDump()) out.push(f.familyName!);
      return out;
    };
    const [a, b, c] = await Promise.all([collect(), collect(), collect()]);
    assert.deepEqual(a, all);
    assert.deepEqual(b, all);
    assert.deepEqual(c, all);

    // a slow consumer with a tiny high-water mark still gets everything, in order
    const slow: string[] = [];
    for await (const f of ctrl.getfamilyDump()) {
      slow.push(f.familyName!);
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.deepEqual(slow, all);
    assert.ok(sock.stats.pauses > 0, 'reading paused while the consumer lagged');
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('a dump the kernel refuses rejects with NetlinkError; the socket goes on', async () => {
  const sock = await GenlSocket.open();
  try {
    const getpolicy = {
      familyId: 16,
      cmd: 10,
      version: 2,
      set: ctrlAttrs,
      family: 'nlctrl',
      op: 'getpolicy',
    };
    const drain = async (attrs: CtrlFamily): Promise<number> => {
      let n = 0;
      for await (const m of sock.dump({ ...getpolicy, attrs })) n += m.len > 0 ? 1 : 0;
      return n;
    };
    await assert.rejects(
      drain({}),
      (e: unknown) => e instanceof NetlinkError && e.code === 'EINVAL' && e.op === 'getpolicy',
    );
    await assert.rejects(
      drain({ familyName: 'ynl_nx' }),
      (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT',
    );
    assert.ok((await drain({ familyName: 'netdev' })) > 0);
    // a big policy dump: large datagrams arrive whole
    let msgs = 0;
    for await (const m of sock.dump({ ...getpolicy, attrs: { familyName: 'ethtool' } }))
      msgs += m.len > 0 ? 1 : 0;
    assert.ok(msgs > 100, `${msgs} policy messages`);
    assert.ok(sock.stats.largestDatagram > 4096, `largest datagram ${sock.stats.largestDatagram}`);
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('received messages stay intact while later datagrams arrive (reused receive metadata, new chunks)', async () => {
  const sock = await GenlSocket.open();
  try {
    const getpolicy = { familyId: 16, cmd: 10, version: 2, set: ctrlAttrs };
    const kept: { msg: NlMessage; copy: Buffer }[] = [];
    const keep = (m: NlMessage | undefined): void => {
      assert.ok(m !== undefined);
      kept.push({ msg: m, copy: Buffer.from(m.buffer.subarray(m.offset, m.offset + m.len)) });
    };
    // answers of 40 requests sent in one sendmsg: 80 datagrams, more than one
    // recvmmsg (16) and more than one drain (64) reads
    const names = ['nlctrl', 'netdev', 'ethtool', 'tcp_metrics'];
    const replies = await sock.requestMany(
      Array.from({ length: 40 }, (_, i) => ({
        familyId: 16,
        cmd: 3,
        version: 2,
        set: ctrlAttrs,
        attrs: { familyName: names[i % names.length]! },
      })),
      { timeout: 10_000 },
    );
    replies.forEach((r, i) => {
      assert.equal(r.status, 'fulfilled');
      const m = (r as PromiseFulfilledResult<NlMessage | undefined>).value;
      keep(m);
      assert.equal(readGenlMessage(m!, ctrlAttrs).attrs.familyName, names[i % names.length]);
    });
    // more than a receive chunk (1 MiB) of policy dumps afterwards
    let bytes = 0;
    for (let round = 0; bytes < 3 * 1024 * 1024; round++) {
      const dump = sock.dump(
        { ...getpolicy, attrs: { familyName: 'ethtool' } },
        { timeout: 10_000 },
      );
      for await (const m of dump) {
        bytes += m.len;
        if (round % 4 === 0) keep(m);
      }
    }
    assert.ok(sock.stats.datagrams > 80);
    for (const [i, k] of kept.entries()) {
      const now = k.msg.buffer.subarray(k.msg.offset, k.msg.offset + k.msg.len);
      assert.ok(k.copy.equals(now), `message ${i} of ${kept.length} changed after it was received`);
    }
  } finally {
    sock.close();
  }
});

test('timeouts and AbortSignal reject and discard late replies', async () => {
  // Answers go through the event loop here (drainOnSend: false), so a
  // stalled loop makes them late; with the default they are read inside the
  // send (see the next tests).
  const sock = await GenlSocket.open({ drainOnSend: false });
  try {
    // Sent from the check phase (the flush is the first microtask) with the
    // loop then kept busy: the next loop iteration runs its (expired) timers
    // before it polls for the reply.
    const { p } = await new Promise<{ p: Promise<unknown> }>((resolve) =>
      setImmediate(() => {
        // (the timeout leaves time to send it even on a loaded machine)
        const p = sock.resolveFamily('netdev', { timeout: 50 });
        queueMicrotask(() => busyWait(200));
        resolve({ p });
      }),
    );
    await assert.rejects(p, (e: unknown) => e instanceof TimeoutError && e.code === 'ETIMEDOUT');
    assert.equal(sock.pending, 0);
    // the late reply is recognised as that request's and dropped; the next
    // request gets its own answer
    assert.equal((await sock.resolveFamily('netdev')).name, 'netdev');
    assert.equal(sock.stats.lateReplies, 1);
    // a request whose deadline passed before it could be sent is not sent
    const sent = sock.stats.messagesSent;
    const { p2 } = await new Promise<{ p2: Promise<unknown> }>((resolve) =>
      setImmediate(() => {
        sock.clearFamilyCache();
        const p2 = sock.resolveFamily('netdev', { timeout: 1 });
        busyWait(5);
        resolve({ p2 });
      }),
    );
    await assert.rejects(p2, /timed out before it could be sent/);
    assert.equal(sock.stats.messagesSent, sent);
    assert.equal(sock.pending, 0);

    // aborted before sending
    const ac0 = new AbortController();
    ac0.abort(new Error('not wanted'));
    await assert.rejects(sock.resolveFamily('ethtool', { signal: ac0.signal }), AbortError);
    // aborted after sending, before the reply is read
    const ac = new AbortController();
    const q = sock.resolveFamily('ethtool', { signal: ac.signal });
    queueMicrotask(() => ac.abort());
    await assert.rejects(q, (e: unknown) => e instanceof AbortError && e.code === 'ABORT_ERR');
    assert.equal(sock.pending, 0);
    assert.equal((await sock.resolveFamily('ethtool')).name, 'ethtool');

    // a dump with a timeout and a slow consumer times out; the socket recovers
    const ctrl = await Nlctrl.open(sock, nlctrlDef);
    await assert.rejects(async () => {
      for await (const f of ctrl.getfamilyDump({ timeout: 20 })) {
        void f;
        await new Promise((r) => setTimeout(r, 15));
      }
    }, TimeoutError);
    // an aborted dump
    const ac2 = new AbortController();
    await assert.rejects(async () => {
      for await (const f of ctrl.getfamilyDump({ signal: ac2.signal })) {
        void f;
        ac2.abort();
      }
    }, AbortError);
    let n = 0;
    for await (const f of ctrl.getfamilyDump()) n += f.familyId !== undefined ? 1 : 0;
    assert.ok(n > 3);
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('answers are read inside the send call: a request settles without an event-loop turn', async () => {
  for (const drainOnSend of [true, false]) {
    const sock = await GenlSocket.open({ drainOnSend });
    try {
      let settled = false;
      const p = sock.resolveFamily('nlctrl').then((f) => {
        settled = true;
        return f;
      });
      // microtasks only: no event-loop phase (no poll of the socket) runs in between
      for (let i = 0; i < 10; i++) await null;
      assert.equal(settled, drainOnSend, `drainOnSend ${drainOnSend}`);
      assert.equal((await p).name, 'nlctrl');
      assert.equal(sock.stats.datagrams, 2); // the reply, then the ACK
      assert.equal(sock.pending, 0);
    } finally {
      sock.close();
    }
  }
});

test('requests chained back to back still let the event loop turn (timers, I/O)', async () => {
  const sock = await GenlSocket.open();
  try {
    let turned = false;
    const imm = setImmediate(() => (turned = true));
    let n = 0;
    // answered inline, each request settles in microtasks; without a limit
    // this loop would never let the immediate run
    while (!turned && n < 1000) {
      sock.clearFamilyCache();
      await sock.resolveFamily('nlctrl');
      n++;
    }
    clearImmediate(imm);
    assert.ok(turned, `the event loop turned within ${n} requests`);
    assert.ok(n > 1, 'the first requests were answered inline');
  } finally {
    sock.close();
  }
});

test('answers beyond one drain wait for the event loop; late ones are still dropped, never matched', async () => {
  const sock = await GenlSocket.open();
  try {
    // 100 requests answered by 200 datagrams: a drain reads at most 64, so
    // most answers are read at the next wake-up, after the stalled loop let
    // their timeouts expire.
    const names = ['nlctrl', 'netdev', 'ethtool', 'tcp_metrics'];
    const { all } = await new Promise<{ all: Promise<PromiseSettledResult<unknown>[]> }>(
      (resolve) =>
        setImmediate(() => {
          const all = sock.requestMany(
            Array.from({ length: 100 }, (_, i) => ({
              familyId: 0x10,
              cmd: 3,
              version: 2,
              set: ctrlAttrs,
              attrs: { familyName: names[i % names.length]! },
            })),
            { timeout: 50 },
          );
          queueMicrotask(() => busyWait(200));
          resolve({ all });
        }),
    );
    const results = await all;
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const timedOut = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof TimeoutError,
    ).length;
    assert.equal(ok + timedOut, 100);
    assert.ok(ok > 0 && timedOut > 0, `${ok} answered in the send, ${timedOut} late`);
    // the late answers are read (and dropped) when the loop polls again
    for (let i = 0; i < 50 && sock.stats.lateReplies < timedOut; i++)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(sock.stats.lateReplies, timedOut);
    assert.equal(sock.pending, 0);
    // each answer went to its own request: the next one gets its own
    for (const n of names) assert.equal((await sock.resolveFamily(n)).name, n);
  } finally {
    sock.close();
  }
});

test('close() rejects what is in flight; a closed socket refuses new work', async () => {
  const sock = await GenlSocket.open();
  const inflight = Array.from({ length: 20 }, () => {
    sock.clearFamilyCache();
    return sock.resolveFamily('netdev');
  });
  const it = sock.dump({ familyId: 16, cmd: 3, version: 2, set: ctrlAttrs });
  const first = it.next();
  sock.close();
  for (const p of inflight) await assert.rejects(p, SocketClosedError);
  await assert.rejects(first, SocketClosedError);
  await assert.rejects(sock.resolveFamily('nlctrl'), SocketClosedError);
  assert.equal(sock.closed, true);
  sock.close(); // idempotent
});

test('bad values are EncodeErrors before sending; kernel bytes that do not fit a layout are DecodeErrors', async () => {
  const sock = await GenlSocket.open();
  try {
    const ctrl = await Nlctrl.open(sock, nlctrlDef);
    await assert.rejects(ctrl.getfamily({ familyId: 70000 }), EncodeError);
    await assert.rejects(ctrl.getfamily({ familyName: 5 as unknown as string }), EncodeError);
    assert.equal(sock.pending, 0);
    // decode a real reply with a layout that disagrees with it (name as a u32)
    const wrong = new AttrSet('wrong', () => [{ name: 'familyName', type: 2, kind: Kind.U32 }]);
    const msg = await sock.request({
      familyId: 16,
      cmd: 3,
      version: 2,
      set: ctrlAttrs,
      attrs: { familyName: 'netdev' },
    });
    assert.ok(msg !== undefined);
    assert.throws(() => readGenlMessage(msg, wrong), DecodeError);
    // raw bytes that are not one well-formed message are refused locally
    assert.throws(() => sock.dump(new Uint8Array(8)), /shorter than a netlink header/);
    await assert.rejects(sock.request(new Uint8Array(20)), /does not match/);
  } finally {
    sock.close();
  }
});

test('an idle socket does not keep the process alive', () => {
  const runtime = fileURLToPath(import.meta.resolve('@ynl-ts/runtime'));
  const script = `
    import { GenlSocket } from ${JSON.stringify(runtime)};
    const sock = await GenlSocket.open();
    const f = await sock.resolveFamily('nlctrl');
    for await (const x of sock.families()) void x;
    console.log('resolved', f.id);
    // no close(): the process must still exit
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(r.signal, null, 'exited on its own');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /resolved 16/);
});

test('doOpMany: several do-requests in one sendmsg, each answer settled on its own', async () => {
  const sock = await GenlSocket.open();
  try {
    const ctrl = await Nlctrl.open(sock, nlctrlDef);
    const before = sock.stats.sendCalls;
    const r = await ctrl.getfamilies(['netdev', 'no-such-family', 'ethtool']);
    assert.equal(sock.stats.sendCalls - before, 1, 'one sendmsg');
    assert.equal(r.length, 3);
    assert.equal(r[0]!.status === 'fulfilled' && (r[0].value as CtrlFamily).familyName, 'netdev');
    assert.ok(r[1]!.status === 'rejected' && r[1].reason instanceof NetlinkError);
    assert.equal((r[1] as PromiseRejectedResult).reason.code, 'ENOENT');
    assert.equal(r[2]!.status === 'fulfilled' && (r[2].value as CtrlFamily).familyName, 'ethtool');
    // a value that does not encode is thrown before anything is sent
    const sent = sock.stats.sendCalls;
    await assert.rejects(ctrl.getfamilies(['netdev', 'x'.repeat(70000)]), EncodeError);
    assert.equal(sock.stats.sendCalls, sent);
  } finally {
    sock.close();
  }
});
