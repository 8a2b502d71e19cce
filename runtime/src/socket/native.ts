/**
 * The native addon (runtime/native/netlink.c), loaded from the package's
 * build directory relative to this compiled module, with its TS types.
 * @module
 */
import { createRequire } from 'node:module';
import { YnlError } from '../codec/errors.js';

/**
 * Receive callback: `err` is set when the socket reported an error (ENOBUFS
 * after a receive-buffer overflow; reading goes on after it); `datagrams`
 * holds what was read in this wake-up; `meta` holds `[group, senderPort]` per
 * datagram (group 0 = unicast); `drained` says the receive queue was found
 * empty at the end of this wake-up.
 */
export type ReceiveCallback = (
  err: Error | null,
  datagrams: Uint8Array[],
  meta: number[],
  drained: boolean,
) => void;

/** One AF_NETLINK socket. Methods throw TypeError/RangeError on bad arguments. */
export interface NativeSocket {
  /** Bind with port id 0 (kernel-assigned); returns the assigned port id. */
  bind(groups?: number): number;
  /** setsockopt(level, name, int value). */
  setOption(level: number, name: number, value: number): void;
  /** getsockopt(level, name) of an int value. */
  getOption(level: number, name: number): number;
  /**
   * One sendmsg to the kernel; several buffers (at most 1024) are gathered
   * with an iovec into one datagram. Then, unless `drain` is false, what the
   * kernel queued meanwhile is read and handed to the receive callback
   * before send returns. Returns the bytes sent.
   */
  send(bytes: Uint8Array | readonly Uint8Array[], drain?: boolean): number;
  /** Begin reading; the callback receives batches of datagrams. */
  start(cb: ReceiveCallback): void;
  /** Stop reading until resume() (backpressure). */
  pause(): void;
  resume(): void;
  /** Keep the event loop alive while waiting for data. */
  ref(): void;
  unref(): void;
  close(): void;
  readonly fd: number;
}

interface Binding {
  NetlinkSocket: new (protocol: number) => NativeSocket;
}

let binding: Binding | undefined;

/** The addon, loaded on first use so codec-only users never need it built. */
export function nativeBinding(): Binding {
  if (binding === undefined) {
    // dist/socket/native.js → ../../build/Release (the package root's build dir).
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
