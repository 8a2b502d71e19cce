/**
 * FamilyModel → the TypeScript module of one family: enums and flags as const
 * objects, structs and attribute sets as interfaces plus layout tables for the
 * runtime codec, op definitions, a FamilyDef and a client class. Generated code
 * holds data and thin typed wrappers only; every wire rule lives in the runtime.
 * @module
 */
import type {
  AttrModel,
  AttrSetModel,
  EnumModel,
  FamilyModel,
  OpModel,
  StructMemberModel,
  StructModel,
  MatchModel,
  MatchRuleModel,
} from '../model/types.js';
import { camel, pascal } from '../names.js';
import { lit, overrideNotes, tsdoc } from './doc.js';

const kindOf: Record<string, string> = {
  unused: 'Unused',
  pad: 'Pad',
  flag: 'Flag',
  u8: 'U8',
  u16: 'U16',
  u32: 'U32',
  u64: 'U64',
  s8: 'S8',
  s16: 'S16',
  s32: 'S32',
  s64: 'S64',
  uint: 'Uint',
  sint: 'Sint',
  string: 'String',
  binary: 'Binary',
  nest: 'Nest',
  bitfield32: 'Bitfield32',
  'indexed-array': 'IndexedArray',
  'nest-type-value': 'NestTypeValue',
  'sub-message': 'Binary',
};
const wide = new Set(['u64', 's64', 'uint', 'sint']);
const narrow = new Set(['u8', 'u16', 'u32', 's8', 's16', 's32']);

/** Methods of GenlFamilyClient that ops must not shadow. */
const clientMembers = new Set([
  'open',
  'family',
  'socket',
  'def',
  'notifications',
  'doOp',
  'dumpOp',
  'encodeOp',
  'doOpReply',
]);

/** Emits the module text (unformatted) for a family. */
export function emitFamily(m: FamilyModel, specRel: string): string {
  const enums = new Map(m.enums.map((e) => [e.name, e]));
  const structs = new Map(m.structs.map((s) => [s.name, s]));
  const sets = new Map(m.attrSets.map((s) => [s.name, s]));
  const genl = m.protocol !== 'netlink-raw';
  // Value declarations: the Pascal name with a lower-case first letter and a suffix.
  const decl = (n: string, suffix: string): string => {
    const p = pascal(n);
    return p.charAt(0).toLowerCase() + p.slice(1) + suffix;
  };
  const enumValue = (e: EnumModel): string => decl(e.name, 'Enum');
  const flagsValue = (e: EnumModel): string => decl(e.name, 'AsFlags');
  const structValue = (s: StructModel): string => decl(s.name, 'Struct');
  const setValue = (s: AttrSetModel): string => decl(s.name, 'Set');
  const entryType = (s: AttrSetModel): string => `${s.tsName}Entry`;
  // Always suffixed, so it never clashes with a set named like the family (tcp_metrics).
  const client = `${m.tsName}Client`;
  const used = new Set<string>(); // runtime imports
  const asFlagsNeeded = new Set<string>();
  const out: string[] = [];
  const emit = (s: string): void => {
    out.push(s);
  };

  // ---- consts ----
  for (const c of m.consts) {
    emit(tsdoc([c.doc]));
    emit(
      `export const ${c.tsName} = ${typeof c.value === 'number' ? String(c.value) : lit(c.value)};\n\n`,
    );
  }

  // ---- enums ----
  for (const e of m.enums) {
    used.add('EnumDef');
    const prefix = commonPrefix(e.entries.map((x) => x.cName));
    emit(
      tsdoc([
        e.doc ?? `${e.flags ? 'Flags' : 'Enum'} \`${e.name}\`.`,
        prefix ? `C: \`${prefix}*\`` : undefined,
        ...overrideNotes(e.overrides),
      ]),
    );
    emit(`export const ${e.tsName} = {\n`);
    for (const x of e.entries) {
      emit(tsdoc([x.doc, `\`${x.cName}\``], '  '));
      emit(`  ${x.tsName}: ${x.value},\n`);
    }
    emit(`} as const;\n`);
    emit(
      `/** Names of ${e.flags ? 'flags' : 'values'} of \`${e.name}\`. */\nexport type ${e.tsName} = keyof typeof ${e.tsName};\n`,
    );
    emit(`/** Value ↔ name lookup for \`${e.name}\` (\`nameOf\`, \`valueOf\`). */\n`);
    emit(
      `export const ${enumValue(e)}: EnumDef = new EnumDef(${lit(e.name)}, ${e.tsName}${e.flags ? ', true' : ''});\n\n`,
    );
  }

  // ---- TS types ----
  const scalarTs = (t: string, enumName: string | undefined, asFlags: boolean): string => {
    const e = enumName !== undefined ? enums.get(enumName) : undefined;
    if (e) {
      const names = `${e.tsName} | number`;
      if (e.flags || asFlags) return `readonly (${names})[]`;
      return names;
    }
    return wide.has(t) ? 'bigint' : 'number';
  };
  const memberTs = (x: StructMemberModel): string => {
    switch (x.type) {
      case 'binary':
        return 'Uint8Array';
      case 'string':
        return 'string';
      case 'struct':
        return structs.get(x.struct!)!.tsName;
      default:
        return scalarTs(x.type, x.enum, false);
    }
  };
  const setTs = (name: string): string => {
    const s = sets.get(name)!;
    return s.ordered ? `readonly ${entryType(s)}[]` : s.tsName;
  };
  const valueTs = (a: AttrModel): string | undefined => {
    switch (a.type) {
      case 'unused':
      case 'pad':
        return undefined;
      case 'flag':
        return 'boolean';
      case 'string':
        return 'string';
      case 'binary':
        if (a.struct !== undefined) return structs.get(a.struct)!.tsName;
        if (a.subType !== undefined)
          return `readonly ${wide.has(a.subType) ? 'bigint' : 'number'}[]`;
        return 'Uint8Array';
      case 'sub-message':
        return 'Uint8Array';
      case 'bitfield32':
        used.add('type Bitfield32');
        return 'Bitfield32';
      case 'nest':
        if (a.masked) {
          used.add('type Masked');
          const inner = sets.get(a.nested!)!;
          return `{ readonly [K in keyof ${inner.tsName}]?: Masked<NonNullable<${inner.tsName}[K]>> }`;
        }
        return setTs(a.nested!);
      case 'indexed-array':
        if (a.subType === 'nest') return `readonly ${setTs(a.nested!)}[]`;
        return `readonly (${scalarTs(a.subType ?? 'u32', a.enum, false)})[]`;
      case 'nest-type-value': {
        const keys = (a.typeValue ?? []).map((k) => `readonly ${camel(k)}: number`).join('; ');
        return `readonly ({ ${keys} } & ${setTs(a.nested!)})[]`;
      }
      default:
        if (a.enumAsFlags && a.enum !== undefined && enums.get(a.enum)?.flags !== true)
          asFlagsNeeded.add(a.enum);
        return scalarTs(a.type, a.enum, a.enumAsFlags);
    }
  };

  // ---- structs (members' structs first: the layouts are plain constants) ----
  const ordered: StructModel[] = [];
  const visit = (s: StructModel, seen: Set<string>): void => {
    if (ordered.includes(s) || seen.has(s.name)) return;
    seen.add(s.name);
    for (const x of s.members)
      if (x.struct !== undefined && structs.get(x.struct)) visit(structs.get(x.struct)!, seen);
    ordered.push(s);
  };
  for (const s of m.structs) visit(s, new Set());
  for (const s of ordered) {
    used.add('Kind');
    used.add('type StructDef');
    emit(
      tsdoc([s.doc ?? `struct \`${s.name}\` (${s.size} bytes).`, ...overrideNotes(s.overrides)]),
    );
    emit(`export interface ${s.tsName} {\n`);
    for (const x of s.members) {
      if (x.type === 'pad') continue;
      emit(
        tsdoc([x.doc, x.byteOrder === 'big-endian' ? 'Big-endian on the wire.' : undefined], '  '),
      );
      emit(`  readonly ${x.tsName}: ${memberTs(x)};\n`);
    }
    emit(`}\n`);
    emit(
      `/** Layout of \`${s.name}\`. */\nexport const ${structValue(s)}: StructDef<${s.tsName}> = {\n  name: ${lit(s.name)},\n  size: ${s.size},\n  members: [\n`,
    );
    for (const x of s.members) {
      const kind = x.type === 'struct' ? 'Struct' : x.type === 'pad' ? 'Pad' : kindOf[x.type]!;
      const parts = [`name: ${lit(x.tsName)}`, `kind: Kind.${kind}`, `offset: ${x.offset}`];
      if (x.type === 'binary' || x.type === 'string' || x.type === 'pad')
        parts.push(`len: ${x.size}`);
      if (x.byteOrder === 'big-endian' && (narrow.has(x.type) || wide.has(x.type)))
        parts.push('be: true');
      if (x.type === 'struct') parts.push(`struct: ${structValue(structs.get(x.struct!)!)}`);
      if (x.enum !== undefined && enums.get(x.enum))
        parts.push(`enum: ${enumValue(enums.get(x.enum)!)}`);
      emit(`    { ${parts.join(', ')} },\n`);
    }
    emit(`  ],\n};\n\n`);
  }

  // ---- attribute sets ----
  for (const s of m.attrSets) {
    used.add('AttrSet');
    used.add('Kind');
    const prefix = commonPrefix(s.attrs.map((a) => a.cName));
    const head = tsdoc([
      s.doc,
      `Attribute set \`${s.name}\`${prefix ? ` (\`${prefix}*\`)` : ''}${s.subsetOf !== undefined ? `, a subset of \`${s.subsetOf}\`` : ''}.`,
      s.ordered
        ? 'Order and repeats carry meaning: values are arrays of `{ type, value }` entries in wire order.'
        : undefined,
      ...overrideNotes(s.overrides),
    ]);
    const attrDoc = (a: AttrModel, indent: string): string =>
      tsdoc(
        [
          a.doc,
          `\`${a.cName}\` (${a.value})`,
          a.type === 'sub-message'
            ? 'Sub-messages are not decoded yet: the raw payload.'
            : undefined,
          ...overrideNotes(a.overrides),
        ],
        indent,
      );
    if (s.ordered) {
      emit(head);
      emit(`export type ${entryType(s)} =\n`);
      for (const a of s.attrs) {
        const t = valueTs(a);
        if (t === undefined) continue;
        emit(attrDoc(a, '  '));
        emit(
          `  | { readonly type: ${lit(a.tsName)}; readonly value: ${t === 'boolean' ? 'true' : t} }\n`,
        );
      }
      used.add('type UnknownEntry');
      emit(`  | UnknownEntry;\n`);
    } else if (!s.attrs.some((a) => valueTs(a) !== undefined)) {
      emit(head);
      emit(`export type ${s.tsName} = Record<string, never>;\n`);
    } else {
      emit(head);
      emit(`export interface ${s.tsName} {\n`);
      for (const a of s.attrs) {
        const t = valueTs(a);
        if (t === undefined) continue;
        emit(attrDoc(a, '  '));
        emit(`  readonly ${a.tsName}?: ${a.multi ? `readonly (${t})[]` : t};\n`);
      }
      emit(`}\n`);
    }
    const ty = s.ordered ? `readonly ${entryType(s)}[]` : s.tsName;
    emit(
      `/** Layout of \`${s.name}\`. */\nexport const ${setValue(s)}: AttrSet<${ty}> = new AttrSet(${lit(s.name)}, () => [\n`,
    );
    for (const a of s.attrs) emit(`  ${attrDef(a)},\n`);
    const opts: string[] = [];
    if (s.ordered) opts.push('ordered: true');
    if (s.match) opts.push(`match: ${matchLit(s.match)}`);
    emit(`]${opts.length ? `, { ${opts.join(', ')} }` : ''});\n\n`);
  }

  function matchLit(m: MatchModel): string {
    const strs = (xs: readonly string[]): string => `[${xs.map(lit).join(', ')}]`;
    const num = (x: number): string => (x > 0xff ? `0x${x.toString(16)}` : String(x));
    const nums = (xs: readonly number[]): string => `[${xs.map(num).join(', ')}]`;
    const rule = (r: MatchRuleModel): string => {
      const when = r.when.map(
        (c) =>
          `{ path: ${strs(c.path)}, ${c.in ? `in: ${nums(c.in)}` : `notIn: ${nums(c.notIn ?? [])}`} }`,
      );
      const parts = [`when: [${when.join(', ')}]`];
      for (const k of ['expect', 'allow', 'deny'] as const)
        if (r[k].length) parts.push(`${k}: ${strs(r[k])}`);
      if (r.exact.length) parts.push(`exact: [${r.exact.map(strs).join(', ')}]`);
      return `{ ${parts.join(', ')} }`;
    };
    const parts = [`key: ${lit(m.key)}`, `mask: ${lit(m.mask)}`];
    if (m.flatten !== undefined) parts.push(`flatten: ${lit(m.flatten)}`);
    if (m.always.length) parts.push(`always: ${strs(m.always)}`);
    parts.push(`gated: ${strs(m.gated)}`, `rules: [${m.rules.map(rule).join(', ')}]`);
    return `{ ${parts.join(', ')} }`;
  }

  function attrDef(a: AttrModel): string {
    let kind = kindOf[a.type]!;
    const parts = [`name: ${lit(a.tsName)}`, `type: ${a.value}`];
    if (a.type === 'binary' && a.struct !== undefined) kind = 'Struct';
    else if (a.type === 'binary' && a.subType !== undefined) kind = 'ScalarArray';
    parts.push(`kind: Kind.${kind}`);
    if (a.byteOrder === 'big-endian') parts.push('be: true');
    if (a.multi) parts.push('multi: true');
    if (a.nested !== undefined && sets.get(a.nested))
      parts.push(`nested: ${setValue(sets.get(a.nested)!)}`);
    if (kind === 'Struct') parts.push(`struct: ${structValue(structs.get(a.struct!)!)}`);
    if (a.subType !== undefined && kind !== 'Struct')
      parts.push(`sub: Kind.${kindOf[a.subType] ?? 'Binary'}`);
    if (a.typeValue) parts.push(`typeValue: [${a.typeValue.map((t) => lit(camel(t))).join(', ')}]`);
    if (a.masked) parts.push('masked: true');
    if (a.checks) {
      const c = a.checks;
      const num = (v: number | bigint): string => (typeof v === 'bigint' ? `${v}n` : String(v));
      const cs: string[] = [];
      if (c.min !== undefined) cs.push(`min: ${num(wide.has(a.type) ? BigInt(c.min) : c.min)}`);
      if (c.max !== undefined) cs.push(`max: ${num(wide.has(a.type) ? BigInt(c.max) : c.max)}`);
      if (c.minLen !== undefined) cs.push(`minLen: ${c.minLen}`);
      if (c.maxLen !== undefined) cs.push(`maxLen: ${c.maxLen}`);
      if (c.exactLen !== undefined) cs.push(`exactLen: ${c.exactLen}`);
      if (cs.length) parts.push(`checks: { ${cs.join(', ')} }`);
    }
    const e = a.enum !== undefined ? enums.get(a.enum) : undefined;
    if (e && a.enumAsFlags && !e.flags) asFlagsNeeded.add(e.name);
    if (e) parts.push(`enum: ${a.enumAsFlags && !e.flags ? flagsValue(e) : enumValue(e)}`);
    if (a.displayHint !== undefined) parts.push(`display: ${lit(a.displayHint)}`);
    return `{ ${parts.join(', ')} }`;
  }

  // enum-as-flags lookups: the enum's values are bit numbers
  for (const name of asFlagsNeeded) {
    const e = enums.get(name)!;
    emit(`/** \`${e.name}\` used as flags (bit n = value n). */\n`);
    emit(
      `export const ${flagsValue(e)}: EnumDef = new EnumDef(${lit(e.name)}, { ${e.entries.map((x) => `${x.tsName}: ${2 ** x.value}`).join(', ')} }, true);\n\n`,
    );
  }

  // ---- ops, family, client (generic netlink only) ----
  if (genl && m.ops.length) {
    used.add('type FamilyDef');
    const header = m.fixedHeader !== undefined ? structs.get(m.fixedHeader) : undefined;
    const msgType = (op: OpModel, setName: string | undefined): string => {
      const s = setName !== undefined ? sets.get(setName) : undefined;
      const base = s ? setTs(s.name) : 'Record<string, never>';
      const h = op.fixedHeader !== undefined ? structs.get(op.fixedHeader) : header;
      return h ? `${base} & { readonly header: ${h.tsName} }` : base;
    };
    const opsByName = new Map(m.ops.map((o) => [o.name, o]));
    const requestOps = m.ops.filter((o) => o.do || o.dump);
    emit(
      `/** Operations of \`${m.name}\`: command numbers and layouts, usable without a socket (see the runtime's \`genlRequest\` / \`readGenlMessage\`). */\n`,
    );
    emit(`export const ops = {\n`);
    for (const o of requestOps) {
      used.add('type OpDef');
      used.add('type RequestOptions');
      const set = o.attrSet !== undefined ? sets.get(o.attrSet) : undefined;
      const replies = Boolean(o.do?.reply ?? o.dump?.reply);
      const setV = set ? setValue(set) : 'emptySet';
      if (!set) used.add('AttrSet');
      const t = msgType(o, o.attrSet);
      const h =
        o.fixedHeader !== undefined && o.fixedHeader !== m.fixedHeader
          ? structs.get(o.fixedHeader)
          : undefined;
      const parts = [`name: ${lit(o.name)}`, `cmd: ${o.value}`];
      const replyCmd = o.do?.reply?.value ?? o.dump?.reply?.value;
      if (replyCmd !== undefined && replyCmd !== o.value) parts.push(`replyCmd: ${replyCmd}`);
      parts.push(`requestSet: ${setV}`);
      if (replies) parts.push(`replySet: ${setV}`);
      if (h) parts.push(`fixedHeader: ${structValue(h)}`);
      emit(tsdoc([o.doc, `\`${o.cName}\``, ...overrideNotes(o.overrides)], '  '));
      emit(`  ${o.tsName}: { ${parts.join(', ')} } as OpDef<${t}, ${t}>,\n`);
    }
    emit(`} as const;\n\n`);
    if (requestOps.some((o) => o.attrSet === undefined)) {
      emit(`const emptySet: AttrSet<Record<string, never>> = new AttrSet('(none)', () => []);\n\n`);
    }

    const ntfs = m.ops.filter((o) => o.notify !== undefined || o.event);
    emit(
      tsdoc([
        m.doc,
        `Family \`${m.name}\` (genetlink version ${m.version}).`,
        ...overrideNotes(m.overrides),
      ]),
    );
    emit(`export const family: FamilyDef = {\n  name: ${lit(m.name)},\n  version: ${m.version},\n`);
    if (header) emit(`  fixedHeader: ${structValue(header)},\n`);
    emit(
      `  mcastGroups: [${m.mcastGroups.map((g) => lit(g.name)).join(', ')}],\n  notifications: {\n`,
    );
    const ntfTypes: string[] = [];
    for (const n of ntfs) {
      const target = n.notify !== undefined ? opsByName.get(n.notify) : undefined;
      const setName = target?.attrSet ?? n.attrSet;
      const set = setName !== undefined ? sets.get(setName) : undefined;
      if (!set) continue;
      const h =
        n.fixedHeader !== undefined && n.fixedHeader !== m.fixedHeader
          ? structs.get(n.fixedHeader)
          : undefined;
      emit(
        `    ${n.value}: { name: ${lit(n.name)}, set: ${setValue(set)}${h ? `, fixedHeader: ${structValue(h)}` : ''} },\n`,
      );
      ntfTypes.push(`Notification<${msgType(n, setName)}> & { readonly name: ${lit(n.name)} }`);
    }
    emit(`  },\n};\n\n`);
    used.add('GenlFamilyClient');
    used.add('type Notification');
    used.add('type NotificationOptions');
    const ntfName = `${client}Notification`;
    emit(`/** A notification of \`${m.name}\` (unknown commands arrive as raw bytes). */\n`);
    emit(
      `export type ${ntfName} =\n  | ${[...ntfTypes, 'Notification<Uint8Array>'].join('\n  | ')};\n\n`,
    );
    emit(
      tsdoc([
        `Client for the \`${m.name}\` generic netlink family: \`await ${client}.open(sock)\`.`,
      ]),
    );
    emit(
      `export class ${client} extends GenlFamilyClient {\n  static override readonly familyDef: FamilyDef = family;\n\n`,
    );
    const methods = new Set<string>();
    const method = (n: string): string => {
      let name = clientMembers.has(n) ? `${n}Op` : n;
      while (methods.has(name)) name += '_';
      methods.add(name);
      return name;
    };
    for (const o of requestOps) {
      const t = msgType(o, o.attrSet);
      const hasHeader = (o.fixedHeader ?? m.fixedHeader) !== undefined;
      const docLines = [o.doc, `\`${o.cName}\``, ...overrideNotes(o.overrides)];
      if (o.do) {
        const name = method(o.tsName);
        const arg = o.attrSet === undefined && !hasHeader ? `req: ${t} = {}` : `req: ${t}`;
        emit(
          tsdoc(
            [
              ...docLines,
              o.do.reply ? 'Resolves to the reply.' : 'Resolves when the kernel acknowledges.',
            ],
            '  ',
          ),
        );
        if (o.do.reply) {
          emit(
            `  ${name}(${arg}, opts?: RequestOptions): Promise<${t}> {\n    return this.doOpReply(ops.${o.tsName}, req, opts);\n  }\n\n`,
          );
        } else {
          emit(
            `  async ${name}(${arg}, opts?: RequestOptions): Promise<void> {\n    await this.doOp(ops.${o.tsName}, req, opts);\n  }\n\n`,
          );
        }
      }
      if (o.dump) {
        const base =
          o.name === 'get'
            ? 'dump'
            : o.name.endsWith('-get')
              ? `${camel(o.name.slice(0, -4))}Dump`
              : `${o.tsName}Dump`;
        const name = method(base);
        const arg = hasHeader ? `req: ${t}` : `req: ${t} = {}`;
        emit(tsdoc([...docLines, 'Dump: yields each reply as it arrives.'], '  '));
        emit(
          `  ${name}(${arg}, opts?: RequestOptions): AsyncGenerator<${t}> {\n    return this.dumpOp(ops.${o.tsName}, req, opts);\n  }\n\n`,
        );
      }
    }
    emit(
      `  /** Notifications from ${m.mcastGroups.length ? m.mcastGroups.map((g) => `\`${g.name}\``).join(', ') : 'no groups'}, decoded. */\n`,
    );
    emit(
      `  override notifications(opts?: NotificationOptions): AsyncGenerator<${ntfName}> {\n    return super.notifications(opts) as AsyncGenerator<${ntfName}>;\n  }\n`,
    );
    if (m.ops.some((o) => o.event)) {
      emit(
        `\n  /** Events the kernel sends to this socket's port (${m.ops
          .filter((o) => o.event)
          .map((o) => `\`${o.name}\``)
          .join(', ')}), decoded. */\n`,
      );
      emit(
        `  override events(opts?: Omit<NotificationOptions, 'groups'>): AsyncGenerator<${ntfName}> {\n    return super.events(opts) as AsyncGenerator<${ntfName}>;\n  }\n`,
      );
    }
    emit(`}\n`);
  }

  // ---- header ----
  const imports = [...used].sort((a, b) =>
    a.replace('type ', '').localeCompare(b.replace('type ', '')),
  );
  const head =
    `// Code generated by ynl-ts codegen from ${specRel}. DO NOT EDIT.\n` +
    tsdoc([
      m.doc,
      `Netlink family \`${m.name}\` (${m.protocol}, uapi \`${m.uapiHeader}\`).`,
    ]).replace(/ \*\/\n$/, ' *\n * @module\n */\n') +
    (imports.length ? `import { ${imports.join(', ')} } from '@ynl-ts/runtime';\n\n` : '');
  return head + out.join('');
}

function commonPrefix(names: readonly string[]): string {
  if (names.length < 2) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  const cut = p.lastIndexOf('_');
  return cut > 0 ? p.slice(0, cut + 1) : '';
}
