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

/** The name maps of a family, by spec name of the set, struct or enum. */
export class FamilyNames {
  readonly #sets = new Map<string, NameMap>();
  readonly #structs = new Map<string, NameMap>();
  readonly #enums = new Map<string, NameMap>();

  constructor(m: FamilyModel) {
    for (const s of m.attrSets) {
      const n = new NameMap();
      for (const a of s.attrs) n.add(a.name, a.tsName);
      this.#sets.set(s.name, n);
    }
    for (const s of m.structs) {
      const n = new NameMap();
      for (const mem of s.members) n.add(mem.name, mem.tsName);
      this.#structs.set(s.name, n);
    }
    for (const e of m.enums) {
      const n = new NameMap();
      for (const x of e.entries) n.add(x.name, x.tsName);
      this.#enums.set(e.name, n);
    }
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
