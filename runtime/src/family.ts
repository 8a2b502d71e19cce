/**
 * Family clients: the base class generated code extends. A client binds a
 * {@link FamilyDef} (layouts from the spec) to a family resolved on a
 * {@link GenlSocket}, and turns typed requests into encoded messages and
 * replies back into typed objects with the codec.
 * @module
 */
import { NLM_F_ECHO } from './codec/constants.js';
import { EncodeError, YnlError } from './codec/errors.js';
import { genlCmd } from './codec/header.js';
import type { AttrSet, StructDef } from './codec/layout.js';
import { readGenlMessage, type NlMessage } from './codec/message.js';
import { own } from './codec/own.js';
import { DumpIterator } from './socket/pending.js';
import { genlRequest, type NetlinkRequest } from './socket/request.js';
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
  /** Property of request and reply objects holding the fixed header (default `header`). */
  readonly headerKey?: string;
  /** Attributes a do-request must have (the kernel answers EINVAL without them). */
  readonly required?: readonly string[];
  /** Attributes a dump request must have. */
  readonly dumpRequired?: readonly string[];
  /** With NLM_F_ECHO the kernel sends the sender what it multicasts ({@link EchoOptions}); decoded with `replySet`. */
  readonly echo?: boolean;
}

/** A notification a family can multicast, by cmd. */
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
    const flags = (opts.flags ?? 0) | (opts.echo === true ? NLM_F_ECHO : 0);
    return genlRequest({
      familyId: this.family.id,
      cmd: op.cmd,
      version: this.def.version,
      set: op.requestSet as AttrSet<Req>,
      attrs: req,
      ...(fixed !== undefined ? { fixedHeader: fixed } : {}),
      ...(op.headerKey !== undefined ? { headerKey: op.headerKey } : {}),
      ...(flags !== 0 ? { flags } : {}),
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
    opts: EchoOptions = {},
  ): Promise<Rsp | undefined> {
    const r = this.encodeOp(op, req, opts);
    return this.#decodeReply(op, await this.socket.request(r, sockOpts(opts)), opts.copy);
  }

  /**
   * Run several do-requests in one sendmsg ({@link GenlSocket.requestMany}):
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
    return readGenlMessage(msg, op.replySet, fixed, decodeOpts(op, copy)).attrs;
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
        decode: (msg) => readGenlMessage(msg, set, fixed, dopts).attrs,
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
    const names = opts.groups ?? [...this.def.mcastGroups];
    const byId = new Map<number, string>();
    for (const n of names) {
      const id = this.family.mcastGroups.get(n);
      if (id === undefined)
        throw new YnlError(`family ${this.def.name} has no multicast group '${n}'`);
      byId.set(id, n);
    }
    const sub = this.socket.subscribeGroups([...byId.keys()], {
      family: this.family,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.resync ? { resync: opts.resync } : {}),
    });
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
        const cmd = genlCmd(msg.buffer, msg.offset, msg.len) ?? 0;
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
        const attrs = readGenlMessage(
          msg,
          nd.set,
          nd.fixedHeader ?? this.def.fixedHeader,
          decodeOpts(nd, copy),
        ).attrs;
        yield { name: nd.name, cmd, group, attrs };
      }
    } finally {
      sub.close();
    }
  }
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
