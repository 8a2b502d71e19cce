// Cross-family attribute sets (override `nested-from`): ovs_packet's key,
// actions and egress tunnel key are ovs_flow's sets, typed and decoded with
// them; a bad `nested-from` is a positioned error; the codegen cache notices a
// change of the other family's spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAttrs, encodeSet, Writer } from '@ynl-ts/runtime';
import { packetSet } from '@ynl-ts/families/ovs_packet';
import { generatePackage, loadFamily } from '@ynl-ts/codegen';
import { assertSpecError, repoRoot } from './spec-util.js';

/** One netlink attribute: type, payload, padded to 4 bytes. */
function nla(type: number, payload: readonly number[]): number[] {
  const len = 4 + payload.length;
  const pad = (4 - (len % 4)) % 4;
  return [len & 0xff, len >> 8, type & 0xff, type >> 8, ...payload, ...Array<number>(pad).fill(0)];
}

test('an upcall payload decodes key, actions and egress tunnel key with ovs_flow sets, and re-encodes to the same bytes', () => {
  const NLA_F_NESTED = 0x8000;
  const bytes = Uint8Array.from([
    // OVS_PACKET_ATTR_KEY { OVS_KEY_ATTR_IN_PORT(3) = 7, OVS_KEY_ATTR_ETHERTYPE(6) = be16 0x0800 }
    ...nla(2 | NLA_F_NESTED, [...nla(3, [7, 0, 0, 0]), ...nla(6, [0x08, 0x00])]),
    // OVS_PACKET_ATTR_ACTIONS [ OUTPUT(1) = 2, OUTPUT(1) = 3 ]
    ...nla(3 | NLA_F_NESTED, [...nla(1, [2, 0, 0, 0]), ...nla(1, [3, 0, 0, 0])]),
    // OVS_PACKET_ATTR_USERDATA
    ...nla(4, [0xc0, 0xff, 0xee, 0]),
    // OVS_PACKET_ATTR_EGRESS_TUN_KEY { ID(0) = be64 42, IPV4_DST(2) = 10.0.0.2, TTL(4) = 64 }
    ...nla(5 | NLA_F_NESTED, [
      ...nla(0, [0, 0, 0, 0, 0, 0, 0, 42]),
      ...nla(2, [10, 0, 0, 2]),
      ...nla(4, [64]),
    ]),
  ]);
  const p = decodeAttrs(packetSet, bytes);
  assert.equal(p.key?.inPort, 7);
  assert.equal(p.key?.ethertype, 0x0800);
  assert.deepEqual(p.actions, [
    { type: 'output', value: 2 },
    { type: 'output', value: 3 },
  ]);
  assert.deepEqual([...p.userdata!], [0xc0, 0xff, 0xee, 0]);
  assert.equal(p.egressTunKey?.id, 42n);
  assert.equal(p.egressTunKey?.ipv4Dst, 0x0a000002);
  assert.equal(p.egressTunKey?.ttl, 64);
  const w = new Writer(256);
  encodeSet(w, packetSet, p);
  assert.deepEqual([...w.bytes()], [...bytes]);
});

/** A copy of specs/ with ovs_packet and ovs_flow and an ovs_packet override `patch`. */
function tree(patch: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-nested-from-'));
  for (const f of ['ovs_packet.yaml', 'ovs_flow.yaml', 'schemas'])
    cpSync(join(repoRoot, 'specs', f), join(dir, f), { recursive: true });
  cpSync(join(repoRoot, 'specs', 'overrides'), join(dir, 'overrides'), { recursive: true });
  writeFileSync(
    join(dir, 'overrides', 'ovs_packet.yaml'),
    `family: ovs_packet\npatches:\n${patch}`,
  );
  return dir;
}

const cases: [string, string, RegExp][] = [
  [
    'not a binary attribute',
    '  - target: attribute-sets[packet].attributes[mru]\n    extend: { nested-from: { family: ovs_flow, attribute-set: key-attrs } }\n    reason: test\n',
    /ovs_packet\.yaml:\d+:\d+: attribute-sets\[0\]\.attributes\[\d+\]\.name: nested-from needs a binary attribute, not u16/,
  ],
  [
    'no such family',
    '  - target: attribute-sets[packet].attributes[key]\n    extend: { nested-from: { family: ovs_nope, attribute-set: key-attrs } }\n    reason: test\n',
    /nested-from family 'ovs_nope': no spec .*ovs_nope\.yaml/,
  ],
  [
    'no such set',
    '  - target: attribute-sets[packet].attributes[key]\n    extend: { nested-from: { family: ovs_flow, attribute-set: nope-attrs } }\n    reason: test\n',
    /nested-from: family 'ovs_flow' has no attribute set 'nope-attrs'/,
  ],
  [
    'a family that names itself',
    '  - target: attribute-sets[packet].attributes[key]\n    extend: { nested-from: { family: ovs_packet, attribute-set: packet } }\n    reason: test\n',
    /nested-from family 'ovs_packet': a cycle of nested-from/,
  ],
  [
    'on a set instead of an attribute',
    '  - target: attribute-sets[packet]\n    extend: { nested-from: { family: ovs_flow, attribute-set: key-attrs } }\n    reason: test\n',
    /'nested-from' applies to an attribute \(attribute-sets\[name\]\.attributes\[name\]\), not to 'attribute-sets\[packet\]'/,
  ],
];

for (const [what, patch, msg] of cases) {
  test(`nested-from: ${what} is a positioned spec error`, () => {
    assertSpecError(tree, patch, (dir) => loadFamily(join(dir, 'ovs_packet.yaml')), msg);
  });
}

test('a cached module is regenerated when the family it imports from changes', async () => {
  const dir = tree(
    '  - target: attribute-sets[packet].attributes[key]\n    extend: { nested-from: { family: ovs_flow, attribute-set: key-attrs } }\n    reason: test\n',
  );
  try {
    const gen = async (): Promise<string> =>
      (await generatePackage({ specs: [join(dir, 'ovs_packet.yaml')], relativeTo: dir })).find(
        (f) => f.path === 'src/ovs_packet.ts',
      )!.text;
    assert.match(await gen(), /readonly key\?: KeyAttrs;/);
    assert.match(await gen(), /readonly key\?: KeyAttrs;/); // a cache hit
    const flow = join(dir, 'ovs_flow.yaml');
    // only the other family's spec changes (not this spec, not the overrides)
    writeFileSync(flow, readFileSync(flow, 'utf8').replace(/name: key-attrs$/m, 'name: k-attrs'));
    await assert.rejects(gen(), /nested-from family 'ovs_flow'/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
