// The codegen CLI as users run it: help, bad flags and paths, spec errors,
// --out and --check with exit codes and the files named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './spec-util.js';

const bin = join(repoRoot, 'generator', 'bin', 'codegen.js');
function codegen(args: string[], cwd = repoRoot): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('--help documents the usage and exits 0', () => {
  const r = codegen(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^Usage: codegen \[options\] \[spec\.yaml\.\.\.\]/);
  assert.match(r.out, /--check/);
});

test('bad flags, missing values and missing files exit 2 with a message', () => {
  let r = codegen(['--frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.err, /codegen: unknown option '--frobnicate'/);
  r = codegen(['specs/nlctrl.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--out DIR is required when spec files are given/);
  r = codegen(['--out']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--out needs a value/);
  r = codegen(['specs/no-such.yaml', '--out', tmpdir()]);
  assert.equal(r.code, 2);
  assert.match(r.err, /no such spec file: specs\/no-such\.yaml/);
});

test('spec errors exit 3 and print file:line:col', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-cli-'));
  const spec = join(dir, 'demo.yaml');
  writeFileSync(
    spec,
    'name: demo\ndoc: D.\nattribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: u33\noperations:\n  list: []\n',
  );
  const r = codegen([
    spec,
    '--out',
    join(dir, 'out'),
    '--schemas',
    join(repoRoot, 'specs', 'schemas'),
  ]);
  assert.equal(r.code, 3);
  assert.match(
    r.err,
    new RegExp(`${spec}:7:9: attribute-sets\\[0\\]\\.attributes\\[0\\]\\.type: must be one of`),
  );
  rmSync(dir, { recursive: true });
});

test('--out writes a package; --check passes on it, then names a changed, a missing and an extra file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-cli-'));
  const out = join(dir, 'pkg');
  let r = codegen(['specs/nlctrl.yaml', 'specs/netdev.yaml', '--out', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /codegen: 6 files in .* \(6 written\)/);
  r = codegen(['specs/nlctrl.yaml', 'specs/netdev.yaml', '--out', out, '--check']);
  assert.equal(r.code, 0, r.err);
  writeFileSync(
    join(out, 'src', 'netdev.ts'),
    readFileSync(join(out, 'src', 'netdev.ts'), 'utf8') + '// edited\n',
  );
  rmSync(join(out, 'README.md'));
  cpSync(join(out, 'src', 'nlctrl.ts'), join(out, 'src', 'old_family.ts'));
  r = codegen(['specs/nlctrl.yaml', 'specs/netdev.yaml', '--out', out, '--check']);
  assert.equal(r.code, 1);
  assert.match(r.err, /is stale \(run npx codegen\)/);
  assert.match(r.err, /differs: .*src\/netdev\.ts/);
  assert.match(r.err, /missing: .*README\.md/);
  assert.match(r.err, /extra: +.*src\/old_family\.ts/);
  // Writing again repairs it (and removes the stale generated file).
  r = codegen(['specs/nlctrl.yaml', 'specs/netdev.yaml', '--out', out]);
  assert.equal(r.code, 0);
  assert.equal(
    codegen(['specs/nlctrl.yaml', 'specs/netdev.yaml', '--out', out, '--check']).code,
    0,
  );
  rmSync(dir, { recursive: true });
});

test('without arguments the package.json config is used: generated/ is current', () => {
  const r = codegen(['--check']);
  assert.equal(r.code, 0, r.err);
  // 16 family modules (10 genetlink, 6 rtnetlink), index.ts, package.json, tsconfig.json, README.md
  assert.match(r.out, /generated is current \(20 files\)/);
});
