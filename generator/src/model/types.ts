/**
 * The spec model: the contract between validation and emission. Every
 * reference is resolved, every name converted, every struct laid out, every
 * override applied. Emitters read only this, never raw YAML.
 * @module
 */

/** A place in a spec file (1-based line and column). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** An override that changed the spec, shown in the generated TSDoc. */
export interface AppliedOverride {
  /** Where it applied, e.g. `attribute-sets.action-attrs.attributes.psample`. */
  readonly target: string;
  /** The override's one-line reason. */
  readonly reason: string;
}

export type Protocol = 'genetlink' | 'genetlink-c' | 'genetlink-legacy' | 'netlink-raw';

export interface FamilyModel {
  /** Spec `name:`, e.g. `ovs_flow`. */
  readonly name: string;
  /** Identifier-safe base for TS names, e.g. `OvsFlow` / `ovsFlow`. */
  readonly tsName: string;
  readonly protocol: Protocol;
  /** Version byte for genlmsghdr (spec `version:`, default 1, or an override). */
  readonly version: number;
  readonly doc?: string;
  readonly uapiHeader: string;
  /** Path of the spec file the model came from. */
  readonly file: string;
  readonly consts: readonly ConstModel[];
  readonly enums: readonly EnumModel[];
  readonly structs: readonly StructModel[];
  readonly attrSets: readonly AttrSetModel[];
  /** Family-wide fixed header (struct name), if any. */
  readonly fixedHeader?: string;
  readonly ops: readonly OpModel[];
  readonly mcastGroups: readonly McastGroupModel[];
  /**
   * netlink-raw sub-messages (`sub-messages:`): the format of a `sub-message`
   * attribute is chosen by the value of its `selector` attribute. Empty for
   * families without them. (Added after the first contract.)
   */
  readonly subMessages: readonly SubMessageModel[];
  readonly overrides: readonly AppliedOverride[];
}

/** One format of a sub-message, chosen when the selector equals `value`. */
export interface SubMessageFormatModel {
  /** Selector value (a string: e.g. the link kind `vlan`). */
  readonly value: string;
  /** Attribute set (model name) of the payload, if it is a nest of attributes. */
  readonly attrSet?: string;
  /** Struct (model name) at the start of the payload, if any. */
  readonly fixedHeader?: string;
}

/** A netlink-raw sub-message definition (rt-link `linkinfo-data-msg`, tc `options-msg`). */
export interface SubMessageModel {
  readonly name: string;
  /** PascalCase type name, e.g. `LinkinfoDataMsg`. */
  readonly tsName: string;
  readonly formats: readonly SubMessageFormatModel[];
}

export interface ConstModel {
  readonly name: string;
  readonly tsName: string;
  readonly value: number | string;
  readonly doc?: string;
}

export interface EnumEntryModel {
  /** Spec name, e.g. `dispatch-upcall-per-cpu`. */
  readonly name: string;
  /** Property name, e.g. `dispatchUpcallPerCpu`. */
  readonly tsName: string;
  /** Value; for flags the bit value (1 << n), not n. */
  readonly value: number;
  /** C constant, e.g. `OVS_DP_F_DISPATCH_UPCALL_PER_CPU`. */
  readonly cName: string;
  readonly doc?: string;
}

export interface EnumModel {
  readonly name: string;
  /** PascalCase type / const name, e.g. `UserFeatures`. */
  readonly tsName: string;
  readonly flags: boolean;
  readonly doc?: string;
  readonly entries: readonly EnumEntryModel[];
  readonly overrides: readonly AppliedOverride[];
}

/** Scalar and struct-member kinds, named like the spec. */
export type ScalarType =
  'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64' | 'uint' | 'sint';

export type DisplayHint = 'hex' | 'mac' | 'fddi' | 'ipv4' | 'ipv6' | 'ipv4-or-v6' | 'uuid';

export interface StructMemberModel {
  readonly name: string;
  readonly tsName: string;
  /** `pad` members are alignment/tail padding (added by layout or overrides). */
  readonly type: Exclude<ScalarType, 'uint' | 'sint'> | 'binary' | 'string' | 'struct' | 'pad';
  readonly offset: number;
  /** Size in bytes (scalars: their width). */
  readonly size: number;
  readonly byteOrder: 'host' | 'big-endian';
  /** Enum (model name) for scalar members. */
  readonly enum?: string;
  /** Nested struct (model name) for `struct` members. */
  readonly struct?: string;
  readonly displayHint?: DisplayHint;
  readonly doc?: string;
}

export interface StructModel {
  readonly name: string;
  /** PascalCase, e.g. `OvsKeyIpv4`. */
  readonly tsName: string;
  /** sizeof, including tail padding. */
  readonly size: number;
  readonly doc?: string;
  readonly members: readonly StructMemberModel[];
  readonly overrides: readonly AppliedOverride[];
}

export type AttrType =
  | 'unused'
  | 'pad'
  | 'flag'
  | 'binary'
  | 'bitfield32'
  | ScalarType
  | 'string'
  | 'nest'
  | 'indexed-array'
  | 'nest-type-value'
  | 'sub-message';

export interface ChecksModel {
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  readonly minLen?: number;
  readonly maxLen?: number;
  readonly exactLen?: number;
}

export interface AttrModel {
  readonly name: string;
  /** camelCase property name, e.g. `inPort`. */
  readonly tsName: string;
  /** Attribute type number. */
  readonly value: number;
  readonly type: AttrType;
  /** C constant, e.g. `OVS_KEY_ATTR_IN_PORT`. */
  readonly cName: string;
  readonly byteOrder: 'host' | 'big-endian';
  readonly multi: boolean;
  /** Attribute set (model name) inside nest / indexed-array / nest-type-value. */
  readonly nested?: string;
  /** Struct (model name) of a binary attribute with `struct:`. */
  readonly struct?: string;
  /** Element type of indexed-array and of binary with `sub-type` (a packed scalar array). */
  readonly subType?: AttrType;
  readonly typeValue?: readonly string[];
  readonly enum?: string;
  readonly enumAsFlags: boolean;
  /** Sub-message (model name) of a `sub-message` attribute. */
  readonly subMessage?: string;
  /**
   * Name of the attribute whose value picks the sub-message format (`selector`);
   * it is looked up in this attribute's set, then in the enclosing sets.
   */
  readonly selector?: string;
  /** Nested set's attributes carry value + mask (OVS set-masked), from an override. */
  readonly masked: boolean;
  readonly checks?: ChecksModel;
  readonly displayHint?: DisplayHint;
  readonly doc?: string;
  readonly overrides: readonly AppliedOverride[];
}

export interface AttrSetModel {
  readonly name: string;
  /** PascalCase interface name, e.g. `KeyAttrs`. */
  readonly tsName: string;
  readonly doc?: string;
  /** Order and repeats carry meaning (override `ordered: true`): an array of `{ type, value }`. */
  readonly ordered: boolean;
  /** Set this one is a subset of, if any (attributes then come from it). */
  readonly subsetOf?: string;
  /** Key/mask consistency rules (override `extend: {match: ...}`), in TS names. */
  readonly match?: MatchModel;
  readonly attrs: readonly AttrModel[];
  readonly overrides: readonly AppliedOverride[];
}

export interface OpMessageModel {
  /** Names (model names) of the attributes the spec lists for this message. */
  readonly attrs: readonly string[];
  /** Message id when it differs from the op's value (genetlink-legacy `value:`). */
  readonly value?: number;
}

export interface OpModel {
  readonly name: string;
  /** camelCase method name, e.g. `get`, `newFlow` is NOT used: spec names converted only. */
  readonly tsName: string;
  /** Command number (genlmsghdr cmd / nlmsg_type for netlink-raw). */
  readonly value: number;
  readonly cName: string;
  readonly doc?: string;
  /** Attribute set (model name) of the op's messages. */
  readonly attrSet?: string;
  /** Struct (model name) of the op's fixed header, op-level or family-wide. */
  readonly fixedHeader?: string;
  readonly do?: { readonly request?: OpMessageModel; readonly reply?: OpMessageModel };
  readonly dump?: { readonly request?: OpMessageModel; readonly reply?: OpMessageModel };
  /** Name (model) of the op whose reply format this notification shares. */
  readonly notify?: string;
  readonly event?: OpMessageModel;
  /** Multicast group (name) the notification/event is sent to. */
  readonly mcgrp?: string;
  readonly flags: readonly ('admin-perm' | 'uns-admin-perm')[];
  readonly overrides: readonly AppliedOverride[];
}

export interface McastGroupModel {
  readonly name: string;
  readonly tsName: string;
  /**
   * Group number for netlink-raw families (spec `value:`, e.g. RTNLGRP_LINK = 1);
   * absent for genetlink, whose group ids are resolved at run time. (Added
   * after the first contract.)
   */
  readonly value?: number;
}

/** A condition of a match rule: a key field (attribute, then struct members; TS names). */
export interface MatchCondModel {
  readonly path: readonly string[];
  readonly in?: readonly number[];
  readonly notIn?: readonly number[];
}

/** One rule of {@link MatchModel}; names are TS names. */
export interface MatchRuleModel {
  readonly when: readonly MatchCondModel[];
  readonly expect: readonly string[];
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly exact: readonly (readonly string[])[];
}

/**
 * What a kernel checks between a key and its mask (OVS `match_validate()`),
 * declared by an override and interpreted by the runtime's `checkMatch`.
 */
export interface MatchModel {
  readonly key: string;
  readonly mask: string;
  readonly flatten?: string;
  readonly always: readonly string[];
  readonly gated: readonly string[];
  readonly rules: readonly MatchRuleModel[];
}
