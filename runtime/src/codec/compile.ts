/**
 * The codec's fast path: each attribute set and struct layout is compiled,
 * on first use, into straight-line JS functions (a decoder: a `switch` on the
 * attribute type with the reads inlined; an encoder: the set's attributes in
 * spec order, each tested for presence and written in place), so coding runs
 * at the speed of hand-written code while generated families stay pure
 * layout data. The expressions for each scalar kind come from its record in
 * `kinds.ts`, the same record the interpreters use.
 *
 * A compiled decoder handles the common, well-formed case only. On anything
 * unusual (a length that does not fit, an unknown or repeated attribute, a
 * struct longer than its layout, a masked value) it returns {@link FAIL} and
 * `decodeSet` re-decodes that set with the interpreter, which keeps unknown
 * data and raises precise, path-naming errors. A compiled encoder likewise
 * returns false on anything it does not take (a value of another type, an
 * unknown or inherited key, a failed check) and the interpreter re-encodes,
 * or throws the precise EncodeError. Both paths produce the same objects and
 * the same bytes (the codec tests and the fuzzer run cases through both).
 * @module
 */
import {
  MAX_NEST_DEPTH,
  NLA_F_NESTED,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  nlaAlign,
  nlaAlignExpr,
} from './constants.js';
import { enumValue, flagNamer, readString, type Cursor } from './cursor.js';
import { KINDS, Kind, SCALARS, scalarSize } from './kinds.js';
import {
  extraAttrs,
  extraBytes,
  structArrayCount,
  structStride,
  type AttrDef,
  type AttrSet,
  type EnumDef,
  type StructDef,
  type SubMessageFormat,
} from './layout.js';
import { isProtoName, own, put } from './own.js';
import { defer, pending, settle, type Pending } from './submsg.js';
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

const setCache = new WeakMap<AttrSet, SetDecoder>();
const structCache = new WeakMap<StructDef, StructDecoder>();

/** When false, decoding and encoding use the interpreters only (tests compare both paths). */
export const fastPath = { enabled: true };

/**
 * Registers a constant the compiled code refers to; returns its name, a
 * `const` of the closure the compiled function is created in (so the
 * optimizing compiler sees a fixed value, not an array element).
 */
class Consts {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    let i = this.values.indexOf(v);
    if (i < 0) i = this.values.push(v) - 1;
    return `k${i}`;
  }
  /** `return`s the function `src` defines, with the constants bound. */
  build<F>(src: string, ...extra: readonly [string, unknown][]): F {
    const decls = this.values.map((_, i) => `k${i} = k[${i}]`);
    const body = `${decls.length ? `const ${decls.join(', ')};\n` : ''}${src}`;
    return new Function('k', ...extra.map((e) => e[0]), body)(
      this.values,
      ...extra.map((e) => e[1]),
    ) as F;
  }
}

/** A function name for compiled code (seen in profiles and stack traces): `prefix_name`, identifier characters only. */
function fnName(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A property key as JS source: `["__proto__"]` stays data in an object literal. */
const literalKey = (name: string): string =>
  name === '__proto__' ? '["__proto__"]' : JSON.stringify(name);

/** Read expression of a scalar of `kind` at `at`, payload length `len` (expressions). */
function readExpr(kind: Kind, be: boolean, at: string, len = '0'): string | undefined {
  return SCALARS[kind]?.readExpr(at, !be, len);
}

const enumNamers = new WeakMap<EnumDef, (raw: number | bigint) => unknown>();

/**
 * The function naming the values of enum `e` as `enumValue` does; small
 * non-flag enums look their names up in an array, flag sets go straight to
 * their cached name lists.
 */
function enumNamer(e: EnumDef): (raw: number | bigint) => unknown {
  let f = enumNamers.get(e);
  if (f === undefined) {
    const values = Object.values(e.entries);
    if (!e.flags && values.every((v) => Number.isInteger(v) && v >= 0 && v < 1024)) {
      const names: (string | undefined)[] = [];
      for (const v of values) names[v] = e.nameOf(v);
      f = (raw) => (typeof raw === 'number' ? (names[raw] ?? raw) : enumValue(e, raw));
    } else if (e.flags) {
      const named = flagNamer(e);
      f = (raw) => (typeof raw === 'number' ? named(raw >>> 0) : enumValue(e, raw));
    } else f = (raw) => enumValue(e, raw);
    enumNamers.set(e, f);
  }
  return f;
}

/** `expr` mapped through enum `e` as the interpreter's `enumValue` does. */
function withEnum(expr: string, e: EnumDef | undefined, k: Consts): string {
  return e === undefined ? expr : `${k.add(enumNamer(e))}(${expr})`;
}

/**
 * An object literal expression decoding struct `def` at offset expression
 * `base` (needs `v`, `b`, `c` in scope). Nested structs are inlined too.
 */
function structExpr(def: StructDef, base: string, k: Consts): string {
  const parts: string[] = [];
  for (const m of def.members) {
    const at = `${base} + ${m.offset}`;
    const key = literalKey(m.name);
    switch (m.kind) {
      case Kind.Pad:
        continue;
      case Kind.Binary:
        parts.push(`${key}: c.binary(${at}, ${m.len!})`);
        continue;
      case Kind.String:
        parts.push(`${key}: ${k.add(readString)}(b, ${at}, ${m.len!})`);
        continue;
      case Kind.Struct:
        parts.push(`${key}: ${structExpr(m.struct!, `(${at})`, k)}`);
        continue;
      default: {
        const e = readExpr(m.kind, m.be === true, at, String(scalarSize(m.kind)));
        if (e === undefined || scalarSize(m.kind) === 0)
          throw new Error(`struct ${def.name}: member kind ${m.kind}`);
        parts.push(`${key}: ${withEnum(e, m.enum, k)}`);
      }
    }
  }
  return `{ ${parts.join(', ')} }`;
}

function compileStruct(def: StructDef): StructDecoder {
  const k = new Consts();
  const src = `return function ${fnName('decStruct', def.name)}(c, off) { const v = c.view, b = c.bytes; return ${structExpr(def, 'off', k)}; };`;
  return k.build<StructDecoder>(src);
}

/** The compiled decoder of a struct laid out at `off` (exactly `def.size` bytes). */
export function structDecoder(def: StructDef): StructDecoder {
  if (def === lastStruct) return lastStructDecoder!;
  let f = structCache.get(def);
  if (f === undefined) {
    f = compileStruct(def);
    structCache.set(def, f);
  }
  lastStruct = def;
  lastStructDecoder = f;
  return f;
}

/** Statements that walk the attributes of `[start, stop)` as `(q, l2, p2, pl2)`, running `body`. */
function attrLoop(start: string, stop: string, body: string): string {
  return `for (let q = ${start}, qe = ${stop}; q < qe; ) { if (qe - q < ${NLA_HDRLEN}) return FAIL; const l2 = v.getUint16(q, true); if (l2 < ${NLA_HDRLEN} || l2 > qe - q) return FAIL; const p2 = q + ${NLA_HDRLEN}, pl2 = l2 - ${NLA_HDRLEN}; ${body} q += ${nlaAlignExpr('l2')}; }`;
}

/**
 * Source of the statement that decodes the payload `[p, p + pl)` of attribute
 * `def` into `val`, or undefined when only the interpreter handles that kind.
 */
function valueCode(def: AttrDef, k: Consts): string | undefined {
  if (def.masked) return undefined;
  switch (def.kind) {
    case Kind.Flag:
      return `if (pl !== ${KINDS[Kind.Flag].size!}) return FAIL; val = true;`;
    case Kind.String:
      return `val = ${k.add(readString)}(b, p, pl);`;
    case Kind.Binary:
      return 'val = c.binary(p, pl);';
    case Kind.SubMessage:
      // the raw bytes, recorded to be decoded once the selector is known (see submsg.ts)
      if (def.multi) return undefined;
      return 'val = c.binary(p, pl);';
    case Kind.Nest:
      return `val = ${k.add(lazySet(def.nested!))}(c, p, p + pl, d + 1); if (val === FAIL) return FAIL;`;
    case Kind.Struct:
      return `if (pl !== ${def.struct!.size}) return FAIL; val = ${structExpr(def.struct!, 'p', k)};`;
    case Kind.Bitfield32:
      return `if (pl !== ${KINDS[Kind.Bitfield32].size!}) return FAIL; val = { value: ${readExpr(Kind.U32, false, 'p')}, selector: ${readExpr(Kind.U32, false, 'p + 4')} };`;
    case Kind.ScalarArray: {
      const size = scalarSize(def.sub!);
      const e = readExpr(def.sub!, def.be === true, `p + i * ${size}`, String(size));
      if (e === undefined || size === 0) return undefined;
      return `if (pl % ${size} !== 0) return FAIL; { const n = pl / ${size}; val = new Array(n); for (let i = 0; i < n; i++) val[i] = ${e}; }`;
    }
    case Kind.StructArray: {
      const st = def.struct!;
      const n = `${k.add(structArrayCount)}(${k.add(st)}, pl)`;
      return `{ const n = ${n}; if (n === undefined) return FAIL; val = new Array(n); for (let i = 0; i < n; i++) { const e = p + i * ${structStride(st)}; val[i] = ${structExpr(st, 'e', k)}; } }`;
    }
    case Kind.IndexedArray: {
      const sub = def.sub ?? Kind.Nest;
      let elem: string | undefined;
      if (sub === Kind.Nest) {
        elem = `{ const r = ${k.add(lazySet(def.nested!))}(c, p2, p2 + pl2, d + 2); if (r === FAIL) return FAIL; val.push(r); }`;
      } else if (sub === Kind.Binary) {
        elem = def.struct
          ? `if (pl2 !== ${def.struct.size}) return FAIL; val.push(${k.add(structDecoder(def.struct))}(c, p2));`
          : 'val.push(c.binary(p2, pl2));';
      } else if (sub === Kind.String) {
        elem = `val.push(${k.add(readString)}(b, p2, pl2));`;
      } else {
        const s = SCALARS[sub];
        if (s !== undefined && s.size > 0)
          elem = `if (pl2 !== ${s.size}) return FAIL; val.push(${withEnum(s.readExpr('p2', def.be !== true, 'pl2'), def.enum, k)});`;
      }
      if (elem === undefined) return undefined;
      return `val = []; ${attrLoop('p', 'p + pl', elem)}`;
    }
    default: {
      const s = SCALARS[def.kind];
      if (s === undefined) return undefined;
      const size = s.size === 0 ? 'pl !== 4 && pl !== 8' : `pl !== ${s.size}`;
      return `if (${size}) return FAIL; val = ${withEnum(s.readExpr('p', def.be !== true, 'pl'), def.enum, k)};`;
    }
  }
}

/**
 * The compiled path's decoder of sub-message `p` in format `f` (as the
 * interpreter's `decodeFormat`), or FAIL for what it leaves to the
 * interpreter: a struct of another size, content where the format has none.
 */
function decodeFormat(c: Cursor, p: Pending, f: SubMessageFormat): unknown {
  const h = f.header;
  const { off, len } = p;
  if (f.attrs === undefined) {
    if (h !== undefined) return len === h.size ? structDecoder(h)(c, off) : FAIL;
    return len === 0 ? {} : FAIL;
  }
  if (h === undefined) return setDecoder(f.attrs)(c, off, off + len, p.depth + 1);
  const start = off + nlaAlign(h.size);
  if (start > off + len) return FAIL;
  const out = setDecoder(f.attrs)(c, start, off + len, p.depth + 1);
  if (out === FAIL) return FAIL;
  put(out, 'header', structDecoder(h)(c, off));
  return out;
}

const compiling = new Set<AttrSet>();

const subCache = new WeakMap<AttrSet, boolean>();

/** Whether decoding `set` can record sub-messages: it or a set nested in it has one. */
function hasSubMessages(set: AttrSet): boolean {
  let r = subCache.get(set);
  if (r === undefined) {
    r = reaches(set, new Set());
    subCache.set(set, r);
  }
  return r;
}

function reaches(set: AttrSet, seen: Set<AttrSet>): boolean {
  if (seen.has(set)) return false;
  seen.add(set);
  return set.attrs.some(
    (a) => a.kind === Kind.SubMessage || (a.nested !== undefined && reaches(a.nested, seen)),
  );
}

/**
 * The decoder of a nested `set`: compiled now, unless it is being compiled
 * further up (a recursive set), then compiled on its first call.
 */
function lazySet(set: AttrSet): SetDecoder {
  if (!compiling.has(set)) return setDecoder(set);
  let f: SetDecoder | undefined;
  return (c, off, end, d) => (f ??= setDecoder(set))(c, off, end, d);
}

function compileSet(set: AttrSet): SetDecoder {
  const k = new Consts();
  const cases: string[] = [];
  // Attributes seen so far, one bit each: a repeat goes to the interpreter.
  let bits = 0;
  for (const def of set.attrs) {
    if (def.kind === Kind.Pad || def.kind === Kind.Unused) continue; // interpreter
    if (def.kind === Kind.SubMessage && set.ordered) continue; // interpreter
    const code = valueCode(def, k);
    if (code === undefined) continue;
    const key = JSON.stringify(def.name);
    let store: string;
    if (set.ordered) store = `out.push({ type: ${key}, value: val });`;
    else if (def.multi) {
      store = isProtoName(def.name)
        ? `if (Object.hasOwn(out, ${key})) out[${key}].push(val); else ${k.add(put)}(out, ${key}, [val]);`
        : `{ const a = out[${key}]; if (a === undefined) out[${key}] = [val]; else a.push(val); }`;
    } else {
      const word = `s${bits >> 5}`;
      const bit = `${(1 << (bits & 31)) >>> 0}`;
      bits++;
      const seen = `if ((${word} & ${bit}) !== 0) return FAIL; ${word} |= ${bit};`;
      // a name Object.prototype has is stored as data
      store = isProtoName(def.name)
        ? `${seen} ${k.add(put)}(out, ${key}, val);`
        : `${seen} out[${key}] = val;`;
    }
    const rec =
      def.kind === Kind.SubMessage ? ` ${k.add(defer)}(${k.add(def)}, p, pl, out, ${key}, d);` : '';
    cases.push(`case ${def.type}: { ${code} ${store}${rec} break; }`);
  }
  const words = Array.from({ length: Math.ceil(bits / 32) }, (_, i) => `s${i} = 0`);
  // Sub-messages recorded by this set or the sets in it are settled at its end
  // (a failure there leaves the whole set to the interpreter, which names the path).
  const subs = hasSubMessages(set);
  const P = subs ? k.add(pending) : '';
  const settleCode = subs
    ? `if (${P}.length !== mark && !${k.add(settle)}(${k.add(set)}, out, mark, (p, f) => ${k.add(decodeFormat)}(c, p, f), FAIL)) return FAIL;`
    : '';
  const src = `return function ${fnName('dec', set.name)}(c, off, end, d) {
  if (d > ${MAX_NEST_DEPTH}) return FAIL;
  const v = c.view, b = c.bytes;
  const out = ${set.ordered ? '[]' : '{}'};${
    subs
      ? `
  const mark = ${P}.length;`
      : ''
  }
  let val${words.length ? `, ${words.join(', ')}` : ''};
  while (off < end) {
    if (end - off < ${NLA_HDRLEN}) return FAIL;
    const len = v.getUint16(off, true);
    if (len < ${NLA_HDRLEN} || len > end - off) return FAIL;
    const p = off + ${NLA_HDRLEN}, pl = len - ${NLA_HDRLEN};
    switch (v.getUint16(off + 2, true) & ${NLA_TYPE_MASK}) {
      ${cases.join('\n      ')}
      default: return FAIL;
    }
    off += ${nlaAlignExpr('len')};
  }
  ${settleCode}
  return out;
};`;
  return k.build<SetDecoder>(src, ['FAIL', FAIL]);
}

// The last set / struct asked for, before the WeakMap: a dump or a benchmark
// asks for the same one message after message.
let lastSet: AttrSet | undefined;
let lastSetDecoder: SetDecoder | undefined;
let lastStruct: StructDef | undefined;
let lastStructDecoder: StructDecoder | undefined;
let lastEncSet: AttrSet | undefined;
let lastSetEncoder: SetEncoder | undefined;
let lastEncStruct: StructDef | undefined;
let lastStructEncoder: StructEncoder | null = null;

/** The compiled decoder of `set` (built on first use, then cached). */
export function setDecoder(set: AttrSet): SetDecoder {
  if (set === lastSet) return lastSetDecoder!;
  let f = setCache.get(set);
  if (f === undefined) {
    compiling.add(set);
    try {
      f = compileSet(set);
    } finally {
      compiling.delete(set);
    }
    setCache.set(set, f);
  }
  lastSet = set;
  lastSetDecoder = f;
  return f;
}

// ---- encoders ----

/**
 * A compiled encoder: writes `value` (the set's object, or an ordered set's
 * array) and returns true, or returns false (having written garbage past the
 * start position) when the value needs the interpreter: a type it does not
 * take, a check that fails, a kind it leaves out, an unknown, inherited or
 * non-enumerable key. The caller then rewinds and re-encodes with the
 * interpreter, which writes or throws the precise EncodeError.
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

/**
 * Source of a function `(key) => boolean` telling whether `key` is one of
 * `names`: a switch on the length, then string compares (the keys a `for…in`
 * yields and these literals are interned, so a compare is a pointer check).
 */
function knownNames(names: readonly string[]): string {
  const byLen = new Map<number, string[]>();
  for (const n of names) {
    const l = byLen.get(n.length);
    if (l === undefined) byLen.set(n.length, [n]);
    else l.push(n);
  }
  const cases = [...byLen].map(
    ([len, ns]) =>
      `case ${len}: return ${ns.map((n) => `key === ${JSON.stringify(n)}`).join(' || ')};`,
  );
  return `function(key) { switch (key.length) { ${cases.join(' ')} default: return false; } }`;
}

/**
 * Statements every compiled record reader starts with: `v` is a plain object
 * (its prototype Object.prototype or null) without the symbol `extra`; `m`
 * counts its own enumerable keys, each one for which `known` (see
 * {@link knownNames}) holds, or `skip`; an inherited enumerable key (a
 * polluted prototype) or an unknown one ends it. With a count `n` of the
 * names found defined by plain reads, `n === m` then proves that every key
 * was read, and that every read found an own, enumerable property (a
 * non-enumerable or inherited one makes `n` larger, a key whose value is
 * `undefined` makes `m` larger): anything else goes to the interpreter.
 */
function recordPrologue(v: string, extra: string, skip: boolean): string {
  return `if (typeof ${v} !== 'object' || ${v} === null) return false;
  { const pr = Object.getPrototypeOf(${v}); if (pr !== Object.prototype && pr !== null) return false; }
  if (${v}[${extra}] !== undefined) return false;
  let m = 0, n = 0;
  for (const key in ${v}) {
    if (!Object.prototype.hasOwnProperty.call(${v}, key)) return false;
    if (!known(key)) { ${skip ? 'if (key === skip) continue; ' : ''}return false; }
    m++;
  }`;
}

/** Source reading own property `name` of `v` (a name Object.prototype has is read only when own). */
function readProp(v: string, name: string): string {
  const key = JSON.stringify(name);
  return isProtoName(name)
    ? `(Object.hasOwn(${v}, ${key}) ? ${v}[${key}] : undefined)`
    : `${v}[${key}]`;
}

/**
 * Statements that check the JS value in `x` (a `let`) as a scalar of `kind`,
 * converting an enum name to its value, and `return false` on anything the
 * interpreter must judge. `checks` adds the spec's min/max.
 */
function scalarCheck(
  kind: Kind,
  e: EnumDef | undefined,
  k: Consts,
  checks?: { min?: number | bigint; max?: number | bigint },
): string | undefined {
  const s = SCALARS[kind];
  if (s === undefined || s.size === 0) return undefined;
  const out: string[] = [];
  if (e !== undefined && !e.flags) {
    // flag lists stay with the interpreter (the type check below fails them)
    out.push(
      `if (typeof x === 'string') { x = ${k.add(e)}.valueOf(x); if (x === undefined) return false; }`,
    );
  }
  out.push(`if (!(${s.okExpr('x')})) return false;`);
  const lit = (n: number | bigint): string => (s.big ? `${BigInt(n)}n` : String(Number(n)));
  if (checks?.min !== undefined) out.push(`if (x < ${lit(checks.min)}) return false;`);
  if (checks?.max !== undefined) out.push(`if (x > ${lit(checks.max)}) return false;`);
  return out.join(' ');
}

/** The first word of an attribute header: nla_len and nla_type, as one little-endian u32. */
function headerWord(len: number, type: number): number {
  return (len | (type << 16)) >>> 0;
}

/**
 * A whole fixed-width scalar attribute (header, value, zeroed padding) written
 * straight into the writer's buffer with one bounds check.
 */
function scalarAttr(def: AttrDef, k: Consts): string | undefined {
  const check = scalarCheck(def.kind, def.enum, k, def.checks);
  const s = SCALARS[def.kind];
  if (check === undefined || s === undefined) return undefined;
  const total = nlaAlign(NLA_HDRLEN + s.size);
  return `${check} { w.ensure(${total}); const o = w.pos, dv = w.view; dv.setUint32(o, ${headerWord(NLA_HDRLEN + s.size, def.type)}, true); ${s.writeExpr(`o + ${NLA_HDRLEN}`, 'x', def.be !== true, true)} w.pos = o + ${total}; }`;
}

/** Statements zeroing bytes `[from, size)` at `base`, given the DataView `dv` and bytes `buf` (expressions). */
function zeroCode(base: string, size: number, from = 0, dv = 'w.view', buf = 'w.buf'): string {
  if (size - from > 64) return `${buf}.fill(0, ${base} + ${from}, ${base} + ${size});`;
  const out: string[] = [];
  let i = from;
  for (; i < size && (i & 3) !== 0; i++) out.push(`${buf}[${base} + ${i}] = 0;`);
  for (; i + 4 <= size; i += 4) out.push(`${dv}.setUint32(${base} + ${i}, 0, true);`);
  for (; i < size; i++) out.push(`${buf}[${base} + ${i}] = 0;`);
  return out.join(' ');
}

function compileStructEncoder(def: StructDef): StructEncoder | null {
  const k = new Consts();
  const members = def.members.filter((m) => m.kind !== Kind.Pad);
  const body: string[] = [
    `const known = ${knownNames(members.map((m) => m.name))};`,
    recordPrologue('v', k.add(extraBytes), false),
    `w.ensure(${def.size}); const base = w.pos, dv = w.view, buf = w.buf;`,
    zeroCode('base', def.size, 0, 'dv', 'buf'),
  ];
  for (const m of members) {
    const at = `base + ${m.offset}`;
    let write: string;
    if (m.kind === Kind.Binary) {
      write = `if (!(x instanceof Uint8Array) || x.length !== ${m.len!}) return false; for (let i = 0; i < ${m.len!}; i++) buf[${at} + i] = x[i];`;
    } else if (m.kind === Kind.Struct) {
      const inner = structEncoder(m.struct!);
      if (inner === null) return null;
      write = `w.pos = ${at}; if (!${k.add(inner)}(w, x)) return false;`;
    } else {
      const check = scalarCheck(m.kind, m.enum, k);
      const s = SCALARS[m.kind];
      if (check === undefined || s === undefined) return null; // strings, flag sets: the interpreter
      write = `${check} ${s.writeExpr(at, 'x', m.be !== true, false)}`;
    }
    body.push(`{ let x = ${readProp('v', m.name)}; if (x !== undefined) { n++; ${write} } }`);
  }
  body.push(`w.pos = base + ${def.size}; return n === m;`);
  return k.build<StructEncoder>(
    `return function ${fnName('encStruct', def.name)}(w, v) {\n${body.join('\n')}\n};`,
  );
}

/** The compiled encoder of a struct, or null when it has members only the interpreter writes. */
export function structEncoder(def: StructDef): StructEncoder | null {
  if (def === lastEncStruct) return lastStructEncoder;
  let f = structEncCache.get(def);
  if (f === undefined) {
    f = compileStructEncoder(def);
    structEncCache.set(def, f);
  }
  lastEncStruct = def;
  lastStructEncoder = f;
  return f;
}

/** Statements writing attribute `def` (header included) from the `let` variable `x`, or undefined. */
function attrWrite(def: AttrDef, k: Consts): string | undefined {
  if (def.masked) return undefined;
  const T = def.type;
  const c = def.checks;
  switch (def.kind) {
    case Kind.Flag:
      return `if (x === true) { w.ensure(${NLA_HDRLEN}); w.view.setUint32(w.pos, ${headerWord(NLA_HDRLEN, T)}, true); w.pos += ${NLA_HDRLEN}; } else if (x !== false) return false;`;
    case Kind.Binary: {
      const lens: string[] = [];
      if (c?.exactLen !== undefined) lens.push(`x.length !== ${c.exactLen}`);
      if (c?.minLen !== undefined) lens.push(`x.length < ${c.minLen}`);
      if (c?.maxLen !== undefined) lens.push(`x.length > ${c.maxLen}`);
      return `if (!(x instanceof Uint8Array)${lens.map((l) => ` || ${l}`).join('')}) return false; { const at = w.beginAttr(${T}); w.raw(x); w.endAttr(at); }`;
    }
    case Kind.String: {
      const lens: string[] = [];
      if (c?.exactLen !== undefined) lens.push(`n1 - 1 !== ${c.exactLen}`);
      if (c?.minLen !== undefined) lens.push(`n1 - 1 < ${c.minLen}`);
      if (c?.maxLen !== undefined) lens.push(`n1 - 1 > ${c.maxLen}`);
      return `if (typeof x !== 'string' || x.indexOf('\\0') !== -1) return false; { const at = w.beginAttr(${T}); const n1 = w.string(x, true);${lens.length ? ` if (${lens.join(' || ')}) return false;` : ''} w.endAttr(at); }`;
    }
    case Kind.Nest:
      return `{ const at = w.beginAttr(${T | (KINDS[def.kind].nested ? NLA_F_NESTED : 0)}); if (!${k.add(lazyEncoder(def.nested!))}(w, x, undefined, d + 1)) return false; w.endAttr(at); }`;
    case Kind.ScalarArray: {
      // a packed array of one scalar; `checks` lengths count bytes
      const s = SCALARS[def.sub!];
      const check = scalarCheck(def.sub!, undefined, k);
      if (s === undefined || check === undefined) return undefined;
      const lens: string[] = [];
      if (c?.exactLen !== undefined) lens.push(`n1 * ${s.size} !== ${c.exactLen}`);
      if (c?.minLen !== undefined) lens.push(`n1 * ${s.size} < ${c.minLen}`);
      if (c?.maxLen !== undefined) lens.push(`n1 * ${s.size} > ${c.maxLen}`);
      return `if (!Array.isArray(x)) return false; { const n1 = x.length;${lens.length ? ` if (${lens.join(' || ')}) return false;` : ''} const at = w.beginAttr(${T}); w.ensure(n1 * ${s.size}); const o = w.pos, dv = w.view; for (let i = 0; i < n1; i++) { let y = x[i]; { let x = y; ${check} ${s.writeExpr(`o + i * ${s.size}`, 'x', def.be !== true, false)} } } w.pos = o + n1 * ${s.size}; w.endAttr(at); }`;
    }
    case Kind.Struct: {
      const s = structEncoder(def.struct!);
      if (s === null || c !== undefined) return undefined;
      // fixed size: the header is known, and the padding is the struct's zeroed tail
      const size = NLA_HDRLEN + def.struct!.size;
      const total = nlaAlign(size);
      return `{ w.ensure(${total}); const o = w.pos; w.view.setUint32(o, ${headerWord(size, T)}, true); w.pos = o + ${NLA_HDRLEN}; if (!${k.add(s)}(w, x)) return false;${total > size ? ` ${zeroCode('o', total, size)}` : ''} w.pos = o + ${total}; }`;
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

/**
 * A sub-message of a record set whose selector is an attribute of the same
 * set (an enclosing set's selector, raw bytes and errors are the
 * interpreter's).
 */
function subMessageWrite(set: AttrSet, def: AttrDef, k: Consts): string | undefined {
  if (def.multi || set.byName(def.selector!) === undefined) return undefined;
  const sel = readProp('value', def.selector!);
  return `if (!${k.add(writeSubMessage)}(w, ${k.add(def)}, x, ${sel}, d)) return false;`;
}

/** The compiled path's sub-message writer: the format `sel` picks, or false for the interpreter. */
function writeSubMessage(w: Writer, def: AttrDef, x: unknown, sel: unknown, d: number): boolean {
  const f = def.subMessage!.format(sel);
  if (f === undefined || typeof x !== 'object' || x === null || x instanceof Uint8Array)
    return false;
  const h = f.header;
  const at = w.beginAttr(def.type | (f.attrs !== undefined && h === undefined ? NLA_F_NESTED : 0));
  if (h !== undefined) {
    const enc = structEncoder(h);
    const hv = f.attrs === undefined ? x : own(x, 'header');
    // an absent header, a longer struct's extra bytes: the interpreter
    if (enc === null || hv === undefined || !enc(w, hv)) return false;
    if (f.attrs !== undefined) w.zeros(nlaAlign(h.size) - h.size);
  }
  if (f.attrs !== undefined) {
    if (!setEncoder(f.attrs)(w, x, h !== undefined ? 'header' : undefined, d + 1)) return false;
  } else if (h === undefined && Object.keys(x).length !== 0) {
    return false; // a format without content takes {}
  }
  w.endAttr(at);
  return true;
}

const compilingEnc = new Set<AttrSet>();

/** The encoder of a nested `set`: compiled now unless it is being compiled further up. */
function lazyEncoder(set: AttrSet): SetEncoder {
  if (!compilingEnc.has(set)) return setEncoder(set);
  let f: SetEncoder | undefined;
  return (w, v, skip, d) => (f ??= setEncoder(set))(w, v, skip, d);
}

/** An ordered set (a program): entries in the caller's order, each `{ type, value }`. */
function compileOrderedEncoder(set: AttrSet, k: Consts): string {
  const cases: string[] = [];
  for (const def of set.attrs) {
    const code = attrWrite(def, k);
    if (code === undefined) continue;
    const value = def.kind === Kind.Flag ? 'e.value ?? true' : 'e.value';
    cases.push(`case ${JSON.stringify(def.name)}: { let x = ${value}; ${code} break; }`);
  }
  return `return function ${fnName('enc', set.name)}(w, value, skip, d) {
  if (d > ${MAX_NEST_DEPTH} || !Array.isArray(value)) return false;
  for (const e of value) {
    if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== Object.prototype) return false;
    switch (e.type) {
      ${cases.join('\n      ')}
      default: return false;
    }
  }
  return true;
};`;
}

/**
 * A record set: its attributes in spec order, each read once and written
 * when present; the prologue's key count rejects unknown keys without a
 * lookup per key and name.
 */
function compileRecordEncoder(set: AttrSet, k: Consts): string {
  const body: string[] = [];
  for (const def of set.attrs) {
    const code = def.kind === Kind.SubMessage ? subMessageWrite(set, def, k) : attrWrite(def, k);
    const get = `let x = ${readProp('value', def.name)}; if (x !== undefined) { n++; `;
    if (code === undefined) body.push(`{ ${get}return false; } }`);
    else if (def.multi) {
      body.push(
        `{ ${get}if (!Array.isArray(x)) return false; for (let i = 0; i < x.length; i++) { let y = x[i]; { let x = y; ${code} } } } }`,
      );
    } else body.push(`{ ${get}${code} } }`);
  }
  return `const known = ${knownNames(set.attrs.map((a) => a.name))};
return function ${fnName('enc', set.name)}(w, value, skip, d) {
  if (d > ${MAX_NEST_DEPTH}) return false;
  if (skip !== undefined && known(skip)) return false;
  ${recordPrologue('value', k.add(extraAttrs), true)}
  ${body.join('\n  ')}
  return n === m;
};`;
}

function compileSetEncoder(set: AttrSet): SetEncoder {
  const k = new Consts();
  const src = set.ordered ? compileOrderedEncoder(set, k) : compileRecordEncoder(set, k);
  return k.build<SetEncoder>(src);
}

/** The compiled encoder of `set` (built on first use, then cached). */
export function setEncoder(set: AttrSet): SetEncoder {
  if (set === lastEncSet) return lastSetEncoder!;
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
  lastEncSet = set;
  lastSetEncoder = f;
  return f;
}
