/**
 * The TypeScript type of each model item: what a value of an attribute or a
 * struct member looks like in JS (see the table in docs/DESIGN.md).
 * @module
 */
import type {
  AttrModel,
  AttrSetModel,
  EnumModel,
  StructMemberModel,
  SubMessageFormatModel,
} from '../model/types.js';
import { Code, type ModulePrinter } from './printer.js';
import { group, ifBreak, indent, line } from './layout.js';
import { intersection, leaf, member, objType, type Node } from './syntax.js';

/**
 * The value type of one format of a sub-message: its struct, its set, the set
 * with the struct under `header`, or an empty record.
 */
export function formatTs(f: SubMessageFormatModel): Node {
  const h = f.fixedHeader;
  const set = f.attrSet;
  if (set === undefined)
    return leaf(h === undefined ? 'Record<string, never>' : h.tsName, 'simple');
  if (h === undefined) return leaf(setText(set), 'simple');
  return intersection([
    leaf(setText(set), 'simple'),
    objType([member('header', leaf(h.tsName, 'simple'))]),
  ]);
}

const wide = new Set(['u64', 's64', 'uint', 'sint']);

function scalarTs(t: string, e: EnumModel | undefined, asFlags: boolean): string {
  if (e) return e.flags || asFlags ? `readonly (${e.tsName} | number)[]` : `${e.tsName} | number`;
  return wide.has(t) ? 'bigint' : 'number';
}

/** The value type of a set: its interface, or an array of entries for an ordered set. */
function setText(s: AttrSetModel): string {
  return s.ordered ? `readonly ${s.entryName!}[]` : s.tsName;
}

function memberText(x: StructMemberModel): string {
  switch (x.type) {
    case 'binary':
      return 'Uint8Array';
    case 'string':
      return 'string';
    case 'struct':
      return x.struct!.tsName;
    default:
      return scalarTs(x.type, x.enum, false);
  }
}

/** The value type of one occurrence of an attribute; undefined: not a value (unused, pad). */
function attrText(a: AttrModel, p: ModulePrinter): string | undefined {
  switch (a.type) {
    case 'unused':
    case 'pad':
      return undefined;
    case 'flag':
      return 'boolean';
    case 'string':
      return 'string';
    case 'binary':
      if (a.struct)
        return a.kind === 'StructArray' ? `readonly ${a.struct.tsName}[]` : a.struct.tsName;
      if (a.subType !== undefined) return `readonly ${wide.has(a.subType) ? 'bigint' : 'number'}[]`;
      return 'Uint8Array';
    case 'sub-message':
      return a.subMessage ? a.subMessage.tsName : 'Uint8Array';
    case 'bitfield32':
      return p.use('Bitfield32', true);
    case 'nest': {
      const inner = a.nested!;
      if (a.nestedFamily !== undefined)
        p.useFrom(a.nestedFamily, inner.ordered ? inner.entryName! : inner.tsName, true);
      if (a.masked) {
        p.use('Masked', true);
        return `{ readonly [K in keyof ${inner.tsName}]?: Masked<NonNullable<${inner.tsName}[K]>> }`;
      }
      return setText(inner);
    }
    case 'indexed-array':
      if (a.subType === 'nest') return `readonly ${setText(a.nested!)}[]`;
      return `readonly ${elementOf(scalarTs(a.subType ?? 'u32', a.enum, false))}[]`;
    case 'nest-type-value': {
      const keys = (a.typeValue ?? []).map((k) => `readonly ${k}: number`).join('; ');
      return `readonly ({ ${keys} } & ${setText(a.nested!)})[]`;
    }
    default:
      return scalarTs(a.type, a.enum, a.enumAsFlags);
  }
}

/** `t` as the element type of an array type: parenthesized unless a name or an object type (as prettier leaves it). */
function elementOf(t: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(t) || /^\{.*\}$/.test(t) ? t : `(${t})`;
}

/** The value type of one occurrence of an attribute as a layout node (types that may need breaking as documents). */
function attrNode(
  a: AttrModel,
  p: ModulePrinter,
): (Node & { readonly paren: boolean }) | undefined {
  if (a.type === 'nest' && a.masked) {
    attrText(a, p); // records the imports
    const x = a.nested!.tsName;
    const doc = group([
      '{',
      indent([line, `readonly [K in keyof ${x}]?: Masked<NonNullable<${x}[K]>>`]),
      ifBreak(';'),
      line,
      '}',
    ]);
    return { doc, kind: 'obj', paren: false };
  }
  if (a.type === 'nest-type-value') {
    attrText(a, p);
    const keys = objType((a.typeValue ?? []).map((k) => member(k, leaf('number', 'simple'))));
    const both = intersection([keys, leaf(setText(a.nested!), 'simple')]);
    return { doc: ['readonly (', both.doc, ')[]'], kind: 'other', paren: true };
  }
  const t = attrText(a, p);
  if (t === undefined) return undefined;
  return { ...leaf(t, 'other'), paren: elementOf(t) !== t };
}

/** The property type of an attribute in its set's interface (multi-attr: an array). */
export function propTs(a: AttrModel, p: ModulePrinter): Node | undefined {
  const t = attrNode(a, p);
  if (t === undefined || !a.multi) return t;
  return { doc: ['readonly ', t.paren ? ['(', t.doc, ')'] : t.doc, '[]'], kind: 'other' };
}

/** The value type of one occurrence of an attribute; undefined: not a value (unused, pad). */
export function attrTs(a: AttrModel, p: ModulePrinter): Node | undefined {
  return attrNode(a, p);
}

/** The value type of a set: its interface, or an array of entries for an ordered set. */
export function setTs(s: AttrSetModel): Code {
  return new Code(setText(s));
}

/** The value type of a struct member. */
export function memberTs(x: StructMemberModel): Code {
  return new Code(memberText(x));
}
