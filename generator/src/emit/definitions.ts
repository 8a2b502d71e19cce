/**
 * Emitters of constants, enums/flags (const object + literal union +
 * `EnumDef`) and structs (interface + `StructDef` layout).
 * @module
 */
import type { ConstModel, EnumModel, FamilyModel, StructModel } from '../model/types.js';
import { overrideNotes } from './notes.js';
import { Code, doc, span, str, ts, type ModulePrinter } from './printer.js';

const code = (text: string): Code => new Code(text);
import { memberTs } from './types.js';
import { arr, at, constDecl, leaf, newCall, obj, prop, type Node } from './syntax.js';

export function emitConst(p: ModulePrinter, c: ConstModel): void {
  const value =
    typeof c.value === 'number' ? leaf(String(c.value), 'num') : leaf(str(c.value), 'str');
  p.add(doc([c.doc]), code(at(0, constDecl(c.tsName, undefined, value)) + '\n'));
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
    ts`export const ${e.tsName} = {${code(e.entries.length ? '\n' : '')}`,
  );
  for (const x of e.entries)
    p.add(doc([x.doc, span(x.cName)], '  '), ts`  ${x.tsName}: ${x.value},\n`);
  p.add(
    ts`} as const;\n`,
    doc([`Names of ${e.flags ? 'flags' : 'values'} of ${span(e.name)}.`]),
    ts`export type ${e.tsName} = keyof typeof ${e.tsName};\n`,
    doc([`Value ↔ name lookup for ${span(e.name)} (\`nameOf\`, \`valueOf\`).`]),
    code(
      at(
        0,
        constDecl(
          e.valueName,
          'EnumDef',
          newCall('EnumDef', [
            leaf(str(e.name), 'str'),
            leaf(e.tsName, 'id'),
            ...(e.flags ? [leaf('true', 'num')] : []),
          ]),
        ),
      ) + '\n',
    ),
  );
  if (e.asFlagsName !== undefined) {
    const bits = obj(e.entries.map((x) => prop(x.tsName, leaf(String(2 ** x.value), 'num'))));
    const def = newCall('EnumDef', [leaf(str(e.name), 'str'), bits, leaf('true', 'num')]);
    p.add(
      doc([`${span(e.name)} used as flags (bit n = value n).`]),
      code(at(0, constDecl(e.asFlagsName, 'EnumDef', def)) + '\n'),
    );
  }
}

export function emitStruct(p: ModulePrinter, s: StructModel): void {
  p.use('Kind');
  p.use('StructDef', true);
  p.add(
    doc([s.doc ?? `struct ${span(s.name)} (${s.size} bytes).`, ...overrideNotes(s.overrides)]),
    ts`export interface ${s.tsName} {${code(s.members.some((x) => x.type !== 'pad') ? '\n' : '')}`,
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
    ts`export const ${s.valueName}: StructDef<${s.tsName}> = {\n`,
    code(at(2, [prop('name', leaf(str(s.name), 'str')), ','])),
    ts`  size: ${s.size},\n`,
  );
  const members: Node[] = s.members.map((x) => {
    const parts = [
      prop('name', leaf(str(x.tsName), 'str')),
      prop('kind', leaf(`Kind.${x.kind}`, 'member')),
      prop('offset', leaf(String(x.offset), 'num')),
    ];
    if (x.kind === 'Binary' || x.kind === 'String' || x.kind === 'Pad')
      parts.push(prop('len', leaf(String(x.size), 'num')));
    if (x.byteOrder === 'big-endian' && /^[us]\d+$/.test(x.type))
      parts.push(prop('be', leaf('true', 'num')));
    if (x.struct) parts.push(prop('struct', leaf(x.struct.valueName, 'id')));
    if (x.enum) parts.push(prop('enum', leaf(x.enum.valueName, 'id')));
    return obj(parts);
  });
  p.add(code(at(2, [prop('members', arr(members)), ','])), ts`};\n\n`);
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
