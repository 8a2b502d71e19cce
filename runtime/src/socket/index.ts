/**
 * The AF_NETLINK socket layer: {@link GenlSocket}, {@link RtnlSocket}, their shared
 * core {@link NetlinkSocket}, and their errors.
 * @module
 */
export { NetlinkSocket, type GroupSubscribeOptions } from './base.js';
export { RtnlSocket, type RtnlSocketOptions } from './rtnl.js';
export {
  GenlSocket,
  netlinkError,
  type McastMessage,
  type RequestInput,
  type ResolvedFamily,
  type SocketOptions,
  type SocketRequestOptions,
  type SocketStats,
  type SubscribeOptions,
  type Subscription,
} from './socket.js';
export {
  AbortError,
  DumpInterruptedError,
  FamilyRemovedError,
  NetlinkError,
  QueueOverflowError,
  ReplyLostError,
  SocketClosedError,
  SocketError,
  TimeoutError,
  type ExtAckInfo,
  type MissingAttr,
  type NetlinkErrorContext,
} from './errors.js';
export {
  DO_FLAGS,
  DUMP_FLAGS,
  genlRequest,
  rawRequest,
  type GenlRequestInit,
  type RawRequestInit,
  type RequestBodyInit,
  type NetlinkRequest,
} from './request.js';
export { errnoName, errnoText } from './errno.js';
export { Multiplexer, type MuxHooks, type MuxOptions } from './mux.js';
export type { CheckedRequestOptions } from './pending.js';
export type { ReceiveCallback, Transport } from './transport.js';
export { META_STRIDE } from './transport.js';
export {
  ctrlAttrs,
  ctrlMcastGroupAttrs,
  ctrlOpAttrs,
  type CtrlFamily,
  type CtrlMcastGroup,
  type CtrlOp,
} from './ctrl.js';
