// npm run bench [-- --only=codec,host,ovs,codegen,rtnl] [--quick] [--json]
// Runs the benchmark sections, prints a table (or, with --json, the JSON) and
// writes bench/results.json. Every figure comes with a baseline measured in
// the same run and their ratio; targets are reported as MET/MISSED, never
// asserted.
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codecBench } from './codec.js';
import { hostBench } from './host.js';
import { ovsBench } from './ovs-host.js';
import { codegenBench } from './codegen.js';
import { rtnlBench } from './rtnl.js';
import { table, type Row } from './report.js';

const sections = ['codec', 'host', 'ovs', 'codegen', 'rtnl'] as const;
type Section = (typeof sections)[number];

const usage = `usage: npm run bench -- [--only=${sections.join(',')}] [--quick] [--json]
  --only=LIST  run only these sections (default: all)
  --quick      shorter rounds, 10,000 instead of 100,000 OVS flows and routes (a smoke run)
  rtnl runs in a private network namespace (unshare -n): it needs root
  --json       print the results as JSON instead of the table
Writes bench/results.json either way.`;

function parseArgs(argv: readonly string[]): { only: Section[]; quick: boolean; json: boolean } {
  let only: Section[] = [...sections];
  let quick = false;
  let json = false;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--json') json = true;
    else if (a.startsWith('--only=')) {
      const want = a.slice(7).split(',').filter(Boolean);
      const bad = want.filter((w) => !(sections as readonly string[]).includes(w));
      if (bad.length || want.length === 0) {
        console.error(`bench: unknown section(s) '${bad.join(',')}'\n${usage}`);
        process.exit(2);
      }
      only = want as Section[];
    } else if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    } else {
      console.error(`bench: unknown argument '${a}'\n${usage}`);
      process.exit(2);
    }
  }
  return { only, quick, json };
}

const { only, quick, json } = parseArgs(process.argv.slice(2));
const log = (s: string): void => {
  if (!json) console.log(s);
};
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
};
log(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}`,
);
const rows: Row[] = [];
const started = new Date().toISOString();
for (const s of only) {
  const t0 = performance.now();
  log(`\n== ${s}${quick ? ' (quick)' : ''}`);
  const got =
    s === 'codec'
      ? await codecBench(quick ? 150 : 600)
      : s === 'host'
        ? await hostBench(quick ? 600 : 3000)
        : s === 'ovs'
          ? await ovsBench(quick ? 10_000 : 100_000, log)
          : s === 'rtnl'
            ? rtnlBench(quick ? 10_000 : 100_000, log)
            : await codegenBench(quick ? 1 : 3);
  rows.push(...got);
  log(table(got));
  log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const out = { started, machine, quick, rows };
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'results.json');
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
if (json) console.log(JSON.stringify(out, null, 2));
else console.log(`\n${table(rows)}\n\nwrote ${file}`);
