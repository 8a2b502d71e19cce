// Golden byte vectors for the composite kinds: nests (NLA_F_NESTED set on the
// nest start, nla_len covering the padded children, as nla_nest_start/
// nla_nest_end produce), recursive sets, ordered sets, masked nests, structs,
// indexed arrays, nest-type-value, fixed headers; plus alignment, padding and
// zero-copy behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  EncodeError,
  EnumDef,
  Kind,
  NLM_F_ACK,
  NLM_F_REQUEST,
  Writer,
  decodeAttrs,
  encodeSet,
  extraAttrs,
  extraBytes,
  readGenlMessage,
  splitMessages,
  writeGenlMessage,
  type NlMessage,
  type StructDef,
} from '@ynl-ts/runtime';
import { hex, bytes } from './hex.js';

function encode(set: AttrSet, value: unknown): string {
  const w = new Writer(8);
  encodeSet(w, set, value);
  return hex(w.bytes());
}
function golden(set: AttrSet, value: unknown, wire: string, decoded: unknown = value): void {
  assert.equal(encode(set, value), wire.replace(/\s+/g, ''));
  assert.deepEqual(decodeAttrs(set, bytes(wire)), decoded);
}

const inner = new AttrSet('inner', () => [
  { name: 'a', type: 1, kind: Kind.U32 },
  { name: 'b', type: 2, kind: Kind.U16 },
  { name: 'c', type: 3, kind: Kind.U8 },
]);
const outer = new AttrSet('outer', () => [
  { name: 'name', type: 1, kind: Kind.String },
  { name: 'inner', type: 2, kind: Kind.Nest, nested: inner },
  { name: 'many', type: 3, kind: Kind.Nest, nested: inner, multi: true },
]);

test('nest: NLA_F_NESTED on the start, nla_len includes the children and their padding', () => {
  golden(
    outer,
    { inner: { a: 1, b: 2 } },
    '1400 0280' + '0800 0100 01000000' + '0600 0200 0200 0000',
  );
  golden(outer, { inner: {} }, '0400 0280');
  golden(
    outer,
    { name: 'x', many: [{ c: 7 }, { a: 9 }] },
    '0600 0100 7800 0000' + '0c00 0380 0500 0300 07000000' + '0c00 0380 0800 0100 09000000',
  );
});

const tree: AttrSet = new AttrSet('tree', () => [
  { name: 'value', type: 1, kind: Kind.U32 },
  { name: 'child', type: 2, kind: Kind.Nest, nested: tree },
]);

test('recursion: a set nesting itself', () => {
  golden(
    tree,
    { value: 1, child: { value: 2, child: { value: 3 } } },
    '0800 0100 01000000' + '1800 0280' + '0800 0100 02000000' + '0c00 0280' + '0800 0100 03000000',
  );
});

// OVS-style actions: order and repeats carry meaning; `clone` nests the set itself.
const userspace = new AttrSet('userspace', () => [{ name: 'pid', type: 1, kind: Kind.U32 }]);
const actions: AttrSet = new AttrSet(
  'actions',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'userspace', type: 2, kind: Kind.Nest, nested: userspace },
    { name: 'trunc', type: 3, kind: Kind.U32 },
    { name: 'clone', type: 4, kind: Kind.Nest, nested: actions },
    { name: 'popVlan', type: 5, kind: Kind.Flag },
  ],
  { ordered: true },
);

test('ordered set: array of { type, value }, repeats and order kept, recursion', () => {
  golden(
    actions,
    [
      { type: 'output', value: 1 },
      { type: 'trunc', value: 100 },
      { type: 'popVlan', value: true },
      { type: 'output', value: 2 },
      {
        type: 'clone',
        value: [
          { type: 'output', value: 3 },
          { type: 'userspace', value: { pid: 7 } },
        ],
      },
      { type: 'output', value: 1 },
    ],
    '0800 0100 01000000' +
      '0800 0300 64000000' +
      '0400 0500' +
      '0800 0100 02000000' +
      '1800 0480' +
      '0800 0100 03000000' +
      '0c00 0280 0800 0100 07000000' +
      '0800 0100 01000000',
  );
  // a flag entry may omit its value when encoding
  assert.equal(encode(actions, [{ type: 'popVlan' }]), '04000500');
  golden(actions, [], '');
});

test('ordered set: unknown types decode to { type: number, flags, value: bytes } and re-encode as is', () => {
  // the second unknown entry is a nest from a newer kernel: NLA_F_NESTED goes back out
  const wire =
    '0800 0100 01000000' +
    '0600 6300 abcd 0000' +
    '0c00 6480 0800 0100 05000000' +
    '0800 0100 02000000';
  golden(
    actions,
    [
      { type: 'output', value: 1 },
      { type: 99, flags: 0, value: new Uint8Array([0xab, 0xcd]) },
      { type: 100, flags: 0x8000, value: new Uint8Array([8, 0, 1, 0, 5, 0, 0, 0]) },
      { type: 'output', value: 2 },
    ],
    wire,
  );
  // flags may be left out when building an entry by hand
  assert.equal(encode(actions, [{ type: 99, value: new Uint8Array([1]) }]), '0500630001000000');
  assert.throws(
    () => encode(actions, [{ type: 99, flags: 1, value: new Uint8Array([1]) }]),
    (e: Error) =>
      e instanceof EncodeError && /\[0\]: attribute flags 1 are not NLA_F_NESTED/.test(e.message),
  );
});

const ipv4: StructDef = {
  name: 'ovs-key-ipv4',
  size: 12,
  members: [
    { name: 'src', kind: Kind.U32, offset: 0, be: true },
    { name: 'dst', kind: Kind.U32, offset: 4, be: true },
    { name: 'proto', kind: Kind.U8, offset: 8 },
    { name: 'tos', kind: Kind.U8, offset: 9 },
    { name: 'ttl', kind: Kind.U8, offset: 10 },
    { name: 'frag', kind: Kind.U8, offset: 11 },
  ],
};
const key = new AttrSet('key', () => [
  { name: 'priority', type: 2, kind: Kind.U32 },
  { name: 'ethertype', type: 6, kind: Kind.U16, be: true },
  { name: 'ipv4', type: 7, kind: Kind.Struct, struct: ipv4 },
  { name: 'encap', type: 1, kind: Kind.Nest, nested: inner },
]);
const setActions = new AttrSet('set-actions', () => [
  { name: 'set', type: 1, kind: Kind.Nest, nested: key },
  { name: 'setMasked', type: 2, kind: Kind.Nest, nested: key, masked: true },
]);

test('masked nest: each attribute carries value then mask of the same size', () => {
  golden(
    setActions,
    {
      setMasked: {
        priority: { value: 5, mask: 0xffffffff },
        ethertype: { value: 0x0800, mask: 0xffff },
        ipv4: {
          value: { src: 0x0a000001, dst: 0, proto: 6, tos: 0, ttl: 64, frag: 0 },
          mask: { src: 0xffffffff, dst: 0, proto: 0xff, tos: 0, ttl: 0xff, frag: 0 },
        },
      },
    },
    '3400 0280' +
      '0c00 0200 05000000 ffffffff' +
      '0800 0600 0800 ffff' +
      '1c00 0700 0a000001 00000000 06 00 40 00' +
      'ffffffff 00000000 ff 00 ff 00',
  );
  // the same key set unmasked under `set`
  golden(setActions, { set: { ethertype: 0x86dd } }, '0c00 0180 0600 0600 86dd 0000');
});

const state = new EnumDef('state', { down: 0, up: 1 });
const sample: StructDef = {
  name: 'sample',
  size: 16,
  members: [
    { name: 'a', kind: Kind.U16, offset: 0 },
    { name: 'pad0', kind: Kind.Pad, offset: 2, len: 2 },
    { name: 'b', kind: Kind.U32, offset: 4, be: true },
    { name: 'state', kind: Kind.U8, offset: 8, enum: state },
    { name: 'name', kind: Kind.String, offset: 9, len: 5 },
    { name: 'mac', kind: Kind.Binary, offset: 14, len: 2 },
  ],
};
const pair: StructDef = {
  name: 'pair',
  size: 12,
  members: [
    { name: 'x', kind: Kind.S32, offset: 0 },
    {
      name: 'inner',
      kind: Kind.Struct,
      offset: 4,
      struct: { name: 'u64box', size: 8, members: [{ name: 'v', kind: Kind.U64, offset: 0 }] },
    },
  ],
};
const structs = new AttrSet('structs', () => [
  { name: 'sample', type: 1, kind: Kind.Struct, struct: sample },
  { name: 'pair', type: 2, kind: Kind.Struct, struct: pair },
]);

test('struct layouts: pad members hidden and zero, big-endian and enum members, fixed strings', () => {
  const value = {
    sample: {
      a: 0x1234,
      b: 0x01020304,
      state: 'up',
      name: 'ab',
      mac: new Uint8Array([0xaa, 0xbb]),
    },
  };
  golden(structs, value, '1400 0100 3412 0000 01020304 01 6162000000 aabb');
  golden(
    structs,
    { pair: { x: -2, inner: { v: 0x1122334455667788n } } },
    '1000 0200 feffffff 8877665544332211',
  );
  // unknown enum values stay numbers; absent members encode as zero
  assert.deepEqual(decodeAttrs(structs, bytes('1400 0100 0000 0000 00000000 07 0000000000 0000')), {
    sample: { a: 0, b: 0, state: 7, name: '', mac: new Uint8Array([0, 0]) },
  });
  assert.equal(
    encode(structs, { sample: { state: 7 } }),
    '140001000000000000000000070000000000' + '0000',
  );
});

test('struct tails longer than the layout are kept under [extraBytes]', () => {
  const out = decodeAttrs(structs, bytes('1200 0200 01000000 0200000000000000 cafe 0000')) as {
    pair: Record<string | symbol, unknown>;
  };
  assert.deepEqual(out.pair, {
    x: 1,
    inner: { v: 2n },
    [extraBytes]: new Uint8Array([0xca, 0xfe]),
  });
});

const op = new AttrSet('op', () => [
  { name: 'id', type: 1, kind: Kind.U32 },
  { name: 'flags', type: 2, kind: Kind.U32 },
]);
const policyAttrs = new AttrSet('policy-attrs', () => [
  { name: 'type', type: 1, kind: Kind.U32 },
  { name: 'maxLength', type: 7, kind: Kind.U32 },
]);
const arrays = new AttrSet('arrays', () => [
  { name: 'ops', type: 6, kind: Kind.IndexedArray, sub: Kind.Nest, nested: op },
  {
    name: 'colors',
    type: 7,
    kind: Kind.IndexedArray,
    sub: Kind.U32,
    enum: new EnumDef('c', { r: 1, g: 2 }),
  },
  { name: 'names', type: 9, kind: Kind.IndexedArray, sub: Kind.String },
  { name: 'blobs', type: 10, kind: Kind.IndexedArray, sub: Kind.Binary },
  {
    name: 'policy',
    type: 8,
    kind: Kind.NestTypeValue,
    typeValue: ['policyId', 'attrId'],
    nested: policyAttrs,
  },
  { name: 'byCmd', type: 11, kind: Kind.NestTypeValue, typeValue: ['cmd'], nested: policyAttrs },
]);

test('indexed-array of nests: elements typed 0.. with NLA_F_NESTED (as YNL encodes); any index decodes', () => {
  golden(
    arrays,
    { ops: [{ id: 3, flags: 0xe }, { id: 4 }] },
    '2400 0680' +
      '1400 0080 0800 0100 03000000 0800 0200 0e000000' +
      '0c00 0180 0800 0100 04000000',
  );
  // the kernel's nlctrl numbers its ops from 1: indices are positions, not keys
  assert.deepEqual(decodeAttrs(arrays, bytes('1000 0680 0c00 0180 0800 0100 05000000')), {
    ops: [{ id: 5 }],
  });
});

test('indexed-array of scalars (with enum), strings and binaries', () => {
  golden(arrays, { colors: ['g', 9] }, '1400 0780 0800 0000 02000000 0800 0100 09000000');
  golden(arrays, { names: ['ab', ''] }, '1400 0980 0700 0000 616200 00 0500 0100 00000000');
  golden(arrays, { blobs: [new Uint8Array([1])] }, '0c00 0a80 0500 0000 01000000');
});

test('nest-type-value: levels of attribute types carry values; flat records', () => {
  golden(
    arrays,
    {
      policy: [
        { policyId: 0, attrId: 1, type: 5 },
        { policyId: 0, attrId: 2, type: 7, maxLength: 16 },
        { policyId: 1, attrId: 1, type: 3 },
      ],
    },
    '3800 0880' +
      '2400 0080' +
      '0c00 0180 0800 0100 05000000' +
      '1400 0280 0800 0100 07000000 0800 0700 10000000' +
      '1000 0180' +
      '0c00 0180 0800 0100 03000000',
  );
  golden(arrays, { byCmd: [{ cmd: 3, type: 1 }] }, '1000 0b80 0c00 0380 0800 0100 01000000');
});

const ovsHeader: StructDef = {
  name: 'ovs-header',
  size: 4,
  members: [{ name: 'dpIfindex', kind: Kind.U32, offset: 0 }],
};
const datapath = new AttrSet('datapath', () => [
  { name: 'name', type: 1, kind: Kind.String },
  { name: 'upcallPid', type: 2, kind: Kind.U32 },
]);

test('genl message with a fixed header: nlmsghdr + genlmsghdr + ovs_header + attrs; header under `header`', () => {
  const w = new Writer(16);
  const at = writeGenlMessage(
    w,
    { familyId: 0x1c, cmd: 1, version: 2, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 7, portId: 0 },
    datapath,
    { header: { dpIfindex: 3 }, name: 'dp0' },
    { def: ovsHeader, value: { dpIfindex: 3 } },
  );
  assert.equal(at, 0);
  const wire =
    '20000000 1c00 0500 07000000 00000000' + '01 02 0000' + '03000000' + '0800 0100 64703000';
  assert.equal(hex(w.bytes()), wire.replace(/\s+/g, ''));
  const [msg] = splitMessages(bytes(wire));
  assert.deepEqual(
    { len: msg!.len, type: msg!.type, flags: msg!.flags, seq: msg!.seq, portId: msg!.portId },
    { len: 32, type: 0x1c, flags: 5, seq: 7, portId: 0 },
  );
  assert.deepEqual(readGenlMessage(msg!, datapath, ovsHeader), {
    cmd: 1,
    version: 2,
    attrs: { name: 'dp0', header: { dpIfindex: 3 } },
  });
});

test('two messages in one writer are each aligned; splitMessages finds both', () => {
  const w = new Writer();
  writeGenlMessage(w, { familyId: 0x10, cmd: 3, version: 1, flags: 1, seq: 1 }, datapath, {
    name: 'a',
  });
  const second = writeGenlMessage(
    w,
    { familyId: 0x10, cmd: 3, version: 1, flags: 1, seq: 2 },
    datapath,
    { upcallPid: 9 },
  );
  assert.equal(second, 28);
  const msgs = splitMessages(w.bytes());
  assert.deepEqual(
    msgs.map((m) => [m.offset, m.len, m.seq]),
    [
      [0, 28, 1],
      [28, 28, 2],
    ],
  );
  assert.deepEqual(readGenlMessage(msgs[1]!, datapath).attrs, { upcallPid: 9 });
});

const u8set = new AttrSet('u8set', () => [
  { name: 'x', type: 1, kind: Kind.U8 },
  {
    name: 'n',
    type: 2,
    kind: Kind.Nest,
    nested: new AttrSet('n', () => [{ name: 'y', type: 1, kind: Kind.U8 }]),
  },
]);

test('an unaligned last attribute (no trailing pad, OVS_DP_F_UNALIGNED style) decodes', () => {
  assert.deepEqual(decodeAttrs(u8set, bytes('0500 0100 ab')), { x: 0xab });
  assert.deepEqual(decodeAttrs(u8set, bytes('0500 0100 ab000000 0500 0100 cd')), {
    x: 0xcd,
    [extraAttrs]: [{ type: 1, flags: 0, data: new Uint8Array([0xab]) }],
  });
  // a nest whose last child is unaligned, itself last in the buffer
  assert.deepEqual(decodeAttrs(u8set, bytes('0900 0280 0500 0100 01')), { n: { y: 1 } });
  // an unaligned attribute in the middle is still followed at its aligned offset
  assert.deepEqual(decodeAttrs(u8set, bytes('0900 0280 0500 0100 01 000000 0500 0100 02')), {
    n: { y: 1 },
    x: 2,
  });
});

test('padding bytes are written as zeros even in a reused, dirty writer', () => {
  const w = new Writer(64);
  w.raw(new Uint8Array(64).fill(0xff));
  w.reset();
  encodeSet(w, structs, { sample: { a: 1, name: 'a' } });
  encodeSet(w, u8set, { x: 1, n: { y: 2 } });
  encodeSet(w, outer, { name: 'ab' });
  assert.equal(
    hex(w.bytes()),
    (
      '1400 0100 0100 0000 00000000 00 6100000000 0000' +
      '0500 0100 01000000' +
      '0c00 0280 0500 0100 02000000' +
      '0700 0100 616200 00'
    ).replace(/\s+/g, ''),
  );
  // message-level padding too
  w.reset();
  w.raw(new Uint8Array(64).fill(0xee));
  w.reset();
  writeGenlMessage(w, { familyId: 0x10, cmd: 1, version: 1, flags: 1 }, u8set, { x: 3 });
  assert.equal(
    hex(w.bytes()),
    '1c000000100001000000000000000000' + '01010000' + '0500010003000000',
  );
});

test('readGenlMessage: messages of one buffer decode alike in turn, each with its own copy mode', () => {
  const bin = new AttrSet('b', () => [{ name: 'bin', type: 0x12, kind: Kind.Binary }]);
  const w = new Writer();
  for (const b of [1, 2, 3])
    writeGenlMessage(w, { familyId: 0x10, cmd: b, version: 1, flags: 0 }, bin, {
      bin: new Uint8Array([b, b, b, b]),
    });
  const datagram = w.bytes();
  const [a, b, c] = splitMessages(datagram);
  const get = (m: NlMessage, copy: boolean): Uint8Array =>
    (readGenlMessage(m, bin, undefined, { copy }).attrs as { bin: Uint8Array }).bin;
  const other = splitMessages(datagram.slice())[1]!;
  const results = [get(a!, false), get(b!, true), get(c!, false), get(other, false), get(a!, true)];
  assert.deepEqual(
    results.map((r) => [...r]),
    [
      [1, 1, 1, 1],
      [2, 2, 2, 2],
      [3, 3, 3, 3],
      [2, 2, 2, 2],
      [1, 1, 1, 1],
    ],
  );
  assert.equal(results[0]!.buffer, datagram.buffer, 'copy: false is a view');
  assert.notEqual(results[1]!.buffer, datagram.buffer, 'copy: true right after is a copy');
  assert.equal(results[2]!.buffer, datagram.buffer);
  assert.notEqual(results[3]!.buffer, datagram.buffer, 'another buffer is read, not the last one');
  assert.notEqual(results[4]!.buffer, datagram.buffer);
});

test('binaries are zero-copy views into the received buffer unless { copy: true }', () => {
  const wire = bytes('0800 1200 01020304');
  const bin = new AttrSet('b', () => [{ name: 'bin', type: 0x12, kind: Kind.Binary }]);
  const view = (decodeAttrs(bin, wire) as { bin: Uint8Array }).bin;
  const copy = (decodeAttrs(bin, wire, 0, wire.length, { copy: true }) as { bin: Uint8Array }).bin;
  assert.equal(view.buffer, wire.buffer);
  assert.equal(view.byteOffset, 4);
  wire[4] = 0x99;
  assert.equal(view[0], 0x99, 'the view sees the source change');
  assert.equal(copy[0], 0x01, 'the copy does not');
  assert.notEqual(copy.buffer, wire.buffer);
  // also for struct binary members, unknown attributes and struct tails
  const st = decodeAttrs(structs, bytes('1400 0100' + '00'.repeat(16)));
  assert.equal((st as { sample: { mac: Uint8Array } }).sample.mac.byteOffset, 4 + 14);
  // and for an offset view into a larger buffer (the datagram case)
  const big = new Uint8Array(32);
  big.set(bytes('0800 1200 0a0b0c0d'), 8);
  const sub = (decodeAttrs(bin, big.subarray(8, 16)) as { bin: Uint8Array }).bin;
  assert.equal(sub.buffer, big.buffer);
  assert.equal(sub.byteOffset, 12);
  assert.deepEqual([...sub], [10, 11, 12, 13]);
});

test('decodeAttrs honours start/end inside a buffer', () => {
  const buf = bytes('ffffffff 0500 0100 07000000 ffffffff');
  assert.deepEqual(decodeAttrs(u8set, buf, 4, 12), { x: 7 });
});
