/**
 * The transport seam: what the request multiplexer needs from a socket.
 * {@link openTransport} opens the real one (the native addon); unit tests
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
import { fromNative } from './errors.js';
import { nativeBinding, type ReceiveCallback } from './native.js';

export type { ReceiveCallback } from './native.js';

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;

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
  /** Begin delivering received datagrams to `cb`. */
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
  let native;
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
