/**
 * Match rules: the consistency a kernel demands between a key and its mask
 * (OVS flows), declared as data by a spec override and checked here before a
 * request is encoded. The OVS module rejects an inconsistent flow with a bare
 * EINVAL and no extended ACK; these checks name the offending attribute
 * instead. The interpreter knows no family: attribute names, values and
 * gates all come from the {@link MatchRules} a generated set carries.
 * @module
 */
import { EncodeError } from './errors.js';
import { scalarSize, type AttrDef, type AttrSet, type StructMember } from './layout.js';

/** A condition on one key field: `path` is an attribute name, then struct member names. */
export interface MatchCond {
  readonly path: readonly string[];
  /** Holds when the field's value is one of these. */
  readonly in?: readonly number[];
  /** Holds when the field's value is none of these. */
  readonly notIn?: readonly number[];
}

/** When every condition holds for the key, the rule applies. */
export interface MatchRule {
  readonly when: readonly MatchCond[];
  /** Gated attributes the key must then contain (and the mask may cover). */
  readonly expect?: readonly string[];
  /** Gated attributes the mask may then cover, without the key needing them. */
  readonly allow?: readonly string[];
  /** Attributes the mask may then not cover, whatever other rules allow. */
  readonly deny?: readonly string[];
  /** Fields the mask must match exactly (all ones) for `expect`/`allow` to open the mask. */
  readonly exact?: readonly (readonly string[])[];
}

/** Key/mask consistency of a set that carries a key and its mask (declared by an override). */
export interface MatchRules {
  /** Attribute holding the key (a nest). */
  readonly key: string;
  /** Attribute holding the mask, a nest of the same set; absent mask = exact match. */
  readonly mask: string;
  /** Nested attribute of the key whose attributes count as the key's own (OVS `encap`). */
  readonly flatten?: string;
  /** Attributes a mask may cover even when the key lacks them. */
  readonly always?: readonly string[];
  /** Attributes a mask may cover only when a rule opens them. */
  readonly gated: readonly string[];
  readonly rules: readonly MatchRule[];
}

type Obj = Record<string, unknown>;
/** A key or mask with its nests flattened: attribute name -> [value, path it came from]. */
type Flat = Map<string, { value: unknown; path: string }>;

function flatten(v: unknown, base: string, via: string | undefined): Flat {
  const out: Flat = new Map();
  let cur = v as Obj | undefined;
  let path = base;
  // The inner set overrides the outer (an 802.1Q key's inner ethertype wins).
  while (cur !== undefined && cur !== null && typeof cur === 'object') {
    for (const [k, x] of Object.entries(cur)) {
      if (x === undefined || k === via) continue;
      out.set(k, { value: x, path: `${path}.${k}` });
    }
    if (via === undefined) break;
    cur = cur[via] as Obj | undefined;
    path = `${path}.${via}`;
  }
  return out;
}

/** The layout of the field at `path` (an attribute, then struct members). */
function fieldDef(set: AttrSet, path: readonly string[]): AttrDef | StructMember | undefined {
  let def: AttrDef | StructMember | undefined = set.byName(path[0]!);
  for (const m of path.slice(1)) def = def?.struct?.members.find((x) => x.name === m);
  return def;
}

function fieldValue(flat: Flat, set: AttrSet, path: readonly string[]): number {
  let v = flat.get(path[0]!)?.value;
  for (const m of path.slice(1)) v = v === undefined ? undefined : (v as Obj)[m];
  // Absent fields are zero, as in the kernel's zero-filled flow key.
  if (v === undefined) return 0;
  if (typeof v === 'string') return fieldDef(set, path)?.enum?.valueOf(v) ?? NaN;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function isExact(flat: Flat, set: AttrSet, path: readonly string[]): boolean {
  const def = fieldDef(set, path);
  const size = def === undefined ? 0 : scalarSize(def.kind);
  return size > 0 && fieldValue(flat, set, path) === 2 ** (8 * size) - 1;
}

/** A mask attribute the kernel ignores: all zero (its parser skips those). */
function isZero(v: unknown): boolean {
  if (v === 0 || v === 0n || v === false) return true;
  if (v instanceof Uint8Array) return v.every((b) => b === 0);
  if (typeof v === 'object' && v !== null && !Array.isArray(v))
    return Object.values(v).every((x) => x === undefined || isZero(x));
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

function holds(rule: MatchRule, key: Flat, set: AttrSet): boolean {
  return rule.when.every((c) => {
    const v = fieldValue(key, set, c.path);
    return c.in !== undefined ? c.in.includes(v) : !(c.notIn ?? []).includes(v);
  });
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
  if (keySet === undefined || obj[rules.key] === undefined) return;
  const key = flatten(obj[rules.key], rules.key, rules.flatten);
  const maskVal = obj[rules.mask];
  const mask = maskVal === undefined ? undefined : flatten(maskVal, rules.mask, rules.flatten);
  const applying = rules.rules.filter((r) => holds(r, key, keySet));

  for (const r of applying) {
    for (const a of r.expect ?? []) {
      if (key.has(a)) continue;
      // Missing where the rule's first field was found (inside `encap` for an 802.1Q key).
      const at = key.get(r.when[0]?.path[0] ?? '')?.path.replace(/\.[^.]+$/, '') ?? rules.key;
      throw new EncodeError(
        `missing: the kernel expects '${a}' in a key where ${r.when.map(describeCond).join(' and ')}`,
        `${at}.${a}`,
      );
    }
  }
  if (mask === undefined) return;

  const open = new Set<string>();
  const denied = new Set<string>();
  for (const r of applying) {
    for (const a of r.deny ?? []) denied.add(a);
    if ((r.exact ?? []).every((p) => isExact(mask, keySet, p)))
      for (const a of [...(r.expect ?? []), ...(r.allow ?? [])]) open.add(a);
  }
  for (const [a, { value: v, path }] of mask) {
    if (a === rules.flatten || isZero(v)) continue;
    const gated = rules.gated.includes(a);
    if (gated ? open.has(a) && !denied.has(a) : key.has(a) || rules.always?.includes(a)) continue;
    let why: string;
    if (!gated) {
      why = `the key has no '${a}'; a mask may only cover attributes of the key`;
    } else {
      const opening = rules.rules.filter((r) =>
        [...(r.expect ?? []), ...(r.allow ?? [])].includes(a),
      );
      why =
        denied.has(a) && open.has(a)
          ? `the kernel rejects a '${a}' mask for this key`
          : `the kernel accepts a '${a}' mask only when ${opening.map((r) => describeRule(r, rules.key, rules.mask)).join(', or when ') || 'never'}`;
    }
    throw new EncodeError(`not allowed: ${why}`, path);
  }
}
