// Section 2, the host kernel: nlctrl getfamily do-requests per second with 1
// and with 64 in flight on one socket, and dumps of all families per second,
// through the generated NlctrlClient (replies decoded). The baseline, in the
// same run: bench/c/nl_bench.c doing the same requests over a raw socket
// (built here with gcc, replies not decoded). On a shared machine the load
// drifts within seconds, so ours and C run in alternating rounds and each
// figure is the median of its rounds.
import { execFileSync } from 'node:child_process';
import { GenlSocket } from '@ynl-ts/runtime';
import { NlctrlClient } from '@ynl-ts/families/nlctrl';
import { asyncRate, median } from './measure.js';
import { buildC } from './c-baseline.js';
import { row, type Row } from './report.js';

interface Rates {
  seq1: number;
  inflight64: number;
  dump: number;
}

/** One run of the C baseline; its rates in operations/s. */
function runC(bin: string, ms: number): Rates {
  return JSON.parse(execFileSync(bin, [String(ms)], { encoding: 'utf8' })) as Rates;
}

/** Per measure, the median over rounds. */
function medians(rounds: readonly Rates[]): Rates {
  const m = (k: keyof Rates): number => median(rounds.map((r) => r[k]));
  return { seq1: m('seq1'), inflight64: m('inflight64'), dump: m('dump') };
}

const ROUNDS = 3;

export async function hostBench(ms: number): Promise<Row[]> {
  const S = 'host';
  const bin = buildC('nl_bench');
  const sock = await GenlSocket.open();
  const oursRounds: Rates[] = [];
  const cRounds: Rates[] = [];
  let families = 0;
  try {
    const ctrl = await NlctrlClient.open(sock);
    const get = (): Promise<unknown> => ctrl.getfamily({ familyName: 'nlctrl' });
    const dumpAll = async (): Promise<void> => {
      families = 0;
      for await (const f of ctrl.getfamilyDump()) if (f.familyName) families++;
    };
    const per = ms / ROUNDS;
    for (let r = 0; r < ROUNDS; r++) {
      oursRounds.push({
        seq1: (await asyncRate(get, 1, per)).perSec,
        inflight64: (await asyncRate(get, 64, per)).perSec,
        dump: (await asyncRate(dumpAll, 1, per)).perSec,
      });
      cRounds.push(runC(bin, per));
    }
  } finally {
    sock.close();
  }
  const ours = { ...medians(oursRounds), families };
  const c = medians(cRounds);
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
