/**
 * `--json` text → a request object of the generated layouts. Keys are spec
 * names (kebab-case) or TS names (camelCase); values are JSON, with text
 * forms for what JSON lacks: u64 as decimal strings, addresses by their
 * display hint (`"10.0.0.1"`, `"00:11:22:33:44:55"`, `"fe80::1"`, UUIDs),
 * other binary as hex (`"0a0b"`, `"0a:0b"`, `"0a 0b"`), enum and flag names.
 * The codec checks ranges and kinds; this only converts, and a value it
 * cannot convert is an {@link InputError} naming its path.
 * @module
 */
import { isIP } from 'node:net';
import {
  Kind,
  scalarSize,
  type AttrDef,
  type AttrSet,
  type DisplayHint,
  type EnumDef,
  type StructDef,
  type StructMember,
} from '@ynl-ts/runtime';
import type { FamilyNames } from './names.js';

/** A `--json` value that cannot be converted (exit status 2). */
export class InputError extends Error {
  override name = 'InputError';
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

const where = (path: string): string => (path ? `${path}: ` : '');

/** Parses `--json` text to an object (a JSON syntax error is an InputError). */
export function parseJson(text: string, what = '--json'): Obj {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what}: ${(e as Error).message}`);
  }
  if (!isObj(v)) throw new InputError(`${what}: expected a JSON object, got ${text}`);
  return v;
}

/** Converts user input to the request object of `set` (with the fixed header under `headerKey`). */
export function toRequest(
  names: FamilyNames,
  set: AttrSet,
  input: Obj,
  fixed?: { readonly def: StructDef; readonly key: string },
): Obj {
  if (fixed === undefined) return convertSet(names, set, input, '');
  // the fixed header: under its key, or (as cli.py takes it) its members at the top level
  const members = names.struct(fixed.def.name);
  const header: Obj = {};
  const rest: Obj = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === fixed.key && isObj(v)) Object.assign(header, v);
    else if (
      set.byName(names.set(set.name).ts(k) ?? '') === undefined &&
      members.ts(k) !== undefined
    )
      header[k] = v;
    else rest[k] = v;
  }
  const out = convertSet(names, set, rest, '');
  out[fixed.key] = convertStruct(names, fixed.def, header, fixed.key);
  return out;
}

function convertSet(names: FamilyNames, set: AttrSet, input: Obj, path: string): Obj {
  const map = names.set(set.name);
  const out: Obj = {};
  for (const [k, v] of Object.entries(input)) {
    const tsName = map.ts(k) ?? k;
    const def = set.byName(tsName);
    if (def === undefined || def.kind === Kind.Pad || def.kind === Kind.Unused) {
      const known = set.attrs
        .filter((a) => a.kind !== Kind.Pad && a.kind !== Kind.Unused)
        .map((a) => map.spec(a.name));
      throw new InputError(
        `${where(path)}'${k}' is not an attribute of ${set.name} (it has: ${known.join(', ')})`,
      );
    }
    const p = path ? `${path}.${map.spec(def.name)}` : map.spec(def.name);
    out[def.name] = def.multi
      ? (Array.isArray(v) ? v : [v]).map((x, i) => convertAttr(names, def, x, `${p}[${i}]`))
      : convertAttr(names, def, v, p);
  }
  return out;
}

function convertAttr(names: FamilyNames, def: AttrDef, v: unknown, path: string): unknown {
  if (def.masked === true && isObj(v) && 'value' in v && 'mask' in v)
    return {
      value: convertAttr(names, { ...def, masked: false }, v.value, `${path}.value`),
      mask: convertAttr(names, { ...def, masked: false }, v.mask, `${path}.mask`),
    };
  switch (def.kind) {
    case Kind.Flag:
      if (typeof v !== 'boolean') throw new InputError(`${where(path)}a flag is true or false`);
      return v;
    case Kind.String:
      if (typeof v !== 'string') throw new InputError(`${where(path)}expected a string`);
      return v;
    case Kind.Binary:
      return toBytes(v, def.display, path);
    case Kind.Struct:
      return convertStruct(names, def.struct!, v, path);
    case Kind.Nest:
      if (def.nested!.ordered) return convertOrdered(names, def.nested!, v, path);
      if (!isObj(v))
        throw new InputError(`${where(path)}expected an object of ${def.nested!.name}`);
      return convertSet(names, def.nested!, v, path);
    case Kind.Bitfield32: {
      if (!isObj(v)) throw new InputError(`${where(path)}expected {"value": …, "selector": …}`);
      return {
        value: toScalar(names, Kind.U32, v.value, def.enum, undefined, `${path}.value`),
        selector: toScalar(names, Kind.U32, v.selector, def.enum, undefined, `${path}.selector`),
      };
    }
    case Kind.StructArray:
      return arrayOf(v, path).map((x, i) => convertStruct(names, def.struct!, x, `${path}[${i}]`));
    case Kind.ScalarArray:
      return arrayOf(v, path).map((x, i) =>
        toScalar(names, def.sub!, x, def.enum, def.display, `${path}[${i}]`),
      );
    case Kind.IndexedArray:
      return arrayOf(v, path).map((x, i) => {
        const p = `${path}[${i}]`;
        const sub = def.sub ?? Kind.Nest;
        if (sub === Kind.Nest) {
          if (!isObj(x)) throw new InputError(`${where(p)}expected an object`);
          return convertSet(names, def.nested!, x, p);
        }
        if (sub === Kind.Binary)
          return def.struct ? convertStruct(names, def.struct, x, p) : toBytes(x, def.display, p);
        if (sub === Kind.String) {
          if (typeof x !== 'string') throw new InputError(`${where(p)}expected a string`);
          return x;
        }
        return toScalar(names, sub, x, def.enum, def.display, p);
      });
    case Kind.NestTypeValue:
      return arrayOf(v, path).map((x, i) => {
        const p = `${path}[${i}]`;
        if (!isObj(x)) throw new InputError(`${where(p)}expected an object`);
        const keys = def.typeValue ?? [];
        const rest: Obj = {};
        const out: Obj = {};
        for (const [k, val] of Object.entries(x)) {
          const tv = keys.find((t) => t === k || names.set(def.nested!.name).spec(t) === k);
          if (tv !== undefined)
            out[tv] = toScalar(names, Kind.U16, val, undefined, undefined, `${p}.${k}`);
          else rest[k] = val;
        }
        return Object.assign(out, convertSet(names, def.nested!, rest, p));
      });
    default:
      return toScalar(names, def.kind, v, def.enum, def.display, path);
  }
}

function convertOrdered(names: FamilyNames, set: AttrSet, v: unknown, path: string): unknown[] {
  const map = names.set(set.name);
  return arrayOf(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    // an entry is {"name": value} (or the codec's own {"type": name, "value": …})
    const [k, val] =
      isObj(x) && 'type' in x && 'value' in x && Object.keys(x).length === 2
        ? [String(x.type), x.value]
        : isObj(x) && Object.keys(x).length === 1
          ? Object.entries(x)[0]!
          : [undefined, undefined];
    const def = k === undefined ? undefined : set.byName(map.ts(k) ?? '');
    if (def === undefined)
      throw new InputError(`${where(p)}expected {"<attribute of ${set.name}>": value}`);
    return { type: def.name, value: convertAttr(names, def, val, `${p}.${k}`) };
  });
}

function convertStruct(names: FamilyNames, def: StructDef, v: unknown, path: string): Obj {
  if (!isObj(v)) throw new InputError(`${where(path)}expected an object of struct ${def.name}`);
  const map = names.struct(def.name);
  const out: Obj = {};
  for (const [k, val] of Object.entries(v)) {
    const tsName = map.ts(k) ?? k;
    const m: StructMember | undefined = def.members.find(
      (x) => x.name === tsName && x.kind !== Kind.Pad,
    );
    if (m === undefined)
      throw new InputError(
        `${where(path)}'${k}' is not a member of struct ${def.name} (it has: ${def.members
          .filter((x) => x.kind !== Kind.Pad)
          .map((x) => map.spec(x.name))
          .join(', ')})`,
      );
    const p = path ? `${path}.${map.spec(m.name)}` : map.spec(m.name);
    if (m.kind === Kind.Struct) out[m.name] = convertStruct(names, m.struct!, val, p);
    else if (m.kind === Kind.Binary) out[m.name] = toBytes(val, m.display, p);
    else if (m.kind === Kind.String) {
      if (typeof val !== 'string') throw new InputError(`${where(p)}expected a string`);
      out[m.name] = val;
    } else out[m.name] = toScalar(names, m.kind, val, m.enum, m.display, p);
  }
  return out;
}

function arrayOf(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new InputError(`${where(path)}expected an array`);
  return v;
}

const wide = (k: Kind): boolean =>
  k === Kind.U64 || k === Kind.S64 || k === Kind.Uint || k === Kind.Sint;

/** A scalar: a number, an integer string (decimal or 0x hex), an enum/flag name, or an address by hint. */
function toScalar(
  names: FamilyNames,
  kind: Kind,
  v: unknown,
  e: EnumDef | undefined,
  hint: DisplayHint | undefined,
  path: string,
): unknown {
  if (e !== undefined) {
    const map = names.enum(e.name);
    const name = (x: unknown): unknown => {
      if (typeof x !== 'string' || /^(0x[0-9a-f]+|-?[0-9]+)$/i.test(x)) return x;
      const t = map.ts(x) ?? x;
      if (e.valueOf(t) === undefined)
        throw new InputError(
          `${where(path)}'${x}' is not ${e.flags ? 'a flag' : 'a value'} of ${e.name} (it has: ${map.specNames().join(', ')})`,
        );
      return t;
    };
    if (Array.isArray(v)) return v.map(name);
    v = name(v);
    if (typeof v === 'string' && !/^(0x[0-9a-f]+|-?[0-9]+)$/i.test(v)) return v;
  }
  if (typeof v === 'string' && (hint === 'ipv4' || hint === 'ipv4-or-v6') && isIP(v) === 4) {
    const n = v.split('.').reduce((a, b) => a * 256 + Number(b), 0);
    return wide(kind) ? BigInt(n) : n;
  }
  if (typeof v === 'string' && /^-?(0x[0-9a-f]+|[0-9]+)$/i.test(v)) {
    const neg = v.startsWith('-');
    const b = BigInt(neg ? v.slice(1) : v) * (neg ? -1n : 1n);
    return wide(kind) ? b : Number(b);
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      throw new InputError(
        `${where(path)}${v} is not an exact integer${wide(kind) ? '; give 64-bit values beyond 2^53 as decimal strings ("18446744073709551615")' : ''}`,
      );
    return wide(kind) ? BigInt(v) : v;
  }
  const size = scalarSize(kind);
  throw new InputError(
    `${where(path)}expected ${size ? `a ${size * 8}-bit ` : 'an '}integer${e ? ` or a name of ${e.name}` : ''}, got ${JSON.stringify(v)}`,
  );
}

/** Bytes from text: by the display hint (address, MAC, UUID), else hex; or an array of byte values. */
export function toBytes(v: unknown, hint: DisplayHint | undefined, path = ''): Uint8Array {
  if (Array.isArray(v)) {
    if (v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Uint8Array.from(v);
    throw new InputError(`${where(path)}a byte array holds integers 0-255`);
  }
  if (typeof v !== 'string')
    throw new InputError(
      `${where(path)}expected bytes as a string (hex${hint ? ` or ${hint}` : ''})`,
    );
  const ip = isIP(v);
  if (ip === 4 && (hint === 'ipv4' || hint === 'ipv4-or-v6'))
    return Uint8Array.from(v.split('.').map(Number));
  if (ip === 6 && (hint === 'ipv6' || hint === 'ipv4-or-v6')) return ipv6Bytes(v);
  if (hint === 'uuid' && /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(v))
    return hexBytes(v.replace(/-/g, ''));
  const plain = v.replace(/^0x/i, '').replace(/[:\s]/g, '');
  if (/^([0-9a-f]{2})*$/i.test(plain)) return hexBytes(plain);
  throw new InputError(
    `${where(path)}${JSON.stringify(v)} is not ${hint !== undefined && hint !== 'hex' ? `${hint} text or ` : ''}hex bytes`,
  );
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
}

function ipv6Bytes(text: string): Uint8Array {
  // isIP() said 6: groups of hex, at most one '::', maybe a dotted IPv4 tail
  let s = text;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const q = v4.slice(2).map(Number) as [number, number, number, number];
    tail.push((q[0] << 8) | q[1], (q[2] << 8) | q[3]);
    s = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const words = (p: string): number[] => (p ? p.split(':').map((w) => parseInt(w, 16)) : []);
  const gap = s.indexOf('::');
  let all: number[];
  if (gap < 0) all = [...words(s), ...tail];
  else {
    const a = words(s.slice(0, gap));
    const b = [...words(s.slice(gap + 2)), ...tail];
    all = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  }
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 255;
  });
  return out;
}
