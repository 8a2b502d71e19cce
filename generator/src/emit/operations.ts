/**
 * Emitters of the operation layer (generic netlink families): one request
 * and one reply type per op and mode (notification and event types too), the
 * `ops` table of `OpDef`s, the `FamilyDef`, and the client class whose
 * methods take and return those types.
 * @module
 */
import type { FamilyModel, OpMessageModel, OpModeModel, OpModel } from '../model/types.js';
import { overrideNotes } from './notes.js';
import { Code, doc, join, span, str, ts, type ModulePrinter } from './printer.js';
import { setTs } from './types.js';

/** The value type of a message: the listed attributes of the op's set, required ones required, plus the fixed header. */
function messageType(op: OpModel, m: OpMessageModel): Code {
  const parts: Code[] = [];
  const set = op.attrSet;
  if (set?.ordered) parts.push(setTs(set));
  else if (set) {
    const typed = m.attrs.filter((a) => a.type !== 'unused' && a.type !== 'pad');
    const keys = (xs: typeof typed): Code =>
      join(
        xs.map((a) => str(a.tsName)),
        ' | ',
      );
    const optional = typed.filter((a) => !m.required.includes(a));
    const required = typed.filter((a) => m.required.includes(a));
    if (optional.length) parts.push(ts`Pick<${set.tsName}, ${keys(optional)}>`);
    if (required.length) parts.push(ts`Required<Pick<${set.tsName}, ${keys(required)}>>`);
  }
  if (op.fixedHeader) parts.push(ts`{ readonly ${op.headerKey}: ${op.fixedHeader.tsName} }`);
  return parts.length ? join(parts, ' & ') : ts`Record<string, never>`;
}

function opDoc(op: OpModel): (string | undefined)[] {
  return [op.doc, span(op.cName), ...overrideNotes(op.overrides)];
}

function emitMessage(p: ModulePrinter, op: OpModel, m: OpMessageModel, what: string): void {
  const req = m.required.map((a) => span(a.tsName));
  p.add(
    doc([
      `${what} of ${span(op.name)}: ${m.attrs.length ? `the attributes ${m.attrs.map((a) => span(a.tsName)).join(', ')}` : 'no attributes'}${op.fixedHeader ? `, and the fixed header under ${span(op.headerKey)}` : ''}.`,
      req.length ? `The kernel requires ${req.join(', ')} (specs/overrides).` : undefined,
    ]),
    ts`export type ${m.typeName} = ${messageType(op, m)};\n\n`,
  );
}

/** Request/reply types of every op and mode, notification and event types. */
export function emitOpTypes(p: ModulePrinter, m: FamilyModel): void {
  for (const op of m.ops) {
    for (const [mode, what] of [
      [op.do, 'do'],
      [op.dump, 'dump'],
    ] as const) {
      if (!mode) continue;
      emitMessage(p, op, mode.request, `Request (${what})`);
      if (mode.reply) emitMessage(p, op, mode.reply, `Reply (${what})`);
    }
    if (op.message) emitMessage(p, op, op.message, op.event ? 'Event' : 'Notification');
  }
}

/** The request and reply types an op's `OpDef` is declared with (all of its modes). */
function opDefTypes(op: OpModel): [Code, Code] {
  const modes = [op.do, op.dump].filter((x): x is OpModeModel => x !== undefined);
  const replies = modes.flatMap((x) => (x.reply ? [x.reply.typeName] : []));
  if (op.echo?.message) replies.push(op.echo.message.typeName);
  return [
    join(
      modes.map((x) => x.request.typeName),
      ' | ',
    ),
    replies.length ? join([...new Set(replies)], ' | ') : ts`never`,
  ];
}

export function emitOpsTable(p: ModulePrinter, m: FamilyModel): void {
  const requestOps = m.ops.filter((o) => o.do || o.dump);
  p.add(
    doc([
      `Operations of ${span(m.name)}: command numbers and layouts, usable without a socket (see the runtime's \`genlRequest\` / \`readGenlMessage\`).`,
    ]),
    ts`export const ops = {\n`,
  );
  for (const o of requestOps) {
    p.use('OpDef', true);
    const set = o.attrSet ? o.attrSet.valueName : 'emptySet';
    if (!o.attrSet) p.use('AttrSet');
    const replies = Boolean(o.do?.reply ?? o.dump?.reply) || o.echo !== undefined;
    const parts: Code[] = [ts`name: ${str(o.name)}`, ts`cmd: ${o.value}`];
    const replyCmd = o.do?.reply?.value ?? o.dump?.reply?.value;
    if (replyCmd !== undefined && replyCmd !== o.value) parts.push(ts`replyCmd: ${replyCmd}`);
    parts.push(ts`requestSet: ${set}`);
    if (replies) parts.push(ts`replySet: ${o.echo?.attrSet?.valueName ?? set}`);
    if (o.fixedHeader && o.fixedHeader !== m.fixedHeader)
      parts.push(ts`fixedHeader: ${o.fixedHeader.valueName}`);
    if (o.headerKey !== 'header') parts.push(ts`headerKey: ${str(o.headerKey)}`);
    const required = (x: OpModeModel | undefined): Code =>
      ts`[${join(x?.request.required.map((a) => str(a.tsName)) ?? [], ', ')}]`;
    if (o.do?.request.required.length) parts.push(ts`required: ${required(o.do)}`);
    if (o.dump?.request.required.length) parts.push(ts`dumpRequired: ${required(o.dump)}`);
    if (o.echo) parts.push(ts`echo: true`);
    const [rq, rp] = opDefTypes(o);
    p.add(
      doc(opDoc(o), '  '),
      ts`  ${o.tsName}: { ${join(parts, ', ')} } as OpDef as OpDef<${rq}, ${rp}>,\n`,
    );
  }
  p.add(ts`} as const;\n\n`);
  if (requestOps.some((o) => !o.attrSet))
    p.add(
      ts`const emptySet: AttrSet<Record<string, never>> = new AttrSet('(none)', () => []);\n\n`,
    );
}

export function emitFamilyDef(p: ModulePrinter, m: FamilyModel): void {
  p.use('FamilyDef', true);
  p.add(
    doc([
      m.doc,
      `Family ${span(m.name)} (genetlink version ${m.version}).`,
      ...overrideNotes(m.overrides),
    ]),
    ts`export const family: FamilyDef = {\n  name: ${str(m.name)},\n  version: ${m.version},\n`,
  );
  if (m.fixedHeader) p.add(ts`  fixedHeader: ${m.fixedHeader.valueName},\n`);
  p.add(
    ts`  mcastGroups: [${join(
      m.mcastGroups.map((g) => str(g.name)),
      ', ',
    )}],\n  notifications: {\n`,
  );
  for (const n of m.ops) {
    if (!n.message || !n.attrSet) continue;
    const parts: Code[] = [ts`name: ${str(n.name)}`, ts`set: ${n.attrSet.valueName}`];
    if (n.fixedHeader && n.fixedHeader !== m.fixedHeader)
      parts.push(ts`fixedHeader: ${n.fixedHeader.valueName}`);
    if (n.headerKey !== 'header') parts.push(ts`headerKey: ${str(n.headerKey)}`);
    p.add(ts`    ${n.value}: { ${join(parts, ', ')} },\n`);
  }
  p.add(ts`  },\n};\n\n`);
}

export function emitClient(p: ModulePrinter, m: FamilyModel): void {
  const { className, notificationType } = m.client!;
  p.use('GenlFamilyClient');
  p.use('Notification', true);
  p.use('NotificationOptions', true);
  const ntfs = m.ops
    .filter((n) => n.message && n.attrSet)
    .map((n) => ts`Notification<${n.message!.typeName}> & { readonly name: ${str(n.name)} }`);
  p.add(
    doc([`A notification of ${span(m.name)} (unknown commands arrive as raw bytes).`]),
    ts`export type ${notificationType} =\n  | ${join([...ntfs, ts`Notification<Uint8Array>`], '\n  | ')};\n\n`,
    doc([
      `Client for the ${span(m.name)} generic netlink family: \`await ${className}.open(sock)\`.`,
    ]),
    ts`export class ${className} extends GenlFamilyClient {\n  static override readonly familyDef: FamilyDef = family;\n\n`,
  );
  for (const o of m.ops) {
    if (o.do) emitDo(p, o, o.do);
    if (o.dump) emitDump(p, o, o.dump);
  }
  const groups = m.mcastGroups.length
    ? m.mcastGroups.map((g) => span(g.name)).join(', ')
    : 'no groups';
  p.add(
    doc([`Notifications from ${groups}, decoded.`], '  '),
    ts`  override notifications(opts?: NotificationOptions): AsyncGenerator<${notificationType}> {\n    return super.notifications(opts) as AsyncGenerator<${notificationType}>;\n  }\n`,
  );
  const events = m.ops.filter((o) => o.event);
  if (events.length) {
    p.add(
      ts`\n`,
      doc(
        [
          `Events the kernel sends to this socket's port (${events.map((o) => span(o.name)).join(', ')}), decoded.`,
        ],
        '  ',
      ),
      ts`  override events(opts?: Omit<NotificationOptions, 'groups'>): AsyncGenerator<${notificationType}> {\n    return super.events(opts) as AsyncGenerator<${notificationType}>;\n  }\n`,
    );
  }
  p.add(ts`}\n`);
}

/** `req: T` or, when an empty request is valid, `req: T = {}`. */
function reqParam(op: OpModel, x: OpModeModel): Code {
  return ts`req: ${x.request.typeName}${emptyRequest(op, x) ? ts` = {}` : ''}`;
}

/** `{}` is a valid request: no fixed header, nothing required. */
function emptyRequest(op: OpModel, x: OpModeModel): boolean {
  return !op.fixedHeader && x.request.required.length === 0;
}

function emitDo(p: ModulePrinter, o: OpModel, x: OpModeModel): void {
  p.use('RequestOptions', true);
  const req = reqParam(o, x);
  if (x.reply) {
    p.add(
      doc([...opDoc(o), 'Resolves to the reply.'], '  '),
      ts`  ${x.method}(${req}, opts?: RequestOptions): Promise<${x.reply.typeName}> {\n    return this.doOpReply(ops.${o.tsName}, req, opts) as Promise<${x.reply.typeName}>;\n  }\n\n`,
    );
  } else if (o.echo?.message) {
    p.use('EchoOptions', true);
    const sig = ts`req${emptyRequest(o, x) ? '?' : ''}: ${x.request.typeName}`;
    const echo = o.echo.message.typeName;
    p.add(
      doc(
        [
          ...opDoc(o),
          `Resolves when the kernel acknowledges; with \`{ echo: true }\` (NLM_F_ECHO) to the message it multicasts as ${span(o.echo.name)}.`,
        ],
        '  ',
      ),
      ts`  ${x.method}(${sig}, opts: EchoOptions & { readonly echo: true }): Promise<${echo}>;\n`,
      ts`  ${x.method}(${sig}, opts?: RequestOptions): Promise<void>;\n`,
      ts`  async ${x.method}(${req}, opts?: EchoOptions): Promise<${echo} | void> {\n    return this.doOp(ops.${o.tsName}, req, opts) as Promise<${echo} | undefined>;\n  }\n\n`,
    );
  } else {
    p.add(
      doc([...opDoc(o), 'Resolves when the kernel acknowledges.'], '  '),
      ts`  async ${x.method}(${req}, opts?: RequestOptions): Promise<void> {\n    await this.doOp(ops.${o.tsName}, req, opts);\n  }\n\n`,
    );
  }
}

function emitDump(p: ModulePrinter, o: OpModel, x: OpModeModel): void {
  p.use('RequestOptions', true);
  const rsp = x.reply?.typeName ?? 'never';
  p.add(
    doc([...opDoc(o), 'Dump: yields each reply as it arrives.'], '  '),
    ts`  ${x.method}(${reqParam(o, x)}, opts?: RequestOptions): AsyncGenerator<${rsp}> {\n    return this.dumpOp(ops.${o.tsName}, req, opts) as AsyncGenerator<${rsp}>;\n  }\n\n`,
  );
}
