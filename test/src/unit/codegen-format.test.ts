// The generator writes modules already laid out as prettier would leave them
// (generator/src/emit/layout.ts): prettier is a check here, not a step of a
// run. Every module generated from the kernel specs in specs/ and from the
// hostile-spec corpus must come out of prettier (the repository's settings,
// the TypeScript parser `npm run lint` uses) byte for byte unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { generatePackage, type GeneratedFile } from '@ynl-ts/codegen';
import { manifest, runCase } from './hostile-specs.js';
import { repoRoot } from './spec-util.js';

async function unchangedByPrettier(files: readonly GeneratedFile[], what: string): Promise<number> {
  let n = 0;
  for (const f of files) {
    if (!f.path.endsWith('.ts')) continue;
    const filepath = join(repoRoot, 'generated', f.path);
    const config = (await prettier.resolveConfig(filepath)) ?? {};
    const formatted = await prettier.format(f.text, { ...config, filepath });
    if (formatted !== f.text) {
      const a = f.text.split('\n');
      const b = formatted.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      assert.fail(
        `${what} ${f.path}: prettier changes line ${i + 1}:\n  ${a[i]}\nto\n  ${b[i]}\n  ${b[i + 1] ?? ''}`,
      );
    }
    n++;
  }
  return n;
}

test('modules of every kernel spec in specs/ are as prettier leaves them', async (t) => {
  const specs = readdirSync(join(repoRoot, 'specs'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(repoRoot, 'specs', f));
  assert.ok(specs.length >= 33, `${specs.length} specs`);
  const files = await generatePackage({ specs, relativeTo: repoRoot });
  const n = await unchangedByPrettier(files, 'specs/');
  t.diagnostic(`${n} modules from ${specs.length} specs`);
});

test('modules of the hostile-spec corpus are as prettier leaves them', async (t) => {
  const parent = join(repoRoot, 'test', 'dist', 'hostile');
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, 'format-'));
  try {
    let n = 0;
    for (const c of manifest().filter((x) => x.expect === 'generates')) {
      const out = await runCase(c, root);
      assert.equal(out.kind, 'generated', `${c.spec}: ${JSON.stringify(out)}`);
      if (out.kind === 'generated') n += await unchangedByPrettier(out.files, c.spec);
    }
    t.diagnostic(`${n} modules`);
    assert.ok(n > 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
