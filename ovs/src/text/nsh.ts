/**
 * Network Service Header: the `nsh(...)` key attribute and the
 * `push_nsh(...)` action. The generated types keep the NSH base header
 * (flags, ttl, mdtype, next protocol, service path) and MD type 1 context
 * as bytes; this module lays them out.
 * @module
 */
import { Kind, type StructDef } from '@ynl-ts/runtime';
import type { OvsNshKeyAttrs } from '@ynl-ts/families/ovs_flow';
import {
  bytesFromStruct,
  readFields,
  structFromBytes,
  type FieldSpec,
  type KeyCodec,
} from './codec.js';
import { uint, type FieldType } from './fields.js';
import type { Scanner } from './scan.js';
import { formatHexBytes, readHexBytes } from './values.js';

/** struct ovs_nsh_key_base; `pathHdr` is SPI (24 bits) << 8 | SI. */
const baseStruct: StructDef = {
  name: 'ovs-nsh-key-base',
  size: 8,
  members: [
    { name: 'flags', kind: Kind.U8, offset: 0 },
    { name: 'ttl', kind: Kind.U8, offset: 1 },
    { name: 'mdtype', kind: Kind.U8, offset: 2 },
    { name: 'np', kind: Kind.U8, offset: 3 },
    { name: 'pathHdr', kind: Kind.U32, offset: 4, be: true },
  ],
};
/** struct ovs_nsh_key_md1: four big-endian context words. */
const md1Struct: StructDef = {
  name: 'ovs-nsh-key-md1',
  size: 16,
  members: [0, 1, 2, 3].map((i) => ({
    name: `c${i + 1}`,
    kind: Kind.U32,
    offset: 4 * i,
    be: true,
  })),
};

/** The NSH fields in one flat record (spi and si split out of the path header). */
interface Nsh {
  flags: number;
  ttl: number;
  mdtype: number;
  np: number;
  spi: number;
  si: number;
  c1: number;
  c2: number;
  c3: number;
  c4: number;
}
const CTX = ['c1', 'c2', 'c3', 'c4'] as const;

function flatten(a: OvsNshKeyAttrs | undefined, fill: number): Nsh {
  const base = a?.base ? structFromBytes(baseStruct, a.base) : undefined;
  const md1 = a?.md1 ? structFromBytes(md1Struct, a.md1) : undefined;
  const b = (n: string, f = fill & 0xff): number => (base ? (base[n] as number) : f);
  const path = base ? (base['pathHdr'] as number) : fill;
  const ctx = (c: string): number => (md1 ? (md1[c] as number) : fill);
  return {
    flags: b('flags'),
    ttl: b('ttl'),
    mdtype: b('mdtype'),
    np: b('np'),
    spi: path >>> 8,
    si: path & 0xff,
    c1: ctx('c1'),
    c2: ctx('c2'),
    c3: ctx('c3'),
    c4: ctx('c4'),
  };
}

function attrsOf(n: Nsh, md1: boolean): OvsNshKeyAttrs {
  const base = bytesFromStruct(baseStruct, {
    flags: n.flags,
    ttl: n.ttl,
    mdtype: n.mdtype,
    np: n.np,
    pathHdr: ((n.spi << 8) | n.si) >>> 0,
  });
  return md1
    ? { base, md1: bytesFromStruct(md1Struct, { c1: n.c1, c2: n.c2, c3: n.c3, c4: n.c4 }) }
    : { base };
}

/** Exact NSH text: `flags=F,ttl=T,mdtype=M,np=P,spi=0xS,si=I` and the MD1 context. */
function formatExact(n: Nsh): string {
  let s = `flags=${n.flags},ttl=${n.ttl},mdtype=${n.mdtype},np=${n.np},spi=0x${n.spi.toString(16)},si=${n.si}`;
  if (n.mdtype === 1) for (const c of CTX) s += `,${c}=0x${n[c].toString(16)}`;
  return s;
}

/** Masked NSH text: each field with a non-zero mask, partial masks after `/`. */
function formatMasked(k: Nsh, m: Nsh): string {
  const out: string[] = [];
  const u8 = (name: keyof Nsh) => {
    if (m[name] === 0) return;
    out.push(
      m[name] === 0xff ? `${name}=${k[name]}` : `${name}=0x${hex2(k[name])}/0x${hex2(m[name])}`,
    );
  };
  const be32 = (name: keyof Nsh, mask: number) => {
    if (mask === 0) return;
    out.push(
      mask === 0xffffffff
        ? `${name}=0x${k[name].toString(16)}`
        : `${name}=0x${k[name].toString(16)}/0x${mask.toString(16).padStart(8, '0')}`,
    );
  };
  u8('flags');
  u8('ttl');
  u8('mdtype');
  u8('np');
  be32('spi', m.spi === 0xffffff ? 0xffffffff : m.spi);
  u8('si');
  for (const c of CTX) be32(c, m[c]);
  return out.join(',');
}
const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

const u8f: FieldType<number> = uint(8, 'u');
const nshFields: readonly FieldSpec[] = [
  ['flags', 'flags', u8f],
  ['ttl', 'ttl', u8f],
  ['mdtype', 'mdtype', u8f],
  ['np', 'np', u8f],
  ['spi', 'spi', uint(24, 'x', 'a 24-bit service path id')],
  ['si', 'si', u8f],
  ...CTX.map((c): FieldSpec => [c, c, uint(32, 'x')]),
];

function readNsh(sc: Scanner): { key: Nsh; mask: Nsh } {
  const got = readFields(sc, nshFields);
  const pick = (f: 'key' | 'mask') =>
    Object.fromEntries(
      nshFields.map(([, n]) => [n, Number(got.get(n)?.[f] ?? 0)]),
    ) as unknown as Nsh;
  return { key: pick('key'), mask: pick('mask') };
}

/** The `nsh(...)` key attribute. */
export const nshCodec: KeyCodec = {
  text: 'nsh',
  attr: 'nsh',
  nested: true,
  isWildcard: () => false,
  zeroMask: () => attrsOf(flatten(undefined, 0), true),
  format(key, mask) {
    const k = flatten(key as OvsNshKeyAttrs, 0);
    return mask === undefined
      ? formatExact(k)
      : formatMasked(k, flatten(mask as OvsNshKeyAttrs, 0xffffffff));
  },
  parse(sc) {
    const r = readNsh(sc);
    return { key: attrsOf(r.key, r.key.mdtype === 1), mask: attrsOf(r.mask, true) };
  },
};

/** `push_nsh(flags=…,…,c4=0x…)` or, for MD type 2, `…,md2=HEX)`. */
export function formatPushNsh(a: OvsNshKeyAttrs): string {
  const n = flatten(a, 0);
  if (n.mdtype === 2)
    return `push_nsh(${formatExact({ ...n, mdtype: 2 })},md2=${a.md2 ? '0x' + formatHexBytes(a.md2) : '0'})`;
  return `push_nsh(${formatExact(n)})`;
}

/** MD type 2 metadata of `push_nsh`: hex bytes. */
const md2Field: FieldType<Uint8Array> = {
  zero: () => new Uint8Array(0),
  ones: () => new Uint8Array(0),
  isZero: (v) => v.length === 0,
  isOnes: () => true,
  key: (v) => '0x' + formatHexBytes(v),
  mask: (v) => '0x' + formatHexBytes(v),
  read(sc) {
    sc.eat('0x');
    return readHexBytes(sc, 'MD2 metadata hex');
  },
};

/** Reads the arguments of `push_nsh(` through its `)`. */
export function parsePushNsh(sc: Scanner): OvsNshKeyAttrs {
  const got = readFields(sc, [...nshFields, ['md2', 'md2', md2Field]]);
  const n = Object.fromEntries(
    nshFields.map(([, f]) => [f, Number(got.get(f)?.key ?? 0)]),
  ) as unknown as Nsh;
  const md2 = got.get('md2')?.key as Uint8Array | undefined;
  return md2 ? { ...attrsOf(n, false), md2 } : attrsOf(n, n.mdtype === 1);
}
