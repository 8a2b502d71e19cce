// The validators of the vendored schemas are compiled at build time
// (generator/dist/precompile.js) and found by the hash of the schema text:
// generating from the vendored schemas loads no ajv compiler, and an edited
// schema is never validated with the validator of the text it had before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFamily, SpecErrors } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

test('a run on the vendored schemas loads no ajv compiler (the build compiled them)', () => {
  const script = `
    import { createRequire } from 'node:module';
    import { loadFamily } from '@ynl-ts/codegen';
    for (const f of ['ovs_flow', 'netdev', 'rt-link']) loadFamily(${JSON.stringify(join(repoRoot, 'specs'))} + '/' + f + '.yaml');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(loaded.filter((k) => /[\\\\/]ajv[\\\\/]dist[\\\\/](ajv|core|compile)/.test(k))));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(repoRoot, 'test'),
    env: { ...process.env, YNL_TS_CACHE_DIR: 'off' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('an edited schema is compiled anew, not served the build-time validator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-schemas-'));
  try {
    cpSync(join(repoRoot, 'specs', 'schemas'), dir, { recursive: true });
    const legacy = join(dir, 'genetlink-legacy.yaml');
    const text = readFileSync(legacy, 'utf8');
    const edited = text.replace(
      'required: [ name, doc, attribute-sets, operations ]',
      'required: [ name, doc, attribute-sets, operations, x-edited ]',
    );
    assert.notEqual(edited, text);
    writeFileSync(legacy, edited);
    const spec = join(repoRoot, 'specs', 'ovs_flow.yaml');
    assert.ok(loadFamily(spec).attrSets.length > 0); // the vendored schema: valid
    assert.throws(
      () => loadFamily(spec, { schemasDir: dir }),
      (e: unknown) =>
        e instanceof SpecErrors && /missing required property 'x-edited'/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
