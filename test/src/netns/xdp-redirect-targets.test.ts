// XDP redirect targets (docs/xdp-redirect-targets.md) on a veth pair in this
// private network namespace: GRO turned on and off through the generated
// ethtool family (features-set, no ethtool binary) changes the peer's netdev
// `ndo-xmit` bit, seen in dev-get and in dev-change-ntf notifications; the
// document's code blocks typecheck and run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { GenlSocket } from '@ynl-ts/runtime';
import { EthtoolClient } from '@ynl-ts/families/ethtool';
import { NetdevClient, type Dev } from '@ynl-ts/families/netdev';
import { codeBlocks, runBlock, typecheck } from '../doc-blocks.js';

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const ifindex = (name: string): number => Number(ip('-o', 'link', 'show', name).split(':')[0]);

let va = 0;
let vb = 0;

before(() => {
  ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  ip('link', 'set', 'va', 'up');
  ip('link', 'set', 'vb', 'up');
  va = ifindex('va');
  vb = ifindex('vb');
});

after(() => {
  ip('link', 'del', 'va');
});

async function setGro(sock: GenlSocket, dev: number, on: boolean): Promise<void> {
  const ethtool = await EthtoolClient.open(sock);
  const r = await ethtool.featuresSet({
    header: { devIndex: dev },
    wanted: { bits: { bit: [on ? { name: 'rx-gro', value: true } : { name: 'rx-gro' }] } },
  });
  // The reply lists the bits that changed in `active`.
  assert.deepEqual(
    r.active?.bits?.bit?.map((b) => [b.name, b.value === true]),
    [['rx-gro', on]],
  );
}

const ndoXmit = (d: Dev): boolean => d.xdpFeatures?.includes('ndoXmit') === true;

test('GRO on a veth end makes its peer a redirect target (dev-get and dev-change-ntf)', async () => {
  const sock = await GenlSocket.open();
  try {
    const netdev = await NetdevClient.open(sock);
    assert.equal(ndoXmit(await netdev.devGet({ ifindex: va })), false);
    assert.equal(ndoXmit(await netdev.devGet({ ifindex: vb })), false);

    const ntf = netdev.notifications({ groups: ['mgmt'] })[Symbol.asyncIterator]();
    const first = ntf.next(); // joins the group
    await new Promise((r) => setTimeout(r, 20));

    await setGro(sock, vb, true);
    assert.equal(ndoXmit(await netdev.devGet({ ifindex: va })), true);
    assert.equal(ndoXmit(await netdev.devGet({ ifindex: vb })), false, 'vb itself unchanged');
    const on = (await first).value!;
    assert.equal(on.name, 'dev-change-ntf');
    assert.equal((on.attrs as Dev).ifindex, va);
    assert.equal(ndoXmit(on.attrs as Dev), true);

    await setGro(sock, vb, false);
    assert.equal(ndoXmit(await netdev.devGet({ ifindex: va })), false);
    const off = (await ntf.next()).value!;
    assert.equal(off.name, 'dev-change-ntf');
    assert.equal((off.attrs as Dev).ifindex, va);
    assert.equal(ndoXmit(off.attrs as Dev), false);
    await ntf.return?.(undefined);
  } finally {
    sock.close();
  }
});

test("docs/xdp-redirect-targets.md: the blocks typecheck; the listing sees vb's GRO change va", async () => {
  const [list, toggle] = codeBlocks('docs/xdp-redirect-targets.md', 'ts');
  assert.ok(list && toggle);
  assert.deepEqual(typecheck([list, toggle]), []);

  const watcher = runBlock(list);
  await watcher.waitFor('watching');
  const t = await runBlock(toggle, { env: { VB_IFINDEX: String(vb) } }).done;
  assert.equal(t.status, 0, t.stderr);
  await watcher.waitFor(`target ${va}`);
  const r = await watcher.done;
  assert.equal(r.status, 0, r.stderr);
  // Before the change no veth end was a target; after it, va and only va.
  const [before, after] = r.stdout.split('watching\n');
  assert.doesNotMatch(before!, new RegExp(`^target (${va}|${vb})$`, 'm'));
  assert.match(after!, new RegExp(`^target ${va}$`, 'm'));
  assert.doesNotMatch(after!, new RegExp(`^target ${vb}$`, 'm'));

  const sock = await GenlSocket.open();
  try {
    await setGro(sock, vb, false);
  } finally {
    sock.close();
  }
});
