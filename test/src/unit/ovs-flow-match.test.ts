// Client-side key/mask checks of ovs_flow (the match rules its override
// declares, after the kernel's match_validate()): a flow the kernel would
// reject with a bare EINVAL fails before it is encoded, naming the attribute.
// test/src/ovs/e2e-flow-check.test.ts sends the same flows unchecked to the
// kernel and sees its EINVAL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodeError } from '@ynl-ts/runtime';
import { badFlows, encodeFlowNew, goodFlows, tcpKey, type FlowMsg } from './ovs-flow-cases.js';

const encode = encodeFlowNew;

for (const c of badFlows) {
  test(`rejected before sending: ${c.name}`, () => {
    const flow: FlowMsg = { header: { dpIfindex: 1 }, ...c.flow };
    assert.throws(
      () => encode(flow),
      (e: unknown) => {
        assert.ok(e instanceof EncodeError, String(e));
        assert.equal(e.path, c.path);
        assert.match(e.message, c.message);
        return true;
      },
    );
    // `unchecked` sends it as given (the OVS suite shows the kernel's EINVAL).
    assert.ok(encode(flow, true).length > 24);
  });
}

for (const c of goodFlows) {
  test(`accepted: ${c.name}`, () => {
    assert.ok(encode({ header: { dpIfindex: 1 }, ...c.flow }).length > 24);
  });
}

test('the message names the rule that would open a gated mask', () => {
  const flow: FlowMsg = {
    header: { dpIfindex: 1 },
    key: tcpKey,
    mask: { ethertype: 0xffff, tcp: { tcpSrc: 0xffff, tcpDst: 0 } },
  };
  assert.throws(() => encode(flow), {
    message:
      "mask.tcp: not allowed: the kernel accepts a 'tcp' mask only when key.ethertype is 0x800 and " +
      'key.ipv4.ipv4Proto is 6 and key.ipv4.ipv4Frag is not 2 and mask.ipv4.ipv4Proto is all ones, or when ' +
      'key.ethertype is 0x86dd and key.ipv6.ipv6Proto is 6 and key.ipv6.ipv6Frag is not 2 and mask.ipv6.ipv6Proto is all ones',
  });
});
