// NLMSG_ERROR / ACK layouts (with and without NETLINK_CAP_ACK), extended ACK
// TLVs, and mapping an ext-ack offset back to an attribute path. Vectors are
// written from include/uapi/linux/netlink.h (struct nlmsgerr, enum
// nlmsgerr_attrs, enum netlink_policy_type_attr) and af_netlink.c's netlink_ack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  Kind,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  Writer,
  locateAttr,
  DecodeError,
  readDoneMessage,
  readErrorMessage,
  readHeader,
  genlRequest,
  netlinkError,
  rawRequest,
  readRawMessage,
  splitMessages,
  writeGenlMessage,
  writeRawMessage,
  type StructDef,
} from '@ynl-ts/runtime';
import { hex, bytes } from './hex.js';

test('nlmsghdr fields are host-order; readHeader reads them at an offset', () => {
  const buf = bytes('ffff 1c000000 2a00 0503 78563412 d2040000 01020000 00000000 0000');
  assert.deepEqual(readHeader(buf, 2, 30), {
    len: 28,
    type: 0x2a,
    flags: 0x305,
    seq: 0x12345678,
    portId: 1234,
  });
});

test('ACK: the kernel always caps it (NLM_F_CAPPED) and echoes only the request header', () => {
  const wire =
    '24000000 0200 0001 05000000 d2040000' + // nlmsghdr: len 36, NLMSG_ERROR, NLM_F_CAPPED
    '00000000' + // error 0
    '30000000 1c00 0500 05000000 00000000'; // the request's header; its len says 48
  const err = readErrorMessage(splitMessages(bytes(wire))[0]!);
  assert.deepEqual(err, {
    error: 0,
    request: { len: 48, type: 0x1c, flags: 5, seq: 5, portId: 0 },
    capped: true,
    extack: {},
  });
});

const fullEcho = '19000000 1c00 0500 09000000 00000000 01020000 0500 0100 ab'; // 25 bytes, unaligned
const extTlvs =
  '0800 0100 62616400' + // MSG "bad"
  '0800 0200 14000000' + // OFFS 20
  '0700 0300 aabbcc 00' + // COOKIE
  '0800 0500 07000000' + // MISS_TYPE 7
  '0800 0600 18000000' + // MISS_NEST 24
  '5800 0480' + // POLICY nest
  '0800 0100 08000000' + // TYPE S32
  '0c00 0200 fbffffffffffffff' + // MIN_VALUE_S -5
  '0c00 0300 0500000000000000' + // MAX_VALUE_S 5
  '0800 0600 02000000' + // MIN_LENGTH 2
  '0800 0700 10000000' + // MAX_LENGTH 16
  '0800 0800 03000000' + // POLICY_IDX 3
  '0800 0900 0a000000' + // POLICY_MAXTYPE 10
  '0800 0a00 0f000000' + // BITFIELD32_MASK
  '0c00 0c00 ff00000000000080'; // MASK

test('error without NETLINK_CAP_ACK: the whole request is echoed (aligned), then ext-ack TLVs', () => {
  const body = 'eaffffff' + fullEcho + '000000' + extTlvs;
  const len = 16 + body.replace(/\s+/g, '').length / 2;
  const wire = Buffer.alloc(4);
  wire.writeUInt32LE(len);
  const msg = splitMessages(bytes(wire.toString('hex') + '0200 0002 09000000 00000000' + body))[0]!;
  assert.equal(msg.flags, NLM_F_ACK_TLVS);
  const err = readErrorMessage(msg);
  assert.equal(err.error, -22);
  assert.equal(err.capped, false);
  assert.deepEqual(err.request, { len: 25, type: 0x1c, flags: 5, seq: 9, portId: 0 });
  assert.deepEqual(err.extack, {
    message: 'bad',
    offset: 20,
    cookie: new Uint8Array([0xaa, 0xbb, 0xcc]),
    missingType: 7,
    missingNest: 24,
    policy: {
      type: 8,
      minValue: -5n,
      maxValue: 5n,
      minLength: 2,
      maxLength: 16,
      policyIndex: 3,
      policyMaxType: 10,
      bitfield32Mask: 15,
      mask: 0x80000000000000ffn,
    },
  });
});

test('error with NETLINK_CAP_ACK: header only, TLVs follow it', () => {
  const body = 'feffffff' + '1d000000 1c00 0500 09000000 00000000' + '0800 0200 14000000';
  const wire = bytes('2c000000 0200 0003 09000000 00000000' + body);
  const err = readErrorMessage(splitMessages(wire)[0]!);
  assert.equal(err.capped, true);
  assert.equal(err.error, -2);
  assert.deepEqual(err.extack, { offset: 20 });
  // without NLM_F_ACK_TLVS trailing bytes are not read as TLVs
  wire[7] = NLM_F_CAPPED >> 8;
  assert.deepEqual(readErrorMessage(splitMessages(wire)[0]!).extack, {});
});

test('unsigned policy bounds decode as bigint from u64 TLVs', () => {
  const tlvs = '1c00 0480 0c00 0400 0000000000000000 0c00 0500 ffffffffffffffff';
  const body = '00000000' + '14000000 1c00 0500 01000000 00000000' + tlvs;
  const wire = bytes(
    `${(16 + body.replace(/\s+/g, '').length / 2).toString(16)}000000 0200 0003 01000000 00000000` +
      body,
  );
  assert.deepEqual(readErrorMessage(splitMessages(wire)[0]!).extack.policy, {
    minValue: 0n,
    maxValue: 2n ** 64n - 1n,
  });
});

test('NLMSG_DONE: error code, ext-ack message, empty payload, truncated payload', () => {
  const ok = splitMessages(bytes('14000000 0300 0200 05000000 00000000 00000000'))[0]!;
  assert.deepEqual(readDoneMessage(ok), { error: 0, extack: {} });
  // a dump cut short with -EMSGSIZE and an ext-ack message (NLM_F_MULTI | NLM_F_ACK_TLVS)
  const bad = splitMessages(
    bytes('1c000000 0300 0202 05000000 00000000 a6ffffff 0800 0100 6f6f7000'),
  )[0]!;
  assert.deepEqual(readDoneMessage(bad), { error: -90, extack: { message: 'oop' } });
  const empty = splitMessages(bytes('10000000 0300 0200 05000000 00000000'))[0]!;
  assert.deepEqual(readDoneMessage(empty), { error: 0, extack: {} });
  const short = splitMessages(bytes('12000000 0300 0200 05000000 00000000 0000'))[0]!;
  assert.throws(
    () => readDoneMessage(short),
    (e: unknown) => e instanceof DecodeError && e.offset === 16 && /too short/.test(e.reason),
  );
  assert.throws(
    () =>
      readDoneMessage(splitMessages(bytes('14000000 0200 0000 05000000 00000000 00000000'))[0]!),
    DecodeError,
  );
});

const key = new AttrSet('key', () => [
  { name: 'priority', type: 2, kind: Kind.U32 },
  { name: 'ipv4', type: 7, kind: Kind.Binary },
]);
const actions: AttrSet = new AttrSet(
  'actions',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'set', type: 3, kind: Kind.Nest, nested: key },
    { name: 'clone', type: 4, kind: Kind.Nest, nested: actions },
  ],
  { ordered: true },
);
const elem = new AttrSet('elem', () => [{ name: 'id', type: 1, kind: Kind.U32 }]);
const flow = new AttrSet('flow', () => [
  { name: 'key', type: 1, kind: Kind.Nest, nested: key },
  { name: 'actions', type: 2, kind: Kind.Nest, nested: actions },
  { name: 'list', type: 3, kind: Kind.IndexedArray, sub: Kind.Nest, nested: elem },
  { name: 'nums', type: 4, kind: Kind.IndexedArray, sub: Kind.U16 },
]);

test('locateAttr: an ext-ack offset back to the attribute path of the request', () => {
  const w = new Writer();
  writeGenlMessage(w, { familyId: 0x20, cmd: 1, version: 1, flags: 5 }, flow, {
    key: { priority: 1, ipv4: new Uint8Array(12) },
    actions: [
      { type: 'output', value: 1 },
      { type: 'clone', value: [{ type: 'set', value: { priority: 2 } }] },
    ],
    list: [{ id: 1 }],
    nums: [7, 8],
  });
  const req = w.bytes();
  // layout: 0 nlmsghdr, 16 genl, 20 key{24 priority, 32 ipv4}, 48 actions{52 output, 60 clone{64 set{68 priority}}},
  //         76 list{80 [0]{84 id}}, 92 nums{96 [0], 104 [1]}
  assert.equal(hex(req.subarray(48, 52)), '1c000280');
  assert.deepEqual(locateAttr(req, 20, flow), { path: 'key', exact: true, set: flow });
  assert.deepEqual(locateAttr(req, 24, flow), { path: 'key.priority', exact: true, set: key });
  assert.deepEqual(locateAttr(req, 36, flow), { path: 'key.ipv4', exact: false, set: key });
  assert.deepEqual(locateAttr(req, 52, flow), {
    path: 'actions[0].output',
    exact: true,
    set: actions,
  });
  assert.deepEqual(locateAttr(req, 68, flow), {
    path: 'actions[1].clone[0].set.priority',
    exact: true,
    set: key,
  });
  assert.deepEqual(locateAttr(req, 60, flow), {
    path: 'actions[1].clone',
    exact: true,
    set: actions,
  });
  assert.deepEqual(locateAttr(req, 84, flow), { path: 'list[0].id', exact: true, set: elem });
  assert.deepEqual(locateAttr(req, 80, flow), { path: 'list[0]', exact: true });
  assert.deepEqual(locateAttr(req, 104, flow), { path: 'nums[1]', exact: true });
  assert.deepEqual(locateAttr(req, 94, flow), { path: 'nums', exact: false, set: flow });
  assert.equal(locateAttr(req, 10, flow), undefined, 'inside the nlmsghdr');
  assert.equal(locateAttr(req, req.length, flow), undefined, 'past the end');
  // without a layout: type numbers, nests followed by NLA_F_NESTED
  assert.deepEqual(locateAttr(req, 68, undefined), { path: '#2.#4.#3.#2', exact: true });
});

// Classic netlink (rtnetlink): no genlmsghdr, the fixed header follows the
// nlmsghdr. Vector from include/uapi/linux/if_addr.h (struct ifaddrmsg, 8
// bytes; IFA_ADDRESS = 1, IFA_LABEL = 3) and RTM_NEWADDR = 20.
const ifaddrmsg: StructDef = {
  name: 'ifaddrmsg',
  size: 8,
  members: [
    { name: 'family', kind: Kind.U8, offset: 0 },
    { name: 'prefixlen', kind: Kind.U8, offset: 1 },
    { name: 'flags', kind: Kind.U8, offset: 2 },
    { name: 'scope', kind: Kind.U8, offset: 3 },
    { name: 'index', kind: Kind.U32, offset: 4 },
  ],
};
const addrSet = new AttrSet('addr', () => [
  { name: 'address', type: 1, kind: Kind.Binary },
  { name: 'label', type: 3, kind: Kind.String },
]);

test('writeRawMessage / readRawMessage: nlmsghdr, fixed header, attributes, no genlmsghdr', () => {
  const w = new Writer();
  writeRawMessage(
    w,
    { type: 20, flags: 0x605 },
    addrSet,
    { address: Uint8Array.of(10, 0, 0, 1), label: 'x' },
    { def: ifaddrmsg, value: { family: 2, prefixlen: 24, index: 7 } },
  );
  const msg = w.bytes();
  assert.equal(
    hex(msg),
    '28000000' +
      '1400' +
      '0506' +
      '00000000' +
      '00000000' + // nlmsghdr
      '02180000' +
      '07000000' + // ifaddrmsg
      '0800' +
      '0100' +
      '0a000001' + // IFA_ADDRESS
      '0600' +
      '0300' +
      '78000000', // IFA_LABEL "x\0" + pad
  );
  const [m] = splitMessages(msg);
  assert.deepEqual(readRawMessage(m!, addrSet, ifaddrmsg), {
    address: Uint8Array.of(10, 0, 0, 1),
    label: 'x',
    header: { family: 2, prefixlen: 24, flags: 0, scope: 0, index: 7 },
  });
  // the ext-ack offset 32 (IFA_LABEL) names the attribute of a raw request
  const req = rawRequest({
    type: 20,
    set: addrSet,
    attrs: { header: { family: 2 }, address: Uint8Array.of(10, 0, 0, 1), label: 'x' },
    fixedHeader: ifaddrmsg,
  });
  assert.equal(req.raw, true);
  assert.equal(locateAttr(req.bytes, 32, addrSet, 8, 0)?.path, 'label');
  assert.equal(netlinkError(22, { offset: 32 }, req).extack.attrPath, 'label');
  assert.equal(netlinkError(22, { offset: 24 }, req).extack.attrPath, 'address');
  // a classic netlink header left out is zeros; a generic netlink one is an error
  const zeros = rawRequest({ type: 22, set: addrSet, fixedHeader: ifaddrmsg });
  assert.equal(hex(zeros.bytes.subarray(16)), '0000000000000000');
  assert.equal(zeros.bytes.length, 24);
  assert.throws(
    () => genlRequest({ familyId: 0x20, cmd: 1, version: 1, set: addrSet, fixedHeader: ifaddrmsg }),
    /missing: the fixed header ifaddrmsg is required/,
  );
});
