/**
 * Emitters of constants, enums/flags (const object + literal union +
 * `EnumDef`) and structs (interface + `StructDef` layout).
 * @module
 */
import type { ConstModel, EnumModel, FamilyModel, StructModel } from '../model/types.js';
import { overrideNotes } from './notes.js';
import { Code, doc, join, span, str, ts, type ModulePrinter } from './printer.js';
import { memberTs } from './types.js';

export function emitConst(p: ModulePrinter, c: ConstModel): void {
  const value = typeof c.value === 'number' ? c.value : str(c.value);
  p.add(doc([c.doc]), ts`export const ${c.tsName} = ${value};\n\n`);
}

export function emitEnum(p: ModulePrinter, e: EnumModel): void {
  p.use('EnumDef');
  const prefix = commonPrefix(e.entries.map((x) => x.cName));
  const what = e.flags ? 'Flags' : 'Enum';
  p.add(
    doc([
      e.doc ?? `${what} ${span(e.name)}.`,
      prefix ? `C: ${span(`${prefix}*`)}` : undefined,
      ...overrideNotes(e.overrides),
    ]),
    ts`export const ${e.tsName} = {\n`,
  );
  for (const x of e.entries)
    p.add(doc([x.doc, span(x.cName)], '  '), ts`  ${x.tsName}: ${x.value},\n`);
  p.add(
    ts`} as const;\n`,
    doc([`Names of ${e.flags ? 'flags' : 'values'} of ${span(e.name)}.`]),
    ts`export type ${e.tsName} = keyof typeof ${e.tsName};\n`,
    doc([`Value ↔ name lookup for ${span(e.name)} (\`nameOf\`, \`valueOf\`).`]),
    ts`export const ${e.valueName}: EnumDef = new EnumDef(${str(e.name)}, ${e.tsName}${e.flags ? ts`, true` : ''});\n\n`,
  );
  if (e.asFlagsName !== undefined) {
    const bits = join(
      e.entries.map((x) => ts`${x.tsName}: ${2 ** x.value}`),
      ', ',
    );
    p.add(
      doc([`${span(e.name)} used as flags (bit n = value n).`]),
      ts`export const ${e.asFlagsName}: EnumDef = new EnumDef(${str(e.name)}, { ${bits} }, true);\n\n`,
    );
  }
}

export function emitStruct(p: ModulePrinter, s: StructModel): void {
  p.use('Kind');
  p.use('StructDef', true);
  p.add(
    doc([s.doc ?? `struct ${span(s.name)} (${s.size} bytes).`, ...overrideNotes(s.overrides)]),
    ts`export interface ${s.tsName} {\n`,
  );
  for (const x of s.members) {
    if (x.type === 'pad') continue;
    p.add(
      doc([x.doc, x.byteOrder === 'big-endian' ? 'Big-endian on the wire.' : undefined], '  '),
      ts`  readonly ${x.tsName}: ${memberTs(x)};\n`,
    );
  }
  p.add(
    ts`}\n`,
    doc([`Layout of ${span(s.name)}.`]),
    ts`export const ${s.valueName}: StructDef<${s.tsName}> = {\n  name: ${str(s.name)},\n  size: ${s.size},\n  members: [\n`,
  );
  for (const x of s.members) {
    const parts: Code[] = [
      ts`name: ${str(x.tsName)}`,
      ts`kind: Kind.${x.kind}`,
      ts`offset: ${x.offset}`,
    ];
    if (x.kind === 'Binary' || x.kind === 'String' || x.kind === 'Pad')
      parts.push(ts`len: ${x.size}`);
    if (x.byteOrder === 'big-endian' && /^[us]\d+$/.test(x.type)) parts.push(ts`be: true`);
    if (x.struct) parts.push(ts`struct: ${x.struct.valueName}`);
    if (x.enum) parts.push(ts`enum: ${x.enum.valueName}`);
    p.add(ts`    { ${join(parts, ', ')} },\n`);
  }
  p.add(ts`  ],\n};\n\n`);
}

export function emitDefinitions(p: ModulePrinter, m: FamilyModel): void {
  for (const c of m.consts) emitConst(p, c);
  for (const e of m.enums) emitEnum(p, e);
  for (const s of m.structs) emitStruct(p, s);
}

/** `OVS_DP_ATTR_` of `OVS_DP_ATTR_NAME`, `OVS_DP_ATTR_STATS`, ... ('' for fewer than two). */
export function commonPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let pre = names[0]!;
  for (const n of names) while (!n.startsWith(pre)) pre = pre.slice(0, -1);
  const cut = pre.lastIndexOf('_');
  return cut > 0 ? pre.slice(0, cut + 1) : '';
}
