/**
 * Spec names ↔ the generated code's property names, per attribute set,
 * struct and enum, from the spec model: the command line and its output use
 * the spec's names (`xdp-features`, `ndo-xmit`), the layouts the TS names
 * (`xdpFeatures`, `ndoXmit`). Input takes either.
 * @module
 */
import type { FamilyModel } from '@ynl-ts/codegen';

/** Two-way name map of one scope (a set, a struct or an enum). */
export class NameMap {
  readonly #toSpec = new Map<string, string>();
  readonly #toTs = new Map<string, string>();
  add(spec: string, ts: string): void {
    this.#toSpec.set(ts, spec);
    this.#toTs.set(spec, ts);
  }
  /** Spec name of a TS name (unknown: the name itself). */
  spec(ts: string): string {
    return this.#toSpec.get(ts) ?? ts;
  }
  /** TS name of a spec or TS name, if either is known. */
  ts(name: string): string | undefined {
    return this.#toSpec.has(name) ? name : this.#toTs.get(name);
  }
  /** The spec names, in declaration order. */
  specNames(): string[] {
    return [...this.#toTs.keys()];
  }
}

const empty = new NameMap();

/** Spec name → TS name pairs of each set, struct and enum of a family, by its spec name. */
export type NamePairs = Readonly<Record<string, readonly (readonly [string, string])[]>>;

/** What `ynl` needs of a family's model to run requests (cached by the spec's content). */
export interface FamilySummary {
  readonly name: string;
  readonly protocol: FamilyModel['protocol'];
  readonly mcastGroups: readonly string[];
  /** Ops by spec name, with their TS name (the key of the generated `ops` table) and modes. */
  readonly ops: readonly {
    readonly name: string;
    readonly tsName: string;
    readonly modes: readonly string[];
  }[];
  readonly sets: NamePairs;
  readonly structs: NamePairs;
  readonly enums: NamePairs;
}

/** The modes of an op as cli.py lists them: do, dump, notify, event. */
export function opModes(op: FamilyModel['ops'][number]): string[] {
  const out: string[] = [];
  if (op.do) out.push('do');
  if (op.dump) out.push('dump');
  if (op.message) out.push(op.event ? 'event' : 'notify');
  return out;
}

/** The summary of a model. */
export function summarize(m: FamilyModel): FamilySummary {
  const pairs = <T>(
    list: readonly T[],
    name: (x: T) => string,
    items: (x: T) => readonly { name: string; tsName: string }[],
  ): NamePairs =>
    Object.fromEntries(
      list.map((x) => [name(x), items(x).map((i) => [i.name, i.tsName] as const)]),
    );
  return {
    name: m.name,
    protocol: m.protocol,
    mcastGroups: m.mcastGroups.map((g) => g.name),
    ops: m.ops.map((o) => ({ name: o.name, tsName: o.tsName, modes: opModes(o) })),
    sets: pairs(
      m.attrSets,
      (s) => s.name,
      (s) => s.attrs,
    ),
    structs: pairs(
      m.structs,
      (s) => s.name,
      (s) => s.members,
    ),
    enums: pairs(
      m.enums,
      (e) => e.name,
      (e) => e.entries,
    ),
  };
}

/** The name maps of a family, by spec name of the set, struct or enum. */
export class FamilyNames {
  readonly #sets: ReadonlyMap<string, NameMap>;
  readonly #structs: ReadonlyMap<string, NameMap>;
  readonly #enums: ReadonlyMap<string, NameMap>;

  constructor(s: FamilySummary) {
    const maps = (p: NamePairs): Map<string, NameMap> =>
      new Map(
        Object.entries(p).map(([scope, list]) => {
          const n = new NameMap();
          for (const [spec, ts] of list) n.add(spec, ts);
          return [scope, n];
        }),
      );
    this.#sets = maps(s.sets);
    this.#structs = maps(s.structs);
    this.#enums = maps(s.enums);
  }

  set(name: string): NameMap {
    return this.#sets.get(name) ?? empty;
  }
  struct(name: string): NameMap {
    return this.#structs.get(name) ?? empty;
  }
  enum(name: string): NameMap {
    return this.#enums.get(name) ?? empty;
  }
}
