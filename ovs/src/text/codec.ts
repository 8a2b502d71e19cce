/**
 * The pieces every key attribute codec is built from: the codec interface,
 * the options, and the field-list reader and struct codec that most
 * attributes are instances of.
 * @module
 */
import {
  Cursor,
  Kind,
  Writer,
  decodeStruct,
  encodeStruct,
  enumValue,
  type StructDef,
  type StructMember,
} from '@ynl-ts/runtime';
import type { Scanner } from './scan.js';
import { fieldText, readField, type FieldType, type Raw } from './fields.js';

/** Options for printing keys (and everything that contains them). */
export interface FormatOptions {
  /** Also print wildcarded attributes and fields, with their masks (`ovs-dpctl -m`). */
  readonly verbose?: boolean;
  /** Print these names instead of port numbers (`ovs-dpctl --names`). */
  readonly portNames?: ReadonlyMap<number, string>;
}

/** Options for reading keys (and everything that contains them). */
export interface ParseOptions {
  /** Port names accepted where a port number is (`in_port(eth0)`, output actions). */
  readonly ports?: ReadonlyMap<string, number>;
}

export type Obj = Record<string, unknown>;

/** How one key attribute (`OVS_KEY_ATTR_*`) is printed and read. */
export interface KeyCodec {
  /** The ODP name: `in_port`, `eth`, `ipv4`, ... */
  readonly text: string;
  /** The `KeyAttrs` property. */
  readonly attr: string;
  /** Nested attributes are printed even when wildcarded (`encap`, `tunnel`, `nsh`). */
  readonly nested?: boolean;
  isWildcard(mask: unknown): boolean;
  /** The all-wildcard mask for `key` (OVS prints a missing mask attribute as one). */
  zeroMask(key: unknown): unknown;
  /** The text between the parentheses; `mask` undefined: exact. */
  format(key: unknown, mask: unknown, o: FormatOptions): string;
  /** Reads the text after `name(` up to and including `)`. */
  parse(sc: Scanner, o: ParseOptions): { key: unknown; mask: unknown };
}

// ---- struct-valued attributes: named fields ---------------------------------

/** `[text name, struct member, field type]`, in the order OVS prints them. */
export type FieldSpec = readonly [string, string, FieldType];

const rawOf = (m: StructMember, v: unknown): Raw =>
  m.enum && typeof v === 'string' ? m.enum.valueOf(v)! : ((v ?? 0) as Raw);
const typedOf = (m: StructMember, raw: Raw): unknown =>
  m.enum ? enumValue(m.enum, raw as number) : raw;

/** Decodes a binary attribute by a layout of ours (the generated types keep it as bytes). */
export function structFromBytes(def: StructDef, b: Uint8Array): Obj {
  return decodeStruct(new Cursor(b), def, 0, b.length) as Obj;
}
/** Encodes an object by a layout of ours into fresh bytes. */
export function bytesFromStruct(def: StructDef, v: Obj): Uint8Array {
  const w = new Writer(def.size);
  encodeStruct(w, def, v);
  return w.subarray().slice();
}

/**
 * Reads `name=value[/mask]` fields separated by commas up to `)`. Fields not
 * given are wildcarded (zero value and mask).
 */
export function readFields(
  sc: Scanner,
  fields: readonly FieldSpec[],
  aliases: Readonly<Record<string, string>> = {},
): Map<string, { key: Raw; mask: Raw }> {
  const got = new Map<string, { key: Raw; mask: Raw }>();
  const names = fields.map(([n]) => `${n}=`).join(', ');
  while (!sc.eat(')')) {
    if (got.size > 0) sc.expect(',', `',' or ')'`);
    const at = sc.pos;
    const name = sc.word();
    const spec = fields.find(([n]) => n === (aliases[name] ?? name));
    if (!spec || !sc.eat('=')) throw sc.error(`a field (${names}) or ')'`, at);
    if (got.has(spec[1])) throw sc.error(`each field once (${name} repeats)`, at);
    got.set(spec[1], readField(sc, spec[2]));
  }
  return got;
}

export function structCodec(
  text: string,
  attr: string,
  def: StructDef,
  fields: readonly FieldSpec[],
  opts: { binary?: boolean; aliases?: Record<string, string> } = {},
): KeyCodec {
  const members = def.members.filter((m) => m.kind !== Kind.Pad);
  const spec = (m: StructMember) => fields.find(([, name]) => name === m.name);
  const toObj = (v: unknown): Obj =>
    opts.binary ? structFromBytes(def, v as Uint8Array) : ((v ?? {}) as Obj);
  const fromObj = (o: Obj): unknown => (opts.binary ? bytesFromStruct(def, o) : o);
  const build = (pick: (m: StructMember) => Raw): unknown =>
    fromObj(Object.fromEntries(members.map((m) => [m.name, typedOf(m, pick(m))])));
  const zero = (m: StructMember): Raw =>
    spec(m)?.[2].zero() ?? (m.kind === Kind.Binary ? new Uint8Array(m.len ?? 0) : 0);
  return {
    text,
    attr,
    isWildcard(mask) {
      const o = toObj(mask);
      return fields.every(([, name, t]) =>
        t.isZero(
          rawOf(
            def.members.find((m) => m.name === name)!,
            o[name],
          ),
        ),
      );
    },
    zeroMask: () => build(zero),
    format(key, mask, o) {
      const k = toObj(key);
      const m = mask === undefined ? undefined : toObj(mask);
      const out: string[] = [];
      for (const [name, member, t] of fields) {
        const md = def.members.find((x) => x.name === member)!;
        const s = fieldText(
          name,
          t,
          rawOf(md, k[member]),
          m && rawOf(md, m[member]),
          o.verbose === true,
        );
        if (s !== undefined) out.push(s);
      }
      return out.join(',');
    },
    parse(sc) {
      const got = readFields(sc, fields, opts.aliases);
      return {
        key: build((m) => got.get(m.name)?.key ?? zero(m)),
        mask: build((m) => got.get(m.name)?.mask ?? zero(m)),
      };
    },
  };
}
