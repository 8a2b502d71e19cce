/**
 * Builders of the `definitions:` section: constants, enums/flags and structs
 * (laid out, members linked to their enums and structs).
 * @module
 */
import { camel, cUpper, pascal, valueName } from '../../names.js';
import type { NameScope, NameSite } from '../names.js';
import type { DataMap } from '../../load/yaml.js';
import { docOf, maps, str, type SpecIndex } from '../spec.js';
import type {
  ConstModel,
  DisplayHint,
  EnumModel,
  StructMemberModel,
  StructModel,
  WireKind,
} from '../types.js';

/** Scalar spec type → wire kind (`u32` → `U32`). */
export function scalarKind(t: string): WireKind {
  return (t === 'uint' ? 'Uint' : t === 'sint' ? 'Sint' : t.toUpperCase()) as WireKind;
}

export function buildConsts(ix: SpecIndex, top: NameScope): ConstModel[] {
  const out: ConstModel[] = [];
  ix.defs.forEach((d, i) => {
    if (d.type !== 'const' || d.scope === 'kernel') return;
    const n = String(d.name);
    const tsName = top.claim(top.unreserved(camel(n), camel(`${n}-const`)), `const '${n}'`, {
      obj: d,
      key: 'name',
      path: ['definitions', i, 'name'],
    });
    out.push({ name: n, tsName, value: d.value as number | string, ...docOf(d) });
  });
  return out;
}

/**
 * TS names of the entries of every enum and flags definition, each enum its
 * own scope. Needs nothing else of the spec, so it runs with the semantic
 * checks (a collision is reported with the other errors of the file).
 */
export function nameEntries(
  ix: SpecIndex,
  scope: () => NameScope,
): Map<DataMap, EnumModel['entries']> {
  const out = new Map<DataMap, EnumModel['entries']>();
  ix.defs.forEach((d, i) => {
    if (d.type !== 'enum' && d.type !== 'flags') return;
    const prefix = ix.enumPrefix(d);
    const names = scope();
    const listed = new Set<string>();
    out.set(
      d,
      ix.entries(d).map((e, j) => {
        // a name listed twice is reported by validation
        const site = { obj: e.owner, key: e.key, path: ['definitions', i, 'entries', j] };
        const tsName = listed.has(e.name)
          ? camel(e.name)
          : names.claim(camel(e.name), `entry '${e.name}'`, site);
        listed.add(e.name);
        return {
          name: e.name,
          tsName,
          value: e.value,
          cName: cUpper(prefix + e.name),
          ...docOf(e.data),
        };
      }),
    );
  });
  return out;
}

export function buildEnums(
  ix: SpecIndex,
  top: NameScope,
  entries: ReadonlyMap<DataMap, EnumModel['entries']>,
): Map<string, EnumModel> {
  const out = new Map<string, EnumModel>();
  ix.defs.forEach((d, i) => {
    if (d.type !== 'enum' && d.type !== 'flags') return;
    const path = ['definitions', i];
    const en = String(d.name);
    const site = { obj: d, key: 'name', path: [...path, 'name'] };
    const what = `${String(d.type)} '${en}'`;
    const tsName = top.claim(top.unreserved(pascal(en), pascal(`${en}-enum`)), what, site);
    const model: EnumModel = {
      name: en,
      tsName,
      valueName: top.claim(valueName(en, 'Enum'), `the EnumDef of ${what}`, site),
      flags: d.type === 'flags',
      ...docOf(d),
      entries: entries.get(d)!,
      overrides: ix.overridesOf(d),
    };
    out.set(en, model);
  });
  return out;
}

/** Marks that an attribute reads a non-flags enum as flags (its `<name>AsFlags` lookup is emitted). */
export function needAsFlags(e: EnumModel, top: NameScope, at: NameSite): EnumModel {
  if (e.flags || e.asFlagsName !== undefined) return e;
  const name = valueName(e.name, 'AsFlags');
  top.claim(name, `the flags lookup of enum '${e.name}'`, at);
  (e as { asFlagsName?: string }).asFlagsName = name;
  return e;
}

/** Structs, each after the structs it contains (the layouts are plain constants). */
export function buildStructs(
  ix: SpecIndex,
  top: NameScope,
  scope: () => NameScope,
  enums: ReadonlyMap<string, EnumModel>,
): Map<string, StructModel> {
  const out = new Map<string, StructModel>();
  const index = new Map<string, number>();
  ix.defs.forEach((d, i) => {
    if (d.type === 'struct' && !index.has(String(d.name))) index.set(String(d.name), i);
  });
  const build = (sn: string): StructModel => {
    const done = out.get(sn);
    if (done) return done;
    const i = index.get(sn)!;
    const d = ix.defs[i]!;
    const path = ['definitions', i];
    const names = scope();
    let offset = 0;
    const members: StructMemberModel[] = maps(d.members).map((m, j) => {
      const t = ix.memberType(m);
      const mn = String(m.name);
      const size = ix.memberSize(m, [sn]);
      const inner = typeof m.struct === 'string' ? build(m.struct) : undefined;
      const type = (inner && t === 'binary' ? 'struct' : t) as StructMemberModel['type'];
      const kind: WireKind =
        type === 'struct'
          ? 'Struct'
          : type === 'pad'
            ? 'Pad'
            : type === 'binary'
              ? 'Binary'
              : type === 'string'
                ? 'String'
                : scalarKind(type);
      const en = str(m.enum) !== undefined ? enums.get(String(m.enum)) : undefined;
      const member: StructMemberModel = {
        name: mn,
        tsName:
          t === 'pad'
            ? `_pad${j}`
            : names.claim(camel(mn), `member '${mn}'`, {
                obj: m,
                key: 'name',
                path: [...path, 'members', j, 'name'],
              }),
        type,
        kind,
        offset,
        size,
        byteOrder: m['byte-order'] === 'big-endian' ? 'big-endian' : 'host',
        ...(en ? { enum: en } : {}),
        ...(inner ? { struct: inner } : {}),
        ...(str(m['display-hint']) !== undefined
          ? { displayHint: m['display-hint'] as DisplayHint }
          : {}),
        ...docOf(m),
      };
      offset += size;
      return member;
    });
    const site = { obj: d, key: 'name', path: [...path, 'name'] };
    const what = `struct '${sn}'`;
    const model: StructModel = {
      name: sn,
      tsName: top.claim(top.unreserved(pascal(sn), pascal(`${sn}-struct`)), what, site),
      valueName: top.claim(valueName(sn, 'Struct'), `the StructDef of ${what}`, site),
      size: offset,
      ...docOf(d),
      members,
      overrides: ix.overridesOf(d),
    };
    out.set(sn, model);
    return model;
  };
  for (const sn of index.keys()) build(sn);
  return out;
}
