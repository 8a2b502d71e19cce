// EPERM as a non-root user (issue 11, faults): a generic netlink op that the
// kernel guards with GENL_ADMIN_PERM (tcp_metrics del) or GENL_UNS_ADMIN_PERM
// (ethtool linkinfo-set), run by a child without capabilities (uid/gid
// nobody, empty capability sets), fails with a NetlinkError of code EPERM
// whose message names the capability. Runs as root (to drop to nobody).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runtime = fileURLToPath(import.meta.resolve('@ynl-ts/runtime'));
const tcp = fileURLToPath(import.meta.resolve('@ynl-ts/families/tcp_metrics'));
const ethtool = fileURLToPath(import.meta.resolve('@ynl-ts/families/ethtool'));

const script = `
  import { GenlSocket, NetlinkError } from ${JSON.stringify(runtime)};
  import { TcpMetricsClient } from ${JSON.stringify(tcp)};
  import { EthtoolClient } from ${JSON.stringify(ethtool)};
  const sock = await GenlSocket.open();
  const out = {};
  const record = (name) => (e) => {
    out[name] = e instanceof NetlinkError
      ? { ok: false, netlink: true, code: e.code, capability: e.capability ?? null, message: e.message }
      : { ok: false, netlink: false, message: String(e) };
  };
  const tm = await TcpMetricsClient.open(sock);
  await tm.del({}).then(() => (out.del = { ok: true }), record('del'));
  const et = await EthtoolClient.open(sock);
  await et.linkinfoSet({ header: { devName: 'lo' } }).then(() => (out.set = { ok: true }), record('set'));
  // an unprivileged op still works
  out.get = (await sock.resolveFamily('netdev')).name;
  console.log(JSON.stringify(out));
  sock.close();
`;

test(
  'EPERM for an unprivileged user names CAP_NET_ADMIN',
  { skip: process.getuid?.() !== 0 ? 'needs root to drop to nobody' : false },
  () => {
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=-all',
        '--bounding-set=-all',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<
      string,
      { ok: boolean; netlink?: boolean; code?: string; capability?: string; message: string }
    >;
    assert.equal(out.get, 'netdev');
    for (const [op, perm] of [
      ['del', /tcp_metrics del: .*\(EPERM\).*requires CAP_NET_ADMIN \(GENL_ADMIN_PERM\)/],
      ['set', /ethtool linkinfo-set: .*\(EPERM\).*requires CAP_NET_ADMIN .*GENL_UNS_ADMIN_PERM/],
    ] as const) {
      const e = out[op]!;
      assert.equal(e.ok, false, `${op} must be refused`);
      assert.equal(e.netlink, true, e.message);
      assert.equal(e.code, 'EPERM');
      assert.equal(e.capability, 'CAP_NET_ADMIN');
      assert.match(e.message, perm);
    }
  },
);
