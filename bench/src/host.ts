// Section 2, the host kernel: nlctrl getfamily do-requests per second with 1
// and with 64 in flight on one socket, and dumps of all families per second,
// through the generated NlctrlClient (replies decoded). The baseline, in the
// same run: bench/c/nl_bench.c doing the same requests over a raw socket
// (built here with gcc, replies not decoded).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenlSocket } from '@ynl-ts/runtime';
import { NlctrlClient } from '@ynl-ts/families/nlctrl';
import { asyncRate } from './measure.js';
import { row, type Row } from './report.js';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds and runs the C baseline; its rates in operations/s. */
function cBaseline(ms: number): { seq1: number; inflight64: number; dump: number } {
  const out = join(benchDir, '.build');
  mkdirSync(out, { recursive: true });
  const bin = join(out, 'nl_bench');
  execFileSync('gcc', ['-O2', '-Wall', '-o', bin, join(benchDir, 'c', 'nl_bench.c')], {
    stdio: 'inherit',
  });
  return JSON.parse(execFileSync(bin, [String(ms)], { encoding: 'utf8' })) as {
    seq1: number;
    inflight64: number;
    dump: number;
  };
}

export async function hostBench(ms: number): Promise<Row[]> {
  const S = 'host';
  const sock = await GenlSocket.open();
  let ours: { seq1: number; inflight64: number; dump: number; families: number };
  try {
    const ctrl = await NlctrlClient.open(sock);
    const get = (): Promise<unknown> => ctrl.getfamily({ familyName: 'nlctrl' });
    let families = 0;
    const dumpAll = async (): Promise<void> => {
      families = 0;
      for await (const f of ctrl.getfamilyDump()) if (f.familyName) families++;
    };
    ours = {
      seq1: (await asyncRate(get, 1, ms)).perSec,
      inflight64: (await asyncRate(get, 64, ms)).perSec,
      dump: (await asyncRate(dumpAll, 1, ms)).perSec,
      families,
    };
  } finally {
    sock.close();
  }
  const c = cBaseline(ms);
  const note = 'ours decodes every reply (generated NlctrlClient); C only walks the headers';
  return [
    row({
      section: S,
      name: 'nlctrl getfamily, 1 in flight',
      value: ours.seq1,
      unit: 'req/s',
      baseline: 'C raw socket',
      baselineValue: c.seq1,
      target: '>= 0.6x C',
      met: ours.seq1 / c.seq1 >= 0.6,
      note,
    }),
    row({
      section: S,
      name: 'nlctrl getfamily, 64 in flight on one socket',
      value: ours.inflight64,
      unit: 'req/s',
      baseline: 'C raw socket',
      baselineValue: c.inflight64,
      target: '>= 0.8x C',
      met: ours.inflight64 / c.inflight64 >= 0.8,
    }),
    row({
      section: S,
      name: `dump of all families (${ours.families} families)`,
      value: ours.dump,
      unit: 'dumps/s',
      baseline: 'C raw socket',
      baselineValue: c.dump,
      target: '>= 0.5x C',
      met: ours.dump / c.dump >= 0.5,
    }),
  ];
}
