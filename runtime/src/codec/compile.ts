/**
 * The decoder's fast path: each attribute set and struct layout is compiled,
 * on first use, into a straight-line JS function (a `switch` on the attribute
 * type with the reads inlined), so decoding runs at the speed of hand-written
 * code while generated families stay pure layout data.
 *
 * A compiled decoder handles the common, well-formed case only. On anything
 * unusual (a length that does not fit, an unknown or repeated attribute, a
 * struct longer than its layout, a masked value, an enum-less oddity) it
 * returns {@link FAIL} and `decodeSet` re-decodes that set with the
 * interpreter, which keeps unknown data and raises precise, path-naming
 * errors. Both produce the same objects for the same bytes (the codec tests
 * run every case through both).
 * @module
 */
import {
  Kind,
  scalarSize,
  type AttrDef,
  type AttrSet,
  type EnumDef,
  type StructDef,
} from './layout.js';
import type { Cursor } from './decode.js';

/** Returned by a compiled decoder that leaves the input to the interpreter. */
export const FAIL: unique symbol = Symbol('ynl-ts.decodeFail');

export type SetDecoder = (c: Cursor, off: number, end: number) => object | typeof FAIL;
type StructDecoder = (c: Cursor, off: number) => object;

/** Helpers compiled code calls (kept out of the generated source). */
export interface CompileRuntime {
  readString(bytes: Uint8Array, off: number, len: number): string;
  enumValue(e: EnumDef, raw: number | bigint): unknown;
}

const setCache = new WeakMap<AttrSet, SetDecoder>();
const structCache = new WeakMap<StructDef, StructDecoder>();

/** When false, decoding uses the interpreter only (tests compare both paths). */
export const fastPath = { enabled: true };

/** Read expression of a fixed-width scalar at `at` (a JS expression). */
function readExpr(kind: Kind, be: boolean, at: string): string | undefined {
  const le = be ? 'false' : 'true';
  switch (kind) {
    case Kind.U8:
      return `b[${at}]`;
    case Kind.S8:
      return `v.getInt8(${at})`;
    case Kind.U16:
      return `v.getUint16(${at}, ${le})`;
    case Kind.S16:
      return `v.getInt16(${at}, ${le})`;
    case Kind.U32:
      return `v.getUint32(${at}, ${le})`;
    case Kind.S32:
      return `v.getInt32(${at}, ${le})`;
    case Kind.U64:
      return `v.getBigUint64(${at}, ${le})`;
    case Kind.S64:
      return `v.getBigInt64(${at}, ${le})`;
    default:
      return undefined;
  }
}

/** Registers a constant the compiled code refers to; returns its name. */
class Consts {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    let i = this.values.indexOf(v);
    if (i < 0) i = this.values.push(v) - 1;
    return `k[${i}]`;
  }
}

const enumNamers = new WeakMap<EnumDef, (raw: number | bigint) => unknown>();

/** `expr` mapped through enum `e` as the interpreter's `enumValue` does. */
function withEnum(expr: string, e: EnumDef | undefined, k: Consts, rt: CompileRuntime): string {
  if (e === undefined) return expr;
  let f = enumNamers.get(e);
  if (f === undefined) {
    f = e.flags
      ? (raw) => rt.enumValue(e, raw)
      : (raw) => e.nameOf(typeof raw === 'bigint' ? Number(raw) : raw) ?? raw;
    enumNamers.set(e, f);
  }
  return `${k.add(f)}(${expr})`;
}

function compileStruct(def: StructDef, rt: CompileRuntime): StructDecoder {
  const k = new Consts();
  const lines: string[] = ['const v = c.view, b = c.bytes;', 'return {'];
  for (const m of def.members) {
    const at = `off + ${m.offset}`;
    const key = JSON.stringify(m.name);
    switch (m.kind) {
      case Kind.Pad:
        continue;
      case Kind.Binary:
        lines.push(`${key}: c.binary(${at}, ${m.len!}),`);
        continue;
      case Kind.String:
        lines.push(`${key}: rt.readString(b, ${at}, ${m.len!}),`);
        continue;
      case Kind.Struct:
        lines.push(`${key}: ${k.add(structDecoder(m.struct!, rt))}(c, ${at}),`);
        continue;
      default: {
        const e = readExpr(m.kind, m.be === true, at);
        if (e === undefined) throw new Error(`struct ${def.name}: member kind ${m.kind}`);
        lines.push(`${key}: ${withEnum(e, m.enum, k, rt)},`);
      }
    }
  }
  lines.push('};');
  return new Function('rt', 'k', `return function(c, off) {\n${lines.join('\n')}\n};`)(
    rt,
    k.values,
  ) as StructDecoder;
}

/** The compiled decoder of a struct laid out at `off` (exactly `def.size` bytes). */
export function structDecoder(def: StructDef, rt: CompileRuntime): StructDecoder {
  let f = structCache.get(def);
  if (f === undefined) {
    f = compileStruct(def, rt);
    structCache.set(def, f);
  }
  return f;
}

/**
 * Source of the statement that decodes the payload `[p, p + pl)` of attribute
 * `def` into `val`, or undefined when only the interpreter handles that kind.
 */
function valueCode(def: AttrDef, k: Consts, rt: CompileRuntime): string | undefined {
  if (def.masked) return undefined;
  switch (def.kind) {
    case Kind.Flag:
      return 'if (pl !== 0) return FAIL; val = true;';
    case Kind.String:
      return 'val = rt.readString(b, p, pl);';
    case Kind.Binary:
      return 'val = c.binary(p, pl);';
    case Kind.Nest:
      return `val = ${k.add(lazySet(def.nested!, rt))}(c, p, p + pl); if (val === FAIL) return FAIL;`;
    case Kind.Struct:
      return `if (pl !== ${def.struct!.size}) return FAIL; val = ${k.add(structDecoder(def.struct!, rt))}(c, p);`;
    case Kind.Bitfield32:
      return 'if (pl !== 8) return FAIL; val = { value: v.getUint32(p, true), selector: v.getUint32(p + 4, true) };';
    case Kind.ScalarArray: {
      const size = scalarSize(def.sub!);
      const e = readExpr(def.sub!, def.be === true, `p + i * ${size}`);
      if (e === undefined || size === 0) return undefined;
      return `if (pl % ${size} !== 0) return FAIL; { const n = pl / ${size}; val = new Array(n); for (let i = 0; i < n; i++) val[i] = ${e}; }`;
    }
    case Kind.Uint:
    case Kind.Sint: {
      const [r4, r8] =
        def.kind === Kind.Uint ? ['getUint32', 'getBigUint64'] : ['getInt32', 'getBigInt64'];
      const le = def.be === true ? 'false' : 'true';
      const raw = `(pl === 4 ? BigInt(v.${r4}(p, ${le})) : v.${r8}(p, ${le}))`;
      return `if (pl !== 4 && pl !== 8) return FAIL; val = ${withEnum(raw, def.enum, k, rt)};`;
    }
    default: {
      const size = scalarSize(def.kind);
      const e = readExpr(def.kind, def.be === true, 'p');
      if (e === undefined) return undefined;
      return `if (pl !== ${size}) return FAIL; val = ${withEnum(e, def.enum, k, rt)};`;
    }
  }
}

/** A decoder for `set` that compiles it on its first call (sets may recurse). */
function lazySet(set: AttrSet, rt: CompileRuntime): SetDecoder {
  let f: SetDecoder | undefined;
  return (c, off, end) => (f ??= setDecoder(set, rt))(c, off, end);
}

function compileSet(set: AttrSet, rt: CompileRuntime): SetDecoder {
  const k = new Consts();
  const cases: string[] = [];
  for (const def of set.attrs) {
    if (def.kind === Kind.Pad || def.kind === Kind.Unused) continue; // interpreter
    const code = valueCode(def, k, rt);
    if (code === undefined) continue;
    const key = JSON.stringify(def.name);
    let store: string;
    if (set.ordered) store = `out.push({ type: ${key}, value: val });`;
    else if (def.multi)
      store = `{ const a = out[${key}]; if (a === undefined) out[${key}] = [val]; else a.push(val); }`;
    else store = `if (out[${key}] !== undefined) return FAIL; out[${key}] = val;`;
    cases.push(`case ${def.type}: { ${code} ${store} break; }`);
  }
  const src = `return function(c, off, end) {
  const v = c.view, b = c.bytes;
  const out = ${set.ordered ? '[]' : '{}'};
  let val;
  while (off < end) {
    if (end - off < 4) return FAIL;
    const len = v.getUint16(off, true);
    if (len < 4 || len > end - off) return FAIL;
    const p = off + 4, pl = len - 4;
    switch (v.getUint16(off + 2, true) & 0x3fff) {
      ${cases.join('\n      ')}
      default: return FAIL;
    }
    off += (len + 3) & ~3;
  }
  return out;
};`;
  return new Function('rt', 'k', 'FAIL', src)(rt, k.values, FAIL) as SetDecoder;
}

/** The compiled decoder of `set` (built on first use, then cached). */
export function setDecoder(set: AttrSet, rt: CompileRuntime): SetDecoder {
  let f = setCache.get(set);
  if (f === undefined) {
    f = compileSet(set, rt);
    setCache.set(set, f);
  }
  return f;
}
