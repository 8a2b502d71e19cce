/**
 * Family clients: the base classes generated code extends. A client binds a
 * family description (layouts from the spec) to a socket and turns typed
 * requests into encoded messages and replies back into typed objects with
 * the codec: {@link GenlFamilyClient} for generic netlink families resolved
 * on a {@link GenlSocket}, {@link RawFamilyClient} for classic netlink
 * (netlink-raw) families such as rtnetlink on an {@link RtnlSocket}. Both
 * share one implementation, {@link FamilyClient}.
 * @module
 */
import {
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_REPLACE,
} from './codec/constants.js';
import { EncodeError, YnlError } from './codec/errors.js';
import { intOption } from './socket/options.js';
import { genlCmd } from './codec/header.js';
import type { AttrSet, StructDef } from './codec/layout.js';
import { readGenlMessage, readRawMessage, type NlMessage } from './codec/message.js';
import { own } from './codec/own.js';
import type { DecodeOptions } from './codec/decode.js';
import type { GroupSubscribeOptions, NetlinkSocket } from './socket/base.js';
import { encodeRequest, type NetlinkRequest, type RequestBodyInit } from './socket/request.js';
import type { RtnlSocket } from './socket/rtnl.js';
import { DumpIterator } from './socket/pending.js';
import type {
  GenlSocket,
  McastMessage,
  ResolvedFamily,
  SubscribeOptions,
} from './socket/socket.js';

/** One operation of a family (a spec `operations.list` entry, do and/or dump). */
export interface OpDef<Req = unknown, Rsp = unknown> {
  /** Spec op name, for errors. */
  readonly name: string;
  /** Request cmd (genlmsghdr.cmd; netlink-raw: the message type, e.g. RTM_GETLINK). */
  readonly cmd: number;
  /** Reply cmd (netlink-raw: reply message type) when it differs from `cmd`. */
  readonly replyCmd?: number;
  /** Layout of the request's attributes. */
  readonly requestSet: AttrSet<Req>;
  /** Layout of the reply's attributes; absent: the op answers with an ACK only. */
  readonly replySet?: AttrSet<Rsp>;
  /** Fixed header of this op (defaults to the family's). */
  readonly fixedHeader?: StructDef;
  /** Property of request and reply objects holding the fixed header (default `header`). */
  readonly headerKey?: string;
  /** Attributes a do-request must have (the kernel answers EINVAL without them). */
  readonly required?: readonly string[];
  /** Attributes a dump request must have. */
  readonly dumpRequired?: readonly string[];
  /** With NLM_F_ECHO the kernel sends the sender what it multicasts ({@link EchoOptions}); decoded with `replySet`. */
  readonly echo?: boolean;
}

/** A notification a family can multicast, by cmd (netlink-raw: by message type). */
export interface NotificationDef {
  /** Spec op/event name. */
  readonly name: string;
  /** Layout of its attributes. */
  readonly set: AttrSet;
  /** Fixed header (defaults to the family's). */
  readonly fixedHeader?: StructDef;
  /** Property of the decoded object holding the fixed header (default `header`). */
  readonly headerKey?: string;
}

/** What {@link FamilyDef} and {@link RawFamilyDef} share. */
export interface FamilyDefBase {
  /** Family name (genl: the name to resolve). */
  readonly name: string;
  /** Fixed header before the attributes (after genlmsghdr in genl), if the family has one. */
  readonly fixedHeader?: StructDef;
  /** How to decode notifications, by cmd (netlink-raw: by message type). */
  readonly notifications: Readonly<Record<number, NotificationDef>>;
}

/** What generated code declares about a generic netlink family. */
export interface FamilyDef extends FamilyDefBase {
  /** genlmsghdr.version to send (from the spec or an override). */
  readonly version: number;
  /** Multicast group names of the spec. */
  readonly mcastGroups: readonly string[];
}

/** What generated code declares about a classic netlink (netlink-raw) family. */
export interface RawFamilyDef extends FamilyDefBase {
  /** The netlink protocol (spec `protonum`; NETLINK_ROUTE = 0). */
  readonly protocol: number;
  /** Multicast groups of the spec: their names and numbers (`value`, e.g. RTNLGRP_LINK = 1). */
  readonly mcastGroups: readonly { readonly name: string; readonly value: number }[];
}

/** Options of one family request. */
export interface RequestOptions {
  /** Abort the request; a late reply is discarded. */
  signal?: AbortSignal;
  /** Milliseconds until the request fails with a TimeoutError (a dump: until its end). */
  timeout?: number;
  /** Extra nlmsg_flags (a u16); NLM_F_REQUEST/ACK/DUMP are added, and the flags below. */
  flags?: number;
  /** NLM_F_CREATE (0x400): create the object if it does not exist. */
  create?: boolean;
  /** NLM_F_EXCL (0x200): with `create`, fail with EEXIST if it exists. */
  excl?: boolean;
  /** NLM_F_REPLACE (0x100): replace an existing object. */
  replace?: boolean;
  /** NLM_F_APPEND (0x800): add to the end of the list (e.g. another route of a multipath set). */
  append?: boolean;
  /** Copy binary values out of the receive buffer instead of returning views into it. */
  copy?: boolean;
  /**
   * Skip the client-side match checks (key/mask consistency the kernel
   * enforces) and send the request as given, to see what the kernel says.
   */
  unchecked?: boolean;
}

/** Options of a do-request of an op that echoes ({@link OpDef.echo}). */
export interface EchoOptions extends RequestOptions {
  /**
   * Set NLM_F_ECHO: the kernel also sends the sender the message it
   * multicasts for the change (e.g. the created flow), and the request
   * resolves to it.
   */
  echo?: boolean;
}

/** A decoded multicast notification. */
export interface Notification<T = unknown> {
  /** Notification name from the {@link FamilyDef} (`'dev-add-ntf'`), or `'cmd-<n>'` when unknown. */
  readonly name: string;
  /** genlmsghdr.cmd (netlink-raw: the message type, e.g. RTM_NEWLINK = 16). */
  readonly cmd: number;
  /** Multicast group name it came on. */
  readonly group: string;
  /** Decoded attributes (fixed header under `header`); raw bytes of the message when the cmd is unknown. */
  readonly attrs: T;
}

/** Options of {@link FamilyClient.notifications}. */
export interface NotificationOptions {
  /** Group names to join; default: all groups of the family. */
  groups?: string[];
  signal?: AbortSignal;
  /**
   * Called when notifications were lost (receive-buffer overflow, ENOBUFS)
   * instead of throwing: e.g. re-dump the state the notifications track;
   * the iteration goes on after it. See {@link SubscribeOptions.resync}.
   */
  resync?: SubscribeOptions['resync'];
  /** Copy binary values out of the receive buffer. */
  copy?: boolean;
}

/** A client class: its constructor and the family it is for. */
export interface ClientClass<C> {
  new (socket: GenlSocket, def: FamilyDef, family: ResolvedFamily): C;
  readonly familyDef?: FamilyDef | undefined;
  readonly name: string;
}

/** A classic netlink client class: its constructor and the family it is for. */
export interface RawClientClass<C> {
  new (socket: RtnlSocket, def?: RawFamilyDef): C;
  readonly name: string;
}

/** A message this client reads: the protocol's framing of it. */
interface Framing {
  /** Encode a request of the family. */
  encode(init: RequestBodyInit, cmd: number): NetlinkRequest;
  /** Decode a message of the family (its fixed header and attributes). */
  decode<T>(
    msg: NlMessage,
    set: AttrSet<T>,
    fixed: StructDef | undefined,
    opts: DecodeOptions & { readonly headerKey?: string },
  ): T;
  /** The cmd of a message received on the family's groups; undefined: not the family's. */
  cmdOf(msg: NlMessage): number | undefined;
}

/**
 * What the generic and the classic netlink clients share: the typed
 * do/dump/notification plumbing over a {@link NetlinkSocket}. The protocol
 * (genlmsghdr or not, group ids) comes from the subclass.
 */
export abstract class FamilyClient<D extends FamilyDefBase = FamilyDefBase> {
  readonly #framing: Framing;

  /** @internal */
  protected constructor(
    /** The socket requests go out on. */
    readonly socket: NetlinkSocket<object>,
    /** The spec-side description of the family. */
    readonly def: D,
    framing: Framing,
  ) {
    this.#framing = framing;
  }

  /**
   * The multicast groups to join for `names` (default: all of the family's),
   * as group id → name.
   * @internal
   */
  protected abstract groupIds(names: readonly string[] | undefined): Map<number, string>;

  /** @internal Join groups by id (the subclass's socket knows how). */
  protected abstract joinGroups(
    ids: readonly number[],
    opts: GroupSubscribeOptions,
  ): AsyncIterable<McastMessage> & { close(): void };

  /**
   * Encode a request of `op` (for subclasses that batch or send raw). Unless
   * `opts.unchecked`, the attributes the op requires must be present (an
   * EncodeError names the first one missing).
   */
  protected encodeOp<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    req: Req,
    opts: EchoOptions = {},
    dump = false,
  ): NetlinkRequest {
    const fixed = op.fixedHeader ?? this.def.fixedHeader;
    const key = op.headerKey ?? 'header';
    if (fixed !== undefined && op.requestSet.byName(key) !== undefined)
      throw new YnlError(
        `${this.def.name} ${op.name}: the fixed header key '${key}' is also an attribute of '${op.requestSet.name}'`,
      );
    const required = dump ? op.dumpRequired : op.required;
    if (required !== undefined && opts.unchecked !== true) {
      const given = req as Record<string, unknown> | undefined;
      for (const name of required)
        if (given === undefined || given === null || own(given, name) === undefined)
          throw new EncodeError(
            `missing: the kernel requires '${name}' in a ${this.def.name} ${op.name} ${dump ? 'dump' : 'request'}`,
            name,
          );
    }
    if (opts.echo === true && op.echo !== true)
      throw new YnlError(`${this.def.name} ${op.name}: the kernel does not echo this op`);
    return this.#framing.encode(
      {
        flags: requestFlags(opts),
        set: op.requestSet as AttrSet<unknown>,
        attrs: req,
        fixedHeader: fixed,
        headerKey: op.headerKey,
        family: this.def.name,
        op: op.name,
        unchecked: opts.unchecked,
      },
      op.cmd,
    );
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
    opts: EchoOptions = {},
  ): Promise<Rsp | undefined> {
    const r = this.encodeOp(op, req, opts);
    return this.#decodeReply(op, await this.socket.request(r, sockOpts(opts)), opts.copy);
  }

  /**
   * Run several do-requests in one sendmsg ({@link NetlinkSocket.requestMany}):
   * every request is encoded first (an EncodeError is thrown before anything
   * is sent), then each answer is settled on its own, like
   * `Promise.allSettled`: the decoded reply, `undefined` for an ACK, or the
   * kernel's NetlinkError.
   */
  protected async doOpMany(
    items: readonly { readonly op: OpDef; readonly req: unknown; readonly opts?: EchoOptions }[],
    opts: RequestOptions = {},
  ): Promise<PromiseSettledResult<unknown>[]> {
    const reqs = items.map((i) => this.encodeOp(i.op, i.req, { ...opts, ...i.opts }));
    const answers = await this.socket.requestMany(reqs, sockOpts(opts));
    return answers.map((a, n): PromiseSettledResult<unknown> => {
      if (a.status === 'rejected') return a;
      try {
        return { status: 'fulfilled', value: this.#decodeReply(items[n]!.op, a.value, opts.copy) };
      } catch (e) {
        return { status: 'rejected', reason: e };
      }
    });
  }

  /** Decode the answer to a do-request of `op` (`undefined`: an ACK, or an op without replies). */
  #decodeReply<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    msg: NlMessage | undefined,
    copy: boolean | undefined,
  ): Rsp | undefined {
    if (msg === undefined || op.replySet === undefined) return undefined;
    const fixed = op.fixedHeader ?? this.def.fixedHeader;
    return this.#framing.decode(msg, op.replySet, fixed, decodeOpts(op, copy));
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

  /**
   * Run a dump request and decode each reply message as it arrives. Like an
   * async generator, nothing is encoded or sent before the first `next()`.
   */
  protected dumpOp<Req, Rsp>(
    op: OpDef<Req, Rsp>,
    req: Req,
    opts: RequestOptions = {},
  ): AsyncGenerator<Rsp> {
    return new DecodedDump<Rsp>(() => {
      const set = op.replySet;
      if (set === undefined)
        throw new YnlError(`${this.def.name} ${op.name}: the op has no reply layout to dump`);
      const r = this.encodeOp(op, req, opts, true);
      const fixed = op.fixedHeader ?? this.def.fixedHeader;
      const dopts = decodeOpts(op, opts.copy);
      return {
        messages: this.socket.dump(r, sockOpts(opts)),
        decode: (msg) => this.#framing.decode(msg, set, fixed, dopts),
      };
    });
  }

  /**
   * Join the family's multicast groups (default: all of them) and yield the
   * notifications, decoded with `def.notifications`. The groups are joined
   * when iteration starts (the first `next()`) and left when it ends. A
   * lost-notifications overflow is thrown (code `'ENOBUFS'`).
   */
  async *notifications(opts: NotificationOptions = {}): AsyncGenerator<Notification> {
    const byId = this.groupIds(opts.groups);
    const sub = this.joinGroups([...byId.keys()], {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.resync ? { resync: opts.resync } : {}),
    });
    yield* this.decodeAll(sub, (g) => byId.get(g) ?? String(g), opts.copy === true);
  }

  /** @internal Decode the family's messages of a subscription as notifications. */
  protected async *decodeAll(
    sub: AsyncIterable<McastMessage> & { close(): void },
    groupName: (id: number) => string,
    copy: boolean,
  ): AsyncGenerator<Notification> {
    try {
      for await (const msg of sub) {
        const cmd = this.#framing.cmdOf(msg);
        if (cmd === undefined) continue;
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
        const attrs = this.#framing.decode(
          msg,
          nd.set,
          nd.fixedHeader ?? this.def.fixedHeader,
          decodeOpts(nd, copy),
        );
        yield { name: nd.name, cmd, group, attrs };
      }
    } finally {
      sub.close();
    }
  }
}

/**
 * Base class of generated generic netlink family clients: holds the socket
 * and the resolved family (its id, the group ids).
 */
export class GenlFamilyClient extends FamilyClient<FamilyDef> {
  /** The family as the kernel knows it: id, kernel version, ops, groups. */
  readonly family: ResolvedFamily;
  declare readonly socket: GenlSocket;

  constructor(
    /** The socket requests go out on. */
    socket: GenlSocket,
    /** The spec-side description of the family. */
    def: FamilyDef,
    family: ResolvedFamily,
  ) {
    super(socket, def, {
      encode: (body, cmd) => encodeRequest(body, family.id, { cmd, version: def.version }),
      decode: (msg, set, fixed, opts) => readGenlMessage(msg, set, fixed, opts).attrs,
      cmdOf: (msg) =>
        msg.type === family.id ? (genlCmd(msg.buffer, msg.offset, msg.len) ?? 0) : undefined,
    });
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

  /** @internal Group names resolved through the family (nlctrl gives the ids). */
  protected override groupIds(names: readonly string[] | undefined): Map<number, string> {
    const byId = new Map<number, string>();
    for (const n of names ?? this.def.mcastGroups) {
      const id = this.family.mcastGroups.get(n);
      if (id === undefined)
        throw new YnlError(`family ${this.def.name} has no multicast group '${n}'`);
      byId.set(id, n);
    }
    return byId;
  }

  /** @internal */
  protected override joinGroups(
    ids: readonly number[],
    opts: GroupSubscribeOptions,
  ): AsyncIterable<McastMessage> & { close(): void } {
    return this.socket.subscribeGroups(ids, { ...opts, family: this.family });
  }

  /**
   * Messages of this family that the kernel sends to this socket's port on
   * its own initiative, decoded like notifications (`group` is `''`): e.g. OVS
   * upcalls (`miss`, `action`) sent to the port given as a vport's upcall PID.
   */
  async *events(opts: Omit<NotificationOptions, 'groups'> = {}): AsyncGenerator<Notification> {
    const sub = this.socket.unsolicited(opts.signal ? { signal: opts.signal } : {});
    yield* this.decodeAll(sub, () => '', opts.copy === true);
  }
}

/**
 * Base class of generated classic netlink (netlink-raw) family clients, such
 * as the rtnetlink families: `new RtLinkClient(sock)` on an
 * {@link RtnlSocket} of the family's protocol. Nothing to resolve: message
 * types and group numbers come from the spec. Every message on the family's
 * groups is the family's; notifications are decoded by message type
 * (RTM_NEWLINK, RTM_DELLINK ... on RTNLGRP_LINK).
 */
export class RawFamilyClient extends FamilyClient<RawFamilyDef> {
  declare readonly socket: RtnlSocket;

  /**
   * The family a subclass is for; generated clients set it
   * (`static override readonly familyDef = family;`), so `new RtLinkClient(sock)`
   * needs no other argument.
   */
  static readonly familyDef: RawFamilyDef | undefined = undefined;

  /**
   * A client of the family on `socket`. `def` defaults to the class's
   * `familyDef`; the socket's protocol must be the family's.
   */
  constructor(socket: RtnlSocket, def?: RawFamilyDef) {
    const d = def ?? (new.target as typeof RawFamilyClient).familyDef;
    if (d === undefined)
      throw new YnlError(
        `${new.target.name}: no RawFamilyDef given and the class has no familyDef`,
      );
    if (socket.protocol !== d.protocol)
      throw new YnlError(
        `${d.name} speaks netlink protocol ${d.protocol}, the socket protocol ${socket.protocol}`,
      );
    super(socket, d, {
      encode: (body, cmd) => encodeRequest(body, cmd, undefined),
      decode: (msg, set, fixed, opts) => readRawMessage(msg, set, fixed, opts),
      cmdOf: (msg) => msg.type,
    });
  }

  /** A client of the calling class on `sock` (like `new`; for symmetry with {@link GenlFamilyClient.open}). */
  static open<C>(this: RawClientClass<C>, sock: RtnlSocket, def?: RawFamilyDef): C {
    return new this(sock, def);
  }

  /** @internal Group names to the spec's numbers. */
  protected override groupIds(names: readonly string[] | undefined): Map<number, string> {
    const byId = new Map<number, string>();
    const groups = this.def.mcastGroups;
    for (const n of names ?? groups.map((g) => g.name)) {
      const g = groups.find((x) => x.name === n);
      if (g === undefined)
        throw new YnlError(
          `family ${this.def.name} has no multicast group '${n}' (it has: ${groups.map((x) => x.name).join(', ') || 'none'})`,
        );
      byId.set(g.value, n);
    }
    return byId;
  }

  /** @internal */
  protected override joinGroups(
    ids: readonly number[],
    opts: GroupSubscribeOptions,
  ): AsyncIterable<McastMessage> & { close(): void } {
    return this.socket.subscribe(ids, opts);
  }
}

/** nlmsg_flags of the request options: `flags` and the named flags. */
function requestFlags(o: EchoOptions): number {
  let f = intOption('flags', o.flags, 0, 0xffff, 0);
  if (o.create === true) f |= NLM_F_CREATE;
  if (o.excl === true) f |= NLM_F_EXCL;
  if (o.replace === true) f |= NLM_F_REPLACE;
  if (o.append === true) f |= NLM_F_APPEND;
  if (o.echo === true) f |= NLM_F_ECHO;
  return f;
}

function decodeOpts(
  d: { readonly headerKey?: string },
  copy: boolean | undefined,
): { copy: boolean; headerKey?: string } {
  return d.headerKey !== undefined
    ? { copy: copy === true, headerKey: d.headerKey }
    : { copy: copy === true };
}

function sockOpts(o: RequestOptions): { signal?: AbortSignal; timeout?: number } {
  const out: { signal?: AbortSignal; timeout?: number } = {};
  if (o.signal !== undefined) out.signal = o.signal;
  if (o.timeout !== undefined) out.timeout = o.timeout;
  return out;
}

/**
 * The iterator of a decoded dump: an async generator's behaviour (started by
 * the first `next()`, calls queued one after another, `return()` and
 * `throw()` end it and discard the rest of the dump, an error ends it) for
 * `for (…) yield decode(msg)`, without the generator's promise hops: a
 * message already received is decoded and handed out in one resolved
 * promise.
 */
class DecodedDump<T> implements AsyncGenerator<T> {
  #start:
    (() => { messages: AsyncIterableIterator<NlMessage>; decode: (m: NlMessage) => T }) | undefined;
  #messages: AsyncIterableIterator<NlMessage> | undefined;
  #decode: ((m: NlMessage) => T) | undefined;
  #done = false;
  /** The `next()` in progress, which a later call waits for. */
  #busy: Promise<unknown> | undefined;

  constructor(
    start: () => { messages: AsyncIterableIterator<NlMessage>; decode: (m: NlMessage) => T },
  ) {
    this.#start = start;
  }

  next(): Promise<IteratorResult<T>> {
    const step = (): Promise<IteratorResult<T>> => this.#step();
    if (this.#busy !== undefined) return this.#track(this.#busy.then(step, step));
    this.#waited = false;
    const p = this.#step();
    return this.#waited ? this.#track(p) : p;
  }

  /** The step went to wait for the socket (a later call must queue behind it). */
  #waited = false;

  #step(): Promise<IteratorResult<T>> {
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#start !== undefined) {
      const start = this.#start;
      this.#start = undefined;
      try {
        ({ messages: this.#messages, decode: this.#decode } = start());
      } catch (e) {
        this.#done = true;
        return Promise.reject(e as Error);
      }
    }
    const messages = this.#messages!;
    const buffered = messages instanceof DumpIterator ? messages.takeBuffered() : undefined;
    if (buffered !== undefined) {
      try {
        return Promise.resolve({ value: this.#decode!(buffered), done: false });
      } catch (e) {
        return this.#fail(e);
      }
    }
    this.#waited = true;
    return messages.next().then(
      (r): IteratorResult<T> | Promise<IteratorResult<T>> => {
        if (r.done === true) {
          this.#done = true;
          return { value: undefined, done: true };
        }
        try {
          return { value: this.#decode!(r.value), done: false };
        } catch (e) {
          return this.#fail(e);
        }
      },
      (e: unknown) => {
        this.#done = true;
        throw e;
      },
    );
  }

  #track<R>(p: Promise<R>): Promise<R> {
    this.#busy = p;
    const clear = (): void => {
      if (this.#busy === p) this.#busy = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /** A decode failed: the dump ends (its rest is discarded) with that error. */
  #fail(e: unknown): Promise<never> {
    this.#done = true;
    void this.#messages?.return?.();
    return Promise.reject(e as Error);
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    const end = (): Promise<IteratorResult<T>> =>
      this.#end().then(() => ({ value: value as T, done: true }));
    return this.#busy !== undefined ? this.#busy.then(end, end) : end();
  }

  throw(e: unknown): Promise<IteratorResult<T>> {
    const end = (): Promise<IteratorResult<T>> =>
      this.#end().then(() => Promise.reject(e as Error));
    return this.#busy !== undefined ? this.#busy.then(end, end) : end();
  }

  async #end(): Promise<void> {
    this.#start = undefined;
    if (this.#done) return;
    this.#done = true;
    await this.#messages?.return?.();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
