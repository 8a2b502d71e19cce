/**
 * Decoded replies → what `ynl` prints. {@link Shaper} walks a decoded value
 * with its generated layout and returns a plain tree under the spec's names
 * (as the kernel's cli.py prints them): enum and flag names as in the spec,
 * values with a display hint rendered by it (the runtime's `formatValue`:
 * addresses, MACs, UUIDs, hex), other binary as hex, u64 as bigint. The tree
 * is printed as bigint-safe JSON ({@link toJson}) or as indented text
 * ({@link toText}).
 * @module
 */
import {
  Kind,
  extraAttrs,
  extraBytes,
  formatHex,
  formatValue,
  type AttrDef,
  type AttrSet,
  type EnumDef,
  type ExtraAttr,
  type StructDef,
} from '@ynl-ts/runtime';
import type { FamilyNames } from './names.js';

/** A printable value. */
export type Tree = null | boolean | number | bigint | string | Tree[] | { [k: string]: Tree };
type Obj = { [k: string]: Tree };

const isRecord = (v: unknown): v is Record<string | symbol, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** camelCase → kebab-case, for the few keys that are no attribute (nest-type-value levels). */
const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Turns decoded values into {@link Tree}s under spec names. */
export class Shaper {
  /** Attributes not in the spec seen so far (printed only with `processUnknown`). */
  unknown = 0;

  constructor(
    readonly names: FamilyNames,
    /** Print attributes the spec does not know as `UnknownAttr(<type>)`: hex (cli.py's `--process-unknown`). */
    readonly processUnknown = false,
  ) {}

  /**
   * A whole message: its attributes, and the fixed header's members at the
   * top level (as cli.py prints them) unless an attribute has the same name.
   */
  message(
    v: unknown,
    set: AttrSet,
    fixed?: { readonly def: StructDef; readonly key: string },
  ): Tree {
    if (!isRecord(v)) return this.value(v);
    const { [fixed?.key ?? '']: header, ...attrs } = v as Record<string, unknown>;
    const out = this.set(fixed ? { ...attrs, [extraAttrs]: v[extraAttrs] } : v, set) as Obj;
    if (fixed === undefined || header === undefined) return out;
    const h = this.struct(header, fixed.def) as Obj;
    if (Object.keys(h).some((k) => k in out)) return { [fixed.key]: h, ...out };
    return { ...h, ...out };
  }

  set(v: unknown, set: AttrSet): Tree {
    if (set.ordered && Array.isArray(v)) return this.#ordered(v, set);
    if (!isRecord(v)) return this.value(v);
    const map = this.names.set(set.name);
    const out: Obj = {};
    for (const [k, val] of Object.entries(v)) {
      const def = set.byName(k);
      out[def ? map.spec(k) : kebab(k)] = def ? this.attr(val, def) : this.value(val);
    }
    this.#extra(v[extraAttrs] as ExtraAttr[] | undefined, out);
    return out;
  }

  #extra(list: readonly ExtraAttr[] | undefined, out: Obj): void {
    for (const e of list ?? []) {
      this.unknown++;
      if (this.processUnknown) out[`UnknownAttr(${e.type})`] = formatHex(e.data);
    }
  }

  #ordered(v: readonly unknown[], set: AttrSet): Tree {
    const map = this.names.set(set.name);
    const out: Tree[] = [];
    for (const e of v as { type: string | number; value: unknown }[]) {
      const def = typeof e.type === 'string' ? set.byName(e.type) : undefined;
      if (def === undefined) {
        this.unknown++;
        if (this.processUnknown) out.push({ [`UnknownAttr(${e.type})`]: this.value(e.value) });
        continue;
      }
      out.push({ [map.spec(def.name)]: this.attr(e.value, def) });
    }
    return out;
  }

  attr(v: unknown, def: AttrDef): Tree {
    if (def.multi && Array.isArray(v)) return v.map((x) => this.#one(x, def));
    return this.#one(v, def);
  }

  #one(v: unknown, def: AttrDef): Tree {
    if (def.masked === true && isRecord(v) && 'mask' in v) {
      const plain = { ...def, masked: false };
      return { value: this.#one(v.value, plain), mask: this.#one(v.mask, plain) };
    }
    switch (def.kind) {
      case Kind.Nest:
        return this.set(v, def.nested!);
      case Kind.Struct:
        return this.struct(v, def.struct!);
      case Kind.Bitfield32: {
        const b = v as { value: number; selector: number };
        return {
          value: this.#scalar(b.value, def.enum, undefined),
          selector: this.#scalar(b.selector, def.enum, undefined),
        };
      }
      case Kind.IndexedArray:
        return (v as unknown[]).map((x) => {
          const sub = def.sub ?? Kind.Nest;
          if (sub === Kind.Nest) return this.set(x, def.nested!);
          if (sub === Kind.Binary && def.struct) return this.struct(x, def.struct);
          return this.#scalar(x, def.enum, def.display);
        });
      case Kind.NestTypeValue:
        return (v as unknown[]).map((x) => this.set(x, def.nested!));
      case Kind.ScalarArray:
        return (v as unknown[]).map((x) => this.#scalar(x, def.enum, def.display));
      case Kind.StructArray:
        return (v as unknown[]).map((x) => this.struct(x, def.struct!));
      default:
        return this.#scalar(v, def.enum, def.display);
    }
  }

  struct(v: unknown, def: StructDef): Tree {
    if (!isRecord(v)) return this.value(v);
    const map = this.names.struct(def.name);
    const out: Obj = {};
    for (const m of def.members) {
      if (m.kind === Kind.Pad || !(m.name in v)) continue;
      const val = v[m.name];
      out[map.spec(m.name)] =
        m.kind === Kind.Struct ? this.struct(val, m.struct!) : this.#scalar(val, m.enum, m.display);
    }
    const tail = v[extraBytes];
    if (tail instanceof Uint8Array) {
      this.unknown++;
      if (this.processUnknown) out['UnknownBytes'] = formatHex(tail);
    }
    return out;
  }

  #scalar(v: unknown, e: EnumDef | undefined, hint: AttrDef['display']): Tree {
    if (e !== undefined) {
      const map = this.names.enum(e.name);
      if (typeof v === 'string') return map.spec(v);
      if (Array.isArray(v))
        return v.map((x) => (typeof x === 'string' ? map.spec(x) : this.value(x)));
    }
    if (
      v instanceof Uint8Array ||
      (hint !== undefined && typeof v === 'number') ||
      (hint === 'hex' && typeof v === 'bigint')
    )
      return formatValue(hint, v);
    return this.value(v);
  }

  /** A value without layout: bytes as hex, records and arrays walked. */
  value(v: unknown): Tree {
    if (v === undefined || v === null) return null;
    if (
      typeof v === 'boolean' ||
      typeof v === 'number' ||
      typeof v === 'bigint' ||
      typeof v === 'string'
    )
      return v;
    if (v instanceof Uint8Array) return formatHex(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (isRecord(v)) {
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x);
      return out;
    }
    return String(v);
  }
}

/** JSON text of a tree; bigints are written as exact integers (JSON numbers have no size limit). */
export function toJson(t: Tree): string {
  if (t === null) return 'null';
  if (typeof t === 'bigint') return t.toString();
  if (typeof t !== 'object') return JSON.stringify(t);
  if (Array.isArray(t)) return `[${t.map(toJson).join(', ')}]`;
  return `{${Object.entries(t)
    .map(([k, v]) => `${JSON.stringify(k)}: ${toJson(v)}`)
    .join(', ')}}`;
}

const scalarText = (t: Tree): string =>
  t === null ? '-' : typeof t === 'string' ? (t === '' ? "''" : t) : String(t);

const isLeaf = (t: Tree): t is null | boolean | number | bigint | string =>
  t === null || typeof t !== 'object';

/** Readable text of a tree: `key: value` lines, nests indented, lists of records as `- ` items. */
export function toText(t: Tree, indent = ''): string[] {
  if (isLeaf(t)) return [indent + scalarText(t)];
  if (Array.isArray(t)) {
    if (t.every(isLeaf)) return [`${indent}[${t.map(scalarText).join(', ')}]`];
    const out: string[] = [];
    for (const x of t) {
      const lines = toText(x, indent + '  ');
      lines[0] = `${indent}- ${lines[0]!.slice(indent.length + 2)}`;
      out.push(...lines);
    }
    return out;
  }
  const out: string[] = [];
  for (const [k, v] of Object.entries(t)) {
    if (isLeaf(v) || (Array.isArray(v) && v.every(isLeaf))) {
      out.push(`${indent}${k}: ${toText(v)[0]!}`);
    } else if (Array.isArray(v) || Object.keys(v).length > 0) {
      out.push(`${indent}${k}:`, ...toText(v, indent + '  '));
    } else out.push(`${indent}${k}: {}`);
  }
  return out;
}
