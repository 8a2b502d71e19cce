// The request multiplexer (the protocol-agnostic core of GenlSocket) driven
// without the kernel: a fake Transport records what is sent and delivers
// hand-built answers, in the order and batches a test chooses. The same
// behaviours are tested against the real kernel in test/src/live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DumpInterruptedError,
  META_STRIDE,
  Multiplexer,
  NLM_F_CAPPED,
  NLM_F_DUMP_INTR,
  NLM_F_ECHO,
  NLM_F_MULTI,
  NetlinkError,
  ReplyLostError,
  SocketError,
  TimeoutError,
  Writer,
  readHeader,
  type MuxHooks,
  type NlMessage,
  type ReceiveCallback,
  type Transport,
} from '@ynl-ts/runtime';

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const FAMILY = 0x20;
const PORT = 4242;

/** A Transport that records sends and lets the test answer, synchronously or later. */
class FakeTransport implements Transport {
  cb: ReceiveCallback | undefined;
  readonly #meta = new Uint32Array(256 * META_STRIDE);
  readonly #buffers: ArrayBufferLike[] = [];
  sent: Uint8Array[][] = [];
  /** Answers to deliver inside send() when it is asked to drain. */
  onSend: ((msgs: readonly Uint8Array[]) => Uint8Array[]) | undefined;
  paused = false;
  fd = 99;
  send(bytes: readonly Uint8Array[], drain: boolean): number {
    this.sent.push(bytes.map((b) => b.slice()));
    const answers = this.onSend?.(bytes) ?? [];
    if (drain && answers.length > 0) this.deliver(answers);
    return bytes.reduce((n, b) => n + b.length, 0);
  }
  start(cb: ReceiveCallback): void {
    this.cb = cb;
  }
  deliver(
    datagrams: Uint8Array[],
    opts: { group?: number; err?: Error; drained?: boolean } = {},
  ): void {
    // as the native socket does: datagram i at meta[5i..5i+4] (buffer index,
    // offset, length, group, port), the arrays reused by the next delivery
    this.#meta.fill(0xeeeeeeee);
    this.#buffers.length = 0;
    datagrams.forEach((d, i) => {
      this.#buffers.push(d.buffer);
      this.#meta.set([i, d.byteOffset, d.length, opts.group ?? 0, 0], i * META_STRIDE);
    });
    this.cb!(opts.err ?? null, this.#buffers, this.#meta, datagrams.length, opts.drained ?? true);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  // ref'd, the real socket's handle keeps the event loop alive (the pending
  // requests' timers are unref'd): a long timer stands in for it
  #keepAlive: NodeJS.Timeout | undefined;
  ref(): void {
    this.#keepAlive ??= setInterval(() => {}, 1 << 30);
  }
  unref(): void {
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }
  close(): void {
    this.unref();
  }
  setOption(): void {}
  getOption(): number {
    return 0;
  }
}

function mux(
  t: FakeTransport,
  hooks: Partial<MuxHooks> = {},
  opts: { maxInFlight?: number; dumpHighWater?: number; drainOnSend?: boolean } = {},
): Multiplexer {
  return new Multiplexer(
    t,
    PORT,
    { maxInFlight: 256, dumpHighWater: 1024, drainOnSend: true, ...opts },
    {
      explain: (errno) => new NetlinkError(errno, {}, {}),
      notify: () => {},
      socketError: () => {},
      ...hooks,
    },
  );
}

/** A request: nlmsghdr + 4 bytes of payload (`tag`). */
function req(tag: number, flags = 0): { bytes: Uint8Array } {
  const w = new Writer(64);
  const at = w.beginMessage(FAMILY, flags, 0);
  w.u32(tag);
  w.endMessage(at);
  return { bytes: w.bytes() };
}

/** Messages concatenated into one datagram. */
function datagram(...build: ((w: Writer) => void)[]): Uint8Array {
  const w = new Writer(256);
  for (const b of build) b(w);
  return w.bytes();
}
const reply =
  (seq: number, tag: number, type = FAMILY, flags = 0, port = PORT) =>
  (w: Writer) => {
    const at = w.beginMessage(type, flags, seq, port);
    w.u32(tag);
    w.endMessage(at);
  };
const ack =
  (seq: number, errno = 0) =>
  (w: Writer) => {
    const at = w.beginMessage(NLMSG_ERROR, NLM_F_CAPPED, seq, PORT);
    w.s32(-errno);
    const echoed = w.beginMessage(FAMILY, 0, seq, PORT);
    w.endMessage(echoed);
    w.endMessage(at);
  };
const done =
  (seq: number, flags = NLM_F_MULTI) =>
  (w: Writer) => {
    const at = w.beginMessage(NLMSG_DONE, flags, seq, PORT);
    w.s32(0);
    w.endMessage(at);
  };
const seqOf = (b: Uint8Array): number => readHeader(b, 0).seq;
const tagOf = (m: NlMessage | undefined): number =>
  new DataView(m!.buffer.buffer, m!.buffer.byteOffset).getUint32(m!.offset + 16, true);
const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await null;
};

test('answers drained inside send() settle their requests there; several answers in one pass', async () => {
  const t = new FakeTransport();
  t.onSend = (msgs) =>
    msgs.flatMap((m) => [datagram(reply(seqOf(m), 100 + (seqOf(m) % 7))), datagram(ack(seqOf(m)))]);
  const m = mux(t);
  const ps = [m.request(req(1), ro()), m.request(req(2), ro()), m.request(req(3), ro())];
  let settled = 0;
  for (const p of ps) void p.then(() => settled++);
  await ticks();
  assert.equal(t.sent.length, 1, 'one sendmsg for the batch');
  assert.equal(t.sent[0]!.length, 3);
  assert.equal(settled, 3, 'settled in microtasks, without an event-loop turn');
  const seqs = t.sent[0]!.map(seqOf);
  assert.equal(new Set(seqs).size, 3);
  assert.ok(seqs.every((s) => s !== 0));
  for (const [i, p] of ps.entries()) assert.equal(tagOf(await p), 100 + (seqs[i]! % 7));
  assert.equal(m.pending, 0);
});

test('a delivery of datagrams at offsets of several buffers (a chunk replaced mid-drain, a large datagram copied out)', async () => {
  const t = new FakeTransport();
  const m = mux(t, {}, { drainOnSend: false });
  // (a timeout: misread datagrams answer nobody, and the test must fail, not hang)
  const ps = [1, 2, 3].map((tag) => m.request(req(tag), ro(undefined, 5000)));
  await ticks();
  const seqs = t.sent[0]!.map(seqOf);
  const grams = seqs.map((s, i) => datagram(reply(s, 200 + i), ack(s)));
  // as the addon lays them out: grams 0 and 2 back to back in one chunk (8-byte
  // aligned, after unrelated bytes), gram 1 alone in a second buffer
  const chunk = new ArrayBuffer(1024);
  const bytes = new Uint8Array(chunk);
  bytes.fill(0xee);
  const at0 = 16;
  const at2 = at0 + ((grams[0]!.length + 7) & ~7);
  bytes.set(grams[0]!, at0);
  bytes.set(grams[2]!, at2);
  const single = grams[1]!.slice().buffer;
  const meta = new Uint32Array(4 * META_STRIDE).fill(0xeeeeeeee);
  meta.set([0, at0, grams[0]!.length, 0, 0], 0);
  meta.set([1, 0, grams[1]!.length, 0, 0], META_STRIDE);
  meta.set([0, at2, grams[2]!.length, 0, 0], 2 * META_STRIDE);
  t.cb!(null, [chunk, single], meta, 3, true);
  const got = await Promise.all(ps);
  assert.deepEqual(
    got.map((g) => tagOf(g)),
    [200, 201, 202],
  );
  assert.equal(got[0]!.buffer.buffer, chunk);
  assert.equal(got[0]!.buffer.byteOffset, at0);
  assert.equal(got[1]!.buffer.buffer, single);
  assert.equal(got[2]!.buffer.byteOffset, at2);
  assert.equal(got[2]!.buffer.length, grams[2]!.length, 'a datagram view ends where it does');
  assert.equal(m.stats.datagrams, 3);
  assert.equal(m.pending, 0);
});

test('answers out of order and in one datagram go to their own request', async () => {
  const t = new FakeTransport();
  const m = mux(t, {}, { drainOnSend: false });
  const a = m.request(req(1), ro());
  const b = m.request(req(2), ro());
  await ticks();
  const [sa, sb] = t.sent[0]!.map(seqOf) as [number, number];
  t.deliver([datagram(reply(sb, 22), ack(sb), reply(sa, 11), ack(sa))]);
  assert.equal(tagOf(await a), 11);
  assert.equal(tagOf(await b), 22);
  // an ACK without a reply resolves undefined; an error rejects with explain()'s error
  const c = m.request(req(3), ro());
  const d = m.request(req(4), ro());
  await ticks();
  const [sc, sd] = t.sent[1]!.map(seqOf) as [number, number];
  t.deliver([datagram(ack(sc)), datagram(ack(sd, 1))]);
  assert.equal(await c, undefined);
  await assert.rejects(d, (e: unknown) => e instanceof NetlinkError && e.code === 'EPERM');
});

test('a late answer is dropped, never matched: the seq stays reserved until it arrives', async () => {
  const t = new FakeTransport();
  const m = mux(t, {}, { drainOnSend: false, maxInFlight: 1 });
  const p = m.request(req(1), ro(undefined, 10));
  await ticks();
  const s1 = seqOf(t.sent[0]![0]!);
  await assert.rejects(p, TimeoutError);
  // the slot is still taken: the next request waits (maxInFlight 1) and is not sent
  const q = m.request(req(2), ro());
  await ticks();
  assert.equal(t.sent.length, 1);
  assert.equal(m.pending, 1);
  // the late answer frees the slot; the waiting request goes out with another seq
  t.deliver([datagram(reply(s1, 1)), datagram(ack(s1))]);
  await ticks();
  assert.equal(m.stats.lateReplies, 1);
  assert.equal(t.sent.length, 2);
  const s2 = seqOf(t.sent[1]![0]!);
  assert.notEqual(s2, s1);
  // an answer carrying the old seq again is for no one
  t.deliver([datagram(reply(s1, 9), ack(s1))]);
  t.deliver([datagram(reply(s2, 2), ack(s2))]);
  assert.equal(tagOf(await q), 2);
});

test('a request whose deadline passed before it could be sent is not sent', async () => {
  const t = new FakeTransport();
  const m = mux(t);
  const p = m.request(req(1), ro(undefined, 1));
  const end = Date.now() + 5;
  while (Date.now() < end) {
    // stall before the flush
  }
  await assert.rejects(p, /timed out before it could be sent/);
  assert.equal(t.sent.length, 0);
  assert.equal(m.pending, 0);
});

test('ENOBUFS: once the queue is read empty, sent requests still unanswered lost their reply', async () => {
  const t = new FakeTransport();
  const errs: Error[] = [];
  const m = mux(t, { socketError: (e) => errs.push(e) }, { drainOnSend: false });
  const a = m.request(req(1), ro());
  const b = m.request(req(2), ro());
  await ticks();
  const [sa] = t.sent[0]!.map(seqOf) as [number, number];
  const enobufs = Object.assign(new Error('recvmsg failed'), {
    code: 'ENOBUFS',
    errno: 105,
    syscall: 'recvmsg',
  });
  // the error, then a's answer still queued; not yet drained: b waits
  t.deliver([datagram(reply(sa, 1), ack(sa))], { err: enobufs, drained: false });
  assert.equal(tagOf(await a), 1);
  await ticks();
  assert.equal(m.pending, 1);
  assert.ok(errs[0] instanceof SocketError && errs[0].code === 'ENOBUFS', 'subscribers told');
  // read empty: b's answer was dropped by the kernel
  t.deliver([], { drained: true });
  // (an empty delivery without error is what the native side never sends; drained is what counts)
  await assert.rejects(b, ReplyLostError);
  assert.equal(m.stats.lostReplies, 1);
  assert.equal(m.pending, 0);
});

test('a dump gets the messages of a datagram as one batch; DONE ends it; DUMP_INTR throws after the data', async () => {
  const t = new FakeTransport();
  const m = mux(t, {}, { drainOnSend: false, dumpHighWater: 2 });
  const it = m.dump(req(1), ro());
  await ticks();
  const s = seqOf(t.sent[0]![0]!);
  t.deliver([
    datagram(
      reply(s, 1, FAMILY, NLM_F_MULTI),
      reply(s, 2, FAMILY, NLM_F_MULTI),
      reply(s, 3, FAMILY, NLM_F_MULTI),
    ),
  ]);
  // three messages queued past the high-water mark of 2: reading paused
  assert.equal(t.paused, true);
  assert.equal(m.stats.pauses, 1);
  const got: number[] = [];
  got.push(tagOf((await it.next()).value));
  got.push(tagOf((await it.next()).value));
  assert.equal(t.paused, false, 'resumed once the consumer caught up');
  got.push(tagOf((await it.next()).value));
  t.deliver([datagram(reply(s, 4, FAMILY, NLM_F_MULTI), done(s))]);
  for (;;) {
    const r = await it.next();
    if (r.done === true) break;
    got.push(tagOf(r.value));
  }
  assert.deepEqual(got, [1, 2, 3, 4]);
  assert.equal(m.pending, 0);

  const it2 = m.dump(req(2), ro());
  await ticks();
  const s2 = seqOf(t.sent[1]![0]!);
  t.deliver([
    datagram(
      reply(s2, 5, FAMILY, NLM_F_MULTI | NLM_F_DUMP_INTR),
      done(s2, NLM_F_MULTI | NLM_F_DUMP_INTR),
    ),
  ]);
  assert.equal(tagOf((await it2.next()).value), 5);
  await assert.rejects(it2.next(), DumpInterruptedError);
});

test('only a request sent with NLM_F_ECHO takes the multicast copy it caused', async () => {
  const t = new FakeTransport();
  const notified: number[] = [];
  const m = mux(t, { notify: (msg) => notified.push(tagOf(msg)) }, { drainOnSend: false });
  const echo = m.request(req(1, NLM_F_ECHO), ro());
  const plain = m.request(req(2), ro());
  await ticks();
  const [se, sp] = t.sent[0]!.map(seqOf) as [number, number];
  // the notifications our requests caused, multicast on group 3, carrying our port and seq
  t.deliver([datagram(reply(se, 10))], { group: 3 });
  t.deliver([datagram(reply(sp, 20))], { group: 3 });
  t.deliver([datagram(ack(se)), datagram(ack(sp))]);
  assert.equal(tagOf(await echo), 10);
  assert.equal(await plain, undefined);
  assert.deepEqual(notified, [20]);
});

function ro(
  signal?: AbortSignal,
  timeout?: number,
): { signal: AbortSignal | undefined; timeout: number | undefined } {
  return { signal, timeout };
}
