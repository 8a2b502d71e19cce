/**
 * Builder of the `attribute-sets:` section: every set and attribute, linked
 * to the sets, structs, enums and sub-messages it names, with its wire kind.
 * Sets are created first and filled after, so that references (also
 * recursive ones) resolve to the objects themselves.
 * @module
 */
import { isDataMap } from '../../load/yaml.js';
import { camel, cUpper, pascal, valueName } from '../../names.js';
import type { NameScope, NameSite } from '../names.js';
import { docOf, maps, str, type Path, type Report, type SpecIndex } from '../spec.js';
import type {
  AttrModel,
  AttrSetModel,
  AttrType,
  DisplayHint,
  EnumModel,
  StructModel,
  SubMessageModel,
  WireKind,
} from '../types.js';
import { buildMatch } from '../match.js';
import { needAsFlags, scalarKind } from './definitions.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Spec attribute type → wire kind (binary with `struct:` or `sub-type:` aside). */
const kinds: Record<string, WireKind> = {
  unused: 'Unused',
  pad: 'Pad',
  flag: 'Flag',
  string: 'String',
  binary: 'Binary',
  nest: 'Nest',
  bitfield32: 'Bitfield32',
  'indexed-array': 'IndexedArray',
  'nest-type-value': 'NestTypeValue',
  'sub-message': 'SubMessage',
};

/** Wire kind of a spec attribute type. */
export function attrKind(t: string): WireKind {
  return kinds[t] ?? scalarKind(t);
}

export interface SetLinks {
  readonly enums: ReadonlyMap<string, EnumModel>;
  readonly structs: ReadonlyMap<string, StructModel>;
  readonly subMessages: ReadonlyMap<string, SubMessageModel>;
}

/** Creates the set objects (names claimed, attributes still empty). */
export function declareAttrSets(ix: SpecIndex, top: NameScope): Map<string, AttrSetModel> {
  const out = new Map<string, AttrSetModel>();
  maps(ix.spec['attribute-sets']).forEach((s, i) => {
    const sn = String(s.name);
    if (out.has(sn)) return;
    const site = { obj: s, key: 'name', path: ['attribute-sets', i, 'name'] };
    const what = `attribute set '${sn}'`;
    // A set named like an enum or struct (ethtool: enum and set `stringset`) takes an `Attrs` suffix.
    const tsName = top.claim(top.pick(pascal(sn), pascal(`${sn}-attrs`)), what, site);
    const parent = ix.parentOf(s);
    const ordered = ix.ext(s).ordered === true || ix.ext(parent).ordered === true;
    out.set(sn, {
      name: sn,
      tsName,
      valueName: top.claim(valueName(sn, 'Set'), `the AttrSet of ${what}`, site),
      ...docOf(s),
      ordered,
      ...(ordered
        ? { entryName: top.claim(`${tsName}Entry`, `the entries of ${what}`, site) }
        : {}),
      attrs: [],
      overrides: ix.overridesOf(s),
    });
  });
  return out;
}

/**
 * The other family's set a `nested-from` override names, its TS names
 * claimed here (they are imported); undefined after reporting why not.
 */
function foreignSet(
  ix: SpecIndex,
  from: { family: string; 'attribute-set': string },
  a: Record<string, unknown>,
  imported: (set: AttrSetModel, site: NameSite) => void,
  report: Report,
  site: NameSite,
): AttrSetModel | undefined {
  const fail = (msg: string): undefined => {
    report(site.obj, site.key, site.path, msg);
    return undefined;
  };
  if (a.type !== 'binary') return fail(`nested-from needs a binary attribute, not ${String(a.type)}`);
  const other = ix.ctx.family?.(from.family) ?? 'no other families are loaded';
  if (typeof other === 'string') return fail(`nested-from family '${from.family}': ${other}`);
  const set = other.attrSets.find((x) => x.name === from['attribute-set']);
  if (!set)
    return fail(
      `nested-from: family '${from.family}' has no attribute set '${from['attribute-set']}'`,
    );
  imported(set, site);
  return set;
}

/** Fills the declared sets: attributes, subset links, match rules. */
export function fillAttrSets(
  ix: SpecIndex,
  sets: ReadonlyMap<string, AttrSetModel>,
  links: SetLinks,
  top: NameScope,
  scope: () => NameScope,
  report: Report,
): void {
  const raw = maps(ix.spec['attribute-sets']);
  const foreign = new Set<AttrSetModel>();
  raw.forEach((s, i) => {
    const set = sets.get(String(s.name)) as Mutable<AttrSetModel>;
    if (set.attrs.length || set.subsetOf) return; // a repeated name (reported by validation)
    const path: Path = ['attribute-sets', i];
    const parentName = str(s['subset-of']);
    if (parentName !== undefined) set.subsetOf = sets.get(parentName)!;
    const prefix = ix.attrPrefix(s);
    const names = scope();
    const imported = (set: AttrSetModel, site: NameSite): void => {
      if (foreign.has(set)) return;
      foreign.add(set);
      const what = `attribute set '${set.name}' (nested-from, imported)`;
      for (const n of [set.tsName, set.valueName, ...(set.entryName ? [set.entryName] : [])])
        top.claim(n, what, site);
    };
    set.attrs = ix.attrs(s).map(({ name: an, own, def: a, parent, index: j, value }) => {
      const site = { obj: own, key: 'name', path: [...path, 'attributes', j, 'name'] };
      const from = ix.ext(own)['nested-from'];
      const foreign = from && foreignSet(ix, from, a, imported, report, site);
      const t = (foreign ? 'nest' : String(a.type)) as AttrType;
      const nested = str(a['nested-attributes']);
      const struct = str(a.struct) !== undefined ? links.structs.get(String(a.struct)) : undefined;
      const sub = str(a['sub-type']) as AttrType | undefined;
      const structArray = ix.ext(own)['struct-array'] === true;
      if (structArray && !(t === 'binary' && struct))
        report(own, 'name', site.path, 'struct-array needs a binary attribute with struct:');
      const kind: WireKind =
        t === 'binary' && struct
          ? structArray
            ? 'StructArray'
            : 'Struct'
          : t === 'binary' && sub
            ? 'ScalarArray'
            : attrKind(t);
      const enumAsFlags = a['enum-as-flags'] === true;
      let en = str(a.enum) !== undefined ? links.enums.get(String(a.enum)) : undefined;
      if (en && enumAsFlags) en = needAsFlags(en, top, site);
      const sm = str(a['sub-message']);
      const selector = str(a.selector);
      const checks = isDataMap(a.checks) ? ix.checks(a.checks, t) : undefined;
      const attr: AttrModel = {
        name: an,
        tsName: names.claim(camel(an), `attribute '${an}'`, site),
        value,
        type: t,
        kind,
        ...(sub !== undefined && kind !== 'Struct' && kind !== 'StructArray' ? { subKind: attrKind(sub) } : {}),
        cName: cUpper(prefix + an),
        byteOrder: a['byte-order'] === 'big-endian' ? 'big-endian' : 'host',
        multi: a['multi-attr'] === true,
        ...(nested !== undefined ? { nested: sets.get(nested)! } : {}),
        ...(foreign ? { nested: foreign, nestedFamily: from.family } : {}),
        ...(struct ? { struct } : {}),
        ...(sub !== undefined ? { subType: sub } : {}),
        ...(Array.isArray(a['type-value']) ? { typeValue: a['type-value'].map((x) => camel(String(x))) } : {}),
        ...(en ? { enum: en } : {}),
        enumAsFlags,
        ...(sm !== undefined ? { subMessage: links.subMessages.get(sm)! } : {}),
        ...(selector !== undefined ? { selector, selectorTs: camel(selector) } : {}),
        masked: ix.ext(own).masked === true || ix.ext(parent).masked === true,
        ...(checks ? { checks } : {}),
        ...(str(a['display-hint']) !== undefined
          ? { displayHint: a['display-hint'] as DisplayHint }
          : {}),
        ...docOf(a),
        overrides: [...ix.overridesOf(own), ...(parent ? ix.overridesOf(parent) : [])],
      };
      return attr;
    });
    const unions = new Map<AttrModel, AttrModel[]>();
    for (const a of set.attrs as Mutable<AttrModel>[]) {
      if (a.kind !== 'SubMessage' || a.selector === undefined) continue;
      const sel = set.attrs.find((x) => x.name === a.selector);
      if (!sel) continue;
      a.selectorAttr = sel;
      a.selectorTs = sel.tsName;
      if (set.ordered || a.multi || sel.multi) continue;
      const list = unions.get(sel);
      if (list) list.push(a);
      else unions.set(sel, [a]);
    }
    if (unions.size) {
      const site = { obj: s, key: 'name', path: [...path, 'name'] };
      const what = `attribute set '${set.name}'`;
      set.baseName = top.claim(`${set.tsName}Base`, `the other attributes of ${what}`, site);
      set.selectorUnions = [...unions].map(([selector, attrs]) => ({
        tsName: top.claim(
          `${set.tsName}By${pascal(selector.name)}`,
          `the formats of ${what} by '${selector.name}'`,
          site,
        ),
        selector,
        attrs,
      }));
    }
  });
  // Match rules name attributes of other sets, so they are built once all sets are filled.
  raw.forEach((s, i) => {
    const rules = ix.ext(s).match;
    const set = sets.get(String(s.name)) as Mutable<AttrSetModel>;
    if (rules === undefined) return;
    const match = buildMatch(rules, set, report, ['attribute-sets', i, 'match']);
    if (match) set.match = match;
  });
}
