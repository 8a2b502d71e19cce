// Spec text cannot break out of generated comments or strings, and spec names
// that are awkward in TypeScript still give valid, working code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
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

// Spec text in every context the printer writes it: comments (docs, group and
// family names), string literals, file names, the header comment with the
// spec path. A group named like the one below used to close a comment and
// declare a static property that ran when the module was imported.
const payload = 'x */ static pwned = Reflect.set(globalThis, `P`, 1); /* y';
const hostileNames = `name: evil
doc: "family */ Reflect.set(globalThis, 'P', 2); /*"
protocol: genetlink-legacy
definitions:
  - name: hdr
    type: struct
    doc: "*/ Reflect.set(globalThis, 'P', 3); /*"
    members:
      - name: ifindex
        type: u32
  - name: kinds
    type: enum
    entries:
      - name: a
        doc: "\\u2028 Reflect.set(globalThis, 'P', 5); //"
  - name: label
    type: const
    value: "'; Reflect.set(globalThis, 'P', 6); '"
attribute-sets:
  - name: main
    attributes:
      - name: header
        type: u32
        doc: an attribute named like the fixed header's key
      - name: kind
        type: u32
        enum: kinds
operations:
  fixed-header: hdr
  list:
    - name: get
      doc: "\`\${Reflect.set(globalThis, 'P', 7)}\`"
      attribute-set: main
      do:
        request:
          attributes: [header, kind]
        reply:
          attributes: [header, kind]
mcast-groups:
  list:
    - name: "${payload}"
`;

test('hostile spec text in every context: the generated module imports without side effects', async (t) => {
  const dir = mkdtempSync(join(repoRoot, 'test', 'dist', 'escape-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // the spec path lands in the header comment: a newline or U+2028 in it must not end the comment
  const sub = join(dir, 'x\u2028Reflect.set(globalThis, `P`, 8);');
  mkdirSync(sub);
  const spec = join(sub, 'evil.yaml');
  writeFileSync(spec, hostileNames);
  const files = await generatePackage({
    specs: [spec],
    schemasDir: join(repoRoot, 'specs', 'schemas'),
    overridesDir: null,
    relativeTo: dir,
  });
  const text = files.find((f) => f.path === 'src/evil.ts')!.text;
  assert.match(
    text,
    /Notifications from `x \*\\\/ static pwned/,
    'the group name cannot close its comment',
  );
  assert.match(text, /readonly header\?: number;/, 'the attribute keeps its name');
  assert.match(text, /readonly fixedHeader: Hdr/, 'the fixed header moves to another key');
  assert.match(text, /headerKey: 'fixedHeader'/);
  const project = strictProject(dir, [{ path: 'src/evil.ts', text }]);
  const diags = project.getPreEmitDiagnostics();
  assert.equal(diags.length, 0, project.formatDiagnosticsWithColorAndContext(diags));
  const out = join(dir, 'evil.mjs');
  writeFileSync(
    out,
    ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    }).outputText,
  );
  const g = globalThis as { P?: unknown };
  delete g.P;
  const mod = (await import(pathToFileURL(out).href)) as Record<string, unknown>;
  assert.equal(g.P, undefined, 'importing the module set no global');
  assert.equal(typeof mod.EvilClient, 'function');
  assert.equal(
    (mod.family as { mcastGroups: string[] }).mcastGroups[0],
    payload,
    'the name survives as data',
  );
  assert.equal(mod.label, "'; Reflect.set(globalThis, 'P', 6); '");
});
