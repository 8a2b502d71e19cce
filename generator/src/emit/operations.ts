/**
 * Emitters of the operation layer (generic and classic netlink families): one request
 * and one reply type per op and mode (notification and event types too), the
 * `ops` table of `OpDef`s, the `FamilyDef`, and the client class whose
 * methods take and return those types.
 * @module
 */
import type {
  AttrSetModel,
  FamilyModel,
  OpMessageModel,
  OpModeModel,
  OpModel,
  StructModel,
} from '../model/types.js';
import { overrideNotes } from './notes.js';
import { Code, doc, span, str, ts, type ModulePrinter } from './printer.js';
import type { Doc } from './layout.js';
import {
  arr,
  at,
  intersection,
  leaf,
  member,
  methodCall,
  obj,
  objType,
  paren,
  prop,
  signature,
  typeDecl,
  typeRef,
  union,
  type Node,
} from './syntax.js';

const code = (text: string): Code => new Code(text);
const simple = (name: string): Node => leaf(name, 'simple');
import { setTs } from './types.js';

/**
 * The value type of a message: the listed attributes of the op's set,
 * required ones required, plus the fixed header. A netlink-raw request's
 * fixed header is optional and `Partial` (absent members, or an absent
 * header, are sent as zeros: an rtnetlink dump filters on the members it is
 * given).
 */
function messageType(
  p: ModulePrinter,
  op: OpModel,
  m: OpMessageModel,
  partialHeader = false,
): Node & { readonly union?: boolean } {
  const parts: Node[] = [];
  const set = op.attrSet;
  if (set?.ordered) parts.push(leaf(setTs(set), 'other'));
  else if (set) {
    const typed = m.attrs.filter((a) => a.type !== 'unused' && a.type !== 'pad');
    // a set typed as a union on its sub-message selectors is picked member by member
    const picker = set.selectorUnions?.length ? p.use('PickSelected', true) : 'Pick';
    const pick = (xs: typeof typed): Node =>
      typeRef(picker, [simple(set.tsName), union(xs.map((a) => leaf(str(a.tsName), 'simple')))]);
    const optional = typed.filter((a) => !m.required.includes(a));
    const required = typed.filter((a) => m.required.includes(a));
    if (optional.length) parts.push(pick(optional));
    if (required.length) parts.push(typeRef('Required', [pick(required)]));
  }
  if (op.fixedHeader) {
    const h = simple(op.fixedHeader.tsName);
    parts.push(
      objType([
        partialHeader
          ? member(op.headerKey, typeRef('Partial', [h]), true)
          : member(op.headerKey, h),
      ]),
    );
  }
  return parts.length ? intersection(parts) : leaf('Record<string, never>', 'other');
}

function opDoc(op: OpModel): (string | undefined)[] {
  return [op.doc, span(op.cName), ...overrideNotes(op.overrides)];
}

function emitMessage(
  p: ModulePrinter,
  op: OpModel,
  m: OpMessageModel,
  what: string,
  partialHeader = false,
): void {
  const req = m.required.map((a) => span(a.tsName));
  p.add(
    doc([
      `${what} of ${span(op.name)}: ${m.attrs.length ? `the attributes ${m.attrs.map((a) => span(a.tsName)).join(', ')}` : 'no attributes'}${op.fixedHeader ? `, and the fixed header under ${span(op.headerKey)}` : ''}.`,
      req.length ? `The kernel requires ${req.join(', ')} (specs/overrides).` : undefined,
    ]),
    code(at(0, typeDecl(m.typeName, messageType(p, op, m, partialHeader))) + '\n'),
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
      emitMessage(p, op, mode.request, `Request (${what})`, m.protocol === 'netlink-raw');
      if (mode.reply) emitMessage(p, op, mode.reply, `Reply (${what})`);
    }
    if (op.message) emitMessage(p, op, op.message, op.event ? 'Event' : 'Notification');
  }
}

/** The request and reply types an op's `OpDef` is declared with (all of its modes). */
function opDefTypes(op: OpModel): [Node, Node] {
  const modes = [op.do, op.dump].filter((x): x is OpModeModel => x !== undefined);
  const replies = modes.flatMap((x) => (x.reply ? [x.reply.typeName] : []));
  if (op.echo?.message) replies.push(op.echo.message.typeName);
  return [
    union(modes.map((x) => simple(x.request.typeName))),
    replies.length ? union([...new Set(replies)].map(simple)) : simple('never'),
  ];
}

export function emitOpsTable(p: ModulePrinter, m: FamilyModel): void {
  const requestOps = m.ops.filter((o) => o.do || o.dump);
  p.add(
    doc([
      m.protocol === 'netlink-raw'
        ? `Operations of ${span(m.name)}: message types and layouts, usable without a socket (see the runtime's \`rawRequest\` / \`readRawMessage\`).`
        : `Operations of ${span(m.name)}: command numbers and layouts, usable without a socket (see the runtime's \`genlRequest\` / \`readGenlMessage\`).`,
    ]),
    ts`export const ops = {${code(requestOps.length ? '\n' : '')}`,
  );
  for (const o of requestOps) {
    p.use('OpDef', true);
    const set = o.attrSet ? o.attrSet.valueName : 'emptySet';
    if (!o.attrSet) p.use('AttrSet');
    const replies = Boolean(o.do?.reply ?? o.dump?.reply) || o.echo !== undefined;
    const parts = [
      prop('name', leaf(str(o.name), 'str')),
      prop('cmd', leaf(String(o.value), 'num')),
    ];
    const replyCmd = o.do?.reply?.value ?? o.dump?.reply?.value;
    if (replyCmd !== undefined && replyCmd !== o.value)
      parts.push(prop('replyCmd', leaf(String(replyCmd), 'num')));
    parts.push(prop('requestSet', leaf(set, 'id')));
    if (replies) parts.push(prop('replySet', leaf(o.echo?.attrSet?.valueName ?? set, 'id')));
    if (o.fixedHeader && o.fixedHeader !== m.fixedHeader)
      parts.push(prop('fixedHeader', leaf(o.fixedHeader.valueName, 'id')));
    if (o.headerKey !== 'header') parts.push(prop('headerKey', leaf(str(o.headerKey), 'str')));
    const required = (x: OpModeModel | undefined): Node =>
      arr(x?.request.required.map((a) => leaf(str(a.tsName), 'str')) ?? []);
    if (o.do?.request.required.length) parts.push(prop('required', required(o.do)));
    if (o.dump?.request.required.length) parts.push(prop('dumpRequired', required(o.dump)));
    if (o.echo) parts.push(prop('echo', leaf('true', 'num')));
    const [rq, rp] = opDefTypes(o);
    const def = leaf('', 'other');
    const value: Node = {
      ...def,
      doc: [obj(parts).doc, ' as OpDef as ', typeRef('OpDef', [rq, rp]).doc],
    };
    p.add(doc(opDoc(o), '  '), code(at(2, [prop(o.tsName, value), ','])));
  }
  p.add(ts`} as const;\n\n`);
  if (requestOps.some((o) => !o.attrSet))
    p.add(
      ts`const emptySet: AttrSet<Record<string, never>> = new AttrSet('(none)', () => []);\n\n`,
    );
}

/** A notification the client decodes: its message id, layout and type. */
interface NotificationEntry {
  readonly value: number;
  readonly name: string;
  readonly set: AttrSetModel;
  readonly fixedHeader?: StructModel;
  readonly headerKey: string;
  readonly typeName: string;
}

/**
 * The notifications of a family: the spec's notification ops; for
 * netlink-raw families also the messages the kernel multicasts without a
 * notification op in the spec. rtnetlink multicasts every change in the
 * format of its replies (RTM_NEWADDR, RTM_DELADDR ... as a dump reply of
 * the same attribute set), so a reply's message type, and the type of an
 * acknowledge-only request (new, del), decode with that reply's layout.
 * rtnetlink (protocol 0) types come in fours from RTM_BASE (16): NEW, DEL,
 * GET, SET; only NEW and DEL are ever multicast.
 */
function notificationEntries(m: FamilyModel): NotificationEntry[] {
  const out: NotificationEntry[] = [];
  const seen = new Set<number>();
  const multicast = (v: number): boolean => m.protonum !== 0 || (v >= 16 && (v - 16) % 4 < 2);
  const add = (e: NotificationEntry, derived = true): void => {
    if (seen.has(e.value) || (derived && !multicast(e.value))) return;
    seen.add(e.value);
    out.push(e);
  };
  for (const n of m.ops) {
    if (!n.message || !n.attrSet) continue;
    add(
      {
        value: n.value,
        name: n.name,
        set: n.attrSet,
        ...(n.fixedHeader ? { fixedHeader: n.fixedHeader } : {}),
        headerKey: n.headerKey,
        typeName: n.message.typeName,
      },
      false,
    );
  }
  if (m.protocol !== 'netlink-raw') return out;
  const replies = m.ops.flatMap((o) => {
    const r = o.do?.reply ?? o.dump?.reply;
    return r && o.attrSet ? [{ op: o, reply: r, set: o.attrSet }] : [];
  });
  for (const { op, reply, set } of replies) {
    const value = reply.value ?? op.value;
    const named = m.ops.find((o) => o.do && !o.do.reply && o.value === value);
    add({
      value,
      name: (named ?? op).name,
      set,
      ...(op.fixedHeader ? { fixedHeader: op.fixedHeader } : {}),
      headerKey: op.headerKey,
      typeName: reply.typeName,
    });
  }
  for (const o of m.ops) {
    if (!o.do || o.do.reply || o.message) continue;
    const like = replies.find((r) => r.set === o.attrSet && r.op.fixedHeader === o.fixedHeader);
    if (!like) continue;
    add({
      value: o.value,
      name: o.name,
      set: like.set,
      ...(like.op.fixedHeader ? { fixedHeader: like.op.fixedHeader } : {}),
      headerKey: like.op.headerKey,
      typeName: like.reply.typeName,
    });
  }
  return out;
}

export function emitFamilyDef(p: ModulePrinter, m: FamilyModel): void {
  const raw = m.protocol === 'netlink-raw';
  const defType = raw ? 'RawFamilyDef' : 'FamilyDef';
  p.use(defType, true);
  p.add(
    doc([
      m.doc,
      raw
        ? `Family ${span(m.name)} (netlink-raw, netlink protocol ${m.protonum ?? 0}).`
        : `Family ${span(m.name)} (genetlink version ${m.version}).`,
      ...overrideNotes(m.overrides),
    ]),
    ts`export const family: ${defType} = {\n`,
    code(at(2, [prop('name', leaf(str(m.name), 'str')), ','])),
  );
  if (raw) p.add(ts`  protocol: ${m.protonum ?? 0},\n`);
  else p.add(ts`  version: ${m.version},\n`);
  if (m.fixedHeader) p.add(ts`  fixedHeader: ${m.fixedHeader.valueName},\n`);
  p.add(
    code(
      at(2, [
        prop(
          'mcastGroups',
          raw
            ? arr(
                m.mcastGroups.map((g) =>
                  obj([
                    prop('name', leaf(str(g.name), 'str')),
                    prop('value', leaf(String(g.value ?? 0), 'num')),
                  ]),
                ),
              )
            : arr(m.mcastGroups.map((g) => leaf(str(g.name), 'str'))),
        ),
        ',',
      ]),
    ),
  );
  const notifications: string[] = [];
  for (const n of notificationEntries(m)) {
    const parts = [
      prop('name', leaf(str(n.name), 'str')),
      prop('set', leaf(n.set.valueName, 'id')),
    ];
    if (n.fixedHeader && n.fixedHeader !== m.fixedHeader)
      parts.push(prop('fixedHeader', leaf(n.fixedHeader.valueName, 'id')));
    if (n.headerKey !== 'header') parts.push(prop('headerKey', leaf(str(n.headerKey), 'str')));
    notifications.push(at(4, [prop(String(n.value), obj(parts)), ',']));
  }
  p.add(
    code(
      notifications.length
        ? `  notifications: {\n${notifications.join('')}  },\n`
        : '  notifications: {},\n',
    ),
    ts`};\n\n`,
  );
}

export function emitClient(p: ModulePrinter, m: FamilyModel): void {
  const { className, notificationType } = m.client!;
  const raw = m.protocol === 'netlink-raw';
  const base = raw ? 'RawFamilyClient' : 'GenlFamilyClient';
  const defType = raw ? 'RawFamilyDef' : 'FamilyDef';
  p.use(base);
  p.use('Notification', true);
  p.use('NotificationOptions', true);
  const ntfs = notificationEntries(m).map((n) =>
    paren(
      intersection([
        typeRef('Notification', [simple(n.typeName)]),
        objType([member('name', leaf(str(n.name), 'simple'))]),
      ]),
    ),
  );
  p.add(
    doc([`A notification of ${span(m.name)} (unknown commands arrive as raw bytes).`]),
    code(
      at(
        0,
        typeDecl(
          notificationType,
          union([...ntfs, typeRef('Notification', [simple('Uint8Array')])]),
        ),
      ) + '\n',
    ),
    doc([
      raw
        ? `Client for the ${span(m.name)} netlink-raw family: \`new ${className}(sock)\` on an \`RtnlSocket\`.`
        : `Client for the ${span(m.name)} generic netlink family: \`await ${className}.open(sock)\`.`,
    ]),
    ts`export class ${className} extends ${base} {\n  static override readonly familyDef: ${defType} = family;\n\n`,
  );
  for (const o of m.ops) {
    if (o.do) emitDo(p, o, o.do, raw);
    if (o.dump) emitDump(p, o, o.dump, raw);
  }
  const groups = m.mcastGroups.length
    ? m.mcastGroups.map((g) => span(g.name)).join(', ')
    : 'no groups';
  p.add(
    doc([`Notifications from ${groups}, decoded.`], '  '),
    ...method(
      'override notifications',
      ['opts?: NotificationOptions'],
      typeRef('AsyncGenerator', [simple(notificationType)]),
      [
        'return ',
        methodCall('super.notifications', [opts]).doc,
        ' as ',
        typeRef('AsyncGenerator', [simple(notificationType)]).doc,
        ';',
      ],
    ),
  );
  const events = raw ? [] : m.ops.filter((o) => o.event);
  if (events.length) {
    p.add(
      ts`\n`,
      doc(
        [
          `Events the kernel sends to this socket's port (${events.map((o) => span(o.name)).join(', ')}), decoded.`,
        ],
        '  ',
      ),
      ...method(
        'override events',
        ["opts?: Omit<NotificationOptions, 'groups'>"],
        typeRef('AsyncGenerator', [simple(notificationType)]),
        [
          'return ',
          methodCall('super.events', [opts]).doc,
          ' as ',
          typeRef('AsyncGenerator', [simple(notificationType)]).doc,
          ';',
        ],
      ),
    );
  }
  p.add(ts`}\n`);
}

/** A method: signature, one statement, and the blank line after it when `blank`. */
function method(
  name: string,
  params: readonly string[],
  ret: Node,
  body: Doc,
  blank = false,
): Code[] {
  return [
    code(at(2, [signature(name, params, ret), ' {'])),
    code(at(4, body)),
    code(blank ? '  }\n\n' : '  }\n'),
  ];
}

const opts = leaf('opts', 'id');
const req = leaf('req', 'id');

/** `req: T` or, when an empty request is valid, `req: T = {}`. */
function reqParam(op: OpModel, x: OpModeModel, raw: boolean): string {
  return `req: ${x.request.typeName}${emptyRequest(op, x, raw) ? ' = {}' : ''}`;
}

/** `{}` is a valid request: nothing required, and no fixed header (netlink-raw: an absent one is zeros). */
function emptyRequest(op: OpModel, x: OpModeModel, raw: boolean): boolean {
  return (raw || !op.fixedHeader) && x.request.required.length === 0;
}

/** `this.<call>(ops.<op>, req, opts)`. */
function opCall(call: string, o: OpModel): Node {
  return methodCall(`this.${call}`, [leaf(`ops.${o.tsName}`, 'member'), req, opts]);
}

function emitDo(p: ModulePrinter, o: OpModel, x: OpModeModel, raw: boolean): void {
  p.use('RequestOptions', true);
  const params = [reqParam(o, x, raw), 'opts?: RequestOptions'];
  if (x.reply) {
    const reply = typeRef('Promise', [simple(x.reply.typeName)]);
    p.add(
      doc([...opDoc(o), 'Resolves to the reply.'], '  '),
      ...method(
        x.method,
        params,
        reply,
        ['return ', opCall('doOpReply', o).doc, ' as ', reply.doc, ';'],
        true,
      ),
    );
  } else if (o.echo?.message) {
    p.use('EchoOptions', true);
    const sig = `req${emptyRequest(o, x, raw) ? '?' : ''}: ${x.request.typeName}`;
    const echo = o.echo.message.typeName;
    p.add(
      doc(
        [
          ...opDoc(o),
          `Resolves when the kernel acknowledges; with \`{ echo: true }\` (NLM_F_ECHO) to the message it multicasts as ${span(o.echo.name)}.`,
        ],
        '  ',
      ),
      code(
        at(2, [
          signature(
            x.method,
            [sig, 'opts: EchoOptions & { readonly echo: true }'],
            typeRef('Promise', [simple(echo)]),
          ),
          ';',
        ]),
      ),
      code(
        at(2, [
          signature(x.method, [sig, 'opts?: RequestOptions'], typeRef('Promise', [simple('void')])),
          ';',
        ]),
      ),
      ...method(
        `async ${x.method}`,
        [reqParam(o, x, raw), 'opts?: EchoOptions'],
        typeRef('Promise', [union([simple(echo), simple('void')])]),
        [
          'return ',
          opCall('doOp', o).doc,
          ' as ',
          typeRef('Promise', [union([simple(echo), simple('undefined')])]).doc,
          ';',
        ],
        true,
      ),
    );
  } else {
    p.add(
      doc([...opDoc(o), 'Resolves when the kernel acknowledges.'], '  '),
      ...method(
        `async ${x.method}`,
        params,
        typeRef('Promise', [simple('void')]),
        ['await ', opCall('doOp', o).doc, ';'],
        true,
      ),
    );
  }
}

function emitDump(p: ModulePrinter, o: OpModel, x: OpModeModel, raw: boolean): void {
  p.use('RequestOptions', true);
  const rsp = typeRef('AsyncGenerator', [simple(x.reply?.typeName ?? 'never')]);
  p.add(
    doc([...opDoc(o), 'Dump: yields each reply as it arrives.'], '  '),
    ...method(
      x.method,
      [reqParam(o, x, raw), 'opts?: RequestOptions'],
      rsp,
      ['return ', opCall('dumpOp', o).doc, ' as ', rsp.doc, ';'],
      true,
    ),
  );
}
