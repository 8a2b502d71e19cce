/**
 * @ynl-ts/ovs: Open vSwitch datapath flows as text. {@link parseFlow} and
 * {@link formatFlow} convert between the ODP syntax that `ovs-dpctl`
 * prints and takes and the generated `ovs_flow` types; the `ynl-dpctl`
 * command (`./dpctl`) is an `ovs-dpctl` built on them.
 * @module
 */
export { FlowSyntaxError } from './text/scan.js';
export type { FormatOptions, ParseOptions } from './text/codec.js';
export {
  formatFlow,
  formatKey,
  formatStats,
  formatUfid,
  monotonicMs,
  parseFlow,
  parseKey,
  type FlowFormatOptions,
  type FlowParseOptions,
  type ParsedFlow,
  type ParsedKey,
} from './text/flow.js';
export { formatActions, parseActions } from './text/actions.js';
