// Option validation of the socket layer (issue 11, item 5): `timeout:
// Infinity` means no timeout (Node's setTimeout would fire it after 1 ms),
// other timeouts beyond setTimeout's range are refused, and every numeric
// option of the socket rejects values of the wrong type or range with a
// TypeError/RangeError naming the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GenlSocket, ctrlAttrs, genlRequest, readGenlMessage } from '@ynl-ts/runtime';

const getfamily = (name: string) => ({
  familyId: 16,
  cmd: 3,
  version: 2,
  set: ctrlAttrs,
  attrs: { familyName: name },
});

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // keep the loop from polling for the reply
  }
}

/** Send from the check phase, then stall: the next loop iteration runs expired timers before it reads the reply. */
function sendThenStall<T>(send: () => Promise<T>): Promise<{ p: Promise<T> }> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const p = send();
      queueMicrotask(() => busyWait(5));
      resolve({ p });
    }),
  );
}

const named = (cls: typeof TypeError | typeof RangeError, option: string) => (e: unknown) =>
  e instanceof cls && e.message.includes(option);

test('timeout: Infinity is no timeout; huge, negative, NaN or non-number timeouts are refused', async () => {
  const sock = await GenlSocket.open();
  try {
    const { p } = await sendThenStall(() =>
      sock.request(getfamily('netdev'), { timeout: Infinity }),
    );
    const m = await p;
    assert.equal(m && readGenlMessage(m, ctrlAttrs).attrs.familyName, 'netdev');
    let n = 0;
    for await (const f of sock.dump({ ...getfamily('x'), attrs: {} }, { timeout: Infinity }))
      n += f.len > 0 ? 1 : 0;
    assert.ok(n > 3);

    for (const t of [2 ** 31, 2 ** 40, Number.MAX_VALUE, -1, -Infinity, NaN]) {
      await assert.rejects(
        sock.request(getfamily('nlctrl'), { timeout: t }),
        named(RangeError, 'timeout'),
        `timeout ${t}`,
      );
      assert.throws(
        () => sock.dump(getfamily('nlctrl'), { timeout: t }),
        named(RangeError, 'timeout'),
      );
    }
    for (const t of ['100', 100n, {}, null, true]) {
      const opts = { timeout: t as unknown as number };
      await assert.rejects(
        sock.request(getfamily('nlctrl'), opts),
        named(TypeError, 'timeout'),
        `timeout ${String(t)}`,
      );
      assert.throws(() => sock.dump(getfamily('nlctrl'), opts), named(TypeError, 'timeout'));
    }
    // the largest timeout setTimeout takes is accepted
    const ok = await sock.request(getfamily('nlctrl'), { timeout: 2 ** 31 - 1 });
    assert.ok(ok !== undefined);
    await assert.rejects(
      sock.request(getfamily('nlctrl'), { signal: 'x' as unknown as AbortSignal }),
      named(TypeError, 'signal'),
    );
    assert.equal(sock.pending, 0);
  } finally {
    sock.close();
  }
});

test('socket, subscription and request-flag options are type- and range-checked', async () => {
  const bad: [Record<string, unknown>, typeof TypeError | typeof RangeError, string][] = [
    [{ rcvbuf: '65536' }, TypeError, 'rcvbuf'],
    [{ rcvbuf: 2 ** 32 }, RangeError, 'rcvbuf'],
    [{ rcvbuf: -1 }, RangeError, 'rcvbuf'],
    [{ rcvbuf: 1.5 }, RangeError, 'rcvbuf'],
    [{ maxInFlight: NaN }, RangeError, 'maxInFlight'],
    [{ maxInFlight: 0 }, RangeError, 'maxInFlight'],
    [{ maxInFlight: '4' }, TypeError, 'maxInFlight'],
    [{ maxInFlight: Infinity }, RangeError, 'maxInFlight'],
    [{ dumpHighWater: -5 }, RangeError, 'dumpHighWater'],
    [{ dumpHighWater: '8' }, TypeError, 'dumpHighWater'],
    [{ strict: 'no' }, TypeError, 'strict'],
  ];
  for (const [opts, cls, name] of bad) {
    assert.throws(() => GenlSocket.openSync(opts), named(cls, name), JSON.stringify(opts));
    await assert.rejects(GenlSocket.open(opts), named(cls, name));
  }
  const sock = await GenlSocket.open({ maxInFlight: 2, dumpHighWater: 4, rcvbuf: 0 });
  try {
    assert.throws(
      () => sock.subscribeGroups([1], { maxQueued: 0 }),
      named(RangeError, 'maxQueued'),
    );
    assert.throws(
      () => sock.subscribeGroups([1], { maxQueued: '9' as unknown as number }),
      named(TypeError, 'maxQueued'),
    );
    // a refused subscription joined nothing: a valid one still works and closes
    const sub = sock.subscribeGroups([1], { maxQueued: 8 });
    sub.close();
    assert.throws(
      () => genlRequest({ ...getfamily('nlctrl'), flags: 0x10000 }),
      named(RangeError, 'flags'),
    );
    assert.throws(
      () => genlRequest({ ...getfamily('nlctrl'), flags: '1' as unknown as number }),
      named(TypeError, 'flags'),
    );
    const all = await Promise.all(
      ['nlctrl', 'netdev', 'ethtool'].map((f) => sock.request(getfamily(f))),
    );
    assert.equal(all.length, 3);
  } finally {
    sock.close();
  }
});
