/**
 * @ynl-ts/runtime: the netlink codec and the AF_NETLINK socket layer.
 * @module
 */
export * from './codec/index.js';
