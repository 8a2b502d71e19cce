/**
 * Flow keys and masks in the ODP syntax (`in_port(1),eth(...),ipv4(...)`):
 * one codec per `OVS_KEY_ATTR_*` that prints a key attribute with its mask
 * the way `ovs-dpctl dump-flows` does and reads it back the way `ovs-dpctl
 * add-flow` does, producing the generated `ovs_flow` types.
 * @module
 */
import {
  Kind,
  Writer,
  decodeAttrs,
  encodeSet,
  enumValue,
  extraAttrs,
  type ExtraAttr,
  type StructDef,
} from '@ynl-ts/runtime';
import {
  ctStateFlagsEnum,
  keyAttrsSet,
  ovsKeyArpStruct,
  ovsKeyCtTupleIpv4Struct,
  ovsKeyEthernetStruct,
  ovsKeyIcmpStruct,
  ovsKeyIpv4Struct,
  ovsKeyIpv6Struct,
  ovsKeyNdStruct,
  ovsKeyTcpStruct,
  ovsKeyUdpStruct,
  ovsKeySctpStruct,
  type KeyAttrs,
} from '@ynl-ts/families/ovs_flow';
import { Scanner } from './scan.js';
import {
  be16,
  be16x,
  eth,
  fieldText,
  frag,
  hexNumber,
  ipv4,
  ipv6,
  ipv6Label,
  readField,
  u8u,
  u8x,
  uint,
  type FieldType,
} from './fields.js';
import {
  readFields,
  structCodec,
  type FieldSpec,
  type FormatOptions,
  type KeyCodec,
  type Obj,
  type ParseOptions,
} from './codec.js';
import { formatFlags, formatFlagsMasked, readFlags, type FlagNames } from './flags.js';
import { formatHexBytes, hexAlt, readHexBytes, readUint } from './values.js';
import { tunnelCodec } from './tunnel.js';
import { nshCodec } from './nsh.js';

// ---- scalar attributes --------------------------------------------------------

/**
 * A u32/u16 attribute printed as `%#x` with a `/%#x` mask unless exact
 * (`recirc_id`, `skb_mark`, `ct_zone`, ...). With `hideEmpty` (ct_mark,
 * ct_zone) a zero mask leaves the value out (`ct_mark()`), unless verbose.
 * OVS also leaves it out when there is no mask at all, which no parser can
 * read back; without a mask we print the (exact) value.
 */
function hexScalar(text: string, attr: string, bits: number, hideEmpty = false): KeyCodec {
  const t = uint(bits, 'x');
  return {
    text,
    attr,
    isWildcard: (m) => m === 0,
    zeroMask: () => 0,
    format(k, m, o) {
      if (hideEmpty && !o.verbose && m === 0) return '';
      const exact = m === undefined || t.isOnes(m as number);
      return hexAlt(k as number) + (exact ? '' : '/' + hexAlt(m as number));
    },
    parse(sc) {
      const r = readField(sc, t);
      sc.expect(')');
      return r;
    },
  };
}

/** A flag word attribute (`ct_state`, `tcp_flags`). */
function flagsCodec(
  text: string,
  attr: string,
  names: FlagNames,
  max: number,
  toNum: (v: unknown) => number,
  fromNum: (n: number) => unknown,
  verboseHex: boolean,
  /** The mask of flags given without one (OVS: all ones of the attribute's width). */
  exactMask: number,
): KeyCodec {
  const allowed = [...names.keys()].reduce((a, b) => (a | b) >>> 0, 0);
  return {
    text,
    attr,
    isWildcard: (m) => (toNum(m) & max) >>> 0 === 0,
    zeroMask: () => fromNum(0),
    format(key, mask, o) {
      const k = toNum(key);
      const m = mask === undefined ? max : (toNum(mask) & max) >>> 0;
      const exact = m === max;
      if (verboseHex && o.verbose) return hexAlt(k) + (exact ? '' : '/' + hexAlt(toNum(mask)));
      return exact ? formatFlags(k, names) : formatFlagsMasked(k, m, max, names);
    },
    parse(sc) {
      const r = readFlags(sc, names, allowed, exactMask);
      sc.expect(')');
      return { key: fromNum(r.key), mask: fromNum(r.mask) };
    },
  };
}

const ctStateNames: FlagNames = new Map([
  [0x01, 'new'],
  [0x02, 'est'],
  [0x04, 'rel'],
  [0x08, 'rpl'],
  [0x10, 'inv'],
  [0x20, 'trk'],
  [0x40, 'snat'],
  [0x80, 'dnat'],
]);
const tcpFlagNames: FlagNames = new Map([
  [0x001, 'fin'],
  [0x002, 'syn'],
  [0x004, 'rst'],
  [0x008, 'psh'],
  [0x010, 'ack'],
  [0x020, 'urg'],
  [0x040, 'ece'],
  [0x080, 'cwr'],
  [0x100, 'ns'],
  [0x200, '[200]'],
  [0x400, '[400]'],
  [0x800, '[800]'],
]);

const ctStateNum = (v: unknown): number => {
  if (typeof v === 'number') return v;
  let n = 0;
  for (const f of v as readonly (string | number)[]) {
    n = (n | (typeof f === 'string' ? ctStateFlagsEnum.valueOf(f)! : f)) >>> 0;
  }
  return n;
};

/**
 * `ct_label`: 16 bytes that OVS reads as a host-order (little-endian) u128
 * and prints big-endian; left out under a zero mask (as `ct_mark`).
 */
const ctLabel: KeyCodec = (() => {
  const t = hexNumber(16, 'a 128-bit label');
  const flip = (b: Uint8Array): Uint8Array => Uint8Array.from(b).reverse();
  return {
    text: 'ct_label',
    attr: 'ctLabels',
    isWildcard: (m) => t.isZero(m as Uint8Array),
    zeroMask: () => new Uint8Array(16),
    format(k, m, o) {
      const mk = m as Uint8Array | undefined;
      if (!o.verbose && mk && t.isZero(mk)) return '';
      const full = mk === undefined || t.isOnes(mk);
      return t.key(flip(k as Uint8Array)) + (full ? '' : '/' + t.mask(flip(mk)));
    },
    parse(sc) {
      const r = readField(sc, t);
      sc.expect(')');
      return { key: flip(r.key), mask: flip(r.mask) };
    },
  };
})();

const inPort: KeyCodec = {
  text: 'in_port',
  attr: 'inPort',
  isWildcard: (m) => m === 0,
  zeroMask: () => 0,
  format(k, m, o) {
    const port = k as number;
    if (m === undefined || m === 0xffffffff) return o.portNames?.get(port) ?? String(port);
    return `${port}/${hexAlt(m as number)}`;
  },
  parse(sc, o) {
    if (/[0-9]/.test(sc.peek())) {
      const r = readField(sc, uint(32, 'u', 'a port number'));
      sc.expect(')');
      return r;
    }
    const at = sc.pos;
    const name = sc.until(')');
    const port = o.ports?.get(name);
    if (port === undefined)
      throw sc.error('a port number or the name of a port of the datapath', at);
    sc.expect(')');
    return { key: port, mask: 0xffffffff };
  },
};

const ethType: KeyCodec = {
  text: 'eth_type',
  attr: 'ethertype',
  isWildcard: (m) => m === 0,
  zeroMask: () => 0,
  format(k, m) {
    const hex4 = (v: number) => '0x' + v.toString(16).padStart(4, '0');
    return hex4(k as number) + (m === undefined || m === 0xffff ? '' : '/' + hex4(m as number));
  },
  parse(sc) {
    const r = readField(sc, uint(16, 'x', 'an ethertype'));
    sc.expect(')');
    return r;
  },
};

// ---- vlan TCI and MPLS label stack entries: bit fields ----------------------

const VLAN_CFI = 0x1000;

/** OVS's `format_vlan_tci`: `vid=`, `pcp=` when set or masked (always if verbose), `cfi=0` when clear. */
export function formatVlanTci(tci: number, mask: number, verbose: boolean): string {
  const out: string[] = [];
  const vid = tci & 0xfff;
  const vidMask = mask & 0xfff;
  const pcp = tci >> 13;
  const pcpMask = mask >> 13;
  if (verbose || vid || vidMask)
    out.push(`vid=${vid}` + (vidMask !== 0xfff ? '/0x' + vidMask.toString(16) : ''));
  if (verbose || pcp || pcpMask)
    out.push(`pcp=${pcp}` + (pcpMask !== 7 ? '/0x' + pcpMask.toString(16) : ''));
  if (!(tci & VLAN_CFI)) out.push('cfi=0');
  return out.join(',');
}

/** A word of named bit fields (`[name, bits, shift]`), each `name=value[/mask]`. */
function readBitFields(
  sc: Scanner,
  layout: readonly (readonly [string, number, number])[],
  key0: number,
  mask0: number,
): { key: number; mask: number } {
  let key = key0;
  let mask = mask0;
  const seen = new Set<string>();
  const names = layout.map(([n]) => `${n}=`).join(', ');
  while (!sc.eat(')')) {
    if (seen.size > 0) sc.expect(',', `',' or ')'`);
    const at = sc.pos;
    const name = sc.word();
    const f = layout.find(([n]) => n === name);
    if (!f || !sc.eat('=')) throw sc.error(`a field (${names}) or ')'`, at);
    if (seen.has(name)) throw sc.error(`each field once (${name} repeats)`, at);
    seen.add(name);
    const [, bits, shift] = f;
    const field = ((2 ** bits - 1) * 2 ** shift) >>> 0;
    const v = readUint(sc, bits, `${name} (${bits} bits)`);
    const m = sc.eat('/') ? readUint(sc, bits, `a ${name} mask of ${bits} bits`) : 2 ** bits - 1;
    key = ((key & ~field) | (v * 2 ** shift)) >>> 0;
    mask = ((mask & ~field) | (m * 2 ** shift)) >>> 0;
  }
  return { key, mask };
}

const vlan: KeyCodec = {
  text: 'vlan',
  attr: 'vlan',
  isWildcard: (m) => m === 0,
  zeroMask: () => 0,
  format: (k, m, o) => formatVlanTci(k as number, (m ?? 0xffff) as number, o.verbose === true),
  parse: (sc) =>
    readBitFields(
      sc,
      [
        ['vid', 12, 0],
        ['pcp', 3, 13],
        ['cfi', 1, 12],
      ],
      VLAN_CFI,
      VLAN_CFI,
    ),
};

/** Label, traffic class, TTL and bottom-of-stack bit of an MPLS label stack entry. */
export const mplsLayout = [
  ['label', 20, 12],
  ['tc', 3, 9],
  ['ttl', 8, 0],
  ['bos', 1, 8],
] as const;
const lse = (v: number, f: (typeof mplsLayout)[number]): number =>
  Math.floor(v / 2 ** f[2]) % 2 ** f[1];

/** `label=L,tc=T,ttl=N,bos=B` of a label stack entry. */
export function formatLse(v: number): string {
  return mplsLayout.map((f) => `${f[0]}=${lse(v, f)}`).join(',');
}

const mpls: KeyCodec = {
  text: 'mpls',
  attr: 'mpls',
  isWildcard: (m) => (m as { mplsLse: number }).mplsLse === 0,
  zeroMask: () => ({ mplsLse: 0 }),
  format(k, m) {
    const key = (k as { mplsLse: number }).mplsLse;
    const mask = m === undefined ? 0xffffffff : (m as { mplsLse: number }).mplsLse;
    if (mask === 0xffffffff) return formatLse(key);
    // OVS's own (uneven) formats: hex masks with and without 0x
    const [l, t, ttl, b] = mplsLayout;
    return (
      `label=${lse(key, l)}/0x${lse(mask, l).toString(16)},tc=${lse(key, t)}/${lse(mask, t).toString(16)},` +
      `ttl=${lse(key, ttl)}/0x${lse(mask, ttl).toString(16)},bos=${lse(key, b)}/${lse(mask, b).toString(16)}`
    );
  },
  parse(sc) {
    const r = readBitFields(sc, mplsLayout, 0, 0);
    return { key: { mplsLse: r.key }, mask: { mplsLse: r.mask } };
  },
};

/** `packet_type(ns=N,id=0xT)`: the namespace and type halves of a be32. */
const packetType: KeyCodec = {
  text: 'packet_type',
  attr: 'packetType',
  isWildcard: (m) => m === 0,
  zeroMask: () => 0,
  format(k, m, o) {
    const key = k as number;
    const mask = (m ?? 0xffffffff) as number;
    const v = o.verbose === true;
    return [
      fieldText('ns', be16, key >>> 16, mask >>> 16, v),
      fieldText('id', be16x, key & 0xffff, mask & 0xffff, v),
    ]
      .filter((s) => s !== undefined)
      .join(',');
  },
  parse(sc) {
    const got = readFields(sc, [
      ['ns', 'ns', be16],
      ['id', 'id', be16],
    ]);
    const word = (f: 'key' | 'mask'): number =>
      ((Number(got.get('ns')?.[f] ?? 0) << 16) | Number(got.get('id')?.[f] ?? 0)) >>> 0;
    return { key: word('key'), mask: word('mask') };
  },
};

// ---- layouts the generated types keep as bytes --------------------------------

const ctTupleIpv6Struct: StructDef = {
  name: 'ovs-key-ct-tuple-ipv6',
  size: 40,
  members: [
    { name: 'ipv6Src', kind: Kind.Binary, offset: 0, len: 16 },
    { name: 'ipv6Dst', kind: Kind.Binary, offset: 16, len: 16 },
    { name: 'srcPort', kind: Kind.U16, offset: 32, be: true },
    { name: 'dstPort', kind: Kind.U16, offset: 34, be: true },
    { name: 'ipv6Proto', kind: Kind.U8, offset: 36 },
    { name: '_pad', kind: Kind.Pad, offset: 37, len: 3 },
  ],
};

const ndExtensionsStruct: StructDef = {
  name: 'ovs-key-nd-extensions',
  size: 8,
  members: [
    { name: 'ndReserved', kind: Kind.U32, offset: 0, be: true },
    { name: 'ndOptionsType', kind: Kind.U8, offset: 4 },
    { name: '_pad', kind: Kind.Pad, offset: 5, len: 3 },
  ],
};

/** `nd_reserved` is always printed, whatever its mask (as OVS does). */
const ndReserved: FieldType<number> = {
  ...uint(32, 'x'),
  text: (name, k) => `${name}=0x${k.toString(16)}`,
};

// ---- the table ------------------------------------------------------------------

const l4 = (text: string, attr: string, def: StructDef, p: string): KeyCodec =>
  structCodec(text, attr, def, [
    ['src', `${p}Src`, be16],
    ['dst', `${p}Dst`, be16],
  ]);
const icmpFields: readonly FieldSpec[] = [
  ['type', 'icmpType', u8u],
  ['code', 'icmpCode', u8u],
];

const encap: KeyCodec = {
  text: 'encap',
  attr: 'encap',
  nested: true,
  isWildcard: () => false,
  zeroMask: (k) => zeroMaskOf(k as KeyAttrs),
  format(k, m, o) {
    const key = k as KeyAttrs;
    const mask = m as KeyAttrs | undefined;
    const some = (x: KeyAttrs | undefined) => x !== undefined && Object.keys(x).length > 0;
    if (!some(key)) return '';
    return formatKeyAttrs(key, some(mask) ? mask : undefined, o);
  },
  parse(sc, o) {
    const r = parseKeyAttrs(sc, o, ')');
    sc.expect(')', `a key attribute or ')'`);
    return r;
  },
};

const codecs: readonly KeyCodec[] = [
  encap,
  hexScalar('skb_priority', 'priority', 32),
  inPort,
  structCodec('eth', 'ethernet', ovsKeyEthernetStruct, [
    ['src', 'ethSrc', eth],
    ['dst', 'ethDst', eth],
  ]),
  vlan,
  ethType,
  structCodec('ipv4', 'ipv4', ovsKeyIpv4Struct, [
    ['src', 'ipv4Src', ipv4],
    ['dst', 'ipv4Dst', ipv4],
    ['proto', 'ipv4Proto', u8u],
    ['tos', 'ipv4Tos', u8x],
    ['ttl', 'ipv4Ttl', u8u],
    ['frag', 'ipv4Frag', frag],
  ]),
  structCodec('ipv6', 'ipv6', ovsKeyIpv6Struct, [
    ['src', 'ipv6Src', ipv6],
    ['dst', 'ipv6Dst', ipv6],
    ['label', 'ipv6Label', ipv6Label],
    ['proto', 'ipv6Proto', u8u],
    ['tclass', 'ipv6Tclass', u8x],
    ['hlimit', 'ipv6Hlimit', u8u],
    ['frag', 'ipv6Frag', frag],
  ]),
  l4('tcp', 'tcp', ovsKeyTcpStruct, 'tcp'),
  l4('udp', 'udp', ovsKeyUdpStruct, 'udp'),
  structCodec('icmp', 'icmp', ovsKeyIcmpStruct, icmpFields),
  structCodec('icmpv6', 'icmpv6', ovsKeyIcmpStruct, icmpFields),
  structCodec('arp', 'arp', ovsKeyArpStruct, [
    ['sip', 'arpSip', ipv4],
    ['tip', 'arpTip', ipv4],
    ['op', 'arpOp', be16],
    ['sha', 'arpSha', eth],
    ['tha', 'arpTha', eth],
  ]),
  structCodec('nd', 'nd', ovsKeyNdStruct, [
    ['target', 'ndTarget', ipv6],
    ['sll', 'ndSll', eth],
    ['tll', 'ndTll', eth],
  ]),
  hexScalar('skb_mark', 'skbMark', 32),
  tunnelCodec,
  l4('sctp', 'sctp', ovsKeySctpStruct, 'sctp'),
  flagsCodec(
    'tcp_flags',
    'tcpFlags',
    tcpFlagNames,
    0xfff,
    (v) => v as number,
    (n) => n,
    false,
    0xffff,
  ),
  hexScalar('dp_hash', 'dpHash', 32),
  hexScalar('recirc_id', 'recircId', 32),
  mpls,
  flagsCodec(
    'ct_state',
    'ctState',
    ctStateNames,
    0xffffffff,
    ctStateNum,
    (n) => enumValue(ctStateFlagsEnum, n),
    true,
    0xffffffff,
  ),
  hexScalar('ct_zone', 'ctZone', 16, true),
  hexScalar('ct_mark', 'ctMark', 32, true),
  ctLabel,
  structCodec('ct_tuple4', 'ctOrigTupleIpv4', ovsKeyCtTupleIpv4Struct, [
    ['src', 'ipv4Src', ipv4],
    ['dst', 'ipv4Dst', ipv4],
    ['proto', 'ipv4Proto', u8u],
    ['tp_src', 'srcPort', be16],
    ['tp_dst', 'dstPort', be16],
  ]),
  structCodec(
    'ct_tuple6',
    'ctOrigTupleIpv6',
    ctTupleIpv6Struct,
    [
      ['src', 'ipv6Src', ipv6],
      ['dst', 'ipv6Dst', ipv6],
      ['proto', 'ipv6Proto', u8u],
      ['src_port', 'srcPort', be16],
      ['dst_port', 'dstPort', be16],
    ],
    // OVS prints src_port/dst_port but reads tp_src/tp_dst: take both
    { binary: true, aliases: { tp_src: 'src_port', tp_dst: 'dst_port' } },
  ),
  nshCodec,
  packetType,
  structCodec(
    'nd_ext',
    'ndExtensions',
    ndExtensionsStruct,
    [
      ['nd_reserved', 'ndReserved', ndReserved],
      ['nd_options_type', 'ndOptionsType', u8u],
    ],
    { binary: true },
  ),
];

const byAttr = new Map(codecs.map((c) => [c.attr, c]));
const byText = new Map(codecs.map((c) => [c.text, c]));

// ---- attributes without a text form of their own: keyN(hex/hex) ------------------

/** The payload bytes of key attribute `attr` holding `value`, as the codec encodes it. */
function payloadOf(attr: string, value: unknown): Uint8Array {
  const w = new Writer(64);
  encodeSet(w, keyAttrsSet, { [attr]: value });
  const nlaLen = w.buf[0]! | (w.buf[1]! << 8);
  return w.subarray(4, nlaLen).slice();
}

/** Whether `mask` sets every bit of attribute `attr` (OVS then sends a plain, unmasked set). */
export function maskIsExact(attr: string, mask: unknown): boolean {
  return payloadOf(attr, mask).every((b) => b === 0xff);
}

const spaced = (b: Uint8Array): string => formatHexBytes(b).replace(/(..)(?=.)/g, '$1 ');

/** OVS's text for an attribute it has no name for: `key32(00 00/00 00)`. */
function formatGeneric(type: number, key: Uint8Array, mask: Uint8Array | undefined): string {
  return `key${type}(${spaced(key)}${mask === undefined ? '' : '/' + spaced(mask)})`;
}

/** Reads `keyN(hex/hex)` into the typed attribute the ovs_flow layouts give type N. */
function parseGeneric(
  sc: Scanner,
  type: number,
  at: number,
): { attr: string; key: unknown; mask: unknown } {
  const def = keyAttrsSet.byType(type);
  if (!def) throw sc.error(`a key attribute type the ovs_flow layouts know (not ${type})`, at);
  const bytes = (): Uint8Array => {
    const out: number[] = [];
    do out.push(...readHexBytes(sc, 'hex byte pairs'));
    while (sc.eat(' '));
    return Uint8Array.from(out);
  };
  const decode = (payload: Uint8Array): unknown => {
    const a = new Uint8Array(4 + payload.length);
    const v = new DataView(a.buffer);
    v.setUint16(0, a.length, true);
    v.setUint16(2, type, true);
    a.set(payload, 4);
    return (decodeAttrs(keyAttrsSet, a) as Obj)[def.name];
  };
  const key = bytes();
  const mask = sc.eat('/') ? bytes() : new Uint8Array(key.length).fill(0xff);
  sc.expect(')', `hex byte pairs, '/' or ')'`);
  return { attr: def.name, key: decode(key), mask: decode(mask) };
}

type Extras = { readonly [extraAttrs]?: readonly ExtraAttr[] };

// ---- whole keys -------------------------------------------------------------------

/** The all-wildcard mask of `key`: OVS shows a key attribute whose mask is missing as wildcarded. */
function zeroMaskOf(key: KeyAttrs): KeyAttrs {
  const out: Obj = {};
  for (const [attr, v] of Object.entries(key)) {
    const c = byAttr.get(attr);
    if (c && v !== undefined) out[attr] = c.zeroMask(v);
  }
  return out as KeyAttrs;
}

/** Formats one key attribute, always (as `set(...)` actions do); `mask` undefined: exact. */
export function formatKeyAttr(
  attr: string,
  value: unknown,
  mask: unknown,
  o: FormatOptions,
): string {
  const c = byAttr.get(attr);
  if (c) return `${c.text}(${c.format(value, mask, o)})`;
  const type = keyAttrsSet.byName(attr)!.type;
  return formatGeneric(
    type,
    payloadOf(attr, value),
    mask === undefined ? undefined : payloadOf(attr, mask),
  );
}

/**
 * The text of a key with its mask, as `ovs-dpctl dump-flows` prints it
 * (OVS `odp_flow_format`): attributes in the key's order; without a mask
 * every attribute is exact; with one, wildcarded attributes are left out
 * (unless verbose), except nested ones and a wildcarded `eth()`.
 */
export function formatKeyAttrs(
  key: KeyAttrs,
  mask: KeyAttrs | undefined,
  o: FormatOptions,
): string {
  const parts: string[] = [];
  const m = mask as Obj | undefined;
  let hasPacketType = false;
  for (const [attr, value] of Object.entries(key)) {
    if (value === undefined) continue;
    const c = byAttr.get(attr);
    let ma = m?.[attr];
    if (!c) {
      // no name in the ODP syntax: OVS prints every such attribute, mask and all
      const payload = payloadOf(attr, value);
      const mp = m && (ma === undefined ? new Uint8Array(payload.length) : payloadOf(attr, ma));
      parts.push(formatGeneric(keyAttrsSet.byName(attr)!.type, payload, mp));
      continue;
    }
    if (attr === 'packetType') hasPacketType = true;
    const wildcard = m !== undefined && (ma === undefined || c.isWildcard(ma));
    if (o.verbose || !wildcard || c.nested) {
      if (m !== undefined && ma === undefined) ma = c.zeroMask(value);
      parts.push(`${c.text}(${c.format(value, ma, o)})`);
    } else if (attr === 'ethernet' && !hasPacketType) {
      parts.push('eth()');
    } else if (attr === 'packetType') {
      hasPacketType = false;
    }
  }
  for (const x of (key as Extras)[extraAttrs] ?? []) {
    const mx = (mask as Extras | undefined)?.[extraAttrs]?.find((e) => e.type === x.type);
    parts.push(formatGeneric(x.type, x.data, mx?.data));
  }
  if (m !== undefined && (key as Obj)['ethertype'] === undefined && m['ethertype'] !== undefined) {
    parts.push(`eth_type(0/0x${(m['ethertype'] as number).toString(16).padStart(4, '0')})`);
  }
  return parts.length ? parts.join(',') : '<empty>';
}

const attrNames = [...byText.keys()].join(', ');

/** Reads one key attribute (`ipv4(src=1.2.3.4)`) with its mask. */
export function parseKeyAttr(
  sc: Scanner,
  o: ParseOptions,
): { attr: string; key: unknown; mask: unknown } {
  const at = sc.pos;
  const name = sc.word();
  if (!sc.eat('(')) throw sc.error(`a key attribute (${attrNames}, keyN)`, at);
  const generic = /^key(\d+)$/.exec(name);
  if (generic) return parseGeneric(sc, Number(generic[1]), at);
  const c = byText.get(name);
  if (!c) throw sc.error(`a key attribute (${attrNames}, keyN)`, at);
  return { attr: c.attr, ...c.parse(sc, o) };
}

/**
 * Reads key attributes separated by ODP delimiters (`, \t\r\n`) until the
 * end of the text, `closer` (the `)` of an `encap(`), or a `label:` (where a
 * dump-flows line goes on with `packets:`/`actions:`; the cursor is left
 * before its delimiters).
 */
export function parseKeyAttrs(
  sc: Scanner,
  o: ParseOptions,
  closer?: string,
): { key: KeyAttrs; mask: KeyAttrs } {
  const key: Obj = {};
  const mask: Obj = {};
  for (;;) {
    const before = sc.pos;
    sc.skipDelimiters();
    if (sc.atEnd() || sc.peek() === closer) break;
    if (/^[\w-]+:/.test(sc.text.slice(sc.pos, sc.pos + 24))) {
      sc.pos = before;
      break;
    }
    const at = sc.pos;
    const r = parseKeyAttr(sc, o);
    if (r.attr in key || r.attr in mask) {
      const name = sc.text.slice(at, sc.text.indexOf('(', at));
      throw sc.error(`each key attribute once (${name} repeats)`, at);
    }
    // `eth_type(0/0xffff)`: the kernel's 802.2 frames, an ethertype only in the mask
    if (r.attr !== 'ethertype' || r.key !== 0) key[r.attr] = r.key;
    mask[r.attr] = r.mask;
  }
  return { key: key as KeyAttrs, mask: mask as KeyAttrs };
}
