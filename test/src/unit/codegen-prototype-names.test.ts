// Spec names whose TypeScript name would be a member of Object.prototype
// (`to-string` → `toString`) get a trailing underscore (`toString_`); the
// wire name is unchanged and the layouts the runtime reads carry the TS name.
// Before, such an attribute made a `{}` default argument fail to typecheck
// and never decoded (the repeat check saw the inherited method).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { camel, generatePackage } from '@ynl-ts/codegen';
import {
  AttrSet,
  Cursor,
  decodeAttrs,
  decodeStruct,
  encodeSet,
  encodeStruct,
  Writer,
} from '@ynl-ts/runtime';
import { repoRoot, strictProject } from './spec-util.js';

/** Every member of Object.prototype, as of ES2023 (and Node.js 20). */
const members = Object.getOwnPropertyNames(Object.prototype).sort();

/** `hasOwnProperty` → `has-own-property`: the spec name that camel-cases to it. */
const kebab = (m: string): string => m.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

test('camel(): every Object.prototype member name gets a trailing underscore', () => {
  assert.ok(members.length >= 12, members.join(' '));
  for (const m of members) {
    for (const spec of [m, kebab(m), `${kebab(m)}-`, m.replace(/_/g, '')]) {
      const id = camel(spec);
      assert.ok(!members.includes(id), `${spec} → ${id}`);
      if (id.replace(/_$/, '') === m) assert.equal(id, `${m}_`, spec);
    }
  }
  assert.equal(camel('to-string'), 'toString_');
  assert.equal(camel('hasOwnProperty'), 'hasOwnProperty_');
  assert.equal(camel('__proto__'), 'proto', 'underscores separate words');
});

// the names a genetlink spec can spell (lower case and dashes)
const spellable = members.map(kebab).filter((n) => /^[0-9a-z-]+$/.test(n));

const spec = `name: protonames
doc: Names that are members of Object.prototype.
protocol: genetlink-legacy
definitions:
  - name: kinds
    type: enum
    entries: [${spellable.join(', ')}]
  - name: hdr
    type: struct
    members:
${spellable.map((n) => `      - name: ${n}\n        type: u16`).join('\n')}
attribute-sets:
  - name: main
    attributes:
${spellable.map((n, i) => `      - name: ${n}\n        type: ${i % 2 ? 'string' : 'u32'}`).join('\n')}
      - name: kind
        type: u32
        enum: kinds
      - name: hdr
        type: binary
        struct: hdr
operations:
  list:
${spellable
  .map(
    (n, i) =>
      `    - name: ${n}\n      doc: op ${i}\n      attribute-set: main\n      do:\n        request:\n          attributes: [${spellable.join(', ')}, kind]\n        reply:\n          attributes: [${spellable.join(', ')}, kind, hdr]`,
  )
  .join('\n')}
mcast-groups:
  list:
${spellable.map((n) => `    - name: ${n}`).join('\n')}
`;

test('attributes, members, entries, ops and groups named like Object.prototype members: generate, typecheck, round-trip', async (t) => {
  assert.deepEqual(spellable, [
    'constructor',
    'has-own-property',
    'is-prototype-of',
    'property-is-enumerable',
    'to-locale-string',
    'to-string',
    'value-of',
  ]);
  const dir = mkdtempSync(join(repoRoot, 'test', 'dist', 'protonames-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'protonames.yaml');
  writeFileSync(file, spec);
  const files = await generatePackage({
    specs: [file],
    schemasDir: join(repoRoot, 'specs', 'schemas'),
    overridesDir: null,
    relativeTo: dir,
  });
  const text = files.find((f) => f.path === 'src/protonames.ts')!.text;
  const ids = spellable.map(camel);
  for (const id of ids) {
    assert.match(id, /_$/);
    assert.match(text, new RegExp(`readonly ${id}\\?: (number|string);`), `attribute ${id}`);
    assert.match(text, new RegExp(`readonly ${id}: number;`), `member ${id}`);
    assert.match(text, new RegExp(`name: '${id}', type: \\d+`), `layout of attribute ${id}`);
    assert.match(text, new RegExp(`^  ${id}: \\d+,$`, 'm'), `enum entry ${id}`);
    assert.match(text, new RegExp(`^  ${id}\\($|^  ${id}\\(req: `, 'm'), `method ${id}`);
  }
  // a user's code: `{}` defaults, object literals with every name, the client's methods
  const user = `import { ProtonamesClient, ops, type Main, type Hdr, Kinds, kindsEnum } from './protonames.js';
export const main: Main = { ${ids.map((id, i) => `${id}: ${i % 2 ? `'s${i}'` : i}`).join(', ')}, kind: 'toString_' };
export const hdr: Hdr = { ${ids.map((id, i) => `${id}: ${i}`).join(', ')} };
export const empty: Main = {};
export const entry: Kinds = 'valueOf_';
export const n: number = Kinds.toString_ + (kindsEnum.valueOf('hasOwnProperty_') ?? 0);
export async function call(c: ProtonamesClient): Promise<string | undefined> {
  await c.constructor_();
  const r = await c.toString_({ toString_: 's', valueOf_: 1 });
  return r.toString_ ?? String(r.hdr?.toString_) + String(ops.toString_.cmd);
}
`;
  const project = strictProject(dir, [
    { path: 'src/protonames.ts', text },
    { path: 'src/user.ts', text: user },
  ]);
  const diags = project.getPreEmitDiagnostics();
  assert.equal(diags.length, 0, project.formatDiagnosticsWithColorAndContext(diags));
  // the runtime encodes and decodes them under their TS names
  const out = join(dir, 'protonames.mjs');
  writeFileSync(
    out,
    ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    }).outputText,
  );
  const mod = (await import(pathToFileURL(out).href)) as {
    mainSet: AttrSet;
    hdrStruct: Parameters<typeof encodeStruct>[1];
  };
  const value: Record<string, unknown> = { kind: 'constructor_' };
  ids.forEach((id, i) => (value[id] = i % 2 ? `s${i}` : i));
  value.hdr = Object.fromEntries(ids.map((id, i) => [id, i + 100]));
  const w = new Writer(64);
  encodeSet(w, mod.mainSet, value);
  const wire = w.bytes();
  // one attribute per name (7), kind and hdr
  let count = 0;
  for (let off = 0; off < wire.length; count++)
    off += ((wire[off]! | (wire[off + 1]! << 8)) + 3) & ~3 || wire.length;
  assert.equal(count, ids.length + 2);
  assert.deepEqual({ ...(decodeAttrs(mod.mainSet, wire) as object) }, value);
  const sw = new Writer(32);
  encodeStruct(sw, mod.hdrStruct, value.hdr);
  const sb = sw.bytes();
  assert.deepEqual({ ...decodeStruct(new Cursor(sb), mod.hdrStruct, 0, sb.length) }, value.hdr);
});
