// test/fixtures/bad-specs: each file lists, in `# expect:` comments, exactly
// the errors loadFamily must report for it. Also sub-message modelling
// (netlink-raw) and the loader's default schema/override directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadFamily, SpecErrors } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

const badDir = join(repoRoot, 'test', 'fixtures', 'bad-specs');
const specsDir = join(repoRoot, 'specs');

const fixtures = readdirSync(badDir).filter((f) => f.endsWith('.yaml'));

test('there are bad-spec fixtures, each with expected errors', () => {
  assert.ok(fixtures.length >= 7, `${fixtures.length} fixtures`);
});

for (const f of fixtures) {
  test(`bad spec ${f}: exactly the expected errors, at the expected places`, () => {
    const path = join(badDir, f);
    const expected = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('# expect: '))
      .map((l) => l.slice('# expect: '.length));
    assert.ok(expected.length > 0, `${f} has no '# expect:' lines`);
    let caught: unknown;
    try {
      // Defaults: schemas from the project (the fixture dir has none),
      // overrides from bad-specs/overrides.
      loadFamily(path);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof SpecErrors, `${f}: expected SpecErrors, got ${String(caught)}`);
    const prefix = resolve(badDir) + '/';
    const actual = caught.errors.map((e) => e.format().replace(prefix, ''));
    assert.deepEqual(actual, expected);
    // The thrown message lists every error; each error names its place.
    for (const e of caught.errors) {
      assert.ok(caught.message.includes(e.format()), e.format());
      assert.equal(e.file, e.pos.file);
      assert.ok(e.line >= 1 && e.col >= 1);
    }
  });
}

test('sub-messages (netlink-raw) are modelled: formats, selector, attribute sets', () => {
  const link = loadFamily(join(specsDir, 'rt-link.yaml'));
  const data = link.subMessages.find((m) => m.name === 'linkinfo-data-msg');
  assert.ok(data, 'linkinfo-data-msg');
  assert.equal(data.tsName, 'LinkinfoDataMsg');
  assert.deepEqual(
    data.formats.find((f) => f.value === 'vlan'),
    { value: 'vlan', attrSet: link.attrSets.find((s) => s.name === 'linkinfo-vlan-attrs') },
  );
  const linkinfo = link.attrSets.find((s) => s.name === 'linkinfo-attrs');
  const attr = linkinfo?.attrs.find((a) => a.name === 'data');
  assert.equal(attr?.type, 'sub-message');
  assert.equal(attr?.subMessage, data, 'linked to the sub-message object');
  assert.equal(attr?.selector, 'kind');
  // Every format names a set or a struct that the model has.
  const tc = loadFamily(join(specsDir, 'tc.yaml'));
  const sets = new Set(tc.attrSets);
  const structs = new Set(tc.structs);
  let formats = 0;
  for (const m of tc.subMessages)
    for (const fm of m.formats) {
      formats++;
      if (fm.attrSet !== undefined) assert.ok(sets.has(fm.attrSet), fm.attrSet.name);
      if (fm.fixedHeader !== undefined) assert.ok(structs.has(fm.fixedHeader), fm.fixedHeader.name);
    }
  assert.ok(formats > 20, `${formats} tc formats`);
  assert.deepEqual(
    tc.subMessages.find((m) => m.name === 'options-msg')?.formats.find((x) => x.value === 'bfifo'),
    { value: 'bfifo', fixedHeader: tc.structs.find((s) => s.name === 'tc-fifo-qopt') },
  );
  assert.deepEqual(loadFamily(join(specsDir, 'netdev.yaml')).subMessages, []);
  // netlink-raw multicast groups carry their number; genetlink ones do not.
  assert.deepEqual(
    link.mcastGroups.find((g) => g.name === 'rtnlgrp-link'),
    { name: 'rtnlgrp-link', tsName: 'rtnlgrpLink', value: 1 },
  );
  assert.deepEqual(loadFamily(join(specsDir, 'ovs_flow.yaml')).mcastGroups, [
    { name: 'ovs_flow', tsName: 'ovsFlow' },
  ]);
});

test('defaults: a spec outside specs/ gets the project schemas and overrides', () => {
  // The 7.2.13 copy has its own schemas/ but no overrides/: the project's apply.
  const old = loadFamily(join(repoRoot, 'test', 'fixtures', 'kernel-v7.2.13', 'ovs_vport.yaml'));
  assert.equal(old.version, 1);
  assert.ok(old.overrides.length > 0);
  const none = loadFamily(join(repoRoot, 'test', 'fixtures', 'kernel-v7.2.13', 'ovs_vport.yaml'), {
    overridesDir: null,
  });
  assert.equal(none.version, 2);
});

test('a missing schema directory is a plain error naming the file it looked for', () => {
  const dir = join(repoRoot, 'test', 'fixtures', 'no-such-schemas');
  assert.throws(() => loadFamily(join(specsDir, 'netdev.yaml'), { schemasDir: dir }), {
    message: `no schema for protocol 'genetlink': ${join(dir, 'genetlink.yaml')} does not exist (pass schemasDir to loadFamily)`,
  });
});

test('ovs_flow geneve-opts are plain bytes (override drops the u32 sub-type)', () => {
  const m = loadFamily(join(specsDir, 'ovs_flow.yaml'));
  const tun = m.attrSets.find((s) => s.name === 'tunnel-key-attrs');
  const g = tun?.attrs.find((a) => a.name === 'geneve-opts');
  assert.equal(g?.type, 'binary');
  assert.equal(g?.subType, undefined);
  assert.deepEqual(
    g?.overrides.map((o) => o.target),
    ['attribute-sets[tunnel-key-attrs].attributes[geneve-opts]'],
  );
  const raw = loadFamily(join(specsDir, 'ovs_flow.yaml'), { overridesDir: null });
  const rawG = raw.attrSets
    .find((s) => s.name === 'tunnel-key-attrs')
    ?.attrs.find((a) => a.name === 'geneve-opts');
  assert.equal(rawG?.subType, 'u32');
});

test('ovs_vport tunnel options follow the kernel: u16 dst-port, extension nest with a gbp flag', () => {
  const m = loadFamily(join(specsDir, 'ovs_vport.yaml'));
  const opts = m.attrSets.find((s) => s.name === 'vport-options');
  const port = opts?.attrs.find((a) => a.name === 'dst-port');
  assert.equal(port?.type, 'u16');
  assert.equal(port?.byteOrder, 'host');
  const ext = opts?.attrs.find((a) => a.name === 'extension');
  assert.equal(ext?.type, 'nest');
  assert.equal(ext?.nested?.name, 'vport-vxlan-ext-attrs');
  const exts = m.attrSets.find((s) => s.name === 'vport-vxlan-ext-attrs');
  assert.deepEqual(
    exts?.attrs.map((a) => [a.name, a.value, a.type, a.cName]),
    [['gbp', 1, 'flag', 'OVS_VXLAN_EXT_GBP']],
  );
  assert.equal(exts?.overrides.length, 1);
});
