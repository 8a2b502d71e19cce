// Section 4, codegen: wall time of `codegen` (the real command, node's
// start included) for the four OVS families, for every kernel spec in
// specs/, and of `codegen --check` on generated/, each with an empty cache
// (what a fresh checkout, CI or the first run after a generator change pays:
// the targets apply to these) and warm (the content-hash cache of generated
// modules filled by a run before). The baseline in the same run is the floor
// any Node CLI pays: `node -e 0`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median } from './measure.js';
import { row, type Row } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const codegen = join(root, 'generator', 'bin', 'codegen.js');

/** Median wall time in ms of `node args...` over `runs` runs; throws if it fails. */
function wall(args: readonly string[], runs: number, cache?: () => string): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const env = cache ? { ...process.env, YNL_TS_CACHE_DIR: cache() } : process.env;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  }
  return median(times);
}

export async function codegenBench(runs: number): Promise<Row[]> {
  const S = 'codegen';
  const out = mkdtempSync(join(tmpdir(), 'ynl-bench-codegen-'));
  try {
    const specs = join(root, 'specs');
    const all = readdirSync(specs)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(specs, f));
    const ovs = ['ovs_datapath', 'ovs_vport', 'ovs_flow', 'ovs_packet'].map((f) =>
      join(specs, `${f}.yaml`),
    );
    const floor = wall(['-e', '0'], runs);
    let n = 0;
    const fresh = (): string => join(out, `cache-${n++}`);
    wall([codegen, ...ovs, '--out', join(out, 'ovs')], 1); // fill the cache
    const four = wall([codegen, ...ovs, '--out', join(out, 'ovs')], runs);
    const fourCold = wall([codegen, ...ovs, '--out', join(out, 'ovs-cold')], runs, fresh);
    wall([codegen, ...all, '--out', join(out, 'all')], 1);
    const every = wall([codegen, ...all, '--out', join(out, 'all')], runs);
    const everyCold = wall([codegen, ...all, '--out', join(out, 'all-cold')], runs, fresh);
    const check = wall([codegen, '--check'], runs);
    const checkCold = wall([codegen, '--check'], runs, fresh);
    const base = { baseline: 'node -e 0', baselineValue: floor, unit: 'ms', section: S };
    return [
      row({
        ...base,
        name: 'codegen, 4 OVS families, empty cache',
        value: fourCold,
        target: '< 1,000 ms',
        met: fourCold < 1000,
      }),
      row({ ...base, name: 'codegen, 4 OVS families, warm cache', value: four }),
      row({
        ...base,
        name: `codegen, all ${all.length} kernel specs, empty cache`,
        value: everyCold,
        target: '< 4,000 ms',
        met: everyCold < 4000,
      }),
      row({ ...base, name: `codegen, all ${all.length} specs, warm cache`, value: every }),
      row({
        ...base,
        name: 'codegen --check (generated/, 10 families), empty cache',
        value: checkCold,
        target: '< 1,000 ms',
        met: checkCold < 1000,
      }),
      row({ ...base, name: 'codegen --check, warm cache', value: check }),
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
