// Section 4, codegen: wall time of `codegen` for the four OVS families, for
// every kernel spec in specs/, and of `codegen --check` on generated/. The
// baseline in the same run is the floor any Node CLI pays: `node -e 0`.
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
function wall(args: readonly string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
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
    const four = wall([codegen, ...ovs, '--out', join(out, 'ovs')], runs);
    const every = wall([codegen, ...all, '--out', join(out, 'all')], runs);
    const check = wall([codegen, '--check'], runs);
    const base = { baseline: 'node -e 0', baselineValue: floor, unit: 'ms', section: S };
    return [
      row({
        ...base,
        name: 'codegen, 4 OVS families',
        value: four,
        target: '< 1,500 ms',
        met: four < 1500,
      }),
      row({
        ...base,
        name: `codegen, all ${all.length} kernel specs`,
        value: every,
        target: '< 10,000 ms',
        met: every < 10_000,
      }),
      row({ ...base, name: `codegen --check (generated/, 8 families)`, value: check }),
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
