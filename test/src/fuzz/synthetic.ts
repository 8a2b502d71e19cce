// A synthetic family whose layout uses every wire kind, every struct member
// kind, enums and flag sets, masked and ordered sets, recursion and every
// indexed-array / type-value shape: it covers kinds no vendored spec uses yet.
import {
  AttrSet,
  EnumDef,
  Kind,
  SubMessageDef,
  type AttrDef,
  type StructDef,
} from '@ynl-ts/runtime';

const color = new EnumDef('color', { red: 0, green: 1, blue: 2, huge: 0xfffffff0 });
const feat = new EnumDef('feat', { a: 1, b: 2, c: 4, top: 0x80000000 }, true);
const state = new EnumDef('state', { down: 0, up: 1 });
const pairStruct: StructDef = {
  name: 'pair',
  size: 8,
  members: [
    { name: 'x', kind: Kind.U32, offset: 0 },
    { name: 'y', kind: Kind.U32, offset: 4, be: true },
  ],
};
const rec: StructDef = {
  name: 'rec',
  size: 48,
  members: [
    { name: 'a', kind: Kind.U8, offset: 0 },
    { name: 'b', kind: Kind.S8, offset: 1 },
    { name: 'c', kind: Kind.U16, offset: 2 },
    { name: 'd', kind: Kind.S16, offset: 4, be: true },
    { name: 'pad0', kind: Kind.Pad, offset: 6, len: 2 },
    { name: 'e', kind: Kind.U32, offset: 8, be: true },
    { name: 'f', kind: Kind.S32, offset: 12 },
    { name: 'g', kind: Kind.U64, offset: 16 },
    { name: 'h', kind: Kind.S64, offset: 24, be: true },
    { name: 'name', kind: Kind.String, offset: 32, len: 5 },
    { name: 'mac', kind: Kind.Binary, offset: 37, len: 2 },
    { name: 'state', kind: Kind.U8, offset: 39, enum: state },
    { name: 'pair', kind: Kind.Struct, offset: 40, struct: pairStruct },
  ],
};
/** 6 bytes: each StructArray element is followed by 2 bytes of padding. */
const odd: StructDef = {
  name: 'odd',
  size: 6,
  members: [
    { name: 'id', kind: Kind.S32, offset: 0 },
    { name: 'port', kind: Kind.U16, offset: 4, be: true },
  ],
};
const ipv4: StructDef = {
  name: 'ipv4',
  size: 12,
  members: [
    { name: 'src', kind: Kind.U32, offset: 0, be: true },
    { name: 'dst', kind: Kind.U32, offset: 4, be: true },
    { name: 'proto', kind: Kind.U8, offset: 8 },
    { name: 'ttl', kind: Kind.U8, offset: 9 },
    { name: 'pad', kind: Kind.Pad, offset: 10, len: 2 },
  ],
};
const key = new AttrSet('key', () => [
  { name: 'priority', type: 1, kind: Kind.U32 },
  { name: 'ethertype', type: 2, kind: Kind.U16, be: true },
  { name: 'ipv4', type: 3, kind: Kind.Struct, struct: ipv4 },
  { name: 'mac', type: 4, kind: Kind.Binary },
  { name: 'tunId', type: 5, kind: Kind.U64, be: true },
]);
const userspace = new AttrSet('userspace', () => [
  { name: 'pid', type: 1, kind: Kind.U32 },
  { name: 'cookie', type: 2, kind: Kind.Binary },
]);
const actions: AttrSet = new AttrSet(
  'actions',
  () => [
    { name: 'output', type: 1, kind: Kind.U32 },
    { name: 'userspace', type: 2, kind: Kind.Nest, nested: userspace },
    { name: 'trunc', type: 3, kind: Kind.U32 },
    { name: 'clone', type: 4, kind: Kind.Nest, nested: actions },
    { name: 'popVlan', type: 5, kind: Kind.Flag },
    { name: 'set', type: 6, kind: Kind.Nest, nested: key },
    { name: 'setMasked', type: 7, kind: Kind.Nest, nested: key, masked: true },
  ],
  { ordered: true },
);
const tree: AttrSet = new AttrSet('tree', () => [
  { name: 'value', type: 1, kind: Kind.U32 },
  { name: 'child', type: 2, kind: Kind.Nest, nested: tree },
  { name: 'kids', type: 3, kind: Kind.Nest, nested: tree, multi: true },
  { name: 'label', type: 4, kind: Kind.String },
]);
const op = new AttrSet('op', () => [
  { name: 'id', type: 1, kind: Kind.U32 },
  { name: 'flags', type: 2, kind: Kind.U32, enum: feat },
]);
const pol = new AttrSet('pol', () => [
  { name: 'type', type: 1, kind: Kind.U32, enum: color },
  { name: 'min', type: 2, kind: Kind.S64 },
  { name: 'max', type: 3, kind: Kind.U64 },
]);
/** Sub-message formats of every shape: a struct, a set, both (a 6-byte header: padding), neither. */
const subMsg = new SubMessageDef('sub-msg', () => [
  { value: 'pair', header: pairStruct },
  { value: 'tree', attrs: tree },
  { value: 'both', header: odd, attrs: op },
  { value: 'empty' },
]);
/** A nested set whose sub-message is picked by the enclosing set's `subKind` (as tc's stats2.app). */
const stats = new AttrSet('stats', () => [
  { name: 'packets', type: 1, kind: Kind.U32 },
  { name: 'app', type: 2, kind: Kind.SubMessage, subMessage: subMsg, selector: 'subKind' },
]);
const allAttrs: AttrDef[] = [
  { name: 'u8', type: 1, kind: Kind.U8 },
  { name: 'u16', type: 2, kind: Kind.U16 },
  { name: 'u32', type: 3, kind: Kind.U32 },
  { name: 'u64', type: 4, kind: Kind.U64 },
  { name: 's8', type: 5, kind: Kind.S8 },
  { name: 's16', type: 6, kind: Kind.S16 },
  { name: 's32', type: 7, kind: Kind.S32 },
  { name: 's64', type: 8, kind: Kind.S64 },
  { name: 'u16be', type: 9, kind: Kind.U16, be: true },
  { name: 'u32be', type: 10, kind: Kind.U32, be: true },
  { name: 'u64be', type: 11, kind: Kind.U64, be: true },
  { name: 's16be', type: 12, kind: Kind.S16, be: true },
  { name: 's32be', type: 13, kind: Kind.S32, be: true },
  { name: 's64be', type: 14, kind: Kind.S64, be: true },
  { name: 'uint', type: 15, kind: Kind.Uint },
  { name: 'sint', type: 16, kind: Kind.Sint },
  { name: 'str', type: 17, kind: Kind.String },
  { name: 'bin', type: 18, kind: Kind.Binary },
  { name: 'flag', type: 19, kind: Kind.Flag },
  { name: 'bf', type: 20, kind: Kind.Bitfield32 },
  { name: 'rec', type: 21, kind: Kind.Struct, struct: rec },
  { name: 'u16arr', type: 22, kind: Kind.ScalarArray, sub: Kind.U16 },
  { name: 's64bearr', type: 23, kind: Kind.ScalarArray, sub: Kind.S64, be: true },
  { name: 'addrs', type: 24, kind: Kind.U32, multi: true },
  { name: 'names', type: 25, kind: Kind.String, multi: true },
  { name: 'color', type: 26, kind: Kind.U32, enum: color },
  { name: 'feat', type: 27, kind: Kind.U32, enum: feat },
  { name: 'tree', type: 28, kind: Kind.Nest, nested: tree },
  { name: 'actions', type: 29, kind: Kind.Nest, nested: actions },
  { name: 'masked', type: 30, kind: Kind.Nest, nested: key, masked: true },
  { name: 'ops', type: 31, kind: Kind.IndexedArray, sub: Kind.Nest, nested: op },
  { name: 'colors', type: 32, kind: Kind.IndexedArray, sub: Kind.U32, enum: color },
  { name: 'idxNames', type: 33, kind: Kind.IndexedArray, sub: Kind.String },
  { name: 'idxBlobs', type: 34, kind: Kind.IndexedArray, sub: Kind.Binary },
  { name: 'idxRecs', type: 35, kind: Kind.IndexedArray, sub: Kind.Binary, struct: pairStruct },
  {
    name: 'policy',
    type: 36,
    kind: Kind.NestTypeValue,
    typeValue: ['policyId', 'attrId'],
    nested: pol,
  },
  { name: 'byCmd', type: 37, kind: Kind.NestTypeValue, typeValue: ['cmd'], nested: pol },
  { name: 'pad', type: 38, kind: Kind.Pad },
  { name: 'unused', type: 39, kind: Kind.Unused },
  { name: 'sintbe', type: 40, kind: Kind.Sint, be: true },
  { name: 'key', type: 41, kind: Kind.Nest, nested: key },
  { name: 'bounded', type: 42, kind: Kind.U32, checks: { min: 10, max: 100 } },
  { name: 'shortStr', type: 43, kind: Kind.String, checks: { minLen: 2, maxLen: 8 } },
  { name: 'mac6', type: 44, kind: Kind.Binary, checks: { exactLen: 6 } },
  { name: 'bigBounded', type: 45, kind: Kind.Uint, checks: { min: 1n, max: 4294967295n } },
  { name: 'pairs', type: 46, kind: Kind.StructArray, struct: pairStruct },
  { name: 'odds', type: 47, kind: Kind.StructArray, struct: odd },
  // before its selector: decoding waits for the selector
  { name: 'sub', type: 48, kind: Kind.SubMessage, subMessage: subMsg, selector: 'subKind' },
  { name: 'subKind', type: 49, kind: Kind.String },
  { name: 'stats', type: 50, kind: Kind.Nest, nested: stats },
];
export const all = new AttrSet('all', () => allAttrs);

// Sub-messages alone, in layouts the compiled codec takes whole (in `all`, some
// other attribute nearly always sends a value to the interpreter), so both
// paths are compared on them.
const simple = new AttrSet('simple', () => [
  { name: 'id', type: 1, kind: Kind.U32 },
  { name: 'mac', type: 2, kind: Kind.Binary },
]);
const subMsgFast = new SubMessageDef('sub-msg-fast', () => [
  { value: 'pair', header: pairStruct },
  { value: 'simple', attrs: simple },
  { value: 'both', header: odd, attrs: simple },
  { value: 'empty' },
]);
const statsFast = new AttrSet('stats-fast', () => [
  { name: 'packets', type: 1, kind: Kind.U32 },
  { name: 'app', type: 2, kind: Kind.SubMessage, subMessage: subMsgFast, selector: 'kind' },
]);
export const subs = new AttrSet('subs', () => [
  { name: 'data', type: 1, kind: Kind.SubMessage, subMessage: subMsgFast, selector: 'kind' },
  { name: 'kind', type: 2, kind: Kind.String },
  { name: 'stats', type: 3, kind: Kind.Nest, nested: statsFast },
]);
export const fixed: StructDef = {
  name: 'hdr',
  size: 4,
  members: [{ name: 'ifindex', kind: Kind.U32, offset: 0 }],
};
