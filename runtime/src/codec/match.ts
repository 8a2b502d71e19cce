/**
 * Match rules: the consistency a kernel demands between a key and its mask
 * (OVS flows), declared as data by a spec override and checked here before a
 * request is encoded. The OVS module rejects an inconsistent flow with a bare
 * EINVAL and no extended ACK; these checks name the offending attribute
 * instead. The interpreter knows no family: attribute names, values and
 * gates all come from the {@link MatchRules} a generated set carries.
 * @module
 */
import { flagWord, scalarSize } from './kinds.js';
import { EncodeError } from './errors.js';
import { isProtoName, own } from './own.js';
import type { AttrDef, AttrSet, MatchCond, MatchRule, MatchRules, StructMember } from './layout.js';

type Obj = Record<string, unknown>;

/**
 * A key or mask as the kernel sees it: the set's own attributes and those of
 * its `flatten` nests, innermost last (an 802.1Q key's inner ethertype wins).
 */
class Levels {
  readonly objs: Obj[] = [];
  readonly paths: string[] = [];
  constructor(v: unknown, base: string, via: string | undefined) {
    let cur = v;
    let path = base;
    while (typeof cur === 'object' && cur !== null && !Array.isArray(cur)) {
      this.objs.push(cur as Obj);
      this.paths.push(path);
      if (via === undefined) break;
      cur = own(cur, via);
      path = `${path}.${via}`;
    }
  }
  /** Index of the level that holds attribute `name`, or -1. */
  find(name: string): number {
    for (let i = this.objs.length - 1; i >= 0; i--)
      if (own(this.objs[i]!, name) !== undefined) return i;
    return -1;
  }
  has(name: string): boolean {
    return this.find(name) >= 0;
  }
  get(name: string): unknown {
    const i = this.find(name);
    return i < 0 ? undefined : own(this.objs[i]!, name);
  }
}

// Field layouts by path, resolved once per rule set.
const fieldDefs = new WeakMap<readonly string[], AttrDef | StructMember | null>();

/** The layout of the field at `path` (an attribute, then struct members). */
function fieldDef(set: AttrSet, path: readonly string[]): AttrDef | StructMember | undefined {
  let def = fieldDefs.get(path);
  if (def === undefined) {
    let d: AttrDef | StructMember | undefined = set.byName(path[0]!);
    for (let i = 1; i < path.length; i++) d = d?.struct?.members.find((x) => x.name === path[i]);
    def = d ?? null;
    fieldDefs.set(path, def);
  }
  return def ?? undefined;
}

/**
 * The numeric value of a field given as a number, bigint, enum name or flag
 * list; absent fields are zero, as in the kernel's zero-filled flow key. NaN
 * (equal to nothing) for what does not convert: the encoder reports it.
 */
function numeric(v: unknown, def: AttrDef | StructMember | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return def?.enum?.valueOf(v) ?? NaN;
  if (Array.isArray(v) && def?.enum?.flags === true) {
    try {
      return Number(flagWord(v, def.enum, def.kind));
    } catch {
      return NaN;
    }
  }
  return NaN;
}

function fieldValue(obj: Levels, set: AttrSet, path: readonly string[]): number {
  let v = obj.get(path[0]!);
  for (let i = 1; i < path.length && v !== undefined; i++)
    v = typeof v === 'object' && v !== null ? own(v, path[i]!) : undefined;
  return numeric(v, fieldDef(set, path));
}

function isExact(mask: Levels, set: AttrSet, path: readonly string[]): boolean {
  const def = fieldDef(set, path);
  const size = def === undefined ? 0 : scalarSize(def.kind);
  return size > 0 && fieldValue(mask, set, path) === 2 ** (8 * size) - 1;
}

/** A mask attribute the kernel ignores: all zero (its parser skips those). */
function isZero(v: unknown): boolean {
  if (v === 0 || v === 0n || v === false || v === undefined) return true;
  // An empty list: no multi-attr instance, or a flag set without bits.
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Uint8Array) {
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
    return true;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const k of Object.keys(v)) if (!isZero((v as Obj)[k])) return false;
    return true;
  }
  return false;
}

const hex = (n: number): string => (n > 0xff ? `0x${n.toString(16)}` : String(n));

function describeCond(c: MatchCond): string {
  const f = c.path.join('.');
  if (c.in !== undefined) return `${f} is ${c.in.map(hex).join(' or ')}`;
  return `${f} is not ${(c.notIn ?? []).map(hex).join(' or ')}`;
}

function describeRule(r: MatchRule, keyName: string, maskName: string): string {
  const when = r.when.map((c) => `${keyName}.${describeCond(c)}`);
  const exact = (r.exact ?? []).map((p) => `${maskName}.${p.join('.')} is all ones`);
  return [...when, ...exact].join(' and ');
}

/** A rule set with its lookups precomputed (once per MatchRules). */
interface Prepared {
  readonly gated: ReadonlySet<string>;
  readonly always: ReadonlySet<string>;
  /** For each gated attribute, the indexes of the rules whose expect/allow open it. */
  readonly openers: ReadonlyMap<string, readonly number[]>;
  /** Rules whose `deny` lists an attribute, by attribute. */
  readonly deniers: ReadonlyMap<string, readonly number[]>;
}

const prepared = new WeakMap<MatchRules, Prepared>();

function prepare(rules: MatchRules): Prepared {
  let p = prepared.get(rules);
  if (p === undefined) {
    const openers = new Map<string, number[]>();
    const deniers = new Map<string, number[]>();
    const add = (m: Map<string, number[]>, a: string, i: number): void => {
      const l = m.get(a);
      if (l === undefined) m.set(a, [i]);
      else if (!l.includes(i)) l.push(i);
    };
    rules.rules.forEach((r, i) => {
      for (const a of [...(r.expect ?? []), ...(r.allow ?? [])]) add(openers, a, i);
      for (const a of r.deny ?? []) add(deniers, a, i);
    });
    p = {
      gated: new Set(rules.gated),
      always: new Set(rules.always ?? []),
      openers,
      deniers,
    };
    prepared.set(rules, p);
  }
  return p;
}

function holds(rule: MatchRule, key: Levels, set: AttrSet): boolean {
  for (const c of rule.when) {
    const v = fieldValue(key, set, c.path);
    if (c.in !== undefined ? !c.in.includes(v) : c.notIn !== undefined && c.notIn.includes(v))
      return false;
  }
  return true;
}

/**
 * Check `value` (an object of the set carrying `rules`) the way the kernel
 * will: every attribute a holding rule expects is in the key, and the mask
 * covers only attributes the key has or the rules open. Throws an
 * {@link EncodeError} naming the attribute path.
 */
export function checkMatch(rules: MatchRules, set: AttrSet, value: unknown): void {
  if (typeof value !== 'object' || value === null) return; // the encoder reports the type
  const obj = value as Obj;
  const keySet = set.byName(rules.key)?.nested;
  if (keySet === undefined || own(obj, rules.key) === undefined) return;
  const p = prepare(rules);
  const key = new Levels(own(obj, rules.key), rules.key, rules.flatten);
  const all = rules.rules;
  const applies: boolean[] = new Array<boolean>(all.length);
  for (let i = 0; i < all.length; i++) {
    const r = all[i]!;
    applies[i] = holds(r, key, keySet);
    if (!applies[i] || r.expect === undefined) continue;
    for (const a of r.expect) {
      if (key.has(a)) continue;
      // Missing where the rule's first field was found (inside `encap` for an 802.1Q key).
      const li = key.find(r.when[0]?.path[0] ?? '');
      throw new EncodeError(
        `missing: the kernel expects '${a}' in a key where ${r.when.map(describeCond).join(' and ')}`,
        `${li >= 0 ? key.paths[li] : rules.key}.${a}`,
      );
    }
  }
  if (own(obj, rules.mask) === undefined) return;
  const mask = new Levels(own(obj, rules.mask), rules.mask, rules.flatten);

  for (let li = 0; li < mask.objs.length; li++) {
    const level = mask.objs[li]!;
    for (const a of Object.keys(level)) {
      if (a === rules.flatten || isZero(level[a])) continue;
      let why: string | undefined;
      if (!p.gated.has(a)) {
        if (!p.always.has(a) && !key.has(a))
          why = `the key has no '${a}'; a mask may only cover attributes of the key`;
      } else if ((p.deniers.get(a) ?? []).some((i) => applies[i])) {
        why = `the kernel rejects a '${a}' mask for this key`;
      } else {
        const openers = p.openers.get(a) ?? [];
        const open = openers.some(
          (i) => applies[i] && (all[i]!.exact ?? []).every((x) => isExact(mask, keySet, x)),
        );
        if (!open)
          why = `the kernel accepts a '${a}' mask only when ${openers.map((i) => describeRule(all[i]!, rules.key, rules.mask)).join(', or when ') || 'never'}`;
      }
      if (why !== undefined) throw new EncodeError(`not allowed: ${why}`, `${mask.paths[li]}.${a}`);
    }
  }
}

/** A compiled acceptor: true when `value` certainly passes; false: ask {@link checkMatch}. */
type Acceptor = (value: Obj) => boolean;
const acceptors = new WeakMap<MatchRules, Acceptor>();

/**
 * Compiles `rules` into straight-line code with the attribute names inlined
 * (the generic checker's name lookups dominate an encode otherwise). It only
 * accepts: anything it cannot decide (strings it cannot map, deeper `flatten`
 * nesting, a violation) returns false and the generic checker decides, and
 * words the error.
 */
function compileAcceptor(rules: MatchRules, keySet: AttrSet): Acceptor {
  const consts: unknown[] = [];
  const k = (v: unknown): string => `k[${consts.push(v) - 1}]`;
  const q = JSON.stringify;
  const F = rules.flatten;
  const levels = (v: string, src: string): string =>
    `const ${v}0 = ${src}; if (typeof ${v}0 !== 'object' || ${v}0 === null) return false;` +
    (F === undefined
      ? ` const ${v}1 = undefined;`
      : ` const ${v}1 = ${v}0[${q(F)}]; if (${v}1 !== undefined && (typeof ${v}1 !== 'object' || ${v}1 === null || ${v}1[${q(F)}] !== undefined)) return false;`);
  const get = (v: string, name: string): string =>
    `(${v}1 !== undefined && ${v}1[${q(name)}] !== undefined ? ${v}1[${q(name)}] : ${v}0[${q(name)}])`;
  // A field's numeric value; `NaN` (never equal) for what only the generic checker can judge.
  const field = (v: string, path: readonly string[]): string => {
    let e = get(v, path[0]!);
    for (const m of path.slice(1)) e = `((x) => x === undefined ? undefined : x[${q(m)}])(${e})`;
    const def = fieldDef(keySet, path);
    const slow = k((x: unknown) => numeric(x, def));
    // Numbers (the common case) inline; names, flags, bigints and absence through `slow`.
    return `((x) => typeof x === 'number' ? x : ${slow}(x))(${e})`;
  };
  const oneOf = (f: string, xs: readonly number[]): string =>
    xs.length ? `(${xs.map((x) => `${f} === ${x}`).join(' || ')})` : 'false';
  const body: string[] = [levels('K', `obj[${q(rules.key)}]`)];
  // Each distinct field is read once, into a local, where it is first needed.
  const locals = new Map<string, string>();
  const local = (v: string, path: readonly string[]): string => {
    const id = `${v}:${path.join('.')}`;
    let name = locals.get(id);
    if (name === undefined) {
      name = `f${locals.size}`;
      locals.set(id, name);
      body.push(`const ${name} = ${field(v, path)};`);
    }
    return name;
  };
  rules.rules.forEach((r, i) => {
    const conds = r.when.map((c) => {
      const f = local('K', c.path);
      return c.in !== undefined ? oneOf(f, c.in) : `!${oneOf(f, c.notIn ?? [])}`;
    });
    body.push(`const r${i} = ${conds.join(' && ') || 'true'};`);
    for (const a of r.expect ?? [])
      body.push(`if (r${i} && ${get('K', a)} === undefined) return false;`);
  });
  body.push(
    `if (obj[${q(rules.mask)}] === undefined) return true;`,
    levels('M', `obj[${q(rules.mask)}]`),
  );
  // Each mask attribute of the layout is tested where the mask has it (the
  // encoder has already refused keys the layout lacks): no key list is built.
  const checks: { name: string; allowed: string }[] = [];
  for (const def of keySet.attrs) {
    const a = def.name;
    if (a === F) continue;
    let allowed: string;
    if (rules.gated.includes(a)) {
      const denied = rules.rules.flatMap((r, i) => ((r.deny ?? []).includes(a) ? [`r${i}`] : []));
      const opened = rules.rules.flatMap((r, i) =>
        (r.expect ?? []).includes(a) || (r.allow ?? []).includes(a)
          ? [
              [
                `r${i}`,
                ...(r.exact ?? []).map(
                  (p) =>
                    `${local('M', p)} === ${2 ** (8 * scalarSize(fieldDef(keySet, p)?.kind ?? 0)) - 1}`,
                ),
              ].join(' && '),
            ]
          : [],
      );
      allowed = `(${opened.map((o) => `(${o})`).join(' || ') || 'false'})${denied.length ? ` && !(${denied.join(' || ')})` : ''}`;
    } else if ((rules.always ?? []).includes(a)) {
      allowed = 'true';
    } else {
      allowed = `${get('K', a)} !== undefined`;
    }
    if (allowed !== 'true') checks.push({ name: a, allowed });
  }
  const loop = (m: string): string =>
    checks
      .map(
        (c) =>
          `{ const x = ${m}[${q(c.name)}]; if (x !== undefined && !(${c.allowed}) && !isZero(x)) return false; }`,
      )
      .join(' ');
  body.push(loop('M0'), `if (M1 !== undefined) { ${loop('M1')} }`, 'return true;');
  return new Function('k', 'isZero', `return function(obj) {\n${body.join('\n')}\n};`)(
    consts,
    isZero,
  ) as Acceptor;
}

/**
 * {@link checkMatch} with a compiled fast path for the common, consistent
 * case: what `writeGenlMessage` calls for every message of a set with rules,
 * once the set has encoded (the compiled acceptor relies on the encoder
 * having refused attributes the layout lacks).
 */
export function checkMatchFast(rules: MatchRules, set: AttrSet, value: unknown): void {
  if (typeof value === 'object' && value !== null) {
    let f = acceptors.get(rules);
    if (f === undefined) {
      const keySet = set.byName(rules.key)?.nested;
      // Without a key layout there is nothing to accept; the generic checker returns.
      // Names Object.prototype has would need own-property reads throughout: generic checker.
      const names = [
        ...(keySet?.attrs.map((d) => d.name) ?? []),
        ...rules.rules.flatMap((r) => [
          ...r.when.flatMap((c) => c.path),
          ...(r.exact ?? []).flat(),
        ]),
      ];
      const proto = [rules.key, rules.mask, rules.flatten ?? '', ...names].some(isProtoName);
      f = keySet === undefined || proto ? () => false : compileAcceptor(rules, keySet);
      acceptors.set(rules, f);
    }
    if (f(value as Obj)) return;
  }
  checkMatch(rules, set, value);
}
