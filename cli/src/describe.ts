/**
 * What `--list-ops`, `--list-attrs OP`, `--doc OP` and `--family X --help`
 * print, from the spec model: modes, the attributes of each message with
 * their types, enums, display hints and docs.
 * @module
 */
import type {
  AttrModel,
  AttrSetModel,
  FamilyModel,
  OpMessageModel,
  OpModel,
} from '@ynl-ts/codegen';
import { UsageError } from './family.js';
import { opModes, type FamilySummary } from './names.js';

/** An op of the summary, by spec name or by the TS name of the generated `ops` table. */
export function findOp(s: FamilySummary, name: string): FamilySummary['ops'][number] {
  const op = s.ops.find((o) => o.name === name || o.tsName === name);
  if (op !== undefined) return op;
  const known = s.ops.filter((o) => o.modes.includes('do') || o.modes.includes('dump'));
  throw new UsageError(
    `${s.name} has no operation '${name}' (it has: ${known.map((o) => o.name).join(', ')})`,
  );
}

/** `--list-ops`: one line per op, `name [modes]`, then the multicast groups. */
export function listOps(s: FamilySummary): string[] {
  const width = Math.max(0, ...s.ops.map((o) => o.name.length));
  const out = s.ops.map((o) => `${o.name.padEnd(width)}  [${o.modes.join(', ')}]`);
  if (s.mcastGroups.length) out.push('', `multicast groups: ${s.mcastGroups.join(', ')}`);
  return out;
}

const oneLine = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

/** The type text of an attribute: `u32`, `nest(dev)`, `u64 flags(xdp-act)`, `binary ipv4` … */
function typeText(a: AttrModel): string {
  let t: string = a.type;
  if (a.nested) t += `(${a.nested.name})`;
  if (a.struct) t += `(struct ${a.struct.name})`;
  if (a.subType) t += ` of ${a.subType}`;
  if (a.enum) t += ` ${a.enum.flags || a.enumAsFlags ? 'flags' : 'enum'}(${a.enum.name})`;
  if (a.byteOrder === 'big-endian') t += ' big-endian';
  if (a.multi) t += ' multi';
  if (a.displayHint) t += ` display:${a.displayHint}`;
  return t;
}

/**
 * The attributes of a message, nested sets expanded below the attribute that
 * holds them (once per message: a set met again is only named).
 */
function attrLines(
  attrs: readonly AttrModel[],
  indent: string,
  docs: boolean,
  seen: Set<AttrSetModel>,
  required: readonly AttrModel[] = [],
): string[] {
  const out: string[] = [];
  for (const a of attrs) {
    if (a.type === 'pad' || a.type === 'unused') continue;
    const req = required.includes(a) ? ' (required)' : '';
    const doc = oneLine(a.doc);
    out.push(`${indent}${a.name}: ${typeText(a)}${req}${docs && doc ? `  # ${doc}` : ''}`);
    if (a.enum && docs) {
      for (const e of a.enum.entries) {
        const d = oneLine(e.doc);
        out.push(`${indent}    ${e.name}${d ? `  # ${d}` : ''}`);
      }
    }
    if (a.struct) {
      for (const mem of a.struct.members) {
        if (mem.type === 'pad') continue;
        const d = oneLine(mem.doc);
        out.push(
          `${indent}  ${mem.name}: ${mem.type}${mem.enum ? ` enum(${mem.enum.name})` : ''}${mem.displayHint ? ` display:${mem.displayHint}` : ''}${docs && d ? `  # ${d}` : ''}`,
        );
      }
    }
    if (a.nested) {
      if (seen.has(a.nested)) continue;
      seen.add(a.nested);
      out.push(...attrLines(a.nested.attrs, indent + '  ', docs, seen));
    }
  }
  return out;
}

function messageLines(
  title: string,
  msg: OpMessageModel | undefined,
  op: OpModel,
  docs: boolean,
): string[] {
  if (msg === undefined) return [`${title}: (acknowledgement only)`];
  const out = [`${title}:`];
  if (op.fixedHeader)
    out.push(
      `  ${op.headerKey}: struct ${op.fixedHeader.name} (fixed header; its members may also be given at the top level)`,
    );
  const attrs = attrLines(msg.attrs, '  ', docs, new Set(), msg.required);
  if (attrs.length === 0 && !op.fixedHeader) out.push('  (no attributes)');
  out.push(...attrs);
  return out;
}

/** `--list-attrs OP` (`docs` false) and `--doc OP` (true: the op's doc and every attribute's). */
export function describeOp(m: FamilyModel, name: string, docs: boolean): string[] {
  const op = m.ops.find((o) => o.name === name)!;
  const out = [`${m.name} ${op.name} [${opModes(op).join(', ')}]`];
  if (docs && op.doc)
    out.push(
      ...op.doc
        .trim()
        .split('\n')
        .map((l) => `  ${l.trim()}`),
    );
  if (op.flags.length) out.push(`  needs: ${op.flags.join(', ')}`);
  for (const mode of ['do', 'dump'] as const) {
    const md = op[mode];
    if (md === undefined) continue;
    out.push('', ...messageLines(`${mode} request`, md.request, op, docs));
    out.push(...messageLines(`${mode} reply`, md.reply, op, docs));
  }
  if (op.message) {
    out.push(
      '',
      ...messageLines(
        `${op.event ? 'event' : 'notification'}${op.mcgrp ? ` (group ${op.mcgrp.name})` : ''}`,
        op.message,
        op,
        docs,
      ),
    );
  }
  return out;
}
