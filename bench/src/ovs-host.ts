// Section 3 from the host: boots the OVS VM (test/vm/run-in-vm.sh, 6.12
// kernel, TCG) and runs bench/src/ovs-vm.ts inside; reads its result line.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { row, type Row } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface VmResult {
  n: number;
  window: number;
  installPerSec: number;
  dumpPerSec: number;
  sendCalls: number;
  rssBeforeMiB: number;
  rssGrowthMiB: number;
  dpctlInstallPerSec: number;
  dpctlDumpPerSec: number;
}

export async function ovsBench(n: number, log: (s: string) => void): Promise<Row[]> {
  const S = 'ovs (VM, TCG)';
  const r = spawnSync(
    join(root, 'test', 'vm', 'run-in-vm.sh'),
    ['6.12', `node --expose-gc bench/dist/ovs-vm.js ${n}`],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH-OVS '));
  if (r.status !== 0 || line === undefined) {
    throw new Error(`OVS benchmark in the VM failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const v = JSON.parse(line.slice('BENCH-OVS '.length)) as VmResult;
  log(`VM: ${v.n} flows, ${v.window} in flight, ${v.sendCalls} sendmsg calls for the install`);
  return [
    row({
      section: S,
      name: `install ${v.n.toLocaleString('en-US')} flows (generated client)`,
      value: v.installPerSec,
      unit: 'flows/s',
      baseline: 'ovs-dpctl add-flows FILE',
      baselineValue: v.dpctlInstallPerSec,
      target: 'faster than ovs-dpctl',
      met: v.installPerSec > v.dpctlInstallPerSec,
      note: `${v.window} requests in flight, ${v.sendCalls} sendmsg calls for ${v.n} messages`,
    }),
    row({
      section: S,
      name: `dump ${v.n.toLocaleString('en-US')} flows (decoded)`,
      value: v.dumpPerSec,
      unit: 'flows/s',
      baseline: 'ovs-dpctl dump-flows',
      baselineValue: v.dpctlDumpPerSec,
      target: 'faster than ovs-dpctl',
      met: v.dumpPerSec > v.dpctlDumpPerSec,
    }),
    row({
      section: S,
      name: `RSS growth while dumping ${v.n.toLocaleString('en-US')} flows`,
      value: v.rssGrowthMiB,
      unit: 'MiB',
      target: 'flat (streaming)',
      met: v.rssGrowthMiB < 32,
      note: `RSS before the dump ${v.rssBeforeMiB.toFixed(0)} MiB; growth is the max sampled every 1,024 flows`,
    }),
  ];
}
