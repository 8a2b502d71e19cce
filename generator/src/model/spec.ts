/**
 * Read access to a validated spec's raw data, shared by the semantic checks
 * and the builders: definitions by name, implicit values counted the
 * kernel's way, struct sizes, constant resolution. Each rule of the spec
 * language is computed here once.
 * @module
 */
import { isDataMap, type Data, type DataMap, type Positions } from '../load/yaml.js';
import type { Extensions } from '../overrides/apply.js';
import type { AppliedOverride, AttrType, ChecksModel, FamilyModel, Protocol } from './types.js';

export const str = (v: Data | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;
export const num = (v: Data | undefined): number | undefined =>
  typeof v === 'number' ? v : undefined;
export const list = (v: Data | undefined): Data[] => (Array.isArray(v) ? v : []);
export const maps = (v: Data | undefined): DataMap[] => list(v).filter(isDataMap);

/** A JSON path into the spec. */
export type Path = readonly (string | number)[];

/** Reports a problem at `obj[key]` (positions) with a JSON path. */
export type Report = (
  obj: object,
  key: string | number | undefined,
  path: Path,
  msg: string,
) => void;

/** What the model stage gets besides the spec data. */
export interface BuildContext {
  readonly file: string;
  readonly positions: Positions;
  readonly applied?: WeakMap<object, AppliedOverride[]>;
  readonly extensions?: WeakMap<object, Extensions>;
  /**
   * The model of another family (for `nested-from` overrides), or a sentence
   * saying why there is none.
   */
  readonly family?: (name: string) => FamilyModel | string;
}

const scalarSizes: Record<string, number> = {
  u8: 1,
  s8: 1,
  u16: 2,
  s16: 2,
  u32: 4,
  s32: 4,
  u64: 8,
  s64: 8,
};

/** Width of a fixed-width scalar type, else undefined. */
export function scalarSize(t: string): number | undefined {
  return scalarSizes[t];
}

/** An enum entry as the spec gives it, with its value counted the kernel's way. */
export interface RawEntry {
  readonly name: string;
  /** The entry's map, or the entries list for a bare name. */
  readonly owner: object;
  readonly key: string | number;
  readonly data?: DataMap;
  /** For flags the bit value (1 << n). */
  readonly value: number;
}

/** An attribute of a set (merged with the parent's definition in a subset). */
export interface RawAttr {
  readonly name: string;
  /** The set's own entry (positions, overrides). */
  readonly own: DataMap;
  /** The merged definition (parent's fields, overridden by the subset's). */
  readonly def: DataMap;
  /** The parent's entry in a subset. */
  readonly parent?: DataMap;
  readonly index: number;
  readonly value: number;
}

/** Index of a spec's definitions, by name. */
export class SpecIndex {
  readonly name: string;
  readonly protocol: Protocol;
  readonly defs: DataMap[];
  /** Constants by name and by name-prefix + name. */
  readonly consts = new Map<string, number | string>();
  /** Kernel-scope consts (netdev `page-size`): only a dummy value in the spec. */
  readonly kernelOnly = new Set<string>();
  readonly structs = new Map<string, DataMap>();
  readonly enums = new Map<string, DataMap>();
  readonly sets = new Map<string, DataMap>();
  readonly subMessages = new Map<string, DataMap>();
  readonly ops: DataMap;
  readonly opList: DataMap[];
  readonly groups: DataMap[];
  readonly #structSizes = new Map<string, number>();

  constructor(
    readonly spec: DataMap,
    readonly ctx: BuildContext,
  ) {
    this.name = String(spec.name);
    this.protocol = (str(spec.protocol) ?? 'genetlink') as Protocol;
    this.defs = maps(spec.definitions);
    for (const d of this.defs) {
      const n = String(d.name);
      if (d.type === 'const') {
        if (d.scope === 'kernel') {
          this.kernelOnly.add(n);
          continue;
        }
        // checks and lengths may name a const with or without its name-prefix
        this.consts.set(n, d.value as number | string);
        if (typeof d['name-prefix'] === 'string')
          this.consts.set(d['name-prefix'] + n, d.value as number | string);
      } else if (d.type === 'struct') {
        if (!this.structs.has(n)) this.structs.set(n, d);
      } else if (!this.enums.has(n)) this.enums.set(n, d);
    }
    for (const s of maps(spec['attribute-sets']))
      if (!this.sets.has(String(s.name))) this.sets.set(String(s.name), s);
    for (const m of maps(spec['sub-messages']))
      if (!this.subMessages.has(String(m.name))) this.subMessages.set(String(m.name), m);
    this.ops = isDataMap(spec.operations) ? spec.operations : {};
    this.opList = maps(this.ops.list);
    this.groups = maps(isDataMap(spec['mcast-groups']) ? spec['mcast-groups'].list : []);
  }

  overridesOf(obj: object): AppliedOverride[] {
    return this.ctx.applied?.get(obj) ?? [];
  }
  ext(obj: object | undefined): Extensions {
    return (obj && this.ctx.extensions?.get(obj)) ?? {};
  }

  /** Entries of an enum or flags definition with their values. */
  entries(d: DataMap): RawEntry[] {
    const flags = d.type === 'flags';
    let next = num(d['value-start']) ?? 0;
    const all = list(d.entries);
    return all.map((e, j) => {
      const em = isDataMap(e) ? e : undefined;
      const raw = num(em?.value) ?? next;
      next = raw + 1;
      return {
        name: em ? String(em.name) : String(e),
        owner: em ?? all,
        key: em ? 'name' : j,
        ...(em ? { data: em } : {}),
        value: flags ? 2 ** raw : raw,
      };
    });
  }

  /** Prefix of an enum's C constants. */
  enumPrefix(d: DataMap): string {
    return str(d['name-prefix']) ?? `${this.name}-${String(d.name)}-`;
  }

  /** The set a subset takes its attributes from (undefined: not a subset or unknown parent). */
  parentOf(s: DataMap): DataMap | undefined {
    const p = str(s['subset-of']);
    return p !== undefined ? this.sets.get(p) : undefined;
  }

  /** Attributes of a set with their values (implicit values counted over the defining set). */
  attrs(s: DataMap): RawAttr[] {
    const parent = this.parentOf(s);
    const values = new Map<string, number>();
    let v = 1;
    for (const a of maps((parent ?? s).attributes)) {
      v = num(a.value) ?? v;
      values.set(String(a.name), v);
      v += 1;
    }
    const parentAttrs = new Map(maps(parent?.attributes).map((a) => [String(a.name), a]));
    const out: RawAttr[] = [];
    maps(s.attributes).forEach((own, index) => {
      const name = String(own.name);
      const pa = parentAttrs.get(name);
      if (parent && !pa) return; // reported by validation
      out.push({
        name,
        own,
        def: pa ? { ...pa, ...own } : own,
        ...(pa ? { parent: pa } : {}),
        index,
        value: values.get(name)!,
      });
    });
    return out;
  }

  /** Prefix of a set's C constants. */
  attrPrefix(s: DataMap): string {
    const owner = this.parentOf(s) ?? s;
    return (
      str(owner['name-prefix']) ??
      (String(owner.name) === this.name
        ? `${this.name}-a-`
        : `${this.name}-a-${String(owner.name)}-`)
    );
  }

  /** A member's type: genetlink-legacy binary members named pad/padN/__pad are padding. */
  memberType(m: DataMap): string {
    return m.type === 'binary' && /^_*pad\d*$/.test(String(m.name)) ? 'pad' : String(m.type);
  }

  /** A `len:` value: a number, a const, or `CONST - 1`. */
  resolveLen(v: Data | undefined): number | undefined {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const m = /^(.*?)( - 1)?$/.exec(v)!;
      const c = this.consts.get(m[1]!);
      if (typeof c === 'number') return m[2] ? c - 1 : c;
    }
    return undefined;
  }

  /** Size of a struct member in bytes (0 when it cannot be known). */
  memberSize(m: DataMap, stack: readonly string[] = []): number {
    const s = scalarSize(String(m.type));
    if (s !== undefined) return s;
    if (typeof m.struct === 'string' && m.len === undefined)
      return this.structSize(m.struct, stack);
    return this.resolveLen(m.len) ?? 0;
  }

  /** sizeof a struct (0 for unknown or recursive structs). */
  structSize(name: string, stack: readonly string[] = []): number {
    const known = this.#structSizes.get(name);
    if (known !== undefined) return known;
    const d = this.structs.get(name);
    if (!d || stack.includes(name)) return 0;
    let size = 0;
    for (const m of maps(d.members)) size += this.memberSize(m, [...stack, name]);
    this.#structSizes.set(name, size);
    return size;
  }

  /** Fixed header of an op (its own, else the family's). */
  opHeader(o: DataMap): string | undefined {
    return str(o['fixed-header']) ?? str(this.ops['fixed-header']);
  }

  /** Op names of an op list entry's request that overrides declared required, per mode. */
  required(o: DataMap, mode: 'do' | 'dump'): string[] {
    const m = o[mode];
    const rq = isDataMap(m) && isDataMap(m.request) ? m.request : undefined;
    return rq ? (this.ext(rq).required ?? []) : [];
  }

  /**
   * `checks:` of an attribute resolved to numbers; unresolvable values are
   * reported through `report` (key, message) and left out.
   */
  checks(
    c: DataMap,
    type: AttrType,
    report: (key: string, msg: string) => void = () => {},
  ): ChecksModel | undefined {
    const wide = type === 'u64' || type === 's64' || type === 'uint' || type === 'sint';
    const value = (key: string): number | bigint | undefined => {
      const v = c[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v === 'string' && this.kernelOnly.has(v)) return undefined;
      let big: bigint | undefined;
      if (typeof v === 'number') big = BigInt(v);
      else if (typeof v === 'string') {
        const lim = /^([us](?:8|16|32|64))-(min|max)$/.exec(v);
        if (lim) big = limits[lim[1]!]![lim[2] === 'min' ? 0 : 1];
        else {
          const k = this.consts.get(v);
          if (typeof k === 'number') big = BigInt(k);
        }
      }
      if (big === undefined) {
        report(
          key,
          `'${String(v)}' is neither a number, a defined constant nor a type limit like u32-max`,
        );
        return undefined;
      }
      return wide || big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)
        ? big
        : Number(big);
    };
    const out: { -readonly [K in keyof ChecksModel]: ChecksModel[K] } = {};
    const min = value('min');
    const max = value('max');
    if (min !== undefined) out.min = min;
    if (max !== undefined) out.max = max;
    for (const [k, f] of [
      ['min-len', 'minLen'],
      ['max-len', 'maxLen'],
      ['exact-len', 'exactLen'],
    ] as const) {
      const v = value(k);
      if (v !== undefined) out[f] = Number(v);
    }
    if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max))
      report('min', `min ${min} is greater than max ${max}`);
    return Object.keys(out).length ? out : undefined;
  }
}

const limits: Record<string, [bigint, bigint]> = {};
for (const bits of [8n, 16n, 32n, 64n]) {
  limits[`u${bits}`] = [0n, (1n << bits) - 1n];
  limits[`s${bits}`] = [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/** `{ doc }` when the object has a non-empty doc. */
export function docOf(obj: DataMap | undefined): { doc?: string } {
  const d = obj ? str(obj.doc) : undefined;
  return d !== undefined && d.trim() !== '' ? { doc: d.trim() } : {};
}

/** Command numbers of an op: request cmd and, when it differs, the reply's. */
export interface OpValues {
  readonly value: number;
  readonly replyValue?: number;
}

/** True for notifications and events (ops the kernel sends on its own). */
export function isMulticast(o: DataMap): boolean {
  return o.notify !== undefined || o.event !== undefined;
}

/**
 * Command numbers of every op, counted like the kernel's enums: one counter
 * (unified), or separate request and reply counters (directional).
 */
export function opValues(index: SpecIndex): Map<DataMap, OpValues> {
  const directional = index.ops['enum-model'] === 'directional';
  const out = new Map<DataMap, OpValues>();
  let reqVal = 1;
  let rspVal = 1;
  const msgValue = (o: DataMap, which: 'request' | 'reply'): number | undefined => {
    for (const m of [o.do, o.dump])
      if (isDataMap(m) && isDataMap(m[which]) && num(m[which].value) !== undefined)
        return num(m[which].value);
    return undefined;
  };
  for (const o of index.opList) {
    if (!directional) {
      const value = num(o.value) ?? reqVal;
      reqVal = value + 1;
      const replyValue = msgValue(o, 'reply');
      out.set(o, replyValue !== undefined ? { value, replyValue } : { value });
    } else if (isMulticast(o)) {
      const value = num(o.value) ?? rspVal;
      rspVal = value + 1;
      out.set(o, { value });
    } else {
      const m = isDataMap(o.do) ? o.do : isDataMap(o.dump) ? o.dump : undefined;
      const hasReply = m !== undefined && isDataMap(m.reply);
      const value = msgValue(o, 'request') ?? reqVal;
      const rp = msgValue(o, 'reply') ?? rspVal;
      reqVal = value + 1;
      rspVal = rp + (hasReply ? 1 : 0);
      out.set(o, hasReply ? { value, replyValue: rp } : { value });
    }
  }
  return out;
}
