// Bad user values raise an EncodeError naming the path of the offending value,
// before anything inconsistent can be sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  EncodeError,
  EnumDef,
  Kind,
  Writer,
  encodeSet,
  writeGenlMessage,
  type StructDef,
} from '@ynl-ts/runtime';

const color = new EnumDef('color', { red: 0, green: 1 });
const feature = new EnumDef('feature', { a: 1, b: 2 }, true);
const ipv4: StructDef = {
  name: 'ovs-key-ipv4',
  size: 12,
  members: [
    { name: 'src', kind: Kind.U32, offset: 0, be: true },
    { name: 'dst', kind: Kind.U32, offset: 4, be: true },
    { name: 'proto', kind: Kind.U8, offset: 8 },
    { name: 'ttl', kind: Kind.U8, offset: 10 },
    { name: 'gap', kind: Kind.Pad, offset: 11, len: 1 },
  ],
};
const named: StructDef = {
  name: 'named',
  size: 8,
  members: [
    { name: 'name', kind: Kind.String, offset: 0, len: 4 },
    { name: 'mac', kind: Kind.Binary, offset: 4, len: 2 },
    { name: 'state', kind: Kind.U16, offset: 6, enum: color },
  ],
};
const key: AttrSet = new AttrSet('key', () => [
  { name: 'encap', type: 1, kind: Kind.Nest, nested: key },
  { name: 'priority', type: 2, kind: Kind.U32 },
  { name: 'mac', type: 3, kind: Kind.Binary },
  { name: 'ipv4', type: 7, kind: Kind.Struct, struct: ipv4 },
  { name: 'flag', type: 8, kind: Kind.Flag },
]);
const actions: AttrSet = new AttrSet(
  'actions',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'set', type: 3, kind: Kind.Nest, nested: key },
    { name: 'clone', type: 4, kind: Kind.Nest, nested: actions },
    { name: 'setMasked', type: 5, kind: Kind.Nest, nested: key, masked: true },
  ],
  { ordered: true },
);
const op = new AttrSet('op', () => [{ name: 'id', type: 1, kind: Kind.U32 }]);
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
  { name: 'str', type: 11, kind: Kind.String },
  { name: 'bin', type: 12, kind: Kind.Binary },
  { name: 'flag', type: 13, kind: Kind.Flag },
  { name: 'bf', type: 14, kind: Kind.Bitfield32 },
  { name: 'key', type: 15, kind: Kind.Nest, nested: key },
  { name: 'actions', type: 16, kind: Kind.Nest, nested: actions },
  { name: 'masked', type: 17, kind: Kind.Nest, nested: key, masked: true },
  { name: 'color', type: 18, kind: Kind.U32, enum: color },
  { name: 'features', type: 19, kind: Kind.U32, enum: feature },
  { name: 'multi', type: 20, kind: Kind.U16, multi: true },
  { name: 'ranged', type: 21, kind: Kind.U32, checks: { min: 10, max: 20 } },
  { name: 'ranged64', type: 22, kind: Kind.S64, checks: { min: -5n, max: 5n } },
  { name: 'shortStr', type: 23, kind: Kind.String, checks: { minLen: 2, maxLen: 4 } },
  { name: 'exactBin', type: 24, kind: Kind.Binary, checks: { exactLen: 6 } },
  { name: 'named', type: 25, kind: Kind.Struct, struct: named },
  { name: 'arr', type: 26, kind: Kind.ScalarArray, sub: Kind.U8, checks: { maxLen: 2 } },
  { name: 'ops', type: 27, kind: Kind.IndexedArray, sub: Kind.Nest, nested: op },
  { name: 'pad', type: 28, kind: Kind.Pad },
  { name: 'unused', type: 29, kind: Kind.Unused },
  { name: 'shortBin', type: 30, kind: Kind.Binary, checks: { minLen: 1, maxLen: 2 } },
  {
    name: 'policy',
    type: 31,
    kind: Kind.NestTypeValue,
    typeValue: ['policyId', 'attrId'],
    nested: op,
  },
]);

/** Encoding `value` throws an EncodeError at `path` whose reason matches. */
function fails(value: unknown, path: string, reason?: RegExp): void {
  const w = new Writer(16);
  assert.throws(
    () => encodeSet(w, top, value),
    (e: unknown) => {
      assert.ok(e instanceof EncodeError, `expected an EncodeError, got ${String(e)}`);
      assert.equal(e.path, path);
      if (reason) assert.match(e.reason, reason);
      assert.equal(e.message, `${path}: ${e.reason}`);
      return true;
    },
  );
}

test('wrong JS types', () => {
  fails({ u32: '1' }, 'u32', /expected a number, got the string "1"/);
  fails({ u64: null }, 'u64', /expected a number, got null/);
  fails({ u8: true }, 'u8', /expected a number, got boolean true/);
  fails({ str: 5 }, 'str', /expected a string, got number 5/);
  fails({ bin: [1, 2] }, 'bin', /expected a Uint8Array, got an array/);
  fails({ bin: 'ab' }, 'bin', /expected a Uint8Array/);
  fails({ flag: 1 }, 'flag', /flag expects true or false, got number 1/);
  fails({ key: 5 }, 'key', /expected an object of key attributes, got number 5/);
  fails({ key: [] }, 'key', /expected an object of key attributes, got an array/);
  fails(
    { key: { ipv4: new Uint8Array(12) } },
    'key.ipv4',
    /expected an object for struct ovs-key-ipv4, got a 12-byte Uint8Array/,
  );
  fails({ multi: 5 }, 'multi', /multi-attr expects an array/);
  fails({ multi: [1, 'x'] }, 'multi[1]', /expected a number/);
  fails({ bf: 5 }, 'bf', /expected \{ value, selector \}/);
  fails({ bf: { value: 1 } }, 'bf.selector', /expected a number, got undefined/);
  fails({ bf: { value: -1, selector: 0 } }, 'bf.value', /out of range for u32/);
  fails({ arr: [1, 256] }, 'arr[1]', /out of range for u8/);
  fails({ arr: 'ab' }, 'arr', /expected an array/);
  fails({ ops: {} }, 'ops', /expected an array/);
  fails({ ops: [{ id: 1 }, { id: -1 }] }, 'ops[1].id', /out of range for u32/);
  fails(
    { actions: { output: 1 } },
    'actions',
    /actions is a sequence: expected an array, got an object/,
  );
});

test('out of range for each width, and non-integers', () => {
  const cases: [string, unknown[], RegExp][] = [
    ['u8', [256, -1, 1.5, NaN, Infinity], /out of range for u8/],
    ['u16', [65536, -1], /out of range for u16/],
    ['u32', [2 ** 32, -1, 2n ** 32n], /out of range for u32/],
    ['s8', [128, -129], /out of range for s8/],
    ['s16', [32768, -32769], /out of range for s16/],
    ['s32', [2 ** 31, -(2 ** 31) - 1], /out of range for s32/],
    ['u64', [2n ** 64n, -1n, -1], /out of range for u64/],
    ['s64', [2n ** 63n, -(2n ** 63n) - 1n], /out of range for s64/],
    ['uint', [2n ** 64n, -1n], /out of range for uint/],
    ['sint', [2n ** 63n, -(2n ** 63n) - 1n], /out of range for sint/],
  ];
  for (const [name, values, reason] of cases) {
    for (const v of values) fails({ [name]: v }, name, reason);
  }
  // numbers beyond 2^53 are not exact: ask for a bigint rather than guess
  fails({ u64: 2 ** 60 }, 'u64', /not an exact integer; pass a bigint/);
  fails({ u64: 1.5 }, 'u64', /not an exact integer/);
  fails(
    { key: { encap: { encap: { priority: 2 ** 32 } } } },
    'key.encap.encap.priority',
    /out of range for u32/,
  );
});

test('unknown attribute names, enum names, flag names', () => {
  fails({ nope: 1 }, 'nope', /'nope' is not an attribute of top/);
  fails({ key: { encap: { nope: 1 } } }, 'key.encap.nope', /'nope' is not an attribute of key/);
  fails({ color: 'blue' }, 'color', /"blue" is not a member of color/);
  fails({ features: ['a', 'z'] }, 'features', /the string "z" is not a flag of feature/);
  fails({ features: [-1] }, 'features', /is not a flag of feature/);
  fails({ named: { state: 'purple' } }, 'named.state', /not a member of color/);
  fails({ named: { nope: 1 } }, 'named.nope', /struct named has no member 'nope'/);
  fails({ key: { ipv4: { gap: 1 } } }, 'key.ipv4.gap', /has no member 'gap'/);
  fails({ pad: new Uint8Array(4) }, 'pad', /'pad' is padding and cannot be sent/);
  fails({ unused: 1 }, 'unused', /is unused and cannot be sent/);
});

test('bad ordered entries', () => {
  fails(
    { actions: [{ type: 'output', value: 1 }, 5] },
    'actions[1]',
    /expected \{ type, value \}, got number 5/,
  );
  fails({ actions: [null] }, 'actions[0]', /got null/);
  fails(
    { actions: [{ type: 'nope', value: 1 }] },
    'actions[0]',
    /the string "nope" is not a member of actions/,
  );
  fails({ actions: [{ value: 1 }] }, 'actions[0]', /undefined is not a member of actions/);
  fails({ actions: [{ type: 'output', value: 'x' }] }, 'actions[0].output', /expected a number/);
  fails(
    {
      actions: [
        { type: 'output', value: 1 },
        { type: 'clone', value: [{ type: 'output', value: -1 }] },
      ],
    },
    'actions[1].clone[0].output',
    /out of range for u32/,
  );
  fails({ actions: [{ type: 'set', value: { nope: 1 } }] }, 'actions[0].set.nope');
  fails({ actions: [{ type: 99, value: 'x' }] }, 'actions[0]', /expected a Uint8Array/);
  fails(
    { actions: [{ type: 0x4001, value: new Uint8Array(0) }] },
    'actions[0]',
    /attribute type 16385 is not in \[0, 16383\]/,
  );
  fails({ actions: [{ type: -1, value: new Uint8Array(0) }] }, 'actions[0]', /not in \[0, 16383\]/);
});

test('masked values: shape, value/mask size mismatch, flags and nests cannot be masked', () => {
  fails({ masked: { priority: 5 } }, 'masked.priority', /expected \{ value, mask \}, got number 5/);
  fails({ masked: { priority: { value: 5 } } }, 'masked.priority', /expected \{ value, mask \}/);
  fails(
    { masked: { mac: { value: new Uint8Array(2), mask: new Uint8Array(3) } } },
    'masked.mac.mask',
    /value is 2 bytes but mask is 3/,
  );
  fails(
    { masked: { priority: { value: 1, mask: -1 } } },
    'masked.priority.mask',
    /out of range for u32/,
  );
  fails(
    { masked: { ipv4: { value: { ttl: 300 }, mask: {} } } },
    'masked.ipv4.value.ttl',
    /out of range for u8/,
  );
  fails({ masked: { encap: { value: {}, mask: {} } } }, 'masked.encap', /'encap' cannot be masked/);
  fails({ masked: { flag: true } }, 'masked.flag', /is a flag and cannot be masked/);
  fails(
    {
      actions: [
        {
          type: 'setMasked',
          value: { mac: { value: new Uint8Array(1), mask: new Uint8Array(0) } },
        },
      ],
    },
    'actions[0].setMasked.mac.mask',
    /value is 1 bytes but mask is 0/,
  );
});

test('checks: min, max, min-len, max-len, exact-len', () => {
  fails({ ranged: 9 }, 'ranged', /9 is below the minimum 10/);
  fails({ ranged: 21 }, 'ranged', /21 exceeds the maximum 20/);
  fails({ ranged64: -6n }, 'ranged64', /-6 is below the minimum -5/);
  fails({ ranged64: 6 }, 'ranged64', /6 exceeds the maximum 5/);
  fails({ shortStr: 'a' }, 'shortStr', /length 1 is below the minimum 2/);
  fails({ shortStr: 'abcde' }, 'shortStr', /length 5 exceeds the maximum 4/);
  fails({ shortStr: 'éé€' }, 'shortStr', /length 7 exceeds the maximum 4/); // bytes, not characters
  fails({ exactBin: new Uint8Array(5) }, 'exactBin', /length 5 must be exactly 6/);
  fails({ shortBin: new Uint8Array(0) }, 'shortBin', /length 0 is below the minimum 1/);
  fails({ shortBin: new Uint8Array(3) }, 'shortBin', /length 3 exceeds the maximum 2/);
  fails({ arr: [1, 2, 3] }, 'arr', /length 3 exceeds the maximum 2/);
  // the boundaries themselves pass
  for (const ok of [
    { ranged: 10 },
    { ranged: 20 },
    { shortStr: 'ab' },
    { shortStr: 'abcd' },
    { exactBin: new Uint8Array(6) },
  ]) {
    encodeSet(new Writer(), top, ok);
  }
});

test('nest-type-value records: shape, type values, repeats, attributes (by record index)', () => {
  fails({ policy: {} }, 'policy', /expected an array of records/);
  fails(
    { policy: [{ policyId: 0, attrId: 1 }, null] },
    'policy[1]',
    /expected a record of policyId\/attrId/,
  );
  fails(
    { policy: [{ policyId: 0 }] },
    'policy[0].attrId',
    /must be an attribute type number in \[0, 16383\], got undefined/,
  );
  fails({ policy: [{ policyId: 0x4000, attrId: 1 }] }, 'policy[0].policyId', /got number 16384/);
  fails(
    {
      policy: [
        { policyId: 1, attrId: 1 },
        { policyId: 2, attrId: 1 },
        { policyId: 1, attrId: 1 },
      ],
    },
    'policy[2]',
    /repeats the policyId\/attrId of record 0/,
  );
  fails(
    {
      policy: [
        { policyId: 1, attrId: 1 },
        { policyId: 1, attrId: 2, id: 'x' },
      ],
    },
    'policy[1].id',
    /expected a number/,
  );
  fails(
    { policy: [{ policyId: 1, attrId: 1, nope: 1 }] },
    'policy[0].nope',
    /not an attribute of op/,
  );
});

test('strings: NUL inside, too long for a fixed struct member', () => {
  fails({ str: 'a\0b' }, 'str', /contains a NUL/);
  fails(
    { named: { name: 'abcd' } },
    'named.name',
    /string of 4 bytes does not fit in 4 bytes with its NUL/,
  );
  fails({ named: { name: 'ééé' } }, 'named.name', /string of 6 bytes/);
  fails({ named: { name: 5 } }, 'named.name', /expected a string/);
  fails({ named: { mac: new Uint8Array(3) } }, 'named.mac', /expected 2 bytes, got 3/);
  encodeSet(new Writer(), top, { named: { name: 'abc' } });
});

test('an attribute longer than 65535 bytes cannot be expressed in nla_len', () => {
  fails({ bin: new Uint8Array(65532) }, 'bin', /65536 bytes exceeds the 65535-byte netlink limit/);
  encodeSet(new Writer(), top, { bin: new Uint8Array(65531) });
  fails({ key: { mac: new Uint8Array(65528) } }, 'key', /exceeds the 65535-byte/);
});

test('a fixed header error is named under `header`; the writer is left as before', () => {
  const hdr: StructDef = {
    name: 'hdr',
    size: 8,
    members: [{ name: 'ifname', kind: Kind.String, offset: 0, len: 8 }],
  };
  const w = new Writer(16);
  w.raw(new Uint8Array([1, 2, 3]));
  assert.throws(
    () =>
      writeGenlMessage(
        w,
        { familyId: 0x20, cmd: 1, version: 1, flags: 1 },
        top,
        {},
        { def: hdr, value: { ifname: 'longername' } },
      ),
    (e: unknown) =>
      e instanceof EncodeError &&
      e.path === 'header.ifname' &&
      /does not fit in 8 bytes/.test(e.reason),
  );
  assert.equal(w.pos, 3);
  assert.throws(
    () =>
      writeGenlMessage(w, { familyId: 0x20, cmd: 1, version: 1, flags: 1 }, top, {
        key: { priority: -1 },
      }),
    (e: unknown) => e instanceof EncodeError && e.path === 'key.priority',
  );
  assert.equal(w.pos, 3);
});
