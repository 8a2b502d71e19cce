/**
 * Emitter of attribute sets: the interface (or the entry union of an ordered
 * set) and the `AttrSet` layout table the runtime codec interprets.
 * @module
 */
import type {
  AttrModel,
  AttrSetModel,
  MatchModel,
  MatchRuleModel,
  SelectorUnionModel,
  SubMessageModel,
} from '../model/types.js';
import { commonPrefix } from './definitions.js';
import { overrideNotes } from './notes.js';
import { Code, doc, span, str, ts, type ModulePrinter } from './printer.js';
import { align, group } from './layout.js';
import {
  arr,
  arrow,
  at,
  constDecl,
  intersection,
  leaf,
  member,
  newCall,
  obj,
  objType,
  paren,
  prop,
  typeDecl,
  union,
  type Node,
} from './syntax.js';
import { attrTs, formatTs, propTs, setTs } from './types.js';

function attrDoc(a: AttrModel, indent: string): Code {
  return doc(
    [
      a.doc,
      `${span(a.cName)} (${a.value})`,
      a.type === 'sub-message' && a.subMessage
        ? `Sub-message ${span(a.subMessage.name)}: its format is chosen by the value of ${span(a.selector ?? '')}${a.selectorAttr ? '' : ' in an enclosing set'}; raw bytes when it has none.`
        : undefined,
      ...overrideNotes(a.overrides),
    ],
    indent,
  );
}

export function emitAttrSet(p: ModulePrinter, s: AttrSetModel): void {
  p.use('AttrSet');
  p.use('Kind');
  const prefix = commonPrefix(s.attrs.map((a) => a.cName));
  p.add(
    doc([
      s.doc,
      `Attribute set ${span(s.name)}${prefix ? ` (${span(`${prefix}*`)})` : ''}${s.subsetOf ? `, a subset of ${span(s.subsetOf.name)}` : ''}.`,
      s.ordered
        ? 'Order and repeats carry meaning: values are arrays of `{ type, value }` entries in wire order.'
        : undefined,
      ...overrideNotes(s.overrides),
    ]),
  );
  if (s.ordered) {
    p.add(ts`export type ${s.entryName!} =\n`);
    for (const a of s.attrs) {
      const t = attrTs(a, p);
      if (t === undefined) continue;
      const entry = objType([
        member('type', leaf(str(a.tsName), 'simple')),
        member('value', t.doc === 'boolean' ? leaf('true', 'simple') : t),
      ]);
      p.add(attrDoc(a, '  '), new Code(at(2, ['| ', align(2, entry.doc)])));
    }
    p.add(ts`  | ${p.use('UnknownEntry', true)};\n`);
  } else if (s.selectorUnions?.length) {
    emitSelectorUnions(p, s, s.selectorUnions);
  } else {
    emitInterface(p, s.tsName, s.attrs);
  }
  const opts = [];
  if (s.ordered) opts.push(prop('ordered', leaf('true', 'num')));
  if (s.match) opts.push(prop('match', matchLit(s.match)));
  const layout = newCall('AttrSet', [
    leaf(str(s.name), 'str'),
    arrow(arr(s.attrs.map((a) => attrDef(a, p)))),
    ...(opts.length ? [obj(opts)] : []),
  ]);
  p.add(
    doc([`Layout of ${span(s.name)}.`]),
    new Code(at(0, constDecl(s.valueName, `AttrSet<${setTs(s).text}>`, layout)) + '\n'),
  );
}

/** The interface of `attrs` (`Record<string, never>` when none carries a value). */
function emitInterface(p: ModulePrinter, name: string, attrs: readonly AttrModel[]): void {
  if (!attrs.some((a) => propTs(a, p) !== undefined)) {
    p.add(ts`export type ${name} = Record<string, never>;\n`);
    return;
  }
  p.add(ts`export interface ${name} {\n`);
  for (const a of attrs) {
    const t = propTs(a, p);
    if (t !== undefined)
      p.add(attrDoc(a, '  '), new Code(at(2, [group(['readonly ', a.tsName, '?: ', t.doc]), ';'])));
  }
  p.add(ts`}\n`);
}

/**
 * A set with sub-messages selected by its own attributes: the intersection of
 * the other attributes' interface and, per selector, a union discriminated on
 * it. Each known selector value is a member with its format's type; the last
 * member takes any other value (or none), its sub-messages as raw bytes. A
 * string cannot exclude the known values, so `x.kind === 'bridge'` narrows to
 * the bridge member and that last one; `selects(x, 'kind', 'bridge')` from the
 * runtime (or `instanceof Uint8Array`) narrows to the bridge member alone.
 */
function emitSelectorUnions(
  p: ModulePrinter,
  s: AttrSetModel,
  unions: readonly SelectorUnionModel[],
): void {
  const inUnion = new Set(unions.flatMap((u) => [u.selector, ...u.attrs]));
  const rest = s.attrs.filter((a) => !inUnion.has(a));
  const parts = [...(rest.length ? [s.baseName!] : []), ...unions.map((u) => u.tsName)];
  p.add(
    new Code(at(0, typeDecl(s.tsName, intersection(parts.map((x) => leaf(x, 'simple'))))) + '\n'),
  );
  if (rest.length) {
    p.add(doc([`The attributes of ${span(s.name)} besides its selectors and sub-messages.`]));
    emitInterface(p, s.baseName!, rest);
  }
  for (const u of unions) {
    const sel = u.selector;
    const selType = attrTs(sel, p)!;
    const values: string[] = [];
    for (const a of u.attrs)
      for (const f of a.subMessage!.formats) if (!values.includes(f.value)) values.push(f.value);
    const lit = (v: string): Node =>
      sel.type !== 'string' && sel.enum === undefined && /^(0|[1-9][0-9]{0,14})$/.test(v)
        ? leaf(v, 'num')
        : leaf(str(v), 'str');
    const members = values.map((v) =>
      objType([
        member(sel.tsName, lit(v)),
        ...u.attrs.map((a) => {
          const f = a.subMessage!.formats.find((x) => x.value === v);
          return member(a.tsName, f ? formatTs(f) : leaf('Uint8Array', 'simple'), true);
        }),
      ]),
    );
    members.push(
      objType([
        member(sel.tsName, selType, true),
        ...u.attrs.map((a) => member(a.tsName, leaf('Uint8Array', 'simple'), true)),
      ]),
    );
    p.add(
      doc([
        `The attributes of ${span(s.name)} whose format ${span(sel.name)} selects (${u.attrs.map((a) => span(a.name)).join(', ')}), one member per known value; the last member takes any other value, its sub-messages as raw bytes.`,
        ...u.attrs.map((a) => a.doc && `${span(a.name)}: ${a.doc}`),
      ]),
      new Code(at(0, typeDecl(u.tsName, union(members))) + '\n'),
    );
  }
}

/** The type of a sub-message (any of its formats, or raw bytes) and its `SubMessageDef`. */
export function emitSubMessage(p: ModulePrinter, m: SubMessageModel): void {
  p.use('SubMessageDef');
  const types: Node[] = [];
  const seen = new Set<string>();
  for (const f of m.formats) {
    const t = formatTs(f);
    const key = JSON.stringify(t.doc);
    if (seen.has(key)) continue;
    seen.add(key);
    // an intersection as a union member is parenthesized (as prettier writes it)
    types.push(f.fixedHeader && f.attrSet ? paren(t) : t);
  }
  types.push(leaf('Uint8Array', 'simple'));
  p.add(
    doc([
      `Sub-message ${span(m.name)}: one of its formats, chosen by the value of the selector attribute, or raw bytes for a value without a format.`,
    ]),
    new Code(at(0, typeDecl(m.tsName, union(types))) + '\n'),
  );
  const formats = m.formats.map((f) =>
    obj([
      prop('value', leaf(str(f.value), 'str')),
      ...(f.fixedHeader ? [prop('header', leaf(f.fixedHeader.valueName, 'id'))] : []),
      ...(f.attrSet ? [prop('attrs', leaf(f.attrSet.valueName, 'id'))] : []),
    ]),
  );
  const layout = newCall('SubMessageDef', [leaf(str(m.name), 'str'), arrow(arr(formats))]);
  p.add(
    doc([`Formats of ${span(m.name)}, by selector value.`]),
    new Code(at(0, constDecl(m.valueName, undefined, layout)) + '\n'),
  );
}

function num(v: number | bigint, wide: boolean): Node {
  return leaf(wide ? `${BigInt(v)}n` : String(v), 'num');
}

const strs = (xs: readonly string[]): Node => arr(xs.map((x) => leaf(str(x), 'str')));

function attrDef(a: AttrModel, p: ModulePrinter): Node {
  const parts = [
    prop('name', leaf(str(a.tsName), 'str')),
    prop('type', leaf(String(a.value), 'num')),
    prop('kind', leaf(`Kind.${a.kind}`, 'member')),
  ];
  const yes = leaf('true', 'num');
  if (a.byteOrder === 'big-endian') parts.push(prop('be', yes));
  if (a.multi) parts.push(prop('multi', yes));
  if (a.nestedFamily !== undefined) p.useFrom(a.nestedFamily, a.nested!.valueName);
  if (a.nested) parts.push(prop('nested', leaf(a.nested.valueName, 'id')));
  if (a.kind === 'Struct' || a.kind === 'StructArray')
    parts.push(prop('struct', leaf(a.struct!.valueName, 'id')));
  if (a.subKind) parts.push(prop('sub', leaf(`Kind.${a.subKind}`, 'member')));
  if (a.typeValue) parts.push(prop('typeValue', strs(a.typeValue)));
  if (a.subMessage) {
    parts.push(prop('subMessage', leaf(a.subMessage.valueName, 'id')));
    parts.push(prop('selector', leaf(str(a.selectorTs!), 'str')));
  }
  if (a.masked) parts.push(prop('masked', yes));
  if (a.checks) {
    const c = a.checks;
    const wide = ['u64', 's64', 'uint', 'sint'].includes(a.type);
    const cs = [];
    if (c.min !== undefined) cs.push(prop('min', num(c.min, wide)));
    if (c.max !== undefined) cs.push(prop('max', num(c.max, wide)));
    if (c.minLen !== undefined) cs.push(prop('minLen', num(c.minLen, false)));
    if (c.maxLen !== undefined) cs.push(prop('maxLen', num(c.maxLen, false)));
    if (c.exactLen !== undefined) cs.push(prop('exactLen', num(c.exactLen, false)));
    if (cs.length) parts.push(prop('checks', obj(cs)));
  }
  if (a.enum)
    parts.push(
      prop(
        'enum',
        leaf(a.enumAsFlags && !a.enum.flags ? a.enum.asFlagsName! : a.enum.valueName, 'id'),
      ),
    );
  if (a.displayHint !== undefined) parts.push(prop('display', leaf(str(a.displayHint), 'str')));
  return obj(parts);
}

function matchLit(m: MatchModel): Node {
  const n = (x: number): Node => leaf(x > 0xff ? `0x${x.toString(16)}` : String(x), 'num');
  const nums = (xs: readonly number[]): Node => arr(xs.map(n));
  const rule = (r: MatchRuleModel): Node => {
    const when = r.when.map((c) =>
      obj([
        prop('path', strs(c.path)),
        c.in ? prop('in', nums(c.in)) : prop('notIn', nums(c.notIn ?? [])),
      ]),
    );
    const parts = [prop('when', arr(when))];
    for (const k of ['expect', 'allow', 'deny'] as const)
      if (r[k].length) parts.push(prop(k, strs(r[k])));
    if (r.exact.length) parts.push(prop('exact', arr(r.exact.map(strs))));
    return obj(parts);
  };
  const parts = [prop('key', leaf(str(m.key), 'str')), prop('mask', leaf(str(m.mask), 'str'))];
  if (m.flatten !== undefined) parts.push(prop('flatten', leaf(str(m.flatten), 'str')));
  if (m.always.length) parts.push(prop('always', strs(m.always)));
  parts.push(prop('gated', strs(m.gated)), prop('rules', arr(m.rules.map(rule))));
  return obj(parts);
}
