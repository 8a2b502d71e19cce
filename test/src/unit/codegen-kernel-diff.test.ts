// A user regenerating after a kernel update: generate from the older kernel's
// specs (7.2.13) and from mainline, and show the diff they would review.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePackage } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

const families = ['netdev', 'dpll', 'devlink', 'nfsd', 'ovs_flow'];

test('regenerating from Linux 7.2.13 to mainline shows the new kernel API as a diff', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-kdiff-'));
  try {
    const gen = async (specsDir: string, schemasDir: string, out: string): Promise<void> => {
      const files = await generatePackage({
        specs: families.map((f) => join(specsDir, `${f}.yaml`)),
        schemasDir,
        overridesDir: join(repoRoot, 'specs', 'overrides'),
        relativeTo: specsDir,
      });
      for (const f of files) {
        mkdirSync(join(out, 'src'), { recursive: true });
        writeFileSync(join(out, f.path), f.text);
      }
    };
    const old = join(repoRoot, 'test', 'fixtures', 'kernel-v7.2.13');
    await gen(old, join(old, 'schemas'), join(dir, 'a'));
    await gen(join(repoRoot, 'specs'), join(repoRoot, 'specs', 'schemas'), join(dir, 'b'));
    const r = spawnSync('diff', ['-ru', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, `diff found no difference (${r.stderr})`);
    for (const l of r.stdout
      .split('\n')
      .filter((x) => x.startsWith('+') && x.includes('NETDEV_A_DMABUF')))
      t.diagnostic(l);
    const added = r.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    // netdev gained NETDEV_A_DMABUF_RX_PAGE_SIZE (dmabuf rx-page-size) in mainline:
    assert.ok(
      added.some((l) => l.includes('NETDEV_A_DMABUF_RX_PAGE_SIZE')),
      'the new netdev attribute is in the diff',
    );
    assert.ok(
      added.some((l) => /readonly rxPageSize\?: number;/.test(l)),
      'with its typed field',
    );
    // Families whose specs did not change between the versions produce no diff.
    assert.ok(!r.stdout.includes('a/src/ovs_flow.ts'), 'ovs_flow is unchanged');
    for (const f of ['netdev', 'dpll', 'devlink', 'nfsd'])
      assert.ok(r.stdout.includes(`a/src/${f}.ts`), `${f} changed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
