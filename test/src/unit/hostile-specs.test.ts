// The hostile-spec corpus (test/fixtures/hostile-specs/manifest.json): specs
// with hostile text in every place spec text reaches generated code, alias
// bombs, names that collide or shadow, values out of range, keys named
// __proto__, bytes that are not UTF-8, paths the CLI cannot use. Each case
// expects its exact errors at their positions (or the CLI's exit code and
// message), or that it generates, typechecks and imports without touching
// globalThis or Object.prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { corpusDir, manifest, runCase, type HostileCase } from './hostile-specs.js';
import { repoRoot, strictProject } from './spec-util.js';

const cases = manifest();

test('the corpus has at least 40 cases, covering items 1, 3, 7 and 9; the README states its size', (t) => {
  t.diagnostic(`hostile-spec corpus: ${cases.length} cases`);
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  for (const item of ['1', '3', '7', '9'])
    assert.ok(
      cases.some((c) => c.item === item),
      `item ${item}`,
    );
  for (const c of cases)
    assert.ok(
      (c.expect === 'generates') !== (c.errors !== undefined || c.exit !== undefined),
      `${c.spec}: one expectation`,
    );
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  assert.match(readme, new RegExp(`hostile-spec corpus of ${cases.length} specs`));
  assert.ok(readFileSync(join(corpusDir, 'README.md'), 'utf8').includes('manifest.json'));
});

const snapshot = (o: object): string => JSON.stringify(Reflect.ownKeys(o).map(String).sort());

const parent = join(repoRoot, 'test', 'dist', 'hostile');
mkdirSync(parent, { recursive: true });
const root = mkdtempSync(join(parent, 'run-'));
const modules: { c: HostileCase; path: string; text: string }[] = [];

for (const [i, c] of cases.entries()) {
  test(`hostile spec ${c.spec}: ${c.expect === 'generates' ? 'generates' : 'rejected'} (${c.why})`, async () => {
    const out = await runCase(c, root);
    if (c.expect === 'generates') {
      assert.equal(out.kind, 'generated', JSON.stringify(out));
      if (out.kind !== 'generated') return;
      for (const f of out.files)
        assert.match(f.path, /^(src\/[A-Za-z0-9_-]+\.ts|package\.json|tsconfig\.json|README\.md)$/);
      const mod = out.files.find((f) => f.path.startsWith('src/') && f.path !== 'src/index.ts')!;
      for (const s of c.contains ?? []) assert.ok(mod.text.includes(s), `contains ${s}`);
      modules.push({ c, path: `c${i}/${mod.path.slice(4)}`, text: mod.text });
    } else if (c.cli) {
      assert.deepEqual(out, { kind: 'cli', exit: c.exit, stderr: c.stderr });
    } else {
      assert.deepEqual(out, { kind: 'errors', errors: c.errors });
    }
  });
}

test('the generated hostile specs typecheck together and import without side effects', async (t) => {
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const generating = cases.filter((c) => c.expect === 'generates').length;
  assert.equal(modules.length, generating, 'every generating case generated');
  // all generated modules in one strict project: no diagnostics
  const dir = join(root, 'typecheck');
  const project = strictProject(dir, modules);
  const diags = project.getPreEmitDiagnostics();
  assert.equal(diags.length, 0, project.formatDiagnosticsWithColorAndContext(diags));
  // importing each one touches neither globalThis nor Object.prototype
  const before = [snapshot(globalThis), snapshot(Object.prototype)];
  for (const m of modules) {
    const js = join(dir, m.path.replace(/\.ts$/, '.mjs'));
    writeFileSync(
      js,
      ts.transpileModule(m.text, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      }).outputText,
    );
    const mod = (await import(pathToFileURL(js).href)) as Record<string, unknown>;
    assert.ok(Object.keys(mod).length > 0, m.c.spec);
    assert.deepEqual([snapshot(globalThis), snapshot(Object.prototype)], before, m.c.spec);
    assert.equal((globalThis as { P?: unknown }).P, undefined, m.c.spec);
  }
  t.diagnostic(
    `${modules.length} generated, typechecked and imported; ${cases.length - modules.length} rejected`,
  );
});
