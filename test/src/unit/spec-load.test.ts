// Every vendored spec (and the older kernel's) loads into a model; the OVS
// overrides give the uapi's numbers; the schemas' quirks are handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFamily, type FamilyModel } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

const specsDir = join(repoRoot, 'specs');
const oldDir = join(repoRoot, 'test', 'fixtures', 'kernel-v7.2.13');
const yamls = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function allNames(m: FamilyModel): string[] {
  return [
    m.tsName,
    ...m.enums.flatMap((e) => [e.tsName, ...e.entries.map((x) => x.tsName)]),
    ...m.structs.flatMap((s) => [s.tsName, ...s.members.map((x) => x.tsName)]),
    ...m.attrSets.flatMap((s) => [s.tsName, ...s.attrs.map((a) => a.tsName)]),
    ...m.ops.map((o) => o.tsName),
    ...m.consts.map((c) => c.tsName),
  ];
}

for (const [label, dir] of [
  ['mainline', specsDir],
  ['7.2.13', oldDir],
] as const) {
  test(`every ${label} spec loads and all its names are identifiers`, () => {
    const files = yamls(dir);
    assert.ok(files.length >= 33, `${files.length} specs in ${dir}`);
    for (const f of files) {
      const m = loadFamily(join(dir, f), {
        schemasDir: join(specsDir, 'schemas'),
        overridesDir: join(specsDir, 'overrides'),
      });
      assert.ok(m.attrSets.length > 0, `${f}: no attribute sets`);
      for (const n of allNames(m)) assert.match(n, identifier, `${f}: ${n}`);
    }
  });
}

test('the vendored specs keep their SPDX lines', () => {
  for (const f of yamls(specsDir)) {
    assert.match(readFileSync(join(specsDir, f), 'utf8'), /^# SPDX-License-Identifier: /, f);
  }
});

test('ovs_flow overrides: drop = 24, psample = 25, padded key structs, __be16 ethertype, probe flag', () => {
  const m = loadFamily(join(specsDir, 'ovs_flow.yaml'));
  const actions = m.attrSets.find((s) => s.name === 'action-attrs')!;
  const byName = new Map(actions.attrs.map((a) => [a.name, a]));
  assert.equal(byName.get('drop')?.value, 24);
  assert.equal(byName.get('drop')?.cName, 'OVS_ACTION_ATTR_DROP');
  assert.equal(byName.get('psample')?.value, 25);
  assert.equal(actions.ordered, true);
  assert.equal(byName.get('set-masked')?.masked, true);
  assert.match(byName.get('drop')!.overrides[0]!.reason, /OVS_ACTION_ATTR_DROP = 24/);
  const size = (n: string): number | undefined => m.structs.find((s) => s.name === n)?.size;
  assert.equal(size('ovs-key-arp'), 24);
  assert.equal(size('ovs-key-ct-tuple-ipv4'), 16);
  assert.equal(size('ovs-action-push-mpls'), 8);
  assert.equal(size('ovs-action-add-mpls'), 8);
  const eth = m.structs
    .find((s) => s.name === 'ovs-action-push-mpls')!
    .members.find((x) => x.name === 'mpls-ethertype')!;
  assert.deepEqual([eth.type, eth.byteOrder, eth.offset], ['u16', 'big-endian', 4]);
  const flow = m.attrSets.find((s) => s.name === 'flow-attrs')!;
  assert.equal(flow.attrs.find((a) => a.name === 'probe')?.type, 'flag');
  assert.deepEqual(
    m.ops.map((o) => [o.name, o.value]),
    [
      ['get', 3],
      ['new', 1],
      ['del', 2],
      ['set', 4],
      ['new-ntf', 1],
      ['del-ntf', 2],
      ['set-ntf', 4],
    ],
  );
  assert.deepEqual(
    m.ops.filter((o) => o.mcgrp).map((o) => o.notify?.name),
    ['get', 'get', 'get'],
  );
});

test('family versions follow the uapi (OVS_VPORT_VERSION 1, OVS_DATAPATH_VERSION 2)', () => {
  const v = (f: string): number => loadFamily(join(specsDir, f)).version;
  assert.equal(v('ovs_vport.yaml'), 1);
  assert.equal(v('ovs_datapath.yaml'), 2);
  assert.equal(v('ovs_flow.yaml'), 1);
  assert.equal(v('ovs_packet.yaml'), 1);
  assert.equal(loadFamily(join(specsDir, 'ovs_vport.yaml'), { overridesDir: null }).version, 2);
});

test('without overrides the model is what the spec says (psample 24, arp 22 bytes)', () => {
  const m = loadFamily(join(specsDir, 'ovs_flow.yaml'), { overridesDir: null });
  assert.equal(
    m.attrSets.find((s) => s.name === 'action-attrs')!.attrs.find((a) => a.name === 'psample')
      ?.value,
    24,
  );
  assert.equal(m.structs.find((s) => s.name === 'ovs-key-arp')?.size, 22);
});

test('schema quirks: genetlink and genetlink-legacy (same $id in the files) validate in one process; netlink-raw last if/then wins', () => {
  loadFamily(join(specsDir, 'netdev.yaml'));
  loadFamily(join(specsDir, 'ovs_flow.yaml'));
  loadFamily(join(specsDir, 'rt-link.yaml'));
  // netlink-raw's second `if: binary` / `then: oneOf len|struct` is the one in force:
  const raw = `name: demo\nprotocol: netlink-raw\nprotonum: 0\ndoc: D.\ndefinitions:\n  - name: s\n    type: struct\n    members:\n      - name: b\n        type: binary\nattribute-sets: []\noperations:\n  list: []\n`;
  assert.throws(
    () =>
      loadFamily('bad/raw.yaml', {
        text: raw,
        schemasDir: join(specsDir, 'schemas'),
        overridesDir: null,
      }),
    /definitions\[0\]\.members\[0\]: missing required property '(len|struct)'/,
  );
});

test('C names follow the kernel generator: prefixes, enum-name, implicit values', () => {
  const dp = loadFamily(join(specsDir, 'ovs_datapath.yaml'));
  const feat = dp.enums.find((e) => e.name === 'user-features')!;
  assert.ok(feat.flags);
  assert.deepEqual(
    feat.entries.map((e) => [e.cName, e.value]),
    [
      ['OVS_DP_F_UNALIGNED', 1],
      ['OVS_DP_F_VPORT_PIDS', 2],
      ['OVS_DP_F_TC_RECIRC_SHARING', 4],
      ['OVS_DP_F_DISPATCH_UPCALL_PER_CPU', 8],
    ],
  );
  const nd = loadFamily(join(specsDir, 'netdev.yaml'));
  const dev = nd.attrSets.find((s) => s.name === 'dev')!;
  assert.equal(dev.attrs[0]?.cName, 'NETDEV_A_DEV_IFINDEX');
  assert.equal(dev.attrs[0]?.value, 1);
  assert.equal(nd.ops.find((o) => o.name === 'dev-get')?.cName, 'NETDEV_CMD_DEV_GET');
  const et = loadFamily(join(specsDir, 'ethtool.yaml'));
  assert.equal(
    et.attrSets.find((s) => s.name === 'stringset')?.tsName,
    'StringsetAttrs',
    'a set named like an enum gets the Attrs suffix',
  );
});
