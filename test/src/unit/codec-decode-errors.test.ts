// Every malformed-length case raises a DecodeError naming the attribute path
// and the byte offset where the problem starts; nothing reads past the buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  DecodeError,
  Kind,
  decodeAttrs,
  readErrorMessage,
  readGenlMessage,
  splitMessages,
  type NlMessage,
  type StructDef,
} from '@ynl-ts/runtime';
import { bytes } from './hex.js';

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
const key: AttrSet = new AttrSet('key', () => [
  { name: 'encap', type: 1, kind: Kind.Nest, nested: key },
  { name: 'priority', type: 2, kind: Kind.U32 },
  { name: 'mac', type: 3, kind: Kind.Binary },
  { name: 'ipv4', type: 7, kind: Kind.Struct, struct: ipv4 },
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
const op = new AttrSet('op', () => [{ name: 'id', type: 1, kind: Kind.U32 }]);
const pol = new AttrSet('pol', () => [{ name: 'type', type: 1, kind: Kind.U32 }]);
const top = new AttrSet('top', () => [
  { name: 'u8', type: 1, kind: Kind.U8 },
  { name: 'u16', type: 2, kind: Kind.U16 },
  { name: 'u32', type: 3, kind: Kind.U32 },
  { name: 'u64', type: 4, kind: Kind.U64 },
  { name: 's8', type: 5, kind: Kind.S8 },
  { name: 's16', type: 6, kind: Kind.S16 },
  { name: 's32', type: 7, kind: Kind.S32 },
  { name: 's64', type: 8, kind: Kind.S64 },
  { name: 'uint', type: 9, kind: Kind.Uint },
  { name: 'sint', type: 10, kind: Kind.Sint },
  { name: 'bf', type: 11, kind: Kind.Bitfield32 },
  { name: 'ipv4', type: 12, kind: Kind.Struct, struct: ipv4 },
  { name: 'arr', type: 13, kind: Kind.ScalarArray, sub: Kind.U32 },
  { name: 'key', type: 14, kind: Kind.Nest, nested: key },
  { name: 'actions', type: 15, kind: Kind.Nest, nested: actions },
  { name: 'setMasked', type: 16, kind: Kind.Nest, nested: key, masked: true },
  { name: 'flag', type: 17, kind: Kind.Flag },
  { name: 'ops', type: 18, kind: Kind.IndexedArray, sub: Kind.Nest, nested: op },
  {
    name: 'policy',
    type: 19,
    kind: Kind.NestTypeValue,
    typeValue: ['policyId', 'attrId'],
    nested: pol,
  },
  { name: 'u16be', type: 20, kind: Kind.U16, be: true },
  { name: 'arr64', type: 21, kind: Kind.ScalarArray, sub: Kind.U64 },
]);

/** Decoding `wire` under `top` throws a DecodeError at exactly `path` / `offset`. */
function fails(wire: string | Uint8Array, path: string, offset: number, reason?: RegExp): void {
  const buf = typeof wire === 'string' ? bytes(wire) : wire;
  assert.throws(
    () => decodeAttrs(top, buf),
    (e: unknown) => {
      assert.ok(e instanceof DecodeError, `expected a DecodeError, got ${String(e)}`);
      assert.equal(e.path, path);
      assert.equal(e.offset, offset);
      if (reason) assert.match(e.reason, reason);
      assert.equal(e.message, `${path ? path + ': ' : ''}${e.reason} (at byte ${offset})`);
      return true;
    },
  );
}

test('attribute header truncated: 1..3 bytes left, at top level and inside a nest', () => {
  for (const tail of ['aa', 'aabb', 'aabbcc']) {
    fails('0800 0300 01000000' + tail, '', 8, /trailing bytes are too short/);
    // key nest of 12 + tail bytes: the nest is named, the fragment has no type yet
    const len = (12 + tail.length / 2).toString(16).padStart(2, '0');
    fails(
      `${len}00 0e80 0800 0200 01000000 ${tail}`,
      'key',
      12,
      /too short for an attribute header/,
    );
  }
  fails('aa', '', 0);
});

test('nla_len below the 4-byte header (0..3) names the attribute', () => {
  for (const l of ['00', '01', '02', '03']) {
    fails(`${l}00 0300 01000000`, 'u32', 0, /shorter than its 4-byte header/);
    fails(`0c00 0e80 ${l}00 0200 01000000`, 'key.priority', 4, /shorter than its 4-byte header/);
  }
});

test('nla_len past the end of its parent', () => {
  fails('0900 0300 01000000', 'u32', 0, /claims 9 bytes but only 8 remain/);
  fails('0800 0300 01000000 0c00 6300 0000', '#99', 8, /attribute type 99 claims 12/);
  fails('ffff 0300 01000000', 'u32', 0);
});

test('a nest whose inner attribute overruns the nest (but fits in the message)', () => {
  // key (12 bytes) holds ipv4 claiming 16; the message itself has 20 bytes
  fails(
    '0c00 0e80 1000 0700 0a000001 00000000 06004000',
    'key.ipv4',
    4,
    /claims 16 bytes but only 8 remain/,
  );
  // two levels deep
  fails(
    '0c00 0e80 1000 0180 0800 0200 01000000 00000000',
    'key.encap',
    4,
    /claims 16 bytes but only 8 remain/,
  );
  fails(
    '1400 0e80 1000 0180 0800 0200 01000000 0900 0200 00000000',
    'key.encap.priority',
    16,
    /claims 9 bytes but only 4/,
  );
  // ordered sets name the element: actions[1].clone[0].output
  fails(
    '1800 0f80 0800 0100 01000000 0c00 0480 0900 0100 02000000',
    'actions[1].clone[0].output',
    16,
    /claims 9 bytes but only 8 remain/,
  );
  // an ordered element of unknown type is named by number
  fails('0c00 0f80 0900 6300 00000000', 'actions[0].#99', 4);
});

test('scalar payload of the wrong size, for each width (too short and too long)', () => {
  const cases: [string, number, number][] = [
    ['u8', 1, 1],
    ['s8', 5, 1],
    ['u16', 2, 2],
    ['s16', 6, 2],
    ['u16be', 20, 2],
    ['u32', 3, 4],
    ['s32', 7, 4],
    ['u64', 4, 8],
    ['s64', 8, 8],
  ];
  for (const [name, type, size] of cases) {
    for (const len of [0, size - 1, size + 1, size * 2]) {
      if (len === size || len < 0) continue;
      const t = type.toString(16).padStart(2, '0');
      const l = (4 + len).toString(16).padStart(2, '0');
      fails(
        `${l}00 ${t}00 ${'ab'.repeat(len)}`,
        name,
        4,
        new RegExp(`needs ${size} bytes of payload, got ${len}`),
      );
    }
  }
  // inside an ordered set and a nest
  fails('0c00 0f80 0600 0100 0100 0000', 'actions[0].output', 8, /u32 needs 4/);
  fails('0c00 0e80 0500 0200 01000000', 'key.priority', 8);
});

test('uint/sint of 3 (or 2, 5, 0) bytes', () => {
  for (const len of [0, 2, 3, 5, 16]) {
    const l = (4 + len).toString(16).padStart(2, '0');
    fails(
      `${l}00 0900 ${'01'.repeat(len)}`,
      'uint',
      4,
      new RegExp(`uint needs 4 or 8 bytes of payload, got ${len}`),
    );
    fails(
      `${l}00 0a00 ${'01'.repeat(len)}`,
      'sint',
      4,
      new RegExp(`sint needs 4 or 8 bytes of payload, got ${len}`),
    );
  }
});

test('bitfield32 that is not 8 bytes', () => {
  fails('0800 0b00 01000000', 'bf', 4, /bitfield32 needs 8/);
  fails('1000 0b00 01000000 01000000 01000000', 'bf', 4, /got 12/);
});

test('struct too short (a longer one is fine, see [extraBytes])', () => {
  fails(
    '0f00 0c00 0a000001 00000000 060040',
    'ipv4',
    4,
    /struct ovs-key-ipv4 needs 12 bytes, got 11/,
  );
  fails('0400 0c00', 'ipv4', 4, /got 0/);
  fails('1000 0e80 0c00 0700 0a000001 00000000', 'key.ipv4', 8);
});

test('scalar array whose length is not a multiple of the element size', () => {
  fails('0a00 0d00 01000000 0200', 'arr', 4, /4-byte elements has length 6/);
  fails('1000 1500 01000000 02000000 03000000', 'arr64', 4, /8-byte elements has length 12/);
});

test('masked attribute of odd length, or halves of the wrong size', () => {
  fails('0c00 1080 0700 0200 01000000', 'setMasked.priority', 8, /odd length 3/);
  fails(
    '0c00 1080 0800 0200 0100 ffff',
    'setMasked.priority.value',
    8,
    /u32 needs 4 bytes of payload, got 2/,
  );
  fails(
    '1800 1080 1400 0700 0a000001 00000000 ffffffff 00000000',
    'setMasked.ipv4.value',
    8,
    /needs 12 bytes, got 8/,
  );
  fails('0c00 1080 0800 0180 00000000', 'setMasked.encap', 8, /cannot carry a value\/mask pair/);
});

test('flag carrying a payload (the kernel policy rejects it too)', () => {
  fails('0500 1100 01000000', 'flag', 4, /flag has 1 bytes of payload/);
});

test('indexed-array and nest-type-value elements name their position', () => {
  fails('1800 1280 0c00 0180 0800 0100 01000000 0800 0280 0400 0100', 'ops[1].id', 24, /got 0/);
  fails(
    '1400 1280 0c00 0180 0800 0100 01000000 0300 0280',
    'ops[1]',
    16,
    /shorter than its 4-byte header/,
  );
  fails('1000 1280 0c00 0180 0600 0100 0100 0000', 'ops[0].id', 12);
  fails(
    '1400 1380 1000 0080 0400 0180 0800 0280 0500 0100',
    'policy[policyId=0][attrId=2].type',
    16,
    /claims 5 bytes but only 4 remain/,
  );
  fails(
    '1400 1380 1000 0380 0c00 0580 0500 0100 01000000',
    'policy[policyId=3][attrId=5].type',
    16,
    /u32 needs 4 bytes of payload, got 1/,
  );
});

test('a decode range outside the buffer', () => {
  assert.throws(() => decodeAttrs(top, bytes('00000000'), 2, 8), DecodeError);
  assert.throws(() => decodeAttrs(top, bytes('00000000'), 3, 2), DecodeError);
});

// ---- message framing ----

function failsMsg(fn: () => unknown, offset: number, reason: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected a DecodeError, got ${String(e)}`);
    assert.equal(e.path, '');
    assert.equal(e.offset, offset);
    assert.match(e.reason, reason);
    return true;
  });
}
const genl = '01020000';
const hdr = (len: number, type = 0x1c, flags = 0): string => {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(1, 8);
  return b.toString('hex');
};

test('nlmsghdr shorter than 16 bytes, nlmsg_len < 16, nlmsg_len past the datagram', () => {
  for (let n = 1; n < 16; n++)
    failsMsg(
      () => splitMessages(bytes(hdr(16).slice(0, n * 2))),
      0,
      /too short for a netlink header/,
    );
  // a second message cut short
  failsMsg(
    () => splitMessages(bytes(hdr(16) + hdr(16).slice(0, 20))),
    16,
    /10 bytes are too short/,
  );
  for (const l of [0, 4, 15])
    failsMsg(() => splitMessages(bytes(hdr(l))), 0, new RegExp(`nlmsg_len ${l} is shorter`));
  failsMsg(
    () => splitMessages(bytes(hdr(24) + genl)),
    0,
    /nlmsg_len 24 runs past the datagram \(20 bytes left\)/,
  );
  failsMsg(() => splitMessages(bytes(hdr(20) + genl + hdr(0x10000))), 20, /runs past/);
  assert.deepEqual(splitMessages(new Uint8Array(0)), []);
});

test('genetlink header missing or cut short; fixed header truncated', () => {
  const set = new AttrSet('s', () => [{ name: 'a', type: 1, kind: Kind.U32 }]);
  const fixed: StructDef = {
    name: 'ovs-header',
    size: 4,
    members: [{ name: 'dpIfindex', kind: Kind.U32, offset: 0 }],
  };
  const [m0] = splitMessages(bytes(hdr(16)));
  failsMsg(() => readGenlMessage(m0!, set), 16, /too short for a genetlink header/);
  const [m1] = splitMessages(bytes(hdr(18) + '0102' + '0000'));
  failsMsg(() => readGenlMessage(m1!, set), 16, /too short for a genetlink header/);
  const [m2] = splitMessages(bytes(hdr(22) + genl + '0300' + '0000'));
  failsMsg(
    () => readGenlMessage(m2!, set, fixed),
    20,
    /too short for fixed header ovs-header \(4 bytes\)/,
  );
  // attributes are checked against nlmsg_len, not the datagram: 4 bytes of a
  // u32 attribute lie beyond nlmsg_len even though the datagram holds them
  const [m3] = splitMessages(bytes(hdr(28) + genl + '0800 0100 01000000'));
  assert.deepEqual(readGenlMessage(m3!, set).attrs, { a: 1 });
  const buf = bytes(hdr(24) + genl + '0800 0100 01000000');
  const m4: NlMessage = {
    len: 24,
    type: 0x1c,
    flags: 0,
    seq: 1,
    portId: 0,
    buffer: buf,
    offset: 0,
  };
  assert.throws(
    () => readGenlMessage(m4, set),
    (e: unknown) => e instanceof DecodeError && e.path === 'a' && e.offset === 20,
  );
  // a hand-built NlMessage that lies about its length is refused, not read past
  const m5: NlMessage = { ...m4, len: 64 };
  failsMsg(() => readGenlMessage(m5, set), 0, /outside the 28-byte buffer/);
  failsMsg(() => readErrorMessage({ ...m5, type: 2 }), 0, /outside the 28-byte buffer/);
});

test('NLMSG_ERROR truncated: errno, echoed header, echoed request', () => {
  // 16 + 4 + 8: the echoed header is cut
  failsMsg(
    () => readErrorMessage(splitMessages(bytes(hdr(28, 2) + '00000000' + '0000000000000000'))[0]!),
    16,
    /too short for errno/,
  );
  failsMsg(() => readErrorMessage(splitMessages(bytes(hdr(16, 2)))[0]!), 16, /too short for errno/);
  // not capped: the request echo claims 40 bytes, only 16 are there
  failsMsg(
    () => readErrorMessage(splitMessages(bytes(hdr(36, 2) + 'feffffff' + hdr(40)))[0]!),
    20,
    /echoed request of 40 bytes does not fit/,
  );
  // an ext-ack TLV that overruns the message
  const capped = 0x100 | 0x200;
  assert.throws(
    () =>
      readErrorMessage(
        splitMessages(bytes(hdr(44, 2, capped) + 'feffffff' + hdr(40) + '0900 0200 08000000'))[0]!,
      ),
    (e: unknown) => e instanceof DecodeError && e.offset === 36,
  );
  // an ext-ack offset attribute of 3 bytes
  assert.throws(
    () =>
      readErrorMessage(
        splitMessages(bytes(hdr(44, 2, capped) + 'feffffff' + hdr(40) + '0700 0200 080000 00'))[0]!,
      ),
    (e: unknown) => e instanceof DecodeError && e.offset === 40,
  );
  failsMsg(
    () => readErrorMessage(splitMessages(bytes(hdr(20, 3) + '00000000'))[0]!),
    0,
    /is not NLMSG_ERROR/,
  );
});
