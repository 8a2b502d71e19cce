/**
 * Family clients: the base class generated code extends. A client binds a
 * {@link FamilyDef} (layouts from the spec) to a family resolved on a
 * {@link GenlSocket}, and turns typed requests into encoded messages and
 * replies back into typed objects with the codec.
 * @module
 */
import { YnlError } from './codec/errors.js';
import type { AttrSet, StructDef } from './codec/layout.js';
import { readGenlMessage } from './codec/message.js';
import { genlRequest, type NetlinkRequest } from './socket/request.js';
import type { GenlSocket, McastMessage, ResolvedFamily } from './socket/socket.js';

/** One operation of a family (a spec `operations.list` entry, do and/or dump). */
export interface OpDef<Req = unknown, Rsp = unknown> {
  /** Spec op name, for errors. */
  readonly name: string;
  /** Request cmd. */
  readonly cmd: number;
  /** Reply cmd when it differs from `cmd`. */
  readonly replyCmd?: number;
  /** Layout of the request's attributes. */
  readonly requestSet: AttrSet<Req>;
  /** Layout of the reply's attributes; absent: the op answers with an ACK only. */
  readonly replySet?: AttrSet<Rsp>;
  /** Fixed header of this op (defaults to the family's). */
  readonly fixedHeader?: StructDef;
}

/** A notification a family can multicast, by cmd. */
export interface NotificationDef {
  /** Spec op/event name. */
  readonly name: string;
  /** Layout of its attributes. */
  readonly set: AttrSet;
  /** Fixed header (defaults to the family's). */
  readonly fixedHeader?: StructDef;
}

/** What generated code declares about a family. */
export interface FamilyDef {
  /** Genl family name to resolve. */
  readonly name: string;
  /** genlmsghdr.version to send (from the spec or an override). */
  readonly version: number;
  /** Fixed header between genlmsghdr and the attributes, if the family has one. */
  readonly fixedHeader?: StructDef;
  /** Multicast group names of the spec. */
  readonly mcastGroups: readonly string[];
  /** How to decode notifications, by cmd. */
  readonly notifications: Readonly<Record<number, NotificationDef>>;
}

/** Options of one family request. */
export interface RequestOptions {
  /** Abort the request; a late reply is discarded. */
  signal?: AbortSignal;
  /** Milliseconds until the request fails with a TimeoutError (a dump: until its end). */
  timeout?: number;
  /** Extra nlmsg_flags (e.g. NLM_F_CREATE | NLM_F_EXCL); NLM_F_REQUEST/ACK/DUMP are added. */
  flags?: number;
  /** Copy binary values out of the receive buffer instead of returning views into it. */
  copy?: boolean;
  /**
   * Skip the client-side match checks (key/mask consistency the kernel
   * enforces) and send the request as given, to see what the kernel says.
   */
  unchecked?: boolean;
}

/** A decoded multicast notification. */
export interface Notification<T = unknown> {
  /** Notification name from the {@link FamilyDef} (`'dev-add-ntf'`), or `'cmd-<n>'` when unknown. */
  readonly name: string;
  /** genlmsghdr.cmd. */
  readonly cmd: number;
  /** Multicast group name it came on. */
  readonly group: string;
  /** Decoded attributes (fixed header under `header`); raw bytes of the message when the cmd is unknown. */
  readonly attrs: T;
}

/** Options of {@link GenlFamilyClient.notifications}. */
export interface NotificationOptions {
  /** Group names to join; default: all groups of the family. */
  groups?: string[];
  signal?: AbortSignal;
  /** Copy binary values out of the receive buffer. */
  copy?: boolean;
}

/** A client class: its constructor and the family it is for. */
export interface ClientClass<C> {
  new (socket: GenlSocket, def: FamilyDef, family: ResolvedFamily): C;
  readonly familyDef?: FamilyDef | undefined;
  readonly name: string;
}

/**
 * Base class of generated family clients: holds the socket and the resolved
 * family, and implements the typed do/dump/notification plumbing.
 */
export class GenlFamilyClient {
  /** The family as the kernel knows it: id, kernel version, ops, groups. */
  readonly family: ResolvedFamily;

  constructor(
    /** The socket requests go out on. */
    readonly socket: GenlSocket,
    /** The spec-side description of the family. */
    readonly def: FamilyDef,
    family: ResolvedFamily,
  ) {
    this.family = family;
  }

  /**
   * The family a subclass is for; generated clients set it
   * (`static override readonly familyDef = family;`) and inherit
   * {@link GenlFamilyClient.open}, so `await OvsDatapath.open(sock)` is typed.
   */
  static readonly familyDef: FamilyDef | undefined = undefined;

  /**
   * Resolve the family on `sock` and build a client of the calling class.
   * `def` defaults to the class's `familyDef`.
   */
  static async open<C>(this: ClientClass<C>, sock: GenlSocket, def?: FamilyDef): Promise<C> {
    const d = def ?? this.familyDef;
    if (d === undefined)
      throw new YnlError(`${this.name}.open: no FamilyDef given and the class has no familyDef`);
    const family = await sock.resolveFamily(d.name);
    return new this(sock, d, family);
  }

  /** Encode a request of `op` (for subclasses that batch or send raw). */
  protected encodeOp<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    req: Req,
    opts: RequestOptions = {},
  ): NetlinkRequest {
    const fixed = op.fixedHeader ?? this.def.fixedHeader;
    return genlRequest({
      familyId: this.family.id,
      cmd: op.cmd,
      version: this.def.version,
      set: op.requestSet as AttrSet<Req>,
      attrs: req,
      ...(fixed !== undefined ? { fixedHeader: fixed } : {}),
      ...(opts.flags !== undefined ? { flags: opts.flags } : {}),
      family: this.def.name,
      op: op.name,
      ...(opts.unchecked === true ? { unchecked: true } : {}),
    });
  }

  /**
   * Run a do-request: encode (an EncodeError is thrown before anything is
   * sent), send, and decode the reply with `op.replySet`. Resolves
   * `undefined` for ACK-only ops. Kernel errors reject with a NetlinkError
   * whose `extack.attrPath` names the offending request attribute.
   */
  protected async doOp<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    req: Req,
    opts: RequestOptions = {},
  ): Promise<Rsp | undefined> {
    const r = this.encodeOp(op, req, opts);
    const msg = await this.socket.request(r, sockOpts(opts));
    if (msg === undefined || op.replySet === undefined) return undefined;
    const fixed = op.fixedHeader ?? this.def.fixedHeader;
    return readGenlMessage(msg, op.replySet, fixed, { copy: opts.copy === true }).attrs;
  }

  /**
   * Run a do-request whose op answers with a message: like {@link doOp}, but
   * an ACK without the reply the op promises is an error, not `undefined`.
   */
  protected async doOpReply<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    req: Req,
    opts: RequestOptions = {},
  ): Promise<Rsp> {
    const r = await this.doOp(op, req, opts);
    if (r === undefined) {
      throw new YnlError(`${this.def.name} ${op.name}: the kernel acknowledged without a reply`);
    }
    return r;
  }

  /** Run a dump request and decode each reply message as it arrives. */
  protected async *dumpOp<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    req: Req,
    opts: RequestOptions = {},
  ): AsyncGenerator<Rsp> {
    const set = op.replySet;
    if (set === undefined)
      throw new YnlError(`${this.def.name} ${op.name}: the op has no reply layout to dump`);
    const r = this.encodeOp(op, req, opts);
    const fixed = op.fixedHeader ?? this.def.fixedHeader;
    const copy = opts.copy === true;
    for await (const msg of this.socket.dump(r, sockOpts(opts))) {
      yield readGenlMessage(msg, set, fixed, { copy }).attrs;
    }
  }

  /**
   * Join the family's multicast groups (default: all of them) and yield the
   * notifications, decoded with `def.notifications`. The groups are joined
   * when iteration starts (the first `next()`) and left when it ends. A
   * lost-notifications overflow is thrown (code `'ENOBUFS'`).
   */
  async *notifications(opts: NotificationOptions = {}): AsyncGenerator<Notification> {
    const names = opts.groups ?? [...this.def.mcastGroups];
    const byId = new Map<number, string>();
    for (const n of names) {
      const id = this.family.mcastGroups.get(n);
      if (id === undefined)
        throw new YnlError(`family ${this.def.name} has no multicast group '${n}'`);
      byId.set(id, n);
    }
    const sub = this.socket.subscribeGroups(
      [...byId.keys()],
      opts.signal ? { signal: opts.signal } : {},
    );
    yield* this.#decodeAll(sub, (g) => byId.get(g) ?? String(g), opts.copy === true);
  }

  /**
   * Messages of this family that the kernel sends to this socket's port on
   * its own initiative, decoded like notifications (`group` is `''`): e.g. OVS
   * upcalls (`miss`, `action`) sent to the port given as a vport's upcall PID.
   */
  async *events(opts: Omit<NotificationOptions, 'groups'> = {}): AsyncGenerator<Notification> {
    const sub = this.socket.unsolicited(opts.signal ? { signal: opts.signal } : {});
    yield* this.#decodeAll(sub, () => '', opts.copy === true);
  }

  async *#decodeAll(
    sub: AsyncIterable<McastMessage> & { close(): void },
    groupName: (id: number) => string,
    copy: boolean,
  ): AsyncGenerator<Notification> {
    try {
      for await (const msg of sub) {
        if (msg.type !== this.family.id) continue;
        const cmd = msg.buffer[msg.offset + 16] ?? 0;
        const nd = this.def.notifications[cmd];
        const group = groupName(msg.group);
        if (nd === undefined) {
          yield {
            name: `cmd-${cmd}`,
            cmd,
            group,
            attrs: msg.buffer.slice(msg.offset, msg.offset + msg.len),
          };
          continue;
        }
        const attrs = readGenlMessage(msg, nd.set, nd.fixedHeader ?? this.def.fixedHeader, {
          copy,
        }).attrs;
        yield { name: nd.name, cmd, group, attrs };
      }
    } finally {
      sub.close();
    }
  }
}

function sockOpts(o: RequestOptions): { signal?: AbortSignal; timeout?: number } {
  const out: { signal?: AbortSignal; timeout?: number } = {};
  if (o.signal !== undefined) out.signal = o.signal;
  if (o.timeout !== undefined) out.timeout = o.timeout;
  return out;
}
