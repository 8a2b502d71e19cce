// The OVS module answers an inconsistent key/mask with a bare EINVAL (no
// extended ACK). The generated ovs_flow client checks the same rules first
// (specs/overrides/ovs_flow.yaml, `match`): each bad flow fails on the client
// with the attribute path and is never sent; sent `unchecked`, the kernel
// rejects it with EINVAL. The good flows install and read back. Runs in the VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodeError, NetlinkError } from '@ynl-ts/runtime';
import type { NewRequest } from '@ynl-ts/families/ovs_flow';
import { badFlows, goodFlows } from '../unit/ovs-flow-cases.js';
import { ovsSkipReason, withDatapath } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynlchk0';

test(
  'bad flows: a precise client-side error, and the kernel EINVAL when sent unchecked',
  { skip },
  () =>
    withDatapath(DP, [], async ({ sock, flows, h }) => {
      const sent = (): number => sock.stats.messagesSent;
      for (const c of badFlows) {
        const before = sent();
        await assert.rejects(flows.new({ ...h, ...c.flow } as NewRequest), (e: unknown) => {
          assert.ok(e instanceof EncodeError, `${c.name}: ${String(e)}`);
          assert.equal(e.path, c.path, c.name);
          assert.match(e.message, c.message, c.name);
          return true;
        });
        assert.equal(sent(), before, `${c.name}: nothing was sent`);
        await assert.rejects(
          flows.new({ ...h, ...c.flow } as NewRequest, { unchecked: true }),
          (e: unknown) => {
            assert.ok(e instanceof NetlinkError, `${c.name}: ${String(e)}`);
            assert.equal(e.code, 'EINVAL', c.name);
            assert.equal(
              e.extack.message,
              undefined,
              `${c.name}: the OVS module sets no extack text`,
            );
            return true;
          },
        );
      }
      const left: unknown[] = [];
      for await (const f of flows.dump(h)) left.push(f);
      assert.equal(left.length, 0, 'no bad flow was installed');

      const failed: string[] = [];
      for (const c of goodFlows) {
        try {
          await flows.new({ ...h, ...c.flow } as NewRequest);
          const back = await flows.get({ ...h, key: c.flow.key! });
          assert.ok(back.key, `${c.name}: read back`);
          await flows.del({ ...h, key: c.flow.key! });
        } catch (e) {
          failed.push(`${c.name}: ${String(e)}`);
        }
      }
      assert.deepEqual(failed, [], 'every good flow installs');
    }),
);
