// Section rtnl, the host kernel in a private network namespace: runs
// bench/src/rtnl-netns.ts under `unshare -n` (root) and reports its figures
// against iproute2 measured in the same run: route install (our batched
// requests vs `ip -batch`), route dump (decoded vs `ip -j route show`), link
// dump (decoded vs bench/c/rtnl_link_dump.c, built here with gcc, and vs
// `ip -j link show`). No targets: the ratios are the result.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildC } from './c-baseline.js';
import { row, type Row } from './report.js';

const dist = dirname(fileURLToPath(import.meta.url));

interface NetnsResult {
  n: number;
  window: number;
  sendCalls: number;
  installPerSec: number;
  ipInstallPerSec: number;
  dumpPerSec: number;
  ipDumpPerSec: number;
  links: number;
  linkDumpsPerSec: number;
  cLinkDumpsPerSec: number;
  ipLinkDumpsPerSec: number;
}

export function rtnlBench(n: number, log: (s: string) => void): Row[] {
  const S = 'rtnl (netns)';
  const r = spawnSync(
    'unshare',
    [
      '-n',
      '--',
      process.execPath,
      '--expose-gc',
      join(dist, 'rtnl-netns.js'),
      String(n),
      buildC('rtnl_link_dump'),
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH-RTNL '));
  if (r.status !== 0 || line === undefined)
    throw new Error(`rtnl benchmark failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const v = JSON.parse(line.slice('BENCH-RTNL '.length)) as NetnsResult;
  const count = v.n.toLocaleString('en-US');
  log(
    `netns: ${count} routes, ${v.window} in flight, ${v.sendCalls} sendmsg calls for the install`,
  );
  return [
    row({
      section: S,
      name: `install ${count} routes (generated client)`,
      value: v.installPerSec,
      unit: 'routes/s',
      baseline: 'ip -batch',
      baselineValue: v.ipInstallPerSec,
      note: `${v.window} requests in flight, ${v.sendCalls} sendmsg calls for ${v.n} messages; each acknowledged`,
    }),
    row({
      section: S,
      name: `dump ${count} routes (decoded)`,
      value: v.dumpPerSec,
      unit: 'routes/s',
      baseline: 'ip -j route show',
      baselineValue: v.ipDumpPerSec,
      note: 'median of 3 alternating rounds; ip also formats JSON (and starts a process)',
    }),
    row({
      section: S,
      name: `dump ${v.links} links (decoded)`,
      value: v.linkDumpsPerSec,
      unit: 'dumps/s',
      baseline: 'C raw socket',
      baselineValue: v.cLinkDumpsPerSec,
      note: 'median of 5 alternating rounds; C only walks the headers; ip -j link show (a process, JSON) in the next row',
    }),
    row({
      section: S,
      name: `dump ${v.links} links: ip -j link show`,
      value: v.ipLinkDumpsPerSec,
      unit: 'dumps/s',
    }),
  ];
}
