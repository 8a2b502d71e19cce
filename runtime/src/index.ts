/**
 * @ynl-ts/runtime: the netlink codec and the AF_NETLINK socket layer.
 * @module
 */
export * from './codec/index.js';
export * from './socket/index.js';
export {
  FamilyClient,
  GenlFamilyClient,
  RawFamilyClient,
  type ClientClass,
  type RawClientClass,
  type RawFamilyDef,
  type FamilyDefBase,
  type EchoOptions,
  type FamilyDef,
  type Notification,
  type NotificationDef,
  type NotificationOptions,
  type OpDef,
  type RequestOptions,
} from './family.js';
export * from './format.js';
