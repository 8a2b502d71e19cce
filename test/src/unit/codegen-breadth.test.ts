// Breadth: every vendored spec (genetlink, genetlink-c, genetlink-legacy and
// netlink-raw) generates, and the output typechecks under `strict`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generatePackage } from '@ynl-ts/codegen';
import { repoRoot, strictProject } from './spec-util.js';

test('all specs generate and typecheck with tsc --strict', { timeout: 300_000 }, async () => {
  const specsDir = join(repoRoot, 'specs');
  const specs = readdirSync(specsDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(specsDir, f));
  assert.ok(specs.length >= 33);
  const files = await generatePackage({ specs, relativeTo: repoRoot });
  // Inside the repository so that '@ynl-ts/runtime' resolves like for a user.
  const out = join(repoRoot, 'test', 'dist', 'breadth-pkg');
  rmSync(out, { recursive: true, force: true });
  const project = strictProject(
    out,
    files.filter((x) => x.path.startsWith('src/')),
  );
  const diags = project.getPreEmitDiagnostics();
  const text = project.formatDiagnosticsWithColorAndContext(diags.slice(0, 20));
  assert.equal(diags.length, 0, text);
  assert.equal(project.getSourceFiles().length, specs.length + 1);
});
