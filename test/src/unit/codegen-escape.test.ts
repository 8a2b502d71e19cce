// Spec text cannot break out of generated comments or strings, and spec names
// that are awkward in TypeScript still give valid, working code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePackage } from '@ynl-ts/codegen';
import { repoRoot, strictProject } from './spec-util.js';

const hostile = `name: hostile
doc: "Ends a comment */ opens \`\${process.exit(1)}\` and @param tags"
attribute-sets:
  - name: then
    doc: "*/ export const pwned = 1; /*"
    attributes:
      - name: then
        type: u32
        doc: "\`\${1}\` */"
      - name: constructor
        type: string
      - name: 8021q
        type: flag
operations:
  list:
    - name: delete
      doc: "*/"
      attribute-set: then
      do:
        request:
          attributes: [then]
`;

test('hostile docs and names generate code that parses, typechecks and exports only what it should', async (t) => {
  const dir = mkdtempSync(join(repoRoot, 'test', 'dist', 'escape-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = join(dir, 'hostile.yaml');
  writeFileSync(spec, hostile);
  const files = await generatePackage({
    specs: [spec],
    schemasDir: join(repoRoot, 'specs', 'schemas'),
    overridesDir: null,
    relativeTo: dir,
  });
  const text = files.find((f) => f.path === 'src/hostile.ts')!.text;
  assert.ok(
    !/^export const pwned/m.test(text),
    'a doc string cannot end the comment and declare code',
  );
  assert.match(text, /\*\\\//, '*/ in docs is escaped');
  assert.match(
    text,
    /readonly then_\?: number;/,
    "an attribute named 'then' is renamed (it would make replies thenables)",
  );
  assert.match(text, /readonly constructor_\?: string;/);
  assert.match(text, /readonly _8021q\?: boolean;/);
  assert.match(text, /async delete\(/, 'an op named delete is a valid method name');
  const project = strictProject(dir, [{ path: 'src/hostile.ts', text }]);
  const sf = project.getSourceFileOrThrow(join(dir, 'src', 'hostile.ts'));
  const diags = project.getPreEmitDiagnostics();
  assert.equal(diags.length, 0, project.formatDiagnosticsWithColorAndContext(diags));
  assert.deepEqual(
    [...sf.getExportedDeclarations().keys()].sort(),
    [
      'DeleteRequest',
      'HostileClient',
      'HostileClientNotification',
      'Then',
      'family',
      'ops',
      'thenSet',
    ].sort(),
  );
});
