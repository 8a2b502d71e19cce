// XDP redirect targets (docs/xdp-redirect-targets.md) on a veth pair in this
// private network namespace: GRO turned on and off through the generated
// ethtool family (features-set, no ethtool binary) changes the peer's netdev
// `ndo-xmit` bit, seen in dev-get and in dev-change-ntf notifications; the
// document's code blocks typecheck and run, and so do its `ynl` commands.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GenlSocket } from '@ynl-ts/runtime';
import { EthtoolClient } from '@ynl-ts/families/ethtool';
import { NetdevClient, type Dev } from '@ynl-ts/families/netdev';
import { codeBlocks, repoRoot, runBlock, typecheck } from '../doc-blocks.js';

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

test('docs/xdp-redirect-targets.md: the ynl commands list the targets and print the change', async () => {
  const [sh] = codeBlocks('docs/xdp-redirect-targets.md', 'sh');
  assert.ok(sh);
  assert.match(sh.code, /^npx ynl --family netdev --dump dev-get$/m);
  assert.match(sh.code, /^npx ynl --family netdev --subscribe mgmt --duration \d+$/m);
  const child = spawn('bash', ['-e', '-c', sh.code], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const listening = new Promise<void>((resolve) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('ynl: listening to netdev mgmt')) resolve();
    });
  });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  await Promise.race([listening, done]);
  const sock = await GenlSocket.open();
  try {
    await setGro(sock, vb, true);
    assert.equal(await done, 0, stderr);
    await setGro(sock, vb, false);
  } finally {
    sock.close();
  }
  // the dump: va is no target yet; the notification: va became one
  const [dump, ntf] = stdout.split(/^(?=dev-change-ntf)/m);
  const before = dump!.split('\n\n').find((r) => new RegExp(`^ifindex: ${va}$`, 'm').test(r));
  assert.ok(before, stdout);
  assert.match(before, /^xdp-features: \[(?!.*ndo-xmit\b).*\]$/m);
  assert.ok(ntf, `a dev-change-ntf was printed:\n${stdout}`);
  assert.match(
    ntf,
    new RegExp(
      `^dev-change-ntf \\(mgmt\\):\n {2}ifindex: ${va}\n {2}xdp-features: \\[.*\\bndo-xmit\\b.*\\]$`,
      'm',
    ),
  );
});

test('ynl --do with --subscribe: features-set on vb prints the reply, then the features-ntf it caused', () => {
  const ynl = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [join(repoRoot, 'cli/bin/ynl.js'), ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
  const set = (on: boolean): unknown[] => {
    const bit = on ? { name: 'rx-gro', value: true } : { name: 'rx-gro' };
    const r = ynl(
      '--family',
      'ethtool',
      '--do',
      'features-set',
      '--json',
      JSON.stringify({ header: { 'dev-index': vb }, wanted: { bits: { bit: [bit] } } }),
      '--subscribe',
      'monitor',
      '--output-json',
    );
    assert.equal(r.status, 0, String(r.stderr));
    return String(r.stdout)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
  };
  const [reply, ntf] = set(true) as [
    { active: { bits: { bit: { name: string; value?: boolean }[] } } },
    { name: string; group: string; msg: { header: { 'dev-index': number } } },
  ];
  assert.deepEqual(
    reply.active.bits.bit.map((b) => [b.name, b.value === true]),
    [['rx-gro', true]],
  );
  assert.equal(ntf.name, 'features-ntf');
  assert.equal(ntf.group, 'monitor');
  assert.equal(ntf.msg.header['dev-index'], vb);
  const vaJson = (): string =>
    String(
      ynl('--family', 'netdev', '--do', 'dev-get', '--json', `{"ifindex": ${va}}`, '--output-json')
        .stdout,
    );
  assert.match(vaJson(), /"ndo-xmit"/);
  set(false);
  assert.doesNotMatch(vaJson(), /"ndo-xmit"/);
});
