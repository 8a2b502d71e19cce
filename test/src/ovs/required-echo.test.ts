// Required attributes (specs/overrides, `required`): each one the overrides
// declare is proven here by the kernel's EINVAL when it is left out and the
// request is sent unchecked; checked, the client refuses it first with an
// EncodeError naming the attribute and sends nothing. And NLM_F_ECHO
// (`echo: true`): the kernel sends the sender what it multicasts, and the
// request resolves to it. Runs in the VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodeError, NetlinkError } from '@ynl-ts/runtime';
import { OvsDatapathClient, type NewRequest as DpNew } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient, type NewRequest as VportNew } from '@ynl-ts/families/ovs_vport';
import type { NewRequest as FlowNew } from '@ynl-ts/families/ovs_flow';
import { OvsPacketClient, type ExecuteRequest } from '@ynl-ts/families/ovs_packet';
import { ovsSkipReason, withDatapath } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynlreq0';

/** `req` without `name`: what an untyped caller could send. */
function without<T extends object>(req: T, name: string): T {
  return Object.fromEntries(Object.entries(req).filter(([k]) => k !== name)) as T;
}

/**
 * For each attribute of `required`: checked, `send` fails with an EncodeError
 * naming it before anything is sent; unchecked, the kernel answers EINVAL.
 */
async function proveRequired<T extends object>(
  what: string,
  full: T,
  required: readonly string[],
  sent: () => number,
  send: (req: T, unchecked: boolean) => Promise<unknown>,
): Promise<void> {
  for (const name of required) {
    const req = without(full, name);
    const before = sent();
    await assert.rejects(send(req, false), (e: unknown) => {
      assert.ok(e instanceof EncodeError, `${what} without ${name}: ${String(e)}`);
      assert.equal(e.path, name);
      assert.match(e.message, new RegExp(`requires '${name}'`));
      return true;
    });
    assert.equal(sent(), before, `${what} without ${name}: nothing was sent`);
    await assert.rejects(send(req, true), (e: unknown) => {
      assert.ok(e instanceof NetlinkError, `${what} without ${name} (unchecked): ${String(e)}`);
      assert.equal(e.code, 'EINVAL', `${what} without ${name}`);
      return true;
    });
  }
}

test(
  'required attributes: EncodeError on the client, EINVAL from the kernel when sent unchecked',
  { skip, timeout: 120_000 },
  () =>
    withDatapath(DP, ['ynlreqp'], async ({ sock, flows, h, ports }) => {
      const sent = (): number => sock.stats.messagesSent;
      const dp = await OvsDatapathClient.open(sock);
      const hdr0 = { header: { dpIfindex: 0 } };
      const dpNew: DpNew = { ...hdr0, name: 'ynlreq1', upcallPid: sock.portId };
      await proveRequired('datapath new', dpNew, ['name', 'upcallPid'], sent, (r, unchecked) =>
        dp.new(r, { unchecked }),
      );
      const vp = await OvsVportClient.open(sock);
      const vpNew: VportNew = { ...h, name: 'ynlreqv', type: 'internal', upcallPid: [sock.portId] };
      await proveRequired('vport new', vpNew, ['name', 'type', 'upcallPid'], sent, (r, unchecked) =>
        vp.new(r, { unchecked }),
      );
      const key = { inPort: ports[0]!, ethertype: 0x88b5 };
      const flowNew: FlowNew = { ...h, key, actions: [] };
      await proveRequired('flow new', flowNew, ['key', 'actions'], sent, (r, unchecked) =>
        flows.new(r, { unchecked }),
      );
      const pk = await OvsPacketClient.open(sock);
      const frame = new Uint8Array(60);
      frame.set([0x88, 0xb5], 12);
      const execute: ExecuteRequest = {
        ...h,
        packet: frame,
        key: { inPort: ports[0]!, ethertype: 0x88b5 },
        actions: [],
      };
      await proveRequired(
        'packet execute',
        execute,
        ['packet', 'key', 'actions'],
        sent,
        (r, unchecked) => pk.execute(r, { unchecked }),
      );
      // with everything given, each request succeeds (the EINVALs were the missing attribute)
      await pk.execute(execute);
      await flows.new(flowNew);
      await vp.new(vpNew);
      await dp.new(dpNew);
      await dp.del({ ...hdr0, name: 'ynlreq1' });
    }),
);

test(
  'echo: new and set resolve to the object the kernel multicasts',
  { skip, timeout: 120_000 },
  () =>
    withDatapath(DP, ['ynlreqp'], async ({ sock, flows, h, ports }) => {
      const key = { inPort: ports[0]!, ethertype: 0x88b5 };
      const created = await flows.new({ ...h, key, actions: [] }, { echo: true });
      assert.equal(created.header.dpIfindex, h.header.dpIfindex);
      assert.deepEqual(created.key?.inPort, ports[0]);
      assert.deepEqual(created.actions, []);
      const changed = await flows.set(
        { ...h, key, actions: [{ type: 'output', value: ports[0]! }] },
        { echo: true },
      );
      assert.deepEqual(changed.actions, [{ type: 'output', value: ports[0]! }]);
      assert.equal(await flows.del({ ...h, key }), undefined, 'del does not echo: void');

      const dp = await OvsDatapathClient.open(sock);
      const hdr0 = { header: { dpIfindex: 0 } };
      const made = await dp.new(
        { ...hdr0, name: 'ynlreq2', upcallPid: sock.portId },
        { echo: true },
      );
      assert.equal(made.name, 'ynlreq2');
      assert.ok(made.header.dpIfindex > 0, 'the echo carries the new datapath ifindex');
      assert.equal(await dp.new({ ...hdr0, name: 'ynlreq3', upcallPid: sock.portId }), undefined);
      const gone = await dp.del({ ...hdr0, name: 'ynlreq2' }, { echo: true });
      assert.equal(gone.name, 'ynlreq2');
      await dp.del({ ...hdr0, name: 'ynlreq3' });

      const vp = await OvsVportClient.open(sock);
      const port = await vp.new(
        { ...h, name: 'ynlreqe', type: 'internal', upcallPid: [sock.portId] },
        { echo: true },
      );
      assert.equal(port.name, 'ynlreqe');
      assert.ok(port.portNo !== undefined && port.portNo > 0);
      await vp.del({ ...h, name: 'ynlreqe' });
    }),
);
