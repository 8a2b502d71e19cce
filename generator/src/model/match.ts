/**
 * Builds the {@link MatchModel} of an attribute set from an override's
 * `extend: {match: ...}` (the shape is checked by the override schema):
 * every name must be an attribute of the key's set, every field path must
 * end at an integer, and `exact` fields at a u8/u16/u32 the mask can fill
 * with ones. Names become TS names.
 * @module
 */
import { isDataMap, type Data, type DataMap } from '../load/yaml.js';
import type { Path, Report } from './spec.js';
import type {
  AttrModel,
  AttrSetModel,
  MatchCondModel,
  MatchModel,
  MatchRuleModel,
  StructModel,
} from './types.js';

const strings = (v: Data | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const integers = (v: Data | undefined): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
const exactTypes = new Set(['u8', 'u16', 'u32']);
const intTypes = new Set([...exactTypes, 'u64', 's8', 's16', 's32', 's64']);

/** Returns the model, or undefined after reporting through `err`. */
export function buildMatch(
  raw: DataMap,
  owner: AttrSetModel,
  err: Report,
  path: Path,
): MatchModel | undefined {
  let ok = true;
  const fail = (obj: object, key: string | number | undefined, p: Path, msg: string): void => {
    ok = false;
    err(obj, key, [...path, ...p], msg);
  };
  const nestOf = (set: AttrSetModel, key: string): AttrModel | undefined => {
    const name = raw[key];
    const a = set.attrs.find((x) => x.name === name);
    if (a === undefined || a.type !== 'nest' || a.nested === undefined) {
      fail(raw, key, [key], `'${String(name)}' is not a nested attribute of '${set.name}'`);
      return undefined;
    }
    return a;
  };
  const key = nestOf(owner, 'key');
  const mask = nestOf(owner, 'mask');
  if (key === undefined || mask === undefined) return undefined;
  if (mask.nested !== key.nested) {
    fail(
      raw,
      'mask',
      ['mask'],
      `'${mask.name}' nests '${mask.nested?.name}', not '${key.nested?.name}' like '${key.name}'`,
    );
    return undefined;
  }
  const keySet = key.nested!;
  const flatten = raw.flatten !== undefined ? nestOf(keySet, 'flatten') : undefined;
  if (flatten !== undefined && flatten.nested !== keySet)
    fail(
      raw,
      'flatten',
      ['flatten'],
      `'${flatten.name}' must nest '${keySet.name}' to be flattened`,
    );

  const attr = (obj: object, k: string | number, p: Path, name: string): string => {
    const a = keySet.attrs.find((x) => x.name === name);
    if (a === undefined) fail(obj, k, p, `'${name}' is not an attribute of '${keySet.name}'`);
    return a?.tsName ?? name;
  };
  const names = (obj: DataMap, k: string, p: Path): string[] =>
    strings(obj[k]).map((n, i) => attr(obj[k] as object, i, [...p, k, i], n));
  // `attr.member...` -> TS names; the field must be an integer (u8/u16/u32 when `exact`).
  const field = (
    obj: object,
    k: string | number,
    p: Path,
    dotted: string,
    exact: boolean,
  ): string[] => {
    const [first, ...rest] = dotted.split('.');
    const a = keySet.attrs.find((x) => x.name === first);
    if (a === undefined) {
      fail(obj, k, p, `'${first}' is not an attribute of '${keySet.name}'`);
      return [];
    }
    const out = [a.tsName];
    let type: string = a.struct !== undefined ? 'struct' : a.type;
    let struct: StructModel | undefined = a.struct;
    for (const m of rest) {
      const mem = struct?.members.find((x) => x.name === m);
      if (mem === undefined) {
        fail(
          obj,
          k,
          p,
          `'${dotted}': '${m}' is not a member of ${struct ? `struct '${struct.name}'` : `'${first}'`}`,
        );
        return [];
      }
      out.push(mem.tsName);
      type = mem.type;
      struct = mem.struct;
    }
    if (!(exact ? exactTypes : intTypes).has(type))
      fail(
        obj,
        k,
        p,
        `'${dotted}' is ${type}; ${exact ? '`exact` needs a u8, u16 or u32' : 'a condition needs an integer'}`,
      );
    return out;
  };

  const rules: MatchRuleModel[] = [];
  (Array.isArray(raw.rules) ? raw.rules : []).filter(isDataMap).forEach((r, i) => {
    const rp: Path = ['rules', i];
    const when: MatchCondModel[] = [];
    const w = r.when as DataMap;
    for (const [dotted, v] of Object.entries(w)) {
      const p = field(w, dotted, [...rp, 'when', dotted], dotted, false);
      when.push(isDataMap(v) ? { path: p, notIn: integers(v.not) } : { path: p, in: integers(v) });
    }
    const exact = strings(r.exact).map((d, j) =>
      field(r.exact as object, j, [...rp, 'exact', j], d, true),
    );
    rules.push({
      when,
      expect: names(r, 'expect', rp),
      allow: names(r, 'allow', rp),
      deny: names(r, 'deny', rp),
      exact,
    });
  });
  const model: MatchModel = {
    key: key.tsName,
    mask: mask.tsName,
    ...(flatten !== undefined ? { flatten: flatten.tsName } : {}),
    always: names(raw, 'always', []),
    gated: names(raw, 'gated', []),
    rules,
  };
  return ok ? model : undefined;
}
