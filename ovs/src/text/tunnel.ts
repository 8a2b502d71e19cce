/**
 * `tunnel(tun_id=0x2a,src=…,dst=…,ttl=64,tp_dst=4789,flags(+df-csum+key))`:
 * the nested tunnel key (`OVS_TUNNEL_KEY_ATTR_*`), with VXLAN GBP and Geneve
 * options. Fields print in the key's attribute order; the flag attributes
 * (df, csum, oam, and key for a tunnel id) are gathered into `flags(...)`.
 * @module
 */
import type { TunnelKeyAttrs } from '@ynl-ts/families/ovs_flow';
import type { KeyCodec, Obj } from './codec.js';
import {
  be16,
  be16x,
  fieldText,
  ipv4,
  ipv6,
  readField,
  u64hex,
  u8u,
  u8x,
  uint,
  type FieldType,
  type Raw,
} from './fields.js';
import { formatFlags, formatFlagsMasked, readFlags, type FlagNames } from './flags.js';
import type { Scanner } from './scan.js';
import { formatHexBytes, formatHexNumber, readHexNumber } from './values.js';

const F_OAM = 1;
const F_DF = 2;
const F_CSUM = 4;
const F_KEY = 8;
const tunFlagNames: FlagNames = new Map([
  [F_OAM, 'oam'],
  [F_DF, 'df'],
  [F_CSUM, 'csum'],
  [F_KEY, 'key'],
]);
/** Flag attributes and their bits in `flags(...)`. */
const flagAttrs: readonly (readonly [string, number])[] = [
  ['dontFragment', F_DF],
  ['csum', F_CSUM],
  ['oam', F_OAM],
];

/** Scalar tunnel fields: `[text name, attribute, field type]`. */
const scalars: readonly (readonly [string, string, FieldType])[] = [
  ['tun_id', 'id', u64hex],
  ['src', 'ipv4Src', ipv4],
  ['dst', 'ipv4Dst', ipv4],
  ['ipv6_src', 'ipv6Src', ipv6],
  ['ipv6_dst', 'ipv6Dst', ipv6],
  ['tos', 'tos', u8x],
  ['ttl', 'ttl', u8u],
  ['tp_src', 'tpSrc', be16],
  ['tp_dst', 'tpDst', be16],
];

/** The all-zero (wildcard) mask of a value; flags stay set (OVS counts a flag attribute's presence). */
const zeroOf = (v: unknown): unknown =>
  typeof v === 'bigint'
    ? 0n
    : typeof v === 'number'
      ? 0
      : v instanceof Uint8Array
        ? new Uint8Array(v.length)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([a, x]) => [a, zeroOf(x)]))
          : v;

// ---- VXLAN group policy: gbp(id=N,flags=0xF) in a u32 (flags << 16 | id) ----

function formatGbp(k: number, m: number | undefined, verbose: boolean): string {
  const parts = [
    fieldText('id', be16, k & 0xffff, m === undefined ? undefined : m & 0xffff, verbose),
    fieldText(
      'flags',
      u8x,
      (k >>> 16) & 0xff,
      m === undefined ? undefined : (m >>> 16) & 0xff,
      verbose,
    ),
  ];
  return `gbp(${parts.filter((p) => p !== undefined).join(',')})`;
}

function readGbp(sc: Scanner): { key: number; mask: number } {
  let id = { key: 0, mask: 0 };
  let flags = { key: 0, mask: 0 };
  if (sc.eat('id=')) id = readField(sc, be16);
  sc.eat(',');
  if (sc.eat('flags=')) flags = readField(sc, uint(8, 'x'));
  sc.expect('))', `'id=', 'flags=' or '))'`);
  return { key: ((flags.key << 16) | id.key) >>> 0, mask: ((flags.mask << 16) | id.mask) >>> 0 };
}

// ---- Geneve options: {class=0x…,type=0x…,len=N,0xDATA[/0xMASK]}… ----------------

function formatGeneve(k: Uint8Array, m: Uint8Array | undefined, verbose: boolean): string {
  if (m !== undefined && m.length !== k.length)
    return `value len ${k.length} different from mask len ${m.length}`;
  let out = '';
  for (let off = 0; off < k.length;) {
    if (k.length - off < 4) return out + `opt len ${k.length - off} less than minimum 4`;
    const dataLen = (k[off + 3]! & 0x1f) * 4;
    const len = 4 + dataLen;
    if (len > k.length - off)
      return out + `opt len ${len} greater than remaining ${k.length - off}`;
    const be = (b: Uint8Array) => (b[off]! << 8) | b[off + 1]!;
    const lenMask = m && ((m[off + 3]! & 0x1f) === 0x1f ? 0xff : m[off + 3]! & 0x1f);
    const parts = [
      fieldText('class', be16x, be(k), m && be(m), verbose),
      fieldText('type', u8x, k[off + 2]!, m?.[off + 2], verbose),
      fieldText('len', u8u, dataLen, lenMask, verbose),
    ].filter((p) => p !== undefined);
    const data = k.subarray(off + 4, off + len);
    const dmask = m?.subarray(off + 4, off + len);
    if (dataLen && (verbose || !dmask || dmask.some((b) => b !== 0))) {
      let d = formatHexNumber(data);
      if (dmask && !dmask.every((b) => b === 0xff)) d += '/' + formatHexNumber(dmask);
      parts.push(d);
    }
    out += `{${parts.join(',')}}`;
    off += len;
  }
  return out;
}

function readGeneve(sc: Scanner): { key: Uint8Array; mask: Uint8Array } {
  const key: number[] = [];
  const mask: number[] = [];
  while (sc.eat('{')) {
    let cls = { key: 0, mask: 0 };
    let type = { key: 0, mask: 0 };
    let len = { key: 0, mask: 0 };
    if (sc.eat('class=')) cls = readField(sc, be16);
    sc.eat(',');
    if (sc.eat('type=')) type = readField(sc, u8u);
    sc.eat(',');
    const at = sc.pos;
    if (sc.eat('len=')) len = readField(sc, u8u);
    if (len.key > 124 || len.key % 4)
      throw sc.error('an option length that is a multiple of 4 up to 124', at);
    let data: Uint8Array = new Uint8Array(len.key);
    let dmask: Uint8Array = new Uint8Array(len.key);
    if (sc.eat(',')) {
      data = readHexNumber(sc, len.key, 'option data');
      dmask = sc.eat('/')
        ? readHexNumber(sc, len.key, 'option data mask')
        : new Uint8Array(len.key).fill(0xff);
    }
    sc.expect('}', `option data or '}'`);
    key.push(cls.key >> 8, cls.key & 0xff, type.key, len.key / 4, ...data);
    mask.push(cls.mask >> 8, cls.mask & 0xff, type.mask, len.mask & 0x1f, ...dmask);
    if (key.length > 252) throw sc.error('Geneve options of at most 252 bytes', at);
  }
  sc.expect(')', `'{' or ')'`);
  return { key: Uint8Array.from(key), mask: Uint8Array.from(mask) };
}

// ---- the tunnel attribute ------------------------------------------------------------

function format(key: unknown, mask: unknown, o: { verbose?: boolean }): string {
  const k = key as Obj;
  const m = mask as Obj | undefined;
  const verbose = o.verbose === true;
  const out: string[] = [];
  let flags = 0;
  let maskFlags = 0;
  for (const [attr, v] of Object.entries(k)) {
    if (v === undefined) continue;
    const ma = m === undefined ? undefined : (m[attr] ?? zeroOf(v));
    const scalar = scalars.find(([, a]) => a === attr);
    const flag = flagAttrs.find(([a]) => a === attr);
    if (scalar) {
      const s = fieldText(scalar[0], scalar[2], v as Raw, ma as Raw | undefined, verbose);
      if (s !== undefined) out.push(s);
      if (attr === 'id') {
        flags |= F_KEY;
        if (m) maskFlags |= F_KEY;
      }
    } else if (flag) {
      flags |= flag[1];
    } else if (attr === 'vxlanOpts') {
      const gbp = (v as Obj)['gbp'] as number | undefined;
      const gm = (ma as Obj | undefined)?.['gbp'] as number | undefined;
      out.push(
        `vxlan(${gbp === undefined ? '' : formatGbp(gbp, m ? (gm ?? 0) : undefined, verbose)})`,
      );
    } else if (attr === 'geneveOpts') {
      out.push(`geneve(${formatGeneve(v as Uint8Array, ma as Uint8Array | undefined, verbose)})`);
    } else if (attr !== 'pad') {
      out.push(`${attr}(${v instanceof Uint8Array ? formatHexBytes(v) : String(v)})`);
    }
  }
  if (m) for (const [attr, bit] of flagAttrs) if (m[attr] === true) maskFlags |= bit;
  if (verbose || m === undefined || maskFlags !== 0) {
    out.push(
      `flags(${m === undefined ? formatFlags(flags, tunFlagNames) : formatFlagsMasked(flags, maskFlags & 0xf, 0xf, tunFlagNames)})`,
    );
  }
  return out.join(',');
}

function parse(sc: Scanner): { key: unknown; mask: unknown } {
  const key: Obj = {};
  const mask: Obj = {};
  const names = [...scalars.map(([n]) => `${n}=`), 'vxlan(gbp(', 'geneve(', 'flags('].join(', ');
  const seen = new Set<string>();
  while (!sc.eat(')')) {
    if (seen.size > 0) sc.expect(',', `',' or ')'`);
    const at = sc.pos;
    const field = sc.until('=(');
    if (seen.has(field)) throw sc.error(`each tunnel field once (${field} repeats)`, at);
    seen.add(field);
    const scalar = scalars.find(([n]) => n === field);
    if (scalar && sc.eat('=')) {
      const r = readField(sc, scalar[2]);
      key[scalar[1]] = r.key;
      mask[scalar[1]] = r.mask;
    } else if (field === 'vxlan' && sc.eat('(gbp(')) {
      const r = readGbp(sc);
      // OVS leaves out a zero GBP word, in the key and in the mask
      if (r.key) key['vxlanOpts'] = { gbp: r.key };
      if (r.mask) mask['vxlanOpts'] = { gbp: r.mask };
    } else if (field === 'geneve' && sc.eat('(')) {
      const r = readGeneve(sc);
      key['geneveOpts'] = r.key;
      mask['geneveOpts'] = r.mask;
    } else if (field === 'flags' && sc.eat('(')) {
      const r = readFlags(sc, tunFlagNames, 0xf, 0xf);
      sc.expect(')');
      for (const [a, bit] of flagAttrs) {
        if (r.key & bit) key[a] = true;
        if (r.mask & bit) mask[a] = true;
      }
    } else {
      throw sc.error(`a tunnel field (${names}) or ')'`, at);
    }
  }
  return { key: key as TunnelKeyAttrs, mask: mask as TunnelKeyAttrs };
}

export const tunnelCodec: KeyCodec = {
  text: 'tunnel',
  attr: 'tunnel',
  nested: true,
  isWildcard: () => false,
  zeroMask(k) {
    const out: Obj = {};
    for (const [a, v] of Object.entries(k as Obj)) out[a] = typeof v === 'boolean' ? v : zeroOf(v);
    return out;
  },
  format,
  parse,
};
