// Hardening of the codec against values that do not fit, hostile nesting,
// attribute names that collide with Object.prototype, data from a newer
// kernel and odd user input (issue 11). Every decode runs through both the
// compiled fast path and the interpreter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  DecodeError,
  EncodeError,
  MAX_NEST_DEPTH,
  EnumDef,
  Kind,
  Writer,
  decodeAttrs,
  encodeSet,
  extraAttrs,
  extraBytes,
  genlRequest,
  readGenlMessage,
  splitMessages,
  writeGenlMessage,
  type ExtraAttr,
} from '@ynl-ts/runtime';
import { devSet } from '@ynl-ts/families/netdev';
import { flowAttrsSet, ovsHeaderStruct } from '@ynl-ts/families/ovs_flow';
import { datapathSet, ovsHeaderStruct as dpHeader } from '@ynl-ts/families/ovs_datapath';
import { bothPaths } from './both-paths.js';
import { hex } from './hex.js';

function encode(set: AttrSet, value: unknown): Uint8Array {
  return bothPaths(() => {
    const w = new Writer(16);
    encodeSet(w, set, value);
    return w.bytes().slice();
  });
}

/** `f` throws an EncodeError at `path` whose reason matches, on both paths. */
function encodeFails(f: () => unknown, path: string, reason: RegExp): void {
  bothPaths(() => {
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof EncodeError, `expected an EncodeError, got ${String(e)}`);
      assert.equal(e.path, path);
      assert.match(e.reason, reason);
      return true;
    });
  });
}

const u64Attr = (type: number, v: bigint): Uint8Array => {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 12, true);
  dv.setUint16(2, type, true);
  dv.setBigUint64(4, v, true);
  return b;
};

// ---- item 4: flag sets of every width are exact ----

const feature = new EnumDef('feature', { a: 1, b: 2, high: 2 ** 40 }, true);
const widths = new AttrSet('widths', () => [
  { name: 'f8', type: 1, kind: Kind.U8, enum: feature },
  { name: 'f16', type: 2, kind: Kind.U16, enum: feature },
  { name: 'f32', type: 3, kind: Kind.U32, enum: feature },
  { name: 'f64', type: 4, kind: Kind.U64, enum: feature },
  { name: 'fuint', type: 5, kind: Kind.Uint, enum: feature },
]);

test('u64 flag sets keep bits above 32 (netdev xdp-features)', () => {
  // basic (1) plus an unnamed bit 40
  const b = encode(devSet, { xdpFeatures: ['basic', 2 ** 40] });
  assert.equal(hex(b), hex(u64Attr(3, (1n << 40n) | 1n)));
  // decoded: names for known bits, the value of each unknown bit as a number
  const d = bothPaths(() => decodeAttrs(devSet, u64Attr(3, (1n << 60n) | 1n)));
  assert.deepStrictEqual(d, { xdpFeatures: ['basic', 2 ** 60] });
  // and it round-trips exactly
  assert.equal(hex(encode(devSet, d)), hex(u64Attr(3, (1n << 60n) | 1n)));
  const top = bothPaths(() => decodeAttrs(devSet, u64Attr(3, 1n << 63n)));
  assert.deepStrictEqual(top, { xdpFeatures: [2 ** 63] });
  assert.equal(hex(encode(devSet, top)), hex(u64Attr(3, 1n << 63n)));
  // bigints are accepted as bits too
  assert.equal(hex(encode(devSet, { xdpFeatures: [1n << 62n] })), hex(u64Attr(3, 1n << 62n)));
});

test('a flag that does not fit the width is an EncodeError naming the attribute', () => {
  encodeFails(
    () => encodeSet(new Writer(), widths, { f32: [2 ** 32] }),
    'f32',
    /does not fit in u32/,
  );
  encodeFails(
    () => encodeSet(new Writer(), widths, { f32: ['high'] }),
    'f32',
    /does not fit in u32/,
  );
  encodeFails(() => encodeSet(new Writer(), widths, { f8: [256] }), 'f8', /does not fit in u8/);
  encodeFails(() => encodeSet(new Writer(), widths, { f16: ['a', 2 ** 16] }), 'f16', /u16/);
  encodeFails(() => encodeSet(new Writer(), widths, { f64: [2 ** 64] }), 'f64', /u64/);
  encodeFails(() => encodeSet(new Writer(), widths, { f64: [1n << 64n] }), 'f64', /u64/);
  // a number that is neither a safe integer nor a single bit is not exact
  encodeFails(
    () => encodeSet(new Writer(), widths, { f64: [2 ** 60 + 2 ** 8] }),
    'f64',
    /not a flag of feature/,
  );
  encodeFails(() => encodeSet(new Writer(), widths, { f64: [1.5] }), 'f64', /not a flag/);
  // what fits is exact at every width
  const w = new Writer();
  encodeSet(w, widths, {
    f8: ['a', 128],
    f16: [2 ** 15],
    f32: ['b', 2 ** 31],
    f64: ['high', 2 ** 63],
    fuint: ['high'],
  });
  const d = bothPaths(() => decodeAttrs(widths, w.bytes()));
  assert.deepStrictEqual(d, {
    f8: ['a', 128],
    f16: [2 ** 15],
    f32: ['b', 2 ** 31],
    f64: ['high', 2 ** 63],
    fuint: ['high'],
  });
});

// ---- item 6: nesting depth is capped, cycles are detected ----

const node: AttrSet = new AttrSet('node', () => [
  { name: 'child', type: 1, kind: Kind.Nest, nested: node },
  { name: 'leaf', type: 2, kind: Kind.U32 },
]);
const program: AttrSet = new AttrSet(
  'program',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'clone', type: 2, kind: Kind.Nest, nested: program },
  ],
  { ordered: true },
);

/** `levels` nests of type `nest` inside each other, a u32 of type `leaf` at the bottom. */
function deepBytes(levels: number, nest = 1, leaf = 2): Uint8Array {
  const b = new Uint8Array(levels * 4 + 8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < levels; i++) {
    dv.setUint16(i * 4, b.length - i * 4, true);
    dv.setUint16(i * 4 + 2, nest | 0x8000, true);
  }
  dv.setUint16(levels * 4, 8, true);
  dv.setUint16(levels * 4 + 2, leaf, true);
  return b;
}

function decodeFails(set: AttrSet, b: Uint8Array, start: RegExp): void {
  bothPaths(() => {
    assert.throws(
      () => decodeAttrs(set, b),
      (e: unknown) => {
        assert.ok(e instanceof DecodeError, `expected a DecodeError, got ${String(e)}`);
        assert.match(e.reason, new RegExp(`nested deeper than ${MAX_NEST_DEPTH} levels`));
        assert.match(e.path, start);
        assert.ok(e.message.length < 300, `message too long: ${e.message.length}`);
        return true;
      },
    );
  });
}

test('decoding ~3,000 nested levels is a DecodeError, not a stack overflow', () => {
  assert.equal(MAX_NEST_DEPTH, 64);
  decodeFails(node, deepBytes(3000), /^child\.child\.child/);
  decodeFails(program, deepBytes(3000, 2, 1), /^\[0\]\.clone\[0\]\.clone/);
  // the deepest the cap allows decodes
  const ok = bothPaths(() => decodeAttrs(node, deepBytes(MAX_NEST_DEPTH))) as Record<
    string,
    unknown
  >;
  let cur = ok;
  for (let i = 0; i < MAX_NEST_DEPTH; i++) cur = cur['child'] as Record<string, unknown>;
  assert.deepStrictEqual(cur, { leaf: 0 });
  decodeFails(node, deepBytes(MAX_NEST_DEPTH + 1), /^child/);
});

function encodeDepthFails(set: AttrSet, value: unknown, reason: RegExp, start: RegExp): void {
  bothPaths(() => {
    assert.throws(
      () => encodeSet(new Writer(), set, value),
      (e: unknown) => {
        assert.ok(e instanceof EncodeError, `expected an EncodeError, got ${String(e)}`);
        assert.match(e.reason, reason);
        assert.match(e.path, start);
        assert.ok(e.message.length < 300, `message too long: ${e.message.length}`);
        return true;
      },
    );
  });
}

test('encoding 20,000-deep or cyclic values is an EncodeError, not a stack overflow or a loop', () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 20000; i++) deep = { child: deep };
  encodeDepthFails(node, deep, /nested deeper than 64 levels/, /^child\.child/);
  let prog: unknown[] = [{ type: 'output', value: 1 }];
  for (let i = 0; i < 20000; i++) prog = [{ type: 'clone', value: prog }];
  encodeDepthFails(program, prog, /nested deeper than 64 levels/, /^\[0\]\.clone\[0\]/);

  const cyclic: Record<string, unknown> = { leaf: 1 };
  cyclic['child'] = { child: cyclic };
  encodeDepthFails(node, cyclic, /cycl/, /^child\.child$/);
  const loop: unknown[] = [{ type: 'output', value: 1 }];
  loop.push({ type: 'clone', value: loop });
  encodeDepthFails(program, loop, /cycl/, /^\[1\]\.clone$/);
  // the same object twice, side by side, is not a cycle
  const shared = [{ type: 'output', value: 2 }];
  encodeSet(new Writer(), program, [
    { type: 'clone', value: shared },
    { type: 'clone', value: shared },
  ]);
});

test('a cyclic OVS key (encap inside itself) is an EncodeError, also past the match rules', () => {
  const key: Record<string, unknown> = { ethertype: 0x8100 };
  key['encap'] = key;
  bothPaths(() => {
    assert.throws(
      () =>
        writeGenlMessage(
          new Writer(),
          { familyId: 0x20, cmd: 1, version: 1, flags: 1 },
          flowAttrsSet,
          { header: { dpIfindex: 1 }, key, mask: { encap: key } },
          { def: ovsHeaderStruct, value: { dpIfindex: 1 } },
        ),
      (e: unknown) => e instanceof EncodeError && e.path === 'key.encap' && /cyclic/.test(e.reason),
    );
  });
});

// ---- item 7: attribute names that are Object.prototype members ----

const PROTO_NAMES = [
  'toString',
  'valueOf',
  'hasOwnProperty',
  'constructor',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
];

/** An object with own data properties only (`__proto__` included), in order. */
const own = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);

test('attributes and struct members named like Object.prototype members decode and encode', () => {
  for (const name of PROTO_NAMES) {
    const st = {
      name: 'st',
      size: 8,
      members: [
        { name, kind: Kind.U32, offset: 0 },
        { name: 'other', kind: Kind.U32, offset: 4 },
      ],
    };
    const inner = new AttrSet('inner', () => [{ name, type: 1, kind: Kind.U16 }]);
    const set = new AttrSet('s', () => [
      { name, type: 1, kind: Kind.U32 },
      { name: 'nest', type: 2, kind: Kind.Nest, nested: inner },
      {
        name: 'many',
        type: 3,
        kind: Kind.Nest,
        nested: new AttrSet('m', () => [{ name, type: 1, kind: Kind.U8, multi: true }]),
      },
      { name: 'st', type: 4, kind: Kind.Struct, struct: st },
    ]);
    const value = own([
      [name, 7],
      ['nest', own([[name, 3]])],
      ['many', own([[name, [1, 2]]])],
      [
        'st',
        own([
          [name, 5],
          ['other', 6],
        ]),
      ],
    ]);
    const bytes = encode(set, value);
    const d = bothPaths(() => decodeAttrs(set, bytes)) as Record<string, unknown>;
    assert.deepStrictEqual(d, value, name);
    assert.equal(Object.getPrototypeOf(d), Object.prototype, name);
    assert.equal(Object.getPrototypeOf(d['nest']), Object.prototype, name);
    assert.equal(Object.getPrototypeOf(d['st']), Object.prototype, name);
    assert.ok(Object.hasOwn(d, name), name);
    // and back to the same bytes
    assert.equal(hex(encode(set, d)), hex(bytes), name);
    // absent, the inherited member is not taken for the attribute or member
    assert.equal(
      hex(encode(set, { st: { other: 1 } })),
      hex(encode(set, { st: own([['other', 1]]) })),
    );
    const empty = bothPaths(() => decodeAttrs(set, new Uint8Array(0))) as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(empty), []);
  }
  // a decoded `__proto__` attribute is data: it cannot change the prototype
  const set = new AttrSet('s', () => [
    {
      name: '__proto__',
      type: 1,
      kind: Kind.Nest,
      nested: new AttrSet('p', () => [{ name: 'polluted', type: 1, kind: Kind.U32 }]),
    },
  ]);
  const d = bothPaths(() =>
    decodeAttrs(set, encode(set, own([['__proto__', { polluted: 1 }]]))),
  ) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(d), Object.prototype);
  assert.equal((d as { polluted?: unknown }).polluted, undefined);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
});

// ---- item 8: decode -> modify -> encode keeps what a newer kernel sent ----

test('unknown attributes and struct tail bytes survive decode -> modify -> encode', () => {
  // An ovs_datapath reply as a newer kernel could send it: a 40-byte
  // `stats` (the layout knows 32) and an attribute type 42 (nested) it has no
  // name for, between known ones.
  const attrs = [
    '08000100',
    '64703000', //                          name "dp0"
    '2c000300', //                                      stats, 40 bytes of payload
    '0100000000000000',
    '0200000000000000',
    '0300000000000000',
    '0400000000000000',
    'aabbccddeeff0011', //                              8 tail bytes
    '0c002a80',
    '0800010007000000', //                  type 42 | NLA_F_NESTED, a u32 inside
    '08000200',
    '05000000', //                          upcallPid 5
  ].join('');
  const payload = '03010000' + '07000000' + attrs; // genlmsghdr (cmd 3, version 1), dpIfindex 7
  const len = 16 + payload.length / 2;
  const nlh = Buffer.alloc(16);
  nlh.writeUInt32LE(len, 0);
  nlh.writeUInt16LE(0x20, 4);
  const msg = new Uint8Array(Buffer.concat([nlh, Buffer.from(payload, 'hex')]));
  const check = (bytes: Uint8Array): void => {
    const m = splitMessages(bytes)[0]!;
    const d = readGenlMessage(m, datapathSet, dpHeader).attrs as Record<string | symbol, unknown>;
    assert.equal(d['name'], 'dp1');
    assert.equal(d['upcallPid'], 5);
    assert.deepStrictEqual(d['header'], { dpIfindex: 7 });
    const stats = d['stats'] as Record<string | symbol, unknown>;
    assert.equal(stats['nFlows'], 4n);
    assert.equal(hex(stats[extraBytes] as Uint8Array), 'aabbccddeeff0011');
    const extra = d[extraAttrs] as ExtraAttr[];
    assert.equal(extra.length, 1);
    assert.equal(extra[0]!.type, 42);
    assert.equal(extra[0]!.flags, 0x8000);
    assert.equal(hex(extra[0]!.data), '0800010007000000');
  };
  const decoded = bothPaths(
    () => readGenlMessage(splitMessages(msg)[0]!, datapathSet, dpHeader).attrs,
  );
  const changed: Record<string | symbol, unknown> = { ...decoded, name: 'dp1' };
  const out = bothPaths(() => {
    const w = new Writer();
    writeGenlMessage(w, { familyId: 0x20, cmd: 3, version: 1, flags: 0 }, datapathSet, changed, {
      def: dpHeader,
      value: changed['header'],
    });
    return w.bytes().slice();
  });
  const text = hex(out);
  assert.ok(text.includes('0c002a800800010007000000'), `the unknown attribute is lost: ${text}`);
  assert.ok(text.includes('2c000300'), `stats is not 40 bytes: ${text}`);
  assert.ok(text.includes('0400000000000000aabbccddeeff0011'), `the tail is lost: ${text}`);
  bothPaths(() => check(out));
});

test('extra attributes and bytes given by hand are checked', () => {
  const bad = (v: unknown, path: string, reason: RegExp): void =>
    encodeFails(() => encodeSet(new Writer(), datapathSet, v), path, reason);
  bad({ [extraAttrs]: 5 }, '', /extra attributes.*expected an array/);
  bad({ [extraAttrs]: [{ type: 0x4000, flags: 0, data: new Uint8Array(0) }] }, '#16384', /type/);
  bad({ [extraAttrs]: [{ type: 9, flags: 1, data: new Uint8Array(0) }] }, '#9', /flags/);
  bad({ [extraAttrs]: [{ type: 9, flags: 0, data: 'x' }] }, '#9', /Uint8Array/);
  bad({ stats: { nHit: 1n, [extraBytes]: [1] } }, 'stats', /extra bytes.*Uint8Array/);
  // a fixed header has no room for a tail: it would shift the attributes
  encodeFails(
    () =>
      writeGenlMessage(
        new Writer(),
        { familyId: 0x20, cmd: 3, version: 1, flags: 0 },
        datapathSet,
        {},
        {
          def: dpHeader,
          value: { dpIfindex: 1, [extraBytes]: new Uint8Array(4) },
        },
      ),
    'header',
    /extra bytes/,
  );
});

// ---- item 10: encoder input checks ----

const strs = new AttrSet('strs', () => [
  { name: 'str', type: 1, kind: Kind.String },
  {
    name: 'named',
    type: 2,
    kind: Kind.Struct,
    struct: {
      name: 'named',
      size: 8,
      members: [{ name: 'name', kind: Kind.String, offset: 0, len: 8 }],
    },
  },
]);

test('inherited enumerable properties are not sent, own ones are', () => {
  const proto = { leaf: 9 };
  const v = Object.create(proto) as Record<string, unknown>;
  v['child'] = Object.create({ child: { leaf: 1 } });
  assert.equal(hex(encode(node, v)), hex(encode(node, { child: {} })));
  // a polluted Object.prototype changes nothing
  const polluted = Object.prototype as Record<string, unknown>;
  polluted['leaf'] = 5;
  polluted['nope'] = 1;
  try {
    assert.equal(hex(encode(node, { child: {} })), '04000180');
    assert.equal(
      hex(encode(strs, { named: { name: 'a' } })),
      hex(encode(strs, { named: own([['name', 'a']]) })),
    );
  } finally {
    delete polluted['leaf'];
    delete polluted['nope'];
  }
});

test('an unknown key is an EncodeError however the object is built; undefined values are skipped', () => {
  // The compiled encoders read the layout's names and count the object's keys:
  // a non-enumerable own attribute must not stand in for the unknown key.
  const v = { nope: 1 } as Record<string, unknown>;
  Object.defineProperty(v, 'leaf', { value: 3, enumerable: false });
  encodeFails(() => encodeSet(new Writer(), node, v), 'nope', /'nope' is not an attribute of node/);
  // Nor an attribute Object.prototype has, not enumerable; and it is not sent.
  Object.defineProperty(Object.prototype, 'leaf', {
    value: 5,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  try {
    encodeFails(
      () => encodeSet(new Writer(), node, { nope: 1 }),
      'nope',
      /'nope' is not an attribute of node/,
    );
    assert.equal(hex(encode(node, { child: {} })), '04000180');
  } finally {
    delete (Object.prototype as Record<string, unknown>)['leaf'];
  }
  // keys holding undefined are not attributes to send, known or not
  assert.equal(
    hex(encode(node, { leaf: 1, child: undefined, nope: undefined })),
    hex(encode(node, { leaf: 1 })),
  );
  // the same for struct members (ovs_flow_stats: two u64s)
  const m = { bogus: 1 } as Record<string, unknown>;
  Object.defineProperty(m, 'nPackets', { value: 1n, enumerable: false });
  encodeFails(
    () => encodeSet(new Writer(), flowAttrsSet, { stats: m }),
    'stats.bogus',
    /no member 'bogus'/,
  );
});

test('a Map (or another non-plain object) where a nest or struct is expected is an EncodeError', () => {
  const w = (): Writer => new Writer();
  encodeFails(
    () => encodeSet(w(), node, new Map([['leaf', 1]])),
    '',
    /expected an object of node attributes, got a Map/,
  );
  encodeFails(() => encodeSet(w(), node, { child: new Map() }), 'child', /got a Map/);
  encodeFails(() => encodeSet(w(), node, { child: new Set() }), 'child', /got a Set/);
  encodeFails(() => encodeSet(w(), node, { child: new Date(0) }), 'child', /got a Date/);
  encodeFails(
    () => encodeSet(w(), strs, { named: new Map([['name', 'a']]) }),
    'named',
    /struct named, got a Map/,
  );
  encodeFails(() => encodeSet(w(), program, [new Map([['type', 'output']])]), '[0]', /got a Map/);
});

test('a lone surrogate in a string is an EncodeError, not U+FFFD', () => {
  const w = (): Writer => new Writer();
  encodeFails(() => encodeSet(w(), strs, { str: 'a\ud800b' }), 'str', /lone surrogate/);
  encodeFails(() => encodeSet(w(), strs, { str: 'a\udc00' }), 'str', /lone surrogate/);
  encodeFails(
    () => encodeSet(w(), strs, { named: { name: '\ud83d' } }),
    'named.name',
    /lone surrogate/,
  );
  // a pair is text
  assert.equal(hex(encode(strs, { str: '\ud83d\ude00' })), '09000100f09f988000000000');
});

test('a missing fixed header is an EncodeError, unless it has no members', () => {
  const h = { familyId: 0x20, cmd: 1, version: 1, flags: 1 };
  encodeFails(
    () =>
      writeGenlMessage(
        new Writer(),
        h,
        flowAttrsSet,
        {},
        { def: ovsHeaderStruct, value: undefined },
      ),
    'header',
    /missing/,
  );
  // the path a flow request takes: no `header` must not mean dpIfindex 0
  encodeFails(
    () =>
      genlRequest({
        familyId: 0x20,
        cmd: 1,
        version: 1,
        set: flowAttrsSet,
        attrs: {},
        fixedHeader: ovsHeaderStruct,
      }),
    'header',
    /missing/,
  );
  const empty = {
    name: 'empty',
    size: 4,
    members: [{ name: 'pad', kind: Kind.Pad, offset: 0, len: 4 }],
  };
  const w = new Writer();
  writeGenlMessage(w, h, node, {}, { def: empty, value: undefined });
  assert.equal(w.pos, 24);
});
