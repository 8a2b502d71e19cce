// First proofs of the OVS VM harness: a datapath made with ovs-dpctl, the four
// OVS generic netlink families resolved three ways (python stdlib decoder,
// iproute2 genl, the runtime's GenlSocket) and a datapath dump
// through @ynl-ts/families/ovs_datapath. Runs in the VM: npm run test:ovs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { GenlSocket, type ResolvedFamily } from '@ynl-ts/runtime';
import {
  genlCtrlGet,
  genlProbe,
  ovsSkipReason,
  run,
  runQuiet,
  vmKernel,
  type ProbedFamily,
} from './vm.js';

const DP = 'ynltest0';
const FAMILIES = ['ovs_datapath', 'ovs_vport', 'ovs_flow', 'ovs_packet'] as const;
/** OVS_*_FAMILY / OVS_*_VERSION / OVS_*_MCGROUP in linux/openvswitch.h (same in 6.1 and 6.12). */
const UAPI: Record<(typeof FAMILIES)[number], { version: number; groups: readonly string[] }> = {
  ovs_datapath: { version: 2, groups: ['ovs_datapath'] },
  ovs_vport: { version: 1, groups: ['ovs_vport'] },
  ovs_flow: { version: 1, groups: ['ovs_flow'] },
  ovs_packet: { version: 1, groups: [] },
};
/** sizeof(struct ovs_header): every OVS family has it as its fixed header. */
const OVS_HEADER_SIZE = 4;

const skip = ovsSkipReason();

/** The facts both decoders give, in the runtime's shape. */
function probedFacts(
  f: ProbedFamily,
): Omit<ResolvedFamily, 'ops'> & { ops: { cmd: number; flags: number }[] } {
  return {
    id: f.id,
    name: f.name,
    version: f.version,
    hdrSize: f.hdrsize,
    maxAttr: f.maxattr,
    ops: f.ops.map((o) => ({ cmd: o.id, flags: o.flags })),
    mcastGroups: new Map(f.mcastGroups.map((g) => [g.name, g.id])),
  };
}

describe(`OVS harness on Linux ${vmKernel}`, { skip }, () => {
  let probed: Record<string, ProbedFamily | null> = {};

  before(() => {
    runQuiet('ovs-dpctl', ['del-dp', DP]); // a leftover of an aborted run
    run('ovs-dpctl', ['add-dp', DP]);
    probed = genlProbe(FAMILIES);
  });
  after(() => {
    runQuiet('ovs-dpctl', ['del-dp', DP]);
  });

  test('ovs-dpctl created the datapath and its internal port', () => {
    assert.match(run('ovs-dpctl', ['show']), new RegExp(`system@${DP}:`));
    assert.match(run('ip', ['-o', 'link', 'show', DP]), new RegExp(`: ${DP}: `));
  });

  for (const name of FAMILIES) {
    test(`${name}: the python decoder agrees with iproute2 genl and the uapi`, () => {
      const p = probed[name];
      assert.ok(p, `${name} not found by CTRL_CMD_GETFAMILY`);
      const g = genlCtrlGet(name);
      assert.equal(p.name, name);
      assert.equal(p.id, g.id);
      assert.ok(p.id >= 0x10 && p.id < 0xffff, `dynamic family id ${p.id}`);
      assert.equal(p.version, g.version);
      assert.equal(p.version, UAPI[name].version);
      assert.equal(p.hdrsize, g.hdrsize);
      assert.equal(p.hdrsize, OVS_HEADER_SIZE);
      assert.equal(p.maxattr, g.maxattr);
      assert.deepEqual(
        p.ops.map((o) => o.id),
        g.ops,
      );
      assert.deepEqual(p.mcastGroups, g.mcastGroups);
      assert.deepEqual(
        p.mcastGroups.map((m) => m.name),
        UAPI[name].groups,
      );
    });
  }

  test('GenlSocket.resolveFamily agrees with the python decoder', async () => {
    const sock = await GenlSocket.open();
    try {
      for (const name of FAMILIES) {
        const r = await sock.resolveFamily(name);
        assert.deepEqual(
          {
            id: r.id,
            name: r.name,
            version: r.version,
            hdrSize: r.hdrSize,
            maxAttr: r.maxAttr,
            ops: r.ops.map((o) => ({ cmd: o.cmd, flags: o.flags })),
            mcastGroups: new Map(r.mcastGroups),
          },
          probedFacts(probed[name]!),
          name,
        );
      }
    } finally {
      sock.close();
    }
  });

  test(`a datapath dump through @ynl-ts/families/ovs_datapath finds ${DP}`, async () => {
    const sock = await GenlSocket.open();
    try {
      const dp = await OvsDatapathClient.open(sock);
      const names: string[] = [];
      for await (const d of dp.dump({ header: { dpIfindex: 0 } })) if (d.name) names.push(d.name);
      assert.ok(names.includes(DP), `dump gave ${JSON.stringify(names)}`);
    } finally {
      sock.close();
    }
  });
});
