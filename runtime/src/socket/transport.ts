/**
 * The transport seam: what the request multiplexer needs from a socket.
 * {@link openTransport} opens the real one over the native addon
 * (runtime/native/netlink.c, loaded from the package's build directory on
 * first use, so codec-only users never need it built); unit tests
 * drive the multiplexer with a fake that implements {@link Transport}.
 * Nothing here is specific to a netlink protocol.
 * @module
 */
import {
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_PKTINFO,
  SOL_NETLINK,
} from '../codec/constants.js';
import { createRequire } from 'node:module';
import { YnlError } from '../codec/errors.js';
import { fromNative } from './errors.js';

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;

/** Numbers per datagram in a receive callback's `meta`: buffer index, offset, length, group, sender port. */
export const META_STRIDE = 5;

/**
 * Receive callback: `err` is set when the socket reported an error (ENOBUFS
 * after a receive-buffer overflow; reading goes on after it); `count`
 * datagrams were read in this wake-up; datagram `i` is the
 * `meta[5i + 2]` bytes at offset `meta[5i + 1]` of `buffers[meta[5i]]`, sent
 * by port `meta[5i + 4]` to multicast group `meta[5i + 3]` (0 = unicast)
 * (see {@link META_STRIDE}); `drained` says the receive queue was found
 * empty at the end of this wake-up. `buffers` and `meta` may be the same
 * objects on every call, rewritten by the next one: read them before
 * returning. The bytes of a datagram are never rewritten, so views of them
 * stay valid.
 */
export type ReceiveCallback = (
  err: Error | null,
  buffers: readonly (ArrayBufferLike | undefined)[],
  meta: Uint32Array,
  count: number,
  drained: boolean,
) => void;

/** One datagram socket to the kernel, as the multiplexer uses it. */
export interface Transport {
  /**
   * Send the messages in one datagram. With `drain`, what the kernel has
   * queued for us by the time sendmsg returns is handed to the receive
   * callback before send returns (the callback must then not re-enter the
   * caller); without it, answers come at the next event-loop wake-up.
   * @throws on a send error (the messages were not sent).
   */
  send(bytes: readonly Uint8Array[], drain: boolean): number;
  /**
   * Begin delivering received datagrams to `cb`. A send with `drain` made
   * from inside `cb` does not drain (that would rewrite `meta` under it).
   */
  start(cb: ReceiveCallback): void;
  /** Stop reading until resume() (backpressure). */
  pause(): void;
  resume(): void;
  /** Keep the event loop alive while waiting for data. */
  ref(): void;
  unref(): void;
  close(): void;
  setOption(level: number, name: number, value: number): void;
  getOption(level: number, name: number): number;
  readonly fd: number;
}

/** The addon's socket: a {@link Transport} that also binds. Its methods throw TypeError/RangeError on bad arguments. */
export interface NativeSocket extends Transport {
  /** Bind with port id 0 (kernel-assigned); returns the assigned port id. */
  bind(groups?: number): number;
  /**
   * One sendmsg to the kernel; several buffers (at most 1024) are gathered
   * with an iovec into one datagram. Then, unless `drain` is false, what the
   * kernel queued meanwhile is read and handed to the receive callback
   * before send returns. Returns the bytes sent.
   */
  send(bytes: Uint8Array | readonly Uint8Array[], drain?: boolean): number;
}

interface Binding {
  NetlinkSocket: new (protocol: number) => NativeSocket;
}

let binding: Binding | undefined;

/** The addon, loaded on first use so codec-only users never need it built. */
export function nativeBinding(): Binding {
  if (binding === undefined) {
    // dist/socket/transport.js → ../../build/Release (the package root's build dir).
    const require = createRequire(import.meta.url);
    try {
      binding = require('../../build/Release/ynl_netlink.node') as Binding;
    } catch (cause) {
      throw new YnlError(
        'the @ynl-ts/runtime native addon is not built (build/Release/ynl_netlink.node); ' +
          'run `npm rebuild @ynl-ts/runtime` (needs a C compiler and Node headers)',
        { cause },
      );
    }
  }
  return binding;
}

/** How {@link openTransport} sets a socket up. */
export interface TransportSetup {
  /** SO_RCVBUF(FORCE) in bytes; 0 keeps the system default. */
  readonly rcvbuf: number;
  /** NETLINK_GET_STRICT_CHK. */
  readonly strict: boolean;
}

/**
 * Open, set up (extended ACKs, capped ACKs, packet info with the multicast
 * group, strict checking, receive buffer) and bind an AF_NETLINK socket of
 * `protocol`. Returns it with the port id the kernel assigned.
 */
export function openTransport(
  protocol: number,
  setup: TransportSetup,
): { transport: Transport; portId: number } {
  const { NetlinkSocket } = nativeBinding();
  let native: NativeSocket;
  try {
    native = new NetlinkSocket(protocol);
  } catch (e) {
    throw fromNative(e);
  }
  try {
    native.setOption(SOL_NETLINK, NETLINK_EXT_ACK, 1);
    native.setOption(SOL_NETLINK, NETLINK_CAP_ACK, 1);
    native.setOption(SOL_NETLINK, NETLINK_PKTINFO, 1);
    if (setup.strict) native.setOption(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
    if (setup.rcvbuf > 0) {
      try {
        native.setOption(SOL_SOCKET, SO_RCVBUFFORCE, setup.rcvbuf);
      } catch {
        native.setOption(SOL_SOCKET, SO_RCVBUF, setup.rcvbuf);
      }
    }
    const portId = native.bind(0);
    return { transport: native, portId };
  } catch (e) {
    native.close();
    throw fromNative(e);
  }
}
