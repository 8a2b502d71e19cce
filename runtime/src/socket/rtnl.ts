/**
 * `RtnlSocket`: a classic netlink socket, NETLINK_ROUTE (rtnetlink, what `ip`
 * and `tc` speak) by default, or another classic protocol. Messages carry no
 * genlmsghdr: the message type is the operation (RTM_NEWLINK ...), a fixed
 * header (ifinfomsg, rtmsg ...) follows the nlmsghdr, and multicast groups
 * are known by number (RTNLGRP_LINK = 1 ...). Everything else is the shared
 * core of {@link NetlinkSocket}.
 * @module
 */
import { NETLINK_ROUTE } from '../codec/constants.js';
import {
  NetlinkSocket,
  openSocket,
  openSocketAsync,
  type GroupSubscribeOptions,
  type SocketOptions,
} from './base.js';
import type { MuxOptions } from './mux.js';
import { intOption } from './options.js';
import { rawRequest, type NetlinkRequest, type RawRequestInit } from './request.js';
import type { Subscription } from './subscriptions.js';
import type { Transport } from './transport.js';

/** Options of {@link RtnlSocket.open}. */
export interface RtnlSocketOptions extends SocketOptions {
  /**
   * The classic netlink protocol (an integer in [0, 31]): NETLINK_ROUTE (0,
   * the default), or e.g. NETLINK_XFRM (6), NETLINK_NETFILTER (12). Generic
   * netlink (16) has its own socket, {@link GenlSocket}.
   */
  readonly protocol?: number;
}

/**
 * A classic netlink socket (NETLINK_ROUTE unless `protocol` says otherwise):
 * requests built from a message type, a fixed header and attributes
 * ({@link RawRequestInit}, or the typed clients of the rt-* families), many
 * in flight at once; dumps; multicast groups by number. Strict checking
 * (NETLINK_GET_STRICT_CHK) is on unless `strict: false`, so the kernel
 * honours the filters in a dump request's fixed header.
 *
 * ```ts
 * const sock = RtnlSocket.openSync();
 * const links = new RtLinkClient(sock);
 * for await (const l of links.getlinkDump()) console.log(l.ifname);
 * sock.close();
 * ```
 *
 * See {@link NetlinkSocket} for how no request waits forever.
 */
export class RtnlSocket extends NetlinkSocket<RawRequestInit> {
  /** The netlink protocol the socket speaks (NETLINK_ROUTE = 0). */
  readonly protocol: number;

  private constructor(transport: Transport, portId: number, opts: MuxOptions, protocol: number) {
    super(transport, portId, opts);
    this.protocol = protocol;
  }

  /** Open and bind a classic netlink socket with extended ACKs and strict checking on. */
  static open(opts: RtnlSocketOptions = {}): Promise<RtnlSocket> {
    return openSocketAsync(() => RtnlSocket.openSync(opts));
  }

  /** Synchronous {@link RtnlSocket.open}. */
  static openSync(options: RtnlSocketOptions = {}): RtnlSocket {
    const protocol = intOption('protocol', options.protocol, 0, 31, NETLINK_ROUTE);
    if (protocol === 16)
      throw new RangeError('protocol 16 is NETLINK_GENERIC: open a GenlSocket for it');
    return openSocket(protocol, options, (t, port, o) => new RtnlSocket(t, port, o, protocol));
  }

  /** @internal */
  protected override encodeInit(init: RawRequestInit): NetlinkRequest {
    return rawRequest(init);
  }

  /**
   * Join multicast groups by number (RTNLGRP_LINK = 1, RTNLGRP_IPV4_IFADDR =
   * 5, RTNLGRP_IPV4_ROUTE = 7 ...: the spec's `mcast-groups` values) and
   * iterate over the notifications. The groups are left when the iteration
   * ends.
   */
  subscribe(groups: readonly number[], opts: GroupSubscribeOptions = {}): Subscription {
    for (const g of groups) intOption('group', g, 1, 2 ** 32 - 1, 0);
    return this.joinGroups(groups, {
      signal: opts.signal,
      resync: opts.resync,
      maxQueued: opts.maxQueued,
    });
  }
}
