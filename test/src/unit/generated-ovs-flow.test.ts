// The generated ovs_flow layouts without a socket: a flow message encodes to
// the uapi's bytes and decodes back unchanged, actions in order with repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodeError, readGenlMessage, splitMessages } from '@ynl-ts/runtime';
import { family, ops } from '@ynl-ts/families/ovs_flow';
import { encodeFlowNew, type FlowMsg } from './ovs-flow-cases.js';

const mac = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));

const flow: FlowMsg = {
  header: { dpIfindex: 7 },
  key: {
    inPort: 1,
    ethernet: { ethSrc: mac('02:00:00:00:00:01'), ethDst: mac('02:00:00:00:00:02') },
    ethertype: 0x0800,
    ipv4: {
      ipv4Src: 0x0a000001,
      ipv4Dst: 0x0a000002,
      ipv4Proto: 6,
      ipv4Tos: 0,
      ipv4Ttl: 64,
      ipv4Frag: 'none',
    },
    tcp: { tcpSrc: 1234, tcpDst: 80 },
    tcpFlags: 0,
  },
  actions: [
    { type: 'output', value: 1 },
    {
      type: 'setMasked',
      value: {
        ipv4: {
          value: {
            ipv4Src: 0x0a0000ff,
            ipv4Dst: 0,
            ipv4Proto: 0,
            ipv4Tos: 0,
            ipv4Ttl: 0,
            ipv4Frag: 'none',
          },
          mask: {
            ipv4Src: 0xffffffff,
            ipv4Dst: 0,
            ipv4Proto: 0,
            ipv4Tos: 0,
            ipv4Ttl: 0,
            ipv4Frag: 'none',
          },
        },
      },
    },
    { type: 'output', value: 2 },
    {
      type: 'sample',
      value: {
        probability: 0xffffffff,
        actions: [
          { type: 'output', value: 3 },
          { type: 'drop', value: 0 },
        ],
      },
    },
    { type: 'output', value: 1 },
  ],
};

const encode = (msg: FlowMsg): Uint8Array => encodeFlowNew(msg);

test('an ovs_flow NEW message round-trips: header, key structs, ordered actions with repeats, set-masked', () => {
  const bytes = encode(flow);
  const [m] = splitMessages(bytes);
  const back = readGenlMessage(m!, ops.new.requestSet, family.fixedHeader);
  assert.equal(back.cmd, 1);
  assert.equal(back.version, 1, 'OVS_FLOW_VERSION');
  assert.deepEqual(back.attrs, flow);
});

test('actions land on the wire in order with the uapi numbers (output 1, set-masked 11, sample 2, drop 24)', () => {
  const bytes = encode(flow);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // nlmsghdr 16 + genlmsghdr 4 + ovs_header 4; then the top-level attributes.
  let off = 24;
  const top: number[] = [];
  let actionsAt = -1;
  while (off < bytes.length) {
    const len = v.getUint16(off, true);
    const type = v.getUint16(off + 2, true) & 0x3fff;
    top.push(type);
    if (type === 2) actionsAt = off; // OVS_FLOW_ATTR_ACTIONS
    off += (len + 3) & ~3;
  }
  assert.deepEqual(top, [1, 2], 'OVS_FLOW_ATTR_KEY then OVS_FLOW_ATTR_ACTIONS');
  const end = actionsAt + v.getUint16(actionsAt, true);
  const types: number[] = [];
  let sampleAt = -1;
  for (let a = actionsAt + 4; a < end;) {
    const len = v.getUint16(a, true);
    const type = v.getUint16(a + 2, true) & 0x3fff;
    types.push(type);
    if (type === 6) sampleAt = a; // OVS_ACTION_ATTR_SAMPLE
    a += (len + 3) & ~3;
  }
  assert.deepEqual(types, [1, 11, 1, 6, 1]);
  // Inside the sample: probability (1), actions (2) holding output (1) and drop (24).
  const inner = sampleAt + 4 + 8; // skip the sample header and the 8-byte probability attribute
  assert.equal(v.getUint16(inner + 2, true) & 0x3fff, 2);
  assert.equal(
    v.getUint16(inner + 4 + 8 + 2, true) & 0x3fff,
    24,
    'OVS_ACTION_ATTR_DROP = 24 after the 8-byte output',
  );
});

test('the key ipv4 struct is 12 bytes with big-endian addresses; an arp key is the padded 24 bytes', () => {
  const bytes = encode({
    header: { dpIfindex: 0 },
    key: {
      arp: {
        arpSip: 0x0a000001,
        arpTip: 0x0a000002,
        arpOp: 1,
        arpSha: mac('02:00:00:00:00:01'),
        arpTha: mac('00:00:00:00:00:00'),
      },
    },
  });
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyAt = 24;
  const arpAt = keyAt + 4;
  assert.equal(v.getUint16(arpAt + 2, true), 13, 'OVS_KEY_ATTR_ARP');
  assert.equal(v.getUint16(arpAt, true), 4 + 24, 'nla_len = 4 + sizeof(struct ovs_key_arp)');
  assert.deepEqual([...bytes.subarray(arpAt + 4, arpAt + 8)], [10, 0, 0, 1], 'arp_sip is __be32');
});

test('bad values are refused before sending, with the attribute path', () => {
  assert.throws(
    () => encode({ header: { dpIfindex: 0 }, key: { tcp: { tcpSrc: 70000, tcpDst: 1 } } }),
    (e: unknown) => e instanceof EncodeError && /key\.tcp\.tcpSrc/.test(e.message),
  );
  assert.throws(
    () =>
      encode({
        header: { dpIfindex: 0 },
        actions: [
          { type: 'output', value: 1 },
          { type: 'nope' as 'output', value: 2 },
        ],
      }),
    (e: unknown) => e instanceof EncodeError && /actions\[1\]/.test(e.message),
  );
});
