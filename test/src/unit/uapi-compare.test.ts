// The cross-check's comparison itself, on hand-made models against the real
// 6.1/6.12 dumps: it must see each kind of mismatch, and nothing in a model
// that matches the header.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareModel, type ModelLike } from './uapi-compare.js';
import { availableHeaders, dumpUapi, haveCompiler } from './uapi-dump.js';

const header = availableHeaders()[0];
const skip = !haveCompiler()
  ? 'gcc is not installed'
  : header
    ? undefined
    : 'no linux/openvswitch.h';

const m = (over: Partial<ModelLike>): ModelLike => ({
  name: 'ovs_datapath',
  version: 2,
  consts: [],
  enums: [],
  structs: [],
  attrSets: [],
  ops: [],
  ...over,
});

const dpOps = [
  { name: 'new', value: 1, cName: 'OVS_DP_CMD_NEW' },
  { name: 'del', value: 2, cName: 'OVS_DP_CMD_DEL' },
  { name: 'get', value: 3, cName: 'OVS_DP_CMD_GET' },
  { name: 'set', value: 4, cName: 'OVS_DP_CMD_SET' },
];
const userFeatures = {
  name: 'user-features',
  flags: true,
  entries: [
    { name: 'unaligned', value: 1, cName: 'OVS_DP_F_UNALIGNED' },
    { name: 'vport-pids', value: 2, cName: 'OVS_DP_F_VPORT_PIDS' },
    { name: 'tc-recirc-sharing', value: 4, cName: 'OVS_DP_F_TC_RECIRC_SHARING' },
    { name: 'dispatch-upcall-per-cpu', value: 8, cName: 'OVS_DP_F_DISPATCH_UPCALL_PER_CPU' },
  ],
};
const u64 = (name: string, offset: number) => ({ name, type: 'u64', offset, size: 8 });
const u32 = (name: string, offset: number) => ({ name, type: 'u32', offset, size: 4 });
const megaflow = {
  name: 'megaflow-stats',
  size: 32,
  members: [
    u64('n-mask-hit', 0),
    u32('n-masks', 8),
    u32('pad0', 12),
    u64('n-cache-hit', 16),
    u64('pad1', 24),
  ],
};
const ids = (model: ModelLike): string[] => compareModel(model, dumpUapi(header!)).map((x) => x.id);

describe('uapi comparison', { skip }, () => {
  test('a model that matches the header has no mismatches', () => {
    assert.deepEqual(ids(m({ ops: dpOps, enums: [userFeatures], structs: [megaflow] })), []);
  });

  test('version, op values and ops the model lacks', () => {
    const got = ids(
      m({
        version: 1,
        ops: [
          { name: 'get', value: 3, cName: 'OVS_DP_CMD_GET' },
          { name: 'new', value: 2, cName: 'OVS_DP_CMD_NEW' },
          { name: 'vport-get', value: 3, cName: 'OVS_DP_CMD_VPORT_GET' },
        ],
      }),
    );
    assert.deepEqual(got.sort(), [
      'ovs_datapath:op:OVS_DP_CMD_DEL:missing-in-model',
      'ovs_datapath:op:OVS_DP_CMD_SET:missing-in-model',
      'ovs_datapath:op:new:value',
      'ovs_datapath:op:vport-get:missing-in-uapi',
      'ovs_datapath:version:value',
    ]);
  });

  test('flags: values and #define flags the model lacks', () => {
    const entries = userFeatures.entries
      .slice(0, 3)
      .map((e) => (e.name === 'unaligned' ? { ...e, value: 3 } : e));
    assert.deepEqual(ids(m({ enums: [{ ...userFeatures, entries }] })).sort(), [
      'ovs_datapath:enum:user-features.unaligned:value',
      'ovs_datapath:enum:user-features:OVS_DP_F_DISPATCH_UPCALL_PER_CPU:missing-in-model',
    ]);
  });

  test('attributes: values, unknown names and attributes the set lacks', () => {
    const attrs = [
      { name: 'name', value: 1, cName: 'OVS_DP_ATTR_NAME' },
      { name: 'upcall-pid', value: 3, cName: 'OVS_DP_ATTR_UPCALL_PID' },
      { name: 'bogus', value: 10, cName: 'OVS_DP_ATTR_BOGUS' },
    ];
    const got = ids(m({ attrSets: [{ name: 'datapath', attrs }] }));
    assert.ok(got.includes('ovs_datapath:attr:datapath.upcall-pid:value'));
    assert.ok(got.includes('ovs_datapath:attr:datapath.bogus:missing-in-uapi'));
    assert.ok(got.includes('ovs_datapath:attr:datapath:OVS_DP_ATTR_IFINDEX:missing-in-model'));
    assert.ok(!got.some((g) => g.includes('UNSPEC') || g.includes('__')));
    // a subset set is not expected to have every attribute
    assert.deepEqual(
      ids(m({ attrSets: [{ name: 'dp-subset', subsetOf: 'datapath', attrs: attrs.slice(0, 1) }] })),
      [],
    );
  });

  test('structs: found by C name or members; size, member name, offset and size', () => {
    const padding = {
      ...megaflow,
      members: megaflow.members.map((x) => (x.name === 'pad0' ? u32('padding', 12) : x)),
    };
    assert.deepEqual(ids(m({ structs: [padding] })), [
      'ovs_datapath:struct:megaflow-stats.padding:name',
    ]);
    const wrong = {
      name: 'ovs-action-add-mpls',
      size: 12,
      members: [
        u32('mpls-lse', 0),
        u32('mpls-ethertype', 4),
        { name: 'tun-flags', type: 'u16', offset: 8, size: 2 },
      ],
    };
    assert.deepEqual(ids(m({ structs: [wrong] })).sort(), [
      'ovs_datapath:struct:ovs-action-add-mpls.mpls-ethertype:size',
      'ovs_datapath:struct:ovs-action-add-mpls.tun-flags:offset',
      'ovs_datapath:struct:ovs-action-add-mpls:size',
    ]);
    assert.deepEqual(ids(m({ structs: [{ name: 'nowhere', size: 4, members: [u32('zz', 0)] }] })), [
      'ovs_datapath:struct:nowhere:missing-in-uapi',
    ]);
  });
});
