/**
 * `GenlSocket`: one generic netlink socket with many requests in flight,
 * matched by sequence number; dumps and multicast notifications as async
 * iterables; family resolution through nlctrl with a per-socket cache.
 *
 * It is the generic-netlink layer over the protocol-agnostic core shared
 * with the classic netlink socket (base.ts: the transport, the request
 * multiplexer, subscriptions). What is genl-specific lives here and in
 * families.ts (nlctrl) and explain.ts (GENL op flags for EPERM).
 * @module
 */
import { GENL_ID_CTRL, NETLINK_GENERIC } from '../codec/constants.js';
import { YnlError } from '../codec/errors.js';
import type { ExtAck, NlMessage } from '../codec/message.js';
import {
  NetlinkSocket,
  openSocket,
  openSocketAsync,
  type GroupSubscribeOptions,
  type SocketOptions,
  type SocketRequestOptions,
} from './base.js';
import {
  FamilyCache,
  familyFromMessage,
  getFamilyRequest,
  type ResolvedFamily,
} from './families.js';
import { FamilyRemovedError } from './errors.js';
import { netlinkError } from './explain.js';
import type { MuxOptions } from './mux.js';
import { genlRequest, type GenlRequestInit, type NetlinkRequest } from './request.js';
import type { Subscription } from './subscriptions.js';
import type { Transport } from './transport.js';

export { netlinkError } from './explain.js';
export type { ResolvedFamily } from './families.js';
export type { SocketStats } from './mux.js';
export type { McastMessage, Subscription } from './subscriptions.js';
export type { GroupSubscribeOptions, SocketOptions, SocketRequestOptions } from './base.js';

/** A request as {@link GenlSocket.request} accepts it. */
export type RequestInput = NetlinkRequest | GenlRequestInit | Uint8Array;

/** Options of {@link GenlSocket.subscribe}. */
export interface SubscribeOptions extends GroupSubscribeOptions {
  /**
   * The family the groups belong to ({@link GenlSocket.subscribe} sets it):
   * when the kernel unregisters it (module unloaded), the iteration ends with
   * a {@link FamilyRemovedError} instead of waiting forever.
   */
  readonly family?: ResolvedFamily;
}

/**
 * A NETLINK_GENERIC socket: a {@link NetlinkSocket} that resolves generic
 * netlink families by name (nlctrl) and subscribes to their groups by name.
 * Many requests can be in flight at once: each gets its own sequence number
 * and the replies are routed back to it.
 * See {@link NetlinkSocket} for how no request waits forever.
 */
export class GenlSocket extends NetlinkSocket<GenlRequestInit> {
  readonly #families = new FamilyCache();

  private constructor(transport: Transport, portId: number, opts: MuxOptions) {
    super(transport, portId, opts);
  }

  /** Open and bind a generic netlink socket with extended ACKs on. */
  static open(opts: SocketOptions = {}): Promise<GenlSocket> {
    return openSocketAsync(() => GenlSocket.openSync(opts));
  }

  /** Synchronous {@link GenlSocket.open}. */
  static openSync(options: SocketOptions = {}): GenlSocket {
    return openSocket(NETLINK_GENERIC, options, (t, port, o) => new GenlSocket(t, port, o));
  }

  /** @internal */
  protected override encodeInit(init: GenlRequestInit): NetlinkRequest {
    return genlRequest(init);
  }

  /** @internal Kernel errors name the capability an op needs (its GENL_* flags) behind EPERM. */
  protected override explainError(errno: number, ext: ExtAck, req: NetlinkRequest): Error {
    return netlinkError(errno, ext, req, this.#families.opFlags(req));
  }

  // ---- families ------------------------------------------------------------

  /**
   * Resolve a generic netlink family by name (CTRL_CMD_GETFAMILY). Results
   * are cached per socket; concurrent calls for one name share one request.
   * An unknown family rejects with a NetlinkError of code `'ENOENT'`.
   */
  resolveFamily(name: string, opts: SocketRequestOptions = {}): Promise<ResolvedFamily> {
    return this.#families.resolve(name, () => this.request(getFamilyRequest(name), opts));
  }

  /** Forget cached families (all, or one name), e.g. after a module reload. */
  clearFamilyCache(name?: string): void {
    this.#families.clear(name);
  }

  /** Dump every registered family (CTRL_CMD_GETFAMILY with NLM_F_DUMP). */
  async *families(opts: SocketRequestOptions = {}): AsyncGenerator<ResolvedFamily> {
    for await (const msg of this.dump(getFamilyRequest(), opts)) yield familyFromMessage(msg);
  }

  /** @internal A message that answers no request: nlctrl's family removals, then subscribers. */
  protected override onMessage(msg: NlMessage, group: number): void {
    if (group === GENL_ID_CTRL && msg.type === GENL_ID_CTRL) {
      const removed = this.#families.onCtrlEvent(msg);
      if (removed !== undefined)
        this.endSubscriptions(
          removed.id,
          new FamilyRemovedError(
            `generic netlink family ${removed.name} was unregistered (module unloaded?): its notifications end`,
          ),
        );
    }
    super.onMessage(msg, group);
  }

  // ---- multicast -----------------------------------------------------------

  /**
   * Join multicast groups of a family by name (or by group id) and iterate
   * over the notifications. The groups are left when the iteration ends.
   */
  async subscribe(
    family: string | ResolvedFamily,
    groups: readonly (string | number)[],
    opts: SubscribeOptions = {},
  ): Promise<Subscription> {
    const fam = typeof family === 'string' ? await this.resolveFamily(family) : family;
    const ids = groups.map((g) => {
      if (typeof g === 'number') return g;
      const id = fam.mcastGroups.get(g);
      if (id === undefined) {
        throw new YnlError(
          `family ${fam.name} has no multicast group '${g}' (it has: ${[...fam.mcastGroups.keys()].join(', ') || 'none'})`,
        );
      }
      return id;
    });
    return this.subscribeGroups(ids, { ...opts, family: fam });
  }

  /** Join multicast groups by id; see {@link GenlSocket.subscribe}. */
  subscribeGroups(groupIds: readonly number[], opts: SubscribeOptions = {}): Subscription {
    // nlctrl's "notify" group (its id is GENL_ID_CTRL) announces removed
    // families; joined for the subscription, not delivered to it.
    const watch = opts.family !== undefined && opts.family.id !== GENL_ID_CTRL;
    return this.joinGroups(groupIds, {
      signal: opts.signal,
      resync: opts.resync,
      maxQueued: opts.maxQueued,
      owner: opts.family?.id,
      alsoJoin: watch ? [GENL_ID_CTRL] : [],
    });
  }
}
