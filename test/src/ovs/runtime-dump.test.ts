// The runtime (codec + GenlSocket) against the real OVS datapath, with layouts
// written by hand from linux/openvswitch.h (not generated): dump datapaths and
// vports, and see what ovs-dpctl made. Runs in the VM: npm run test:ovs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { AttrSet, GenlSocket, Kind, readGenlMessage, type StructDef } from '@ynl-ts/runtime';
import { ovsSkipReason, run, runQuiet, vmKernel } from './vm.js';

const DP = 'ynltest1';
const skip = ovsSkipReason();

/** struct ovs_header */
const ovsHeader: StructDef<{ dpIfindex: number }> = {
  name: 'ovs-header',
  size: 4,
  members: [{ name: 'dpIfindex', kind: Kind.U32, offset: 0 }],
};
interface DpStats {
  nHit: bigint;
  nMissed: bigint;
  nLost: bigint;
  nFlows: bigint;
}
/** struct ovs_dp_stats */
const ovsDpStats: StructDef<DpStats> = {
  name: 'ovs-dp-stats',
  size: 32,
  members: [
    { name: 'nHit', kind: Kind.U64, offset: 0 },
    { name: 'nMissed', kind: Kind.U64, offset: 8 },
    { name: 'nLost', kind: Kind.U64, offset: 16 },
    { name: 'nFlows', kind: Kind.U64, offset: 24 },
  ],
};
interface Datapath {
  header?: { dpIfindex: number };
  name?: string;
  upcallPid?: number;
  stats?: DpStats;
  userFeatures?: number;
  masksCacheSize?: number;
}
/** OVS_DP_ATTR_* */
const datapath = new AttrSet<Datapath>('datapath', () => [
  { name: 'name', type: 1, kind: Kind.String },
  { name: 'upcallPid', type: 2, kind: Kind.U32 },
  { name: 'stats', type: 3, kind: Kind.Struct, struct: ovsDpStats },
  { name: 'megaflowStats', type: 4, kind: Kind.Binary },
  { name: 'userFeatures', type: 5, kind: Kind.U32 },
  { name: 'pad', type: 6, kind: Kind.Pad },
  { name: 'masksCacheSize', type: 7, kind: Kind.U32 },
  { name: 'perCpuPids', type: 8, kind: Kind.Binary },
  { name: 'ifindex', type: 9, kind: Kind.U32 },
]);
interface Vport {
  header?: { dpIfindex: number };
  portNo?: number;
  type?: number;
  name?: string;
}
/** OVS_VPORT_ATTR_* */
const vport = new AttrSet<Vport>('vport', () => [
  { name: 'portNo', type: 1, kind: Kind.U32 },
  { name: 'type', type: 2, kind: Kind.U32 },
  { name: 'name', type: 3, kind: Kind.String },
  { name: 'options', type: 4, kind: Kind.Binary },
  { name: 'upcallPid', type: 5, kind: Kind.Binary },
  { name: 'stats', type: 6, kind: Kind.Binary },
  { name: 'pad', type: 7, kind: Kind.Pad },
  { name: 'ifindex', type: 8, kind: Kind.U32 },
  { name: 'netnsid', type: 9, kind: Kind.U32 },
  { name: 'upcallStats', type: 10, kind: Kind.Binary },
]);
const OVS_DP_CMD_GET = 3;
const OVS_VPORT_CMD_GET = 3;
const OVS_VPORT_TYPE_INTERNAL = 2;

describe(`runtime against the OVS datapath on Linux ${vmKernel}`, { skip }, () => {
  let sock: GenlSocket;
  before(async () => {
    runQuiet('ovs-dpctl', ['del-dp', DP]);
    run('ovs-dpctl', ['add-dp', DP]);
    sock = await GenlSocket.open();
  });
  after(() => {
    sock?.close();
    runQuiet('ovs-dpctl', ['del-dp', DP]);
  });

  test(`a datapath dump finds ${DP} with empty stats`, async () => {
    const fam = await sock.resolveFamily('ovs_datapath');
    const found: Datapath[] = [];
    const req = {
      familyId: fam.id,
      cmd: OVS_DP_CMD_GET,
      version: fam.version,
      set: datapath,
      fixedHeader: ovsHeader,
      attrs: { header: { dpIfindex: 0 } },
    };
    for await (const msg of sock.dump(req)) {
      const m = readGenlMessage(msg, datapath, ovsHeader);
      assert.equal(m.cmd, OVS_DP_CMD_GET);
      found.push(m.attrs);
    }
    const dp = found.find((d) => d.name === DP);
    assert.ok(dp, `dump gave ${JSON.stringify(found.map((d) => d.name))}`);
    // the reply's ovs_header carries the datapath's (internal port's) ifindex
    const ifindex = Number(readFileSync(`/sys/class/net/${DP}/ifindex`, 'utf8'));
    assert.equal(dp.header?.dpIfindex, ifindex);
    assert.deepEqual(dp.stats, { nHit: 0n, nMissed: 0n, nLost: 0n, nFlows: 0n });
    assert.equal(typeof dp.userFeatures, 'number');
  });

  test(`a vport dump of ${DP} shows its internal port 0`, async () => {
    const fam = await sock.resolveFamily('ovs_vport');
    const ifindex = Number(readFileSync(`/sys/class/net/${DP}/ifindex`, 'utf8'));
    const ports: Vport[] = [];
    const req = {
      familyId: fam.id,
      cmd: OVS_VPORT_CMD_GET,
      version: fam.version,
      set: vport,
      fixedHeader: ovsHeader,
      attrs: { header: { dpIfindex: ifindex } },
    };
    for await (const msg of sock.dump(req))
      ports.push(readGenlMessage(msg, vport, ovsHeader).attrs);
    const p0 = ports.find((p) => p.portNo === 0);
    assert.ok(p0, `ports: ${JSON.stringify(ports.map((p) => [p.portNo, p.name]))}`);
    assert.equal(p0.name, DP);
    assert.equal(p0.type, OVS_VPORT_TYPE_INTERNAL);
  });
});
