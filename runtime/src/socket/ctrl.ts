/**
 * The generic netlink controller (`nlctrl`) attribute layouts the socket
 * needs to resolve families, written by hand from linux/genetlink.h so the
 * runtime does not depend on generated code.
 * @module
 */
import { AttrSet, Kind } from '../codec/layout.js';

/** One operation of a family, as `CTRL_ATTR_OPS` lists it. */
export interface CtrlOp {
  readonly id?: number;
  /** GENL_* op flags (GENL_ADMIN_PERM = 1, GENL_CMD_CAP_DO = 2, ...). */
  readonly flags?: number;
}

/** One multicast group of a family. */
export interface CtrlMcastGroup {
  readonly name?: string;
  readonly id?: number;
}

/** A CTRL_CMD_GETFAMILY reply (CTRL_ATTR_*). */
export interface CtrlFamily {
  readonly familyId?: number;
  readonly familyName?: string;
  readonly version?: number;
  readonly hdrsize?: number;
  readonly maxattr?: number;
  readonly ops?: readonly CtrlOp[];
  readonly mcastGroups?: readonly CtrlMcastGroup[];
}

/** CTRL_ATTR_OP_* */
export const ctrlOpAttrs = new AttrSet<CtrlOp>('op-attrs', () => [
  { name: 'id', type: 1, kind: Kind.U32 },
  { name: 'flags', type: 2, kind: Kind.U32 },
]);

/** CTRL_ATTR_MCAST_GRP_* */
export const ctrlMcastGroupAttrs = new AttrSet<CtrlMcastGroup>('mcast-group-attrs', () => [
  { name: 'name', type: 1, kind: Kind.String },
  { name: 'id', type: 2, kind: Kind.U32 },
]);

/** CTRL_ATTR_* (the attributes of CTRL_CMD_GETFAMILY requests and replies). */
export const ctrlAttrs = new AttrSet<CtrlFamily>('ctrl-attrs', () => [
  { name: 'familyId', type: 1, kind: Kind.U16 },
  { name: 'familyName', type: 2, kind: Kind.String },
  { name: 'version', type: 3, kind: Kind.U32 },
  { name: 'hdrsize', type: 4, kind: Kind.U32 },
  { name: 'maxattr', type: 5, kind: Kind.U32 },
  { name: 'ops', type: 6, kind: Kind.IndexedArray, sub: Kind.Nest, nested: ctrlOpAttrs },
  {
    name: 'mcastGroups',
    type: 7,
    kind: Kind.IndexedArray,
    sub: Kind.Nest,
    nested: ctrlMcastGroupAttrs,
  },
]);
