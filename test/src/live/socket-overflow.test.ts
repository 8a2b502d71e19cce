// Receive-buffer overflow on a request socket (issue 11, item 2): thousands
// of requests, a synchronous stall of the application and a tiny SO_RCVBUF,
// so the kernel drops replies (ENOBUFS). No request may be left pending, no
// queued request may go out after its deadline, a reply may only settle its
// own request, and the socket must keep working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GenlSocket,
  ReplyLostError,
  TimeoutError,
  ctrlAttrs,
  genlRequest,
  readGenlMessage,
  type NlMessage,
} from '@ynl-ts/runtime';

const getfamily = (name: string) => ({
  familyId: 16,
  cmd: 3,
  version: 2,
  set: ctrlAttrs,
  attrs: { familyName: name },
  family: 'nlctrl',
  op: 'getfamily',
});

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a synchronous stall: nothing else runs, replies pile up in the kernel
  }
}

function familyName(m: NlMessage | undefined): string | undefined {
  return m === undefined ? undefined : readGenlMessage(m, ctrlAttrs).attrs.familyName;
}

type Outcome = 'ok' | 'timeout' | 'lost' | 'other';

async function settleAll(ps: Promise<NlMessage | undefined>[], names: string[]) {
  const counts: Record<Outcome, number> = { ok: 0, timeout: 0, lost: 0, other: 0 };
  const others: unknown[] = [];
  const results = await Promise.allSettled(ps);
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      // a reply settles only its own request
      assert.equal(familyName(r.value), names[i], `request ${i} got another request's reply`);
      counts.ok++;
    } else if (r.reason instanceof TimeoutError) counts.timeout++;
    else if (r.reason instanceof ReplyLostError) {
      assert.equal(r.reason.code, 'ENOBUFS');
      assert.match(r.reason.message, /repl(y|ies) .*lost|lost .*repl/i);
      counts.lost++;
    } else {
      counts.other++;
      others.push(r.reason);
    }
  });
  assert.deepEqual(others, [], 'only TimeoutError or ReplyLostError');
  return counts;
}

const names = ['nlctrl', 'netdev', 'ethtool'];

test(
  'ENOBUFS on a request socket: lost replies fail their requests, received ones succeed, the socket goes on',
  { timeout: 60_000 },
  async () => {
    const sock = await GenlSocket.open({ rcvbuf: 4096 });
    try {
      const n = 256; // one window of in-flight requests, no timeout
      const want = Array.from({ length: n }, (_, i) => names[i % names.length]!);
      const ps = want.map((f) => sock.request(getfamily(f)));
      // after the batch went out (the flush is the first microtask), stall
      queueMicrotask(() => busyWait(300));
      const c = await settleAll(ps, want);
      assert.equal(c.ok + c.lost, n);
      assert.equal(c.timeout, 0);
      assert.ok(c.lost > 0, 'the tiny buffer overflowed');
      assert.ok(c.ok > 0, 'replies that reached the buffer before the overflow are delivered');
      assert.equal(sock.pending, 0);
      assert.equal(sock.stats.lostReplies, c.lost);
      // later requests (no timeout) work
      assert.equal(familyName(await sock.request(getfamily('netdev'))), 'netdev');
      const more = await Promise.all(names.map((f) => sock.request(getfamily(f))));
      assert.deepEqual(more.map(familyName), names);
      assert.equal(sock.pending, 0);
    } finally {
      sock.close();
    }
  },
);

test(
  '3,000 requests with a 50 ms timeout and a 300 ms stall: nothing is sent past its deadline, everything settles',
  { timeout: 60_000 },
  async () => {
    const sock = await GenlSocket.open({ rcvbuf: 4096 });
    try {
      const n = 3000;
      const want = Array.from({ length: n }, (_, i) => names[i % names.length]!);
      const encoded = new Map(names.map((f) => [f, genlRequest(getfamily(f))]));
      const send = (f: string) => sock.request(encoded.get(f)!, { timeout: 50 });
      // the first window (maxInFlight, 256) goes out in the first flush
      const ps = want.slice(0, 256).map(send);
      await Promise.resolve();
      assert.equal(sock.stats.messagesSent, 256);
      // the rest waits in the local queue for a slot; then the application stalls
      ps.push(...want.slice(256).map(send));
      busyWait(300);
      const c = await settleAll(ps, want);
      assert.equal(c.ok + c.timeout + c.lost, n);
      // Every request after the first window passed its deadline while it
      // waited in the local queue, so it failed without being sent.
      assert.equal(sock.stats.messagesSent, 256);
      assert.ok(c.timeout >= n - 256);
      assert.equal(sock.pending, 0);
      // the next request, without a timeout, gets its own answer
      assert.equal(familyName(await sock.request(getfamily('ethtool'))), 'ethtool');
      const more = await Promise.all(names.map((f) => sock.request(getfamily(f))));
      assert.deepEqual(more.map(familyName), names);
      assert.equal(sock.pending, 0);
    } finally {
      sock.close();
    }
  },
);
