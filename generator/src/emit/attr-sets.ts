/**
 * Emitter of attribute sets: the interface (or the entry union of an ordered
 * set) and the `AttrSet` layout table the runtime codec interprets.
 * @module
 */
import type { AttrModel, AttrSetModel, MatchModel, MatchRuleModel } from '../model/types.js';
import { commonPrefix } from './definitions.js';
import { overrideNotes } from './notes.js';
import { Code, doc, join, span, str, ts, type ModulePrinter } from './printer.js';
import { attrTs, propTs, setTs } from './types.js';

function attrDoc(a: AttrModel, indent: string): Code {
  return doc(
    [
      a.doc,
      `${span(a.cName)} (${a.value})`,
      a.type === 'sub-message' ? 'Sub-messages are not decoded yet: the raw payload.' : undefined,
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
      p.add(
        attrDoc(a, '  '),
        ts`  | { readonly type: ${str(a.tsName)}; readonly value: ${t.text === 'boolean' ? ts`true` : t} }\n`,
      );
    }
    p.add(ts`  | ${p.use('UnknownEntry', true)};\n`);
  } else if (!s.attrs.some((a) => propTs(a, p) !== undefined)) {
    p.add(ts`export type ${s.tsName} = Record<string, never>;\n`);
  } else {
    p.add(ts`export interface ${s.tsName} {\n`);
    for (const a of s.attrs) {
      const t = propTs(a, p);
      if (t !== undefined) p.add(attrDoc(a, '  '), ts`  readonly ${a.tsName}?: ${t};\n`);
    }
    p.add(ts`}\n`);
  }
  const opts: Code[] = [];
  if (s.ordered) opts.push(ts`ordered: true`);
  if (s.match) opts.push(ts`match: ${matchLit(s.match)}`);
  p.add(
    doc([`Layout of ${span(s.name)}.`]),
    ts`export const ${s.valueName}: AttrSet<${setTs(s)}> = new AttrSet(${str(s.name)}, () => [\n`,
  );
  for (const a of s.attrs) p.add(ts`  ${attrDef(a, p)},\n`);
  p.add(ts`]${opts.length ? ts`, { ${join(opts, ', ')} }` : ''});\n\n`);
}

function num(v: number | bigint, wide: boolean): Code {
  return new Code(wide ? `${BigInt(v)}n` : String(v));
}

function attrDef(a: AttrModel, p: ModulePrinter): Code {
  const parts: Code[] = [
    ts`name: ${str(a.tsName)}`,
    ts`type: ${a.value}`,
    ts`kind: Kind.${a.kind}`,
  ];
  if (a.byteOrder === 'big-endian') parts.push(ts`be: true`);
  if (a.multi) parts.push(ts`multi: true`);
  if (a.nestedFamily !== undefined) p.useFrom(a.nestedFamily, a.nested!.valueName);
  if (a.nested) parts.push(ts`nested: ${a.nested.valueName}`);
  if (a.kind === 'Struct' || a.kind === 'StructArray')
    parts.push(ts`struct: ${a.struct!.valueName}`);
  if (a.subKind) parts.push(ts`sub: Kind.${a.subKind}`);
  if (a.typeValue) parts.push(ts`typeValue: [${join(a.typeValue.map(str), ', ')}]`);
  if (a.masked) parts.push(ts`masked: true`);
  if (a.checks) {
    const c = a.checks;
    const wide = ['u64', 's64', 'uint', 'sint'].includes(a.type);
    const cs: Code[] = [];
    if (c.min !== undefined) cs.push(ts`min: ${num(c.min, wide)}`);
    if (c.max !== undefined) cs.push(ts`max: ${num(c.max, wide)}`);
    if (c.minLen !== undefined) cs.push(ts`minLen: ${c.minLen}`);
    if (c.maxLen !== undefined) cs.push(ts`maxLen: ${c.maxLen}`);
    if (c.exactLen !== undefined) cs.push(ts`exactLen: ${c.exactLen}`);
    if (cs.length) parts.push(ts`checks: { ${join(cs, ', ')} }`);
  }
  if (a.enum)
    parts.push(
      ts`enum: ${a.enumAsFlags && !a.enum.flags ? a.enum.asFlagsName! : a.enum.valueName}`,
    );
  if (a.displayHint !== undefined) parts.push(ts`display: ${str(a.displayHint)}`);
  return ts`{ ${join(parts, ', ')} }`;
}

function matchLit(m: MatchModel): Code {
  const strs = (xs: readonly string[]): Code => ts`[${join(xs.map(str), ', ')}]`;
  const n = (x: number): Code => new Code(x > 0xff ? `0x${x.toString(16)}` : String(x));
  const nums = (xs: readonly number[]): Code => ts`[${join(xs.map(n), ', ')}]`;
  const rule = (r: MatchRuleModel): Code => {
    const when = r.when.map(
      (c) =>
        ts`{ path: ${strs(c.path)}, ${c.in ? ts`in: ${nums(c.in)}` : ts`notIn: ${nums(c.notIn ?? [])}`} }`,
    );
    const parts: Code[] = [ts`when: [${join(when, ', ')}]`];
    for (const k of ['expect', 'allow', 'deny'] as const)
      if (r[k].length) parts.push(ts`${k}: ${strs(r[k])}`);
    if (r.exact.length) parts.push(ts`exact: [${join(r.exact.map(strs), ', ')}]`);
    return ts`{ ${join(parts, ', ')} }`;
  };
  const parts: Code[] = [ts`key: ${str(m.key)}`, ts`mask: ${str(m.mask)}`];
  if (m.flatten !== undefined) parts.push(ts`flatten: ${str(m.flatten)}`);
  if (m.always.length) parts.push(ts`always: ${strs(m.always)}`);
  parts.push(ts`gated: ${strs(m.gated)}`, ts`rules: [${join(m.rules.map(rule), ', ')}]`);
  return ts`{ ${join(parts, ', ')} }`;
}
