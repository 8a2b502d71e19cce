// Compares a generator FamilyModel (specs + overrides) with the uapi dump.
// The model is read structurally (the subset below of the generator's
// FamilyModel, generator/src/model/types.ts), so this file needs nothing from
// the generator at compile time.
import type { Uapi, UapiEnum } from './uapi-dump.js';

interface Named {
  readonly name: string;
}
interface EnumEntryLike extends Named {
  readonly value: number;
  readonly cName: string;
}
interface MemberLike extends Named {
  readonly type: string;
  readonly offset: number;
  readonly size: number;
}
interface AttrLike extends Named {
  readonly value: number;
  readonly cName: string;
}
/** The part of the generator's FamilyModel the cross-check reads. */
export interface ModelLike extends Named {
  readonly version: number;
  readonly consts: readonly (Named & { readonly value: number | string })[];
  readonly enums: readonly (Named & {
    readonly flags: boolean;
    readonly entries: readonly EnumEntryLike[];
  })[];
  readonly structs: readonly (Named & {
    readonly size: number;
    readonly members: readonly MemberLike[];
    /** C name, if the model carries one (spec `enum-name:` / override). */
    readonly cName?: string;
  })[];
  readonly attrSets: readonly (Named & {
    readonly subsetOf?: unknown;
    readonly attrs: readonly AttrLike[];
  })[];
  readonly ops: readonly (Named & { readonly value: number; readonly cName: string })[];
}

export interface Mismatch {
  /** Stable identity, e.g. `ovs_flow:attr:action-attrs.psample:missing-in-uapi`. */
  readonly id: string;
  /** What was seen, for humans. */
  readonly detail: string;
}

const cIdent = (specName: string): string => specName.replace(/-/g, '_');

/** The C enum holding most of these constants (ties: the first). */
function enumOf(uapi: Uapi, cNames: readonly string[]): UapiEnum | undefined {
  let best: UapiEnum | undefined;
  let bestHits = 0;
  for (const e of uapi.enums) {
    const hits = cNames.filter((n) => e.members.includes(n)).length;
    if (hits > bestHits) {
      best = e;
      bestHits = hits;
    }
  }
  return best;
}

/** Members of a C enum that a model must name: not *_UNSPEC, not __*_MAX. */
function significant(members: readonly string[]): string[] {
  return members.filter((m) => !m.startsWith('__') && !m.endsWith('_UNSPEC'));
}

/** Longest common prefix of the names, cut after its last '_'. */
function commonPrefix(names: readonly string[]): string {
  let p = names[0] ?? '';
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p.slice(0, p.lastIndexOf('_') + 1);
}

/**
 * The C struct a model struct describes: its C name if the model has one,
 * else its spec name in C spelling, else the struct its member names point
 * to (spec `vport-stats` is `struct ovs_vport_stats`).
 */
function structCName(
  uapi: Uapi,
  cName: string | undefined,
  name: string,
  members: readonly MemberLike[],
): string | undefined {
  for (const n of [cName, cIdent(name), `ovs_${cIdent(name)}`])
    if (n !== undefined && uapi.structs.has(n)) return n;
  // else the struct sharing most member names (at least 60 % of the model's),
  // if only one does
  const want = members.map((m) => cIdent(m.name));
  const scored = [...uapi.structs]
    .map(([n, u]) => ({ n, hits: want.filter((w) => u.members.has(w)).length }))
    .filter((x) => x.hits > 0 && x.hits >= 0.6 * want.length)
    .sort((a, b) => b.hits - a.hits);
  if (scored.length === 0 || (scored.length > 1 && scored[1]!.hits === scored[0]!.hits))
    return undefined;
  return scored[0]!.n;
}

export function compareModel(model: ModelLike, uapi: Uapi): Mismatch[] {
  const out: Mismatch[] = [];
  const fam = model.name;
  const add = (subject: string, what: string, detail: string): void => {
    out.push({ id: `${fam}:${subject}:${what}`, detail });
  };
  const constant = (c: string): number | undefined => uapi.constants.get(c);

  // family version: OVS_DATAPATH_VERSION for ovs_datapath, ...
  const verName = `${fam.toUpperCase()}_VERSION`;
  const ver = constant(verName);
  if (ver === undefined) add('version', 'missing-in-uapi', `${verName} not in the header`);
  else if (ver !== model.version)
    add('version', 'value', `model ${model.version}, ${verName} = ${ver}`);

  for (const op of model.ops) {
    const v = constant(op.cName);
    if (v === undefined) add(`op:${op.name}`, 'missing-in-uapi', `${op.cName} not in the header`);
    else if (v !== op.value) add(`op:${op.name}`, 'value', `model ${op.value}, ${op.cName} = ${v}`);
  }
  if (model.ops.length > 0) {
    const e = enumOf(
      uapi,
      model.ops.map((o) => o.cName),
    );
    for (const m of significant(e?.members ?? [])) {
      if (!model.ops.some((o) => o.cName === m))
        add(`op:${m}`, 'missing-in-model', `${m} = ${constant(m)} has no op`);
    }
  }

  for (const en of model.enums) {
    for (const ent of en.entries) {
      const v = constant(ent.cName);
      const subject = `enum:${en.name}.${ent.name}`;
      if (v === undefined) add(subject, 'missing-in-uapi', `${ent.cName} not in the header`);
      else if (v !== ent.value) add(subject, 'value', `model ${ent.value}, ${ent.cName} = ${v}`);
    }
    const cNames = en.entries.map((e) => e.cName);
    const cEnum = enumOf(uapi, cNames);
    let expected: string[] = [];
    if (cEnum) expected = significant(cEnum.members);
    else if (cNames.length >= 2) {
      // flags are #defines (OVS_DP_F_*, OVS_UFID_F_*): all macros with the common
      // prefix, except limits and masks (OVS_CS_F_NAT_MASK)
      const prefix = commonPrefix(cNames);
      if (prefix.length > 'OVS_'.length + 1)
        expected = [...uapi.constants.keys()].filter(
          (k) => k.startsWith(prefix) && !k.endsWith('_MAX') && !k.endsWith('_MASK'),
        );
    }
    for (const m of expected) {
      if (!cNames.includes(m))
        add(`enum:${en.name}:${m}`, 'missing-in-model', `${m} = ${constant(m)} not in the enum`);
    }
  }

  for (const set of model.attrSets) {
    for (const a of set.attrs) {
      const v = constant(a.cName);
      const subject = `attr:${set.name}.${a.name}`;
      if (v === undefined) add(subject, 'missing-in-uapi', `${a.cName} not in the header`);
      else if (v !== a.value) add(subject, 'value', `model ${a.value}, ${a.cName} = ${v}`);
    }
    if (set.subsetOf !== undefined) continue;
    const cNames = set.attrs.map((a) => a.cName);
    for (const m of significant(enumOf(uapi, cNames)?.members ?? [])) {
      if (!cNames.includes(m))
        add(`attr:${set.name}:${m}`, 'missing-in-model', `${m} = ${constant(m)} not in the set`);
    }
  }

  for (const s of model.structs) {
    const named = s.members.filter((m) => m.type !== 'pad');
    const cName = structCName(uapi, s.cName, s.name, named);
    const u = cName === undefined ? undefined : uapi.structs.get(cName);
    const subject = `struct:${s.name}`;
    if (cName === undefined || !u) {
      add(
        subject,
        'missing-in-uapi',
        `no struct ${s.cName ?? cIdent(s.name)} (nor one with its members) in the header`,
      );
      continue;
    }
    if (u.size !== s.size)
      add(subject, 'size', `model ${s.size}, sizeof(struct ${cName}) = ${u.size}`);
    if (u.members.size === 0) continue; // a struct with unions: size only
    const matched = new Set<string>();
    for (const m of named) {
      const ms = `${subject}.${m.name}`;
      let um = u.members.get(cIdent(m.name));
      if (um) matched.add(cIdent(m.name));
      else {
        // same place, other name (e.g. spec `padding`, C `pad0`)
        const other = [...u.members].find(([, v]) => v.offset === m.offset && v.size === m.size);
        if (other) {
          matched.add(other[0]);
          add(ms, 'name', `struct ${cName} calls it ${other[0]}`);
        } else add(ms, 'missing-in-uapi', `struct ${cName} has no member ${cIdent(m.name)}`);
        um = other?.[1];
      }
      if (um && um.offset !== m.offset)
        add(ms, 'offset', `model ${m.offset}, offsetof = ${um.offset}`);
      if (um && um.size !== m.size) add(ms, 'size', `model ${m.size}, sizeof = ${um.size}`);
    }
    for (const [name, um] of u.members) {
      if (!matched.has(name))
        add(
          `${subject}.${name}`,
          'missing-in-model',
          `struct ${cName} member ${name} (offset ${um.offset}) not in the model`,
        );
    }
  }

  for (const c of model.consts) {
    if (typeof c.value !== 'number') continue;
    const up = cIdent(c.name).toUpperCase();
    const cName = [up, `OVS_${up}`].find((n) => constant(n) !== undefined);
    if (cName === undefined) continue; // consts without a uapi macro (not checked)
    if (constant(cName) !== c.value)
      add(`const:${c.name}`, 'value', `model ${c.value}, ${cName} = ${constant(cName)}`);
  }
  return out;
}
