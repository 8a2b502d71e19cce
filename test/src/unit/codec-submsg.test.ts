// netlink-raw sub-messages (Kind.SubMessage): the format is picked by the
// value of the selector attribute, in the same set or an enclosing one, and
// the selector may come after the sub-message in the bytes. Golden bytes
// (laid out as the kernel's nla_put/nla_nest_start and iproute2 write them),
// both codec paths, raw bytes for unknown formats, errors with their paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttrSet,
  DecodeError,
  EncodeError,
  Kind,
  SubMessageDef,
  Writer,
  decodeAttrs,
  encodeSet,
  extraAttrs,
  fastPath,
  locateAttr,
  selects,
  type StructDef,
} from '@ynl-ts/runtime';
import { bothPaths } from './both-paths.js';
import { hex, bytes } from './hex.js';

function encode(set: AttrSet, value: unknown): string {
  return bothPaths(() => {
    const w = new Writer(8);
    encodeSet(w, set, value);
    return hex(w.bytes());
  });
}
function decode(set: AttrSet, wire: string): unknown {
  return bothPaths(() => decodeAttrs(set, bytes(wire)));
}
function golden(set: AttrSet, value: unknown, wire: string, decoded: unknown = value): void {
  assert.equal(encode(set, value), wire.replace(/\s+/g, ''));
  assert.deepStrictEqual(decode(set, wire), decoded);
}

const bridge = new AttrSet('linkinfo-bridge-attrs', () => [
  { name: 'forwardDelay', type: 1, kind: Kind.U32 },
  { name: 'stpState', type: 5, kind: Kind.U32 },
]);
const fifo: StructDef = {
  name: 'tc-fifo-qopt',
  size: 4,
  members: [{ name: 'limit', kind: Kind.U32, offset: 0 }],
};
/** 6 bytes: the attributes after it start at the next 4-byte boundary. */
const qopt: StructDef = {
  name: 'qopt',
  size: 6,
  members: [
    { name: 'limit', kind: Kind.U32, offset: 0 },
    { name: 'gap', kind: Kind.U16, offset: 4 },
  ],
};
// `limit` is a member of the header and an attribute too: the header stays apart
const netem = new AttrSet('netem-attrs', () => [{ name: 'limit', type: 1, kind: Kind.U32 }]);
const dataMsg = new SubMessageDef('linkinfo-data-msg', () => [
  { value: 'bridge', attrs: bridge },
  { value: 'fifo', header: fifo },
  { value: 'netem', header: qopt, attrs: netem },
  { value: 'clsact' },
]);
const linkinfo = new AttrSet('linkinfo-attrs', () => [
  { name: 'kind', type: 1, kind: Kind.String },
  { name: 'data', type: 2, kind: Kind.SubMessage, subMessage: dataMsg, selector: 'kind' },
]);

const KIND_BRIDGE = '0b00 0100 627269646765 00 00';
const BRIDGE_DATA = '1400 0280' + '0800 0100 dc050000' + '0800 0500 01000000';

test('sub-message of attributes: NLA_F_NESTED, decoded by the set the selector picks', () => {
  golden(
    linkinfo,
    { kind: 'bridge', data: { forwardDelay: 1500, stpState: 1 } },
    KIND_BRIDGE + BRIDGE_DATA,
  );
});

test('the selector may come after the sub-message in the bytes', () => {
  assert.deepStrictEqual(decode(linkinfo, BRIDGE_DATA + KIND_BRIDGE), {
    data: { forwardDelay: 1500, stpState: 1 },
    kind: 'bridge',
  });
});

test('sub-message of a fixed header: the struct, no NLA_F_NESTED', () => {
  golden(
    linkinfo,
    { kind: 'fifo', data: { limit: 100 } },
    '0900 0100 6669666f00 000000' + '0800 0200 64000000',
  );
});

test('fixed header and attributes: the header under `header`, attributes 4-byte aligned after it', () => {
  golden(
    linkinfo,
    { kind: 'netem', data: { header: { limit: 1000, gap: 2 }, limit: 7 } },
    '0a00 0100 6e6574656d00 0000' + '1400 0200' + 'e8030000 0200 0000' + '0800 0100 07000000',
  );
  assert.throws(
    () => encode(linkinfo, { kind: 'netem', data: { limit: 7 } }),
    (e: unknown) =>
      e instanceof EncodeError &&
      e.path === 'data.header' &&
      /fixed header qopt is required/.test(e.message),
  );
});

test('a format without content: {}; content a newer kernel adds stays raw', () => {
  golden(linkinfo, { kind: 'clsact', data: {} }, '0b00 0100 636c73616374 00 00' + '0400 0200');
  assert.deepStrictEqual(decode(linkinfo, '0b00 0100 636c73616374 00 00' + '0800 0200 01020304'), {
    kind: 'clsact',
    data: new Uint8Array([1, 2, 3, 4]),
  });
  assert.throws(
    () => encode(linkinfo, { kind: 'clsact', data: { x: 1 } }),
    (e: unknown) =>
      e instanceof EncodeError && e.path === 'data' && /has no content/.test(e.message),
  );
});

test('an unknown selector value, or none: the raw bytes, both ways', () => {
  golden(
    linkinfo,
    { kind: 'vxlan', data: new Uint8Array([1, 2, 3, 4]) },
    '0a00 0100 76786c616e00 0000' + '0800 0200 01020304',
  );
  golden(linkinfo, { data: new Uint8Array([9]) }, '0500 0200 09 000000');
  // bytes given for a known format are sent as they are
  assert.equal(
    encode(linkinfo, { kind: 'bridge', data: new Uint8Array([0xaa]) }),
    KIND_BRIDGE.replace(/\s/g, '') + '05000200aa000000',
  );
});

test('a request with an unknown selector value and data that is not bytes: an EncodeError with the path', () => {
  const top = new AttrSet('link-attrs', () => [
    { name: 'linkinfo', type: 18, kind: Kind.Nest, nested: linkinfo },
  ]);
  assert.throws(
    () => encode(top, { linkinfo: { kind: 'wobble', data: { a: 1 } } }),
    (e: unknown) =>
      e instanceof EncodeError &&
      e.path === 'linkinfo.data' &&
      /linkinfo-data-msg has no format for kind the string "wobble"/.test(e.message),
  );
  assert.throws(
    () => encode(top, { linkinfo: { data: { forwardDelay: 1 } } }),
    (e: unknown) =>
      e instanceof EncodeError &&
      e.path === 'linkinfo.data' &&
      /selector 'kind' is not set/.test(e.message),
  );
  // the format's own values are checked with their path
  assert.throws(
    () => encode(top, { linkinfo: { kind: 'bridge', data: { stpState: -1 } } }),
    (e: unknown) => e instanceof EncodeError && e.path === 'linkinfo.data.stpState',
  );
  assert.throws(
    () => encode(top, { linkinfo: { kind: 'bridge', data: { nope: 1 } } }),
    (e: unknown) => e instanceof EncodeError && e.path === 'linkinfo.data.nope',
  );
});

test('bad bytes inside a sub-message: a DecodeError naming its path (also when settled further up)', () => {
  // bridge data whose stpState is 2 bytes instead of 4
  const payload = '0800 0100 dc050000' + '0600 0500 0100 0000';
  assert.throws(
    () => decodeAttrs(linkinfo, bytes('1400 0280' + payload + KIND_BRIDGE)),
    (e: unknown) => e instanceof DecodeError && e.path === 'data.stpState',
  );
  const app = new SubMessageDef('app-msg', () => [{ value: 'bridge', attrs: bridge }]);
  const stats = new AttrSet('stats', () => [
    { name: 'app', type: 1, kind: Kind.SubMessage, subMessage: app, selector: 'kind' },
  ]);
  const outer = new AttrSet('outer', () => [
    { name: 'kind', type: 1, kind: Kind.String },
    { name: 'stats', type: 2, kind: Kind.Nest, nested: stats, multi: true },
  ]);
  const wire = '1800 0280' + '1400 0100' + payload + KIND_BRIDGE;
  assert.throws(
    () => decodeAttrs(outer, bytes(wire)),
    (e: unknown) => e instanceof DecodeError && e.path === 'stats[0].app.stpState',
  );
});

// tc: `stats2.app` is picked by the `kind` of the set around `stats2`.
const htbXstats: StructDef = {
  name: 'tc-htb-xstats',
  size: 8,
  members: [
    { name: 'lends', kind: Kind.U32, offset: 0 },
    { name: 'borrows', kind: Kind.U32, offset: 4 },
  ],
};
const htb = new AttrSet('htb-attrs', () => [{ name: 'rate64', type: 6, kind: Kind.U64 }]);
const appMsg = new SubMessageDef('tca-stats-app-msg', () => [{ value: 'htb', header: htbXstats }]);
const optionsMsg = new SubMessageDef('options-msg', () => [{ value: 'htb', attrs: htb }]);
const tcaStats = new AttrSet('tca-stats-attrs', () => [
  { name: 'app', type: 4, kind: Kind.SubMessage, subMessage: appMsg, selector: 'kind' },
  { name: 'basic', type: 1, kind: Kind.Binary },
]);
const tca = new AttrSet('attrs', () => [
  { name: 'kind', type: 1, kind: Kind.String },
  { name: 'options', type: 2, kind: Kind.SubMessage, subMessage: optionsMsg, selector: 'kind' },
  { name: 'stats2', type: 7, kind: Kind.Nest, nested: tcaStats },
]);

const KIND_HTB = '0800 0100 68746200';
const STATS2 = '1800 0780' + '0c00 0400 05000000 06000000' + '0500 0100 aa000000';

test('a selector in the enclosing set (tc stats2.app by the kind around it)', () => {
  const value = {
    kind: 'htb',
    options: { rate64: 1n << 40n },
    stats2: { app: { lends: 5, borrows: 6 }, basic: new Uint8Array([0xaa]) },
  };
  golden(tca, value, KIND_HTB + '1000 0280 0c00 0600 0000000000010000' + STATS2);
  // kind last: stats2.app waits for the end of the outer set
  assert.deepStrictEqual(decode(tca, STATS2 + KIND_HTB), {
    stats2: value.stats2,
    kind: 'htb',
  });
  // the nested set alone has no kind: app stays raw
  assert.deepStrictEqual(decode(tcaStats, STATS2.slice(9)), {
    app: bytes('05000000 06000000'),
    basic: new Uint8Array([0xaa]),
  });
});

test('a repeated sub-message: the last one is the value, the earlier one kept raw as extra', () => {
  const wire = KIND_BRIDGE + '0c00 0280 0800 0100 01000000' + '0c00 0280 0800 0100 02000000';
  const got = decode(linkinfo, wire) as Record<string | symbol, unknown>;
  assert.deepStrictEqual(got['data'], { forwardDelay: 2 });
  assert.deepStrictEqual(got[extraAttrs], [
    { type: 2, flags: 0x8000, data: bytes('0800 0100 01000000') },
  ]);
});

// The shape the generator emits for linkinfo: other attributes & a union on `kind`.
type Linkinfo = { readonly xstats?: Uint8Array } & (
  | { readonly kind: 'bridge'; readonly data?: { readonly forwardDelay?: number } }
  | { readonly kind: 'fifo'; readonly data?: { readonly limit?: number } }
  | { readonly kind?: string; readonly data?: Uint8Array }
);

test('selects: narrows a value to the union member its selector picks', () => {
  const li = decode(linkinfo, KIND_BRIDGE + BRIDGE_DATA) as Linkinfo;
  assert.ok(selects(li, 'kind', 'bridge'));
  assert.ok(!selects(li, 'kind', 'fifo'));
  assert.ok(!selects({ data: new Uint8Array() } as Linkinfo, 'kind', 'bridge'));
  if (selects(li, 'kind', 'bridge')) {
    // compiles only if `data` is the bridge attributes alone (no Uint8Array)
    const delay: number | undefined = li.data?.forwardDelay;
    assert.equal(delay, 1500);
  }
});

test('a decode that throws leaves nothing behind for the next one', () => {
  // stats2.app is recorded, waiting for `kind`; then an attribute with a bad length ends the decode
  const broken = STATS2 + KIND_HTB + '0300 0200';
  for (const on of [true, false]) {
    fastPath.enabled = on;
    try {
      assert.throws(() => decodeAttrs(tca, bytes(broken)), DecodeError);
      // a message of another shape, whose `kind` would settle a stale record with wrong offsets
      assert.deepStrictEqual(decodeAttrs(tca, bytes(KIND_HTB)), { kind: 'htb' });
      assert.deepStrictEqual(
        (decodeAttrs(tca, bytes(STATS2 + KIND_HTB)) as { stats2?: unknown }).stats2,
        {
          app: { lends: 5, borrows: 6 },
          basic: new Uint8Array([0xaa]),
        },
      );
    } finally {
      fastPath.enabled = true;
    }
  }
});

test('locateAttr (ext-ack offsets): into the format the request selects, its selector before or after', () => {
  const link = new AttrSet('link-attrs', () => [
    { name: 'linkinfo', type: 18, kind: Kind.Nest, nested: linkinfo },
  ]);
  // nlmsghdr, then (rtnetlink: no protocol header, no fixed header here) the attributes
  const asMessage = (attrs: string): Uint8Array => bytes('00'.repeat(16) + attrs);
  const kindFirst = asMessage('2400 1280' + KIND_BRIDGE + BRIDGE_DATA);
  // stpState's header: 16 + linkinfo 4 + kind 12 + data 4 + forwardDelay 8
  assert.deepEqual(locateAttr(kindFirst, 44, link, 0, 0)?.path, 'linkinfo.data.stpState');
  assert.deepEqual(locateAttr(kindFirst, 49, link, 0, 0)?.path, 'linkinfo.data.stpState');
  const kindLast = asMessage('2400 1280' + BRIDGE_DATA + KIND_BRIDGE);
  assert.deepEqual(
    locateAttr(kindLast, 16 + 4 + 4 + 8, link, 0, 0)?.path,
    'linkinfo.data.stpState',
  );
  // no format for the kind: the path stops at the sub-message
  const vx = asMessage(
    '1c00 1280' + '0a00 0100 76786c616e00 0000' + '0c00 0280 0800 0100 01000000',
  );
  assert.deepEqual(locateAttr(vx, 16 + 4 + 12 + 4, link, 0, 0)?.path, 'linkinfo.data');
});
