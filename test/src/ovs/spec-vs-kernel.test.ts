// The OVS family models (vendored or specs/extra spec + specs/overrides, as the generator
// loads them) against what the running kernel says about each family: its
// genl version, the commands it implements with do/dump, and its multicast
// groups. Runs in the VM on 6.1 and 6.12: npm run test:ovs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadFamily } from '@ynl-ts/codegen';
import { genlProbe, ovsSkipReason, repoRoot, vmKernel } from './vm.js';

/** Family name → its spec under specs/ (ovs_meter and ovs_ct_limit are ours: the kernel ships none). */
const FAMILIES = {
  ovs_datapath: 'ovs_datapath.yaml',
  ovs_vport: 'ovs_vport.yaml',
  ovs_flow: 'ovs_flow.yaml',
  ovs_packet: 'ovs_packet.yaml',
  ovs_meter: 'extra/ovs_meter.yaml',
  ovs_ct_limit: 'extra/ovs_ct_limit.yaml',
} as const;
const GENL_CMD_CAP_DO = 0x2;
const GENL_CMD_CAP_DUMP = 0x4;

describe(`OVS specs + overrides vs the Linux ${vmKernel} kernel`, { skip: ovsSkipReason() }, () => {
  const probed = genlProbe(Object.keys(FAMILIES));
  for (const [name, spec] of Object.entries(FAMILIES)) {
    test(`${name}: version, do/dump commands and multicast groups`, () => {
      const kernel = probed[name];
      assert.ok(kernel, `${name} is not registered`);
      const model = loadFamily(join(repoRoot, 'specs', spec));
      assert.equal(model.version, kernel.version, 'genl family version');
      const cap = (cmd: number): { do: boolean; dump: boolean } => {
        const ops = model.ops.filter((o) => o.value === cmd);
        return {
          do: ops.some((o) => o.do !== undefined),
          dump: ops.some((o) => o.dump !== undefined),
        };
      };
      const kernelCmds = kernel.ops.map((o) => o.id).sort((a, b) => a - b);
      const modelCmds = [
        ...new Set(model.ops.filter((o) => o.do || o.dump).map((o) => o.value)),
      ].sort((a, b) => a - b);
      assert.deepEqual(modelCmds, kernelCmds, 'commands with a do or dump handler');
      for (const o of kernel.ops) {
        assert.deepEqual(
          cap(o.id),
          { do: (o.flags & GENL_CMD_CAP_DO) !== 0, dump: (o.flags & GENL_CMD_CAP_DUMP) !== 0 },
          `cmd ${o.id}: do/dump`,
        );
      }
      assert.deepEqual(
        model.mcastGroups.map((g) => g.name).sort(),
        kernel.mcastGroups.map((g) => g.name).sort(),
        'multicast groups',
      );
    });
  }
});
