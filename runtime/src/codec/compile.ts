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
  extraAttrs,
  extraBytes,
  scalarSize,
  structArrayCount,
  structStride,
  type AttrDef,
  type AttrSet,
  type EnumDef,
  type StructDef,
} from './layout.js';
import { MAX_NEST_DEPTH } from './constants.js';
import { isProtoName, put } from './own.js';
import type { Cursor } from './decode.js';
import type { Writer } from './writer.js';

/** Returned by a compiled decoder that leaves the input to the interpreter. */
export const FAIL: unique symbol = Symbol('ynl-ts.decodeFail');

/** `depth`: nesting level of the set; deeper than MAX_NEST_DEPTH is left to the interpreter. */
export type SetDecoder = (
  c: Cursor,
  off: number,
  end: number,
  depth: number,
) => object | typeof FAIL;
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
    f = (raw) => rt.enumValue(e, raw);
    enumNamers.set(e, f);
  }
  return `${k.add(f)}(${expr})`;
}

/**
 * An object literal expression decoding struct `def` at offset expression
 * `base` (needs `v`, `b`, `c` in scope). Nested structs are inlined too.
 */
function structExpr(def: StructDef, base: string, k: Consts, rt: CompileRuntime): string {
  const parts: string[] = [];
  for (const m of def.members) {
    const at = `${base} + ${m.offset}`;
    // `__proto__: x` in a literal would set the prototype; a computed key is data.
    const key = m.name === '__proto__' ? '["__proto__"]' : JSON.stringify(m.name);
    switch (m.kind) {
      case Kind.Pad:
        continue;
      case Kind.Binary:
        parts.push(`${key}: c.binary(${at}, ${m.len!})`);
        continue;
      case Kind.String:
        parts.push(`${key}: rt.readString(b, ${at}, ${m.len!})`);
        continue;
      case Kind.Struct:
        parts.push(`${key}: ${structExpr(m.struct!, `(${at})`, k, rt)}`);
        continue;
      default: {
        const e = readExpr(m.kind, m.be === true, at);
        if (e === undefined) throw new Error(`struct ${def.name}: member kind ${m.kind}`);
        parts.push(`${key}: ${withEnum(e, m.enum, k, rt)}`);
      }
    }
  }
  return `{ ${parts.join(', ')} }`;
}

function compileStruct(def: StructDef, rt: CompileRuntime): StructDecoder {
  const k = new Consts();
  const src = `return function(c, off) { const v = c.view, b = c.bytes; return ${structExpr(def, 'off', k, rt)}; };`;
  return new Function('rt', 'k', src)(rt, k.values) as StructDecoder;
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
      return `val = ${k.add(lazySet(def.nested!, rt))}(c, p, p + pl, d + 1); if (val === FAIL) return FAIL;`;
    case Kind.Struct:
      return `if (pl !== ${def.struct!.size}) return FAIL; val = ${structExpr(def.struct!, 'p', k, rt)};`;
    case Kind.Bitfield32:
      return 'if (pl !== 8) return FAIL; val = { value: v.getUint32(p, true), selector: v.getUint32(p + 4, true) };';
    case Kind.ScalarArray: {
      const size = scalarSize(def.sub!);
      const e = readExpr(def.sub!, def.be === true, `p + i * ${size}`);
      if (e === undefined || size === 0) return undefined;
      return `if (pl % ${size} !== 0) return FAIL; { const n = pl / ${size}; val = new Array(n); for (let i = 0; i < n; i++) val[i] = ${e}; }`;
    }
    case Kind.StructArray: {
      const st = def.struct!;
      const n = `${k.add(structArrayCount)}(${k.add(st)}, pl)`;
      return `{ const n = ${n}; if (n === undefined) return FAIL; val = new Array(n); for (let i = 0; i < n; i++) val[i] = ${k.add(structDecoder(st, rt))}(c, p + i * ${structStride(st)}); }`;
    }
    case Kind.IndexedArray: {
      const sub = def.sub ?? Kind.Nest;
      let elem: string | undefined;
      if (sub === Kind.Nest) {
        elem = `{ const r = ${k.add(lazySet(def.nested!, rt))}(c, p2, p2 + pl2, d + 2); if (r === FAIL) return FAIL; val.push(r); }`;
      } else if (sub === Kind.Binary) {
        elem = def.struct
          ? `if (pl2 !== ${def.struct.size}) return FAIL; val.push(${k.add(structDecoder(def.struct, rt))}(c, p2));`
          : 'val.push(c.binary(p2, pl2));';
      } else if (sub === Kind.String) {
        elem = 'val.push(rt.readString(b, p2, pl2));';
      } else {
        const e = readExpr(sub, def.be === true, 'p2');
        if (e !== undefined)
          elem = `if (pl2 !== ${scalarSize(sub)}) return FAIL; val.push(${withEnum(e, def.enum, k, rt)});`;
      }
      if (elem === undefined) return undefined;
      return `val = []; for (let q = p, qe = p + pl; q < qe; ) { if (qe - q < 4) return FAIL; const l2 = v.getUint16(q, true); if (l2 < 4 || l2 > qe - q) return FAIL; const p2 = q + 4, pl2 = l2 - 4; ${elem} q += (l2 + 3) & ~3; }`;
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

const compiling = new Set<AttrSet>();

/**
 * The decoder of a nested `set`: compiled now, unless it is being compiled
 * further up (a recursive set), then compiled on its first call.
 */
function lazySet(set: AttrSet, rt: CompileRuntime): SetDecoder {
  if (!compiling.has(set)) return setDecoder(set, rt);
  let f: SetDecoder | undefined;
  return (c, off, end, d) => (f ??= setDecoder(set, rt))(c, off, end, d);
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
    else if (isProtoName(def.name)) {
      // a name Object.prototype has: own-property checks, stored as data
      const has = `Object.hasOwn(out, ${key})`;
      const define = `${k.add(put)}(out, ${key}, ${def.multi ? '[val]' : 'val'})`;
      store = def.multi
        ? `if (${has}) out[${key}].push(val); else ${define};`
        : `if (${has}) return FAIL; ${define};`;
    } else if (def.multi)
      store = `{ const a = out[${key}]; if (a === undefined) out[${key}] = [val]; else a.push(val); }`;
    else store = `if (out[${key}] !== undefined) return FAIL; out[${key}] = val;`;
    cases.push(`case ${def.type}: { ${code} ${store} break; }`);
  }
  const src = `return function(c, off, end, d) {
  if (d > ${MAX_NEST_DEPTH}) return FAIL;
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
    compiling.add(set);
    try {
      f = compileSet(set, rt);
    } finally {
      compiling.delete(set);
    }
    setCache.set(set, f);
  }
  return f;
}

// ---- encoders ----

/**
 * A compiled encoder: writes `value` (the set's object, or an ordered set's
 * array) and returns true, or returns false (having written garbage past the
 * start position) when the value needs the interpreter: a type it does not
 * take, a check that fails, a kind it leaves out. The caller then rewinds
 * and re-encodes with the interpreter, which writes or throws the precise
 * EncodeError.
 */
export type SetEncoder = (
  w: Writer,
  value: unknown,
  skip: string | undefined,
  depth: number,
) => boolean;
type StructEncoder = (w: Writer, value: unknown) => boolean;

const setEncCache = new WeakMap<AttrSet, SetEncoder>();
const structEncCache = new WeakMap<StructDef, StructEncoder | null>();

const intRange: Partial<Record<Kind, [number, number, string]>> = {
  [Kind.U8]: [0, 0xff, 'u8'],
  [Kind.S8]: [-0x80, 0x7f, 's8'],
  [Kind.U16]: [0, 0xffff, 'u16'],
  [Kind.S16]: [-0x8000, 0x7fff, 's16'],
  [Kind.U32]: [0, 0xffffffff, 'u32'],
  [Kind.S32]: [-0x80000000, 0x7fffffff, 's32'],
};

/**
 * Statements that check (and, for enum names, convert) the JS value in `x`
 * for a scalar of `kind`; `return false` on anything the interpreter must
 * judge. Undefined for kinds left to the interpreter.
 */
function scalarCheck(
  kind: Kind,
  e: EnumDef | undefined,
  k: Consts,
  checks?: { min?: number | bigint; max?: number | bigint },
): string | undefined {
  const out: string[] = [];
  if (e !== undefined) {
    if (e.flags) return undefined; // flag arrays: the interpreter
    out.push(
      `if (typeof x === 'string') { x = ${k.add(e)}.valueOf(x); if (x === undefined) return false; }`,
    );
  }
  const r = intRange[kind];
  if (r !== undefined) {
    out.push(
      `if (typeof x !== 'number' || !Number.isInteger(x) || x < ${r[0]} || x > ${r[1]}) return false;`,
    );
    if (checks?.min !== undefined) out.push(`if (x < ${Number(checks.min)}) return false;`);
    if (checks?.max !== undefined) out.push(`if (x > ${Number(checks.max)}) return false;`);
    return out.join(' ');
  }
  if (kind === Kind.U64 || kind === Kind.S64) {
    const [lo, hi] =
      kind === Kind.U64
        ? ['0n', '0xffffffffffffffffn']
        : ['-0x8000000000000000n', '0x7fffffffffffffffn'];
    out.push(`if (typeof x !== 'bigint' || x < ${lo} || x > ${hi}) return false;`);
    if (checks?.min !== undefined) out.push(`if (x < ${BigInt(checks.min)}n) return false;`);
    if (checks?.max !== undefined) out.push(`if (x > ${BigInt(checks.max)}n) return false;`);
    return out.join(' ');
  }
  return undefined;
}

/**
 * Statements that check the JS value in `x` and write it as a scalar of
 * `kind` (no attribute header), or undefined for kinds left to the
 * interpreter. `checks` adds the spec's min/max.
 */
function scalarWrite(
  kind: Kind,
  be: boolean,
  e: EnumDef | undefined,
  k: Consts,
  checks?: { min?: number | bigint; max?: number | bigint },
): string | undefined {
  const check = scalarCheck(kind, e, k, checks);
  if (check === undefined) return undefined;
  const name = intRange[kind]?.[2] ?? (kind === Kind.U64 ? 'u64' : 's64');
  return `${check} w.${name}(x${kind === Kind.U8 || kind === Kind.S8 ? '' : `, ${be}`});`;
}

/**
 * A whole fixed-width scalar attribute (header, value, zeroed padding) written
 * straight into the writer's buffer with one bounds check.
 */
function scalarAttr(def: AttrDef, k: Consts): string | undefined {
  const check = scalarCheck(def.kind, def.enum, k, def.checks);
  const size = scalarSize(def.kind);
  if (check === undefined || size === 0) return undefined;
  const le = def.be === true ? 'false' : 'true';
  const total = (4 + size + 3) & ~3;
  const value: Partial<Record<Kind, string>> = {
    [Kind.U8]: 'dv.setUint32(o + 4, x, true);',
    [Kind.S8]: 'dv.setUint32(o + 4, x & 0xff, true);',
    [Kind.U16]: `dv.setUint16(o + 4, x, ${le}); dv.setUint16(o + 6, 0, true);`,
    [Kind.S16]: `dv.setInt16(o + 4, x, ${le}); dv.setUint16(o + 6, 0, true);`,
    [Kind.U32]: `dv.setUint32(o + 4, x, ${le});`,
    [Kind.S32]: `dv.setInt32(o + 4, x, ${le});`,
    [Kind.U64]: `dv.setBigUint64(o + 4, x, ${le});`,
    [Kind.S64]: `dv.setBigInt64(o + 4, x, ${le});`,
  };
  return `${check} { w.ensure(${total}); const o = w.pos, dv = w.view; dv.setUint32(o, ${4 + size} | (${def.type} << 16), true); ${value[def.kind]!} w.pos = o + ${total}; }`;
}

function compileStructEncoder(def: StructDef): StructEncoder | null {
  const k = new Consts();
  const names = def.members.filter((m) => m.kind !== Kind.Pad).map((m) => JSON.stringify(m.name));
  const body: string[] = [
    // plain objects only; anything else (a Map, a class instance) goes to the interpreter
    "if (typeof v !== 'object' || v === null) return false; { const p = Object.getPrototypeOf(v); if (p !== Object.prototype && p !== null) return false; }",
    // extra (tail) bytes: the interpreter writes or refuses them
    `if (v[${k.add(extraBytes)}] !== undefined) return false;`,
    `for (const key in v) if (!Object.hasOwn(v, key) || (v[key] !== undefined && ${names.map((n) => `key !== ${n}`).join(' && ') || 'true'})) return false;`,
    `w.ensure(${def.size}); const base = w.pos; w.zeros(${def.size});`,
    'let x;',
  ];
  for (const m of def.members) {
    if (m.kind === Kind.Pad) continue;
    const name = JSON.stringify(m.name);
    const read = isProtoName(m.name)
      ? `Object.hasOwn(v, ${name}) ? v[${name}] : undefined`
      : `v[${name}]`;
    const get = `x = ${read}; if (x !== undefined) { w.pos = base + ${m.offset}; `;
    if (m.kind === Kind.Binary) {
      body.push(
        `${get}if (!(x instanceof Uint8Array) || x.length !== ${m.len!}) return false; w.raw(x); }`,
      );
    } else if (m.kind === Kind.Struct) {
      const inner = structEncoder(m.struct!);
      if (inner === null) return null;
      body.push(`${get}if (!${k.add(inner)}(w, x)) return false; }`);
    } else {
      const s = scalarWrite(m.kind, m.be === true, m.enum, k);
      if (s === undefined) return null; // strings, flag sets: the interpreter
      body.push(`${get}${s} }`);
    }
  }
  body.push(`w.pos = base + ${def.size}; return true;`);
  return new Function('k', `return function(w, v) {\n${body.join('\n')}\n};`)(
    k.values,
  ) as StructEncoder;
}

/** The compiled encoder of a struct, or null when it has members only the interpreter writes. */
export function structEncoder(def: StructDef): StructEncoder | null {
  let f = structEncCache.get(def);
  if (f === undefined) {
    f = compileStructEncoder(def);
    structEncCache.set(def, f);
  }
  return f;
}

/** Statements writing attribute `def` (header included) from `x`, or undefined. */
function attrWrite(def: AttrDef, k: Consts): string | undefined {
  if (def.masked) return undefined;
  const T = def.type;
  const c = def.checks;
  switch (def.kind) {
    case Kind.Flag:
      return `if (x === true) w.endAttr(w.beginAttr(${T})); else if (x !== false) return false;`;
    case Kind.Binary: {
      const lens: string[] = [];
      if (c?.exactLen !== undefined) lens.push(`x.length !== ${c.exactLen}`);
      if (c?.minLen !== undefined) lens.push(`x.length < ${c.minLen}`);
      if (c?.maxLen !== undefined) lens.push(`x.length > ${c.maxLen}`);
      return `if (!(x instanceof Uint8Array)${lens.map((l) => ` || ${l}`).join('')}) return false; { const at = w.beginAttr(${T}); w.raw(x); w.endAttr(at); }`;
    }
    case Kind.String: {
      const lens: string[] = [];
      if (c?.exactLen !== undefined) lens.push(`n - 1 !== ${c.exactLen}`);
      if (c?.minLen !== undefined) lens.push(`n - 1 < ${c.minLen}`);
      if (c?.maxLen !== undefined) lens.push(`n - 1 > ${c.maxLen}`);
      return `if (typeof x !== 'string' || x.indexOf('\\0') !== -1) return false; { const at = w.beginAttr(${T}); const n = w.string(x, true);${lens.length ? ` if (${lens.join(' || ')}) return false;` : ''} w.endAttr(at); }`;
    }
    case Kind.Nest:
      return `{ const at = w.beginNest(${T}); if (!${k.add(lazyEncoder(def.nested!))}(w, x, undefined, d + 1)) return false; w.endAttr(at); }`;
    case Kind.Struct: {
      const s = structEncoder(def.struct!);
      if (s === null || c !== undefined) return undefined;
      return `{ const at = w.beginAttr(${T}); if (!${k.add(s)}(w, x)) return false; w.endAttr(at); }`;
    }
    case Kind.StructArray: {
      const s = structEncoder(def.struct!);
      if (s === null || c !== undefined) return undefined;
      const pad = structStride(def.struct!) - def.struct!.size;
      return `if (!Array.isArray(x)) return false; { const at = w.beginAttr(${T}); for (const e of x) { if (!${k.add(s)}(w, e)) return false;${pad ? ` w.zeros(${pad});` : ''} } w.endAttr(at); }`;
    }
    default:
      return scalarAttr(def, k);
  }
}

const compilingEnc = new Set<AttrSet>();

/** The encoder of a nested `set`: compiled now unless it is being compiled further up. */
function lazyEncoder(set: AttrSet): SetEncoder {
  if (!compilingEnc.has(set)) return setEncoder(set);
  let f: SetEncoder | undefined;
  return (w, v, skip, d) => (f ??= setEncoder(set))(w, v, skip, d);
}

function compileSetEncoder(set: AttrSet): SetEncoder {
  const k = new Consts();
  const cases: string[] = [];
  for (const def of set.attrs) {
    const code = attrWrite(def, k);
    if (code === undefined) continue;
    const key = JSON.stringify(def.name);
    if (set.ordered) {
      const value = def.kind === Kind.Flag ? 'e.value ?? true' : 'e.value';
      cases.push(`case ${key}: { let x = ${value}; ${code} break; }`);
    } else if (def.multi) {
      cases.push(
        `case ${key}: { if (!Array.isArray(v)) return false; for (let x of v) { ${code} } break; }`,
      );
    } else {
      cases.push(`case ${key}: { let x = v; ${code} break; }`);
    }
  }
  const src = set.ordered
    ? `return function(w, value, skip, d) {
  if (d > ${MAX_NEST_DEPTH} || !Array.isArray(value)) return false;
  for (const e of value) {
    if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== Object.prototype) return false;
    switch (e.type) {
      ${cases.join('\n      ')}
      default: return false;
    }
  }
  return true;
};`
    : `return function(w, value, skip, d) {
  if (d > ${MAX_NEST_DEPTH}) return false;
  if (typeof value !== 'object' || value === null) return false;
  { const p = Object.getPrototypeOf(value); if (p !== Object.prototype && p !== null) return false; }
  if (value[${k.add(extraAttrs)}] !== undefined) return false; // the interpreter re-sends them
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false; // inherited: the interpreter skips it
    const v = value[key];
    if (v === undefined || key === skip) continue;
    switch (key) {
      ${cases.join('\n      ')}
      default: return false;
    }
  }
  return true;
};`;
  return new Function('k', src)(k.values) as SetEncoder;
}

/** The compiled encoder of `set` (built on first use, then cached). */
export function setEncoder(set: AttrSet): SetEncoder {
  let f = setEncCache.get(set);
  if (f === undefined) {
    compilingEnc.add(set);
    try {
      f = compileSetEncoder(set);
    } finally {
      compilingEnc.delete(set);
    }
    setEncCache.set(set, f);
  }
  return f;
}
