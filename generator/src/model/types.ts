/**
 * The spec model: the contract between validation and emission. Every
 * reference is resolved to the object it names (once, by the builders),
 * every name converted, every struct laid out, every override applied, every
 * spec type mapped to its wire kind. Emitters read only this, never raw YAML,
 * and never look a name up.
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
  /** Identifier-safe base for TS names, e.g. `OvsFlow`. */
  readonly tsName: string;
  readonly protocol: Protocol;
  /** Version byte for genlmsghdr (spec `version:`, default 1, or an override). */
  readonly version: number;
  /** netlink-raw: the netlink protocol number (spec `protonum:`, default 0, NETLINK_ROUTE). */
  readonly protonum?: number;
  readonly doc?: string;
  readonly uapiHeader: string;
  /** Path of the spec file the model came from. */
  readonly file: string;
  /** Where the spec's `name:` is (module file names are checked across a package). */
  readonly namePos: SourcePos;
  readonly consts: readonly ConstModel[];
  readonly enums: readonly EnumModel[];
  /** In declaration order: a struct comes after the structs it contains. */
  readonly structs: readonly StructModel[];
  readonly attrSets: readonly AttrSetModel[];
  /** Family-wide fixed header, if any. */
  readonly fixedHeader?: StructModel;
  readonly ops: readonly OpModel[];
  readonly mcastGroups: readonly McastGroupModel[];
  /** netlink-raw sub-messages (`sub-messages:`); empty for families without them. */
  readonly subMessages: readonly SubMessageModel[];
  /** Name of the generated client class (`<Family>Client`); absent: no client (no request ops). */
  readonly client?: ClientNames;
  readonly overrides: readonly AppliedOverride[];
}

/** Names of the generated client and its notification union. */
export interface ClientNames {
  readonly className: string;
  readonly notificationType: string;
}

/** One format of a sub-message, chosen when the selector equals `value`. */
export interface SubMessageFormatModel {
  /** Selector value (a string: e.g. the link kind `vlan`). */
  readonly value: string;
  /** Attribute set of the payload, if it is a nest of attributes. */
  readonly attrSet?: AttrSetModel;
  /** Struct at the start of the payload, if any. */
  readonly fixedHeader?: StructModel;
}

/** A netlink-raw sub-message definition (rt-link `linkinfo-data-msg`, tc `options-msg`). */
export interface SubMessageModel {
  readonly name: string;
  /** PascalCase type name, e.g. `LinkinfoDataMsg`. */
  readonly tsName: string;
  /** The `SubMessageDef` value, e.g. `linkinfoDataMsgFormats`. */
  readonly valueName: string;
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
  /** The `EnumDef` value, e.g. `userFeaturesEnum`. */
  readonly valueName: string;
  /**
   * The `EnumDef` that reads the entries as bit numbers, when an attribute
   * uses this (non-flags) enum with `enum-as-flags`, e.g. `ovsUfidFlagsAsFlags`.
   */
  readonly asFlagsName?: string;
  readonly flags: boolean;
  readonly doc?: string;
  readonly entries: readonly EnumEntryModel[];
  readonly overrides: readonly AppliedOverride[];
}

/** Scalar and struct-member kinds, named like the spec. */
export type ScalarType =
  'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64' | 'uint' | 'sint';

/** The runtime's wire kinds (`Kind` in `@ynl-ts/runtime`), by name. */
export type WireKind =
  | 'Unused'
  | 'Pad'
  | 'Flag'
  | 'U8'
  | 'U16'
  | 'U32'
  | 'U64'
  | 'S8'
  | 'S16'
  | 'S32'
  | 'S64'
  | 'Uint'
  | 'Sint'
  | 'String'
  | 'Binary'
  | 'Nest'
  | 'Bitfield32'
  | 'IndexedArray'
  | 'NestTypeValue'
  | 'Struct'
  | 'ScalarArray'
  | 'StructArray'
  | 'SubMessage';

export type DisplayHint = 'hex' | 'mac' | 'fddi' | 'ipv4' | 'ipv6' | 'ipv4-or-v6' | 'uuid';

export interface StructMemberModel {
  readonly name: string;
  readonly tsName: string;
  /** `pad` members are alignment/tail padding (added by layout or overrides). */
  readonly type: Exclude<ScalarType, 'uint' | 'sint'> | 'binary' | 'string' | 'struct' | 'pad';
  readonly kind: WireKind;
  readonly offset: number;
  /** Size in bytes (scalars: their width). */
  readonly size: number;
  readonly byteOrder: 'host' | 'big-endian';
  /** Enum of a scalar member. */
  readonly enum?: EnumModel;
  /** Nested struct of a `struct` member. */
  readonly struct?: StructModel;
  readonly displayHint?: DisplayHint;
  readonly doc?: string;
}

export interface StructModel {
  readonly name: string;
  /** PascalCase, e.g. `OvsKeyIpv4`. */
  readonly tsName: string;
  /** The `StructDef` value, e.g. `ovsKeyIpv4Struct`. */
  readonly valueName: string;
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
  /** The spec's type. */
  readonly type: AttrType;
  /**
   * How it travels (binary + struct → `Struct`, or `StructArray` with the
   * override extension `struct-array`; binary + sub-type → `ScalarArray`,
   * sub-message → `SubMessage`).
   */
  readonly kind: WireKind;
  /** Element kind of `IndexedArray` and `ScalarArray`. */
  readonly subKind?: WireKind;
  /** C constant, e.g. `OVS_KEY_ATTR_IN_PORT`. */
  readonly cName: string;
  readonly byteOrder: 'host' | 'big-endian';
  readonly multi: boolean;
  /** Attribute set inside nest / indexed-array / nest-type-value. */
  readonly nested?: AttrSetModel;
  /** The family `nested` belongs to, when it is another family's set (override `nested-from`). */
  readonly nestedFamily?: string;
  /** Struct of a binary attribute with `struct:` (of each element for `StructArray`). */
  readonly struct?: StructModel;
  /** Element type of indexed-array and of binary with `sub-type` (a packed scalar array). */
  readonly subType?: AttrType;
  /** nest-type-value: the names of the values carried in the types, as TS names. */
  readonly typeValue?: readonly string[];
  readonly enum?: EnumModel;
  /** Scalar read as a bit set of `enum`'s entries (`enum-as-flags`). */
  readonly enumAsFlags: boolean;
  /** Sub-message of a `sub-message` attribute. */
  readonly subMessage?: SubMessageModel;
  /**
   * Name of the attribute whose value picks the sub-message format (`selector`);
   * it is looked up in this attribute's set, then in the enclosing sets.
   */
  readonly selector?: string;
  /** The selector as a JS property name. */
  readonly selectorTs?: string;
  /** The selector attribute, when it is in this attribute's own set (else an enclosing set has it). */
  readonly selectorAttr?: AttrModel;
  /** Nested set's attributes carry value + mask (OVS set-masked), from an override. */
  readonly masked: boolean;
  readonly checks?: ChecksModel;
  readonly displayHint?: DisplayHint;
  readonly doc?: string;
  readonly overrides: readonly AppliedOverride[];
}

/**
 * The sub-message attributes of a set whose formats an attribute of the same
 * set selects: typed as a union discriminated on the selector.
 */
export interface SelectorUnionModel {
  /** Type name of the union, e.g. `LinkinfoAttrsByKind`. */
  readonly tsName: string;
  readonly selector: AttrModel;
  /** The sub-message attributes it selects the format of (tc `options` and `xstats` by `kind`). */
  readonly attrs: readonly AttrModel[];
}

export interface AttrSetModel {
  readonly name: string;
  /** PascalCase interface name, e.g. `KeyAttrs`. */
  readonly tsName: string;
  /** The `AttrSet` value, e.g. `keyAttrsSet`. */
  readonly valueName: string;
  readonly doc?: string;
  /** Order and repeats carry meaning (override `ordered: true`): an array of entries. */
  readonly ordered: boolean;
  /** Type of one entry of an ordered set, e.g. `ActionAttrsEntry`. */
  readonly entryName?: string;
  /** Sub-messages selected within the set (empty for most sets), each a union type. */
  readonly selectorUnions?: readonly SelectorUnionModel[];
  /** With selector unions: the interface of the other attributes, e.g. `LinkinfoAttrsBase`. */
  readonly baseName?: string;
  /** Set this one is a subset of, if any (attributes then come from it). */
  readonly subsetOf?: AttrSetModel;
  /** Key/mask consistency rules (override `extend: {match: ...}`), in TS names. */
  readonly match?: MatchModel;
  readonly attrs: readonly AttrModel[];
  readonly overrides: readonly AppliedOverride[];
}

/** One message of an op (a request, a reply, a notification or an event) and its TS type. */
export interface OpMessageModel {
  /** Name of the generated type, e.g. `DevGetRequest`. */
  readonly typeName: string;
  /** The attributes the spec lists for this message, in the set's order. */
  readonly attrs: readonly AttrModel[];
  /** Those of `attrs` the kernel requires (requests only; from overrides). */
  readonly required: readonly AttrModel[];
  /** Message id when it differs from the op's value (genetlink-legacy `value:`). */
  readonly value?: number;
}

/** A mode of a request op: `do` or `dump`. */
export interface OpModeModel {
  /** Client method name, e.g. `get`, `dump`, `devDump`. */
  readonly method: string;
  readonly request: OpMessageModel;
  /** Absent: the kernel only acknowledges. */
  readonly reply?: OpMessageModel;
}

export interface OpModel {
  readonly name: string;
  /** camelCase, e.g. `devGet`: the key in the generated `ops` table. */
  readonly tsName: string;
  /** Command number (genlmsghdr cmd / nlmsg_type for netlink-raw). */
  readonly value: number;
  readonly cName: string;
  readonly doc?: string;
  readonly attrSet?: AttrSetModel;
  /** The op's fixed header, op-level or family-wide. */
  readonly fixedHeader?: StructModel;
  /**
   * Property of request/reply objects that holds the fixed header: `header`,
   * unless the op's attribute set has an attribute of that name.
   */
  readonly headerKey: string;
  readonly do?: OpModeModel;
  readonly dump?: OpModeModel;
  /** The op whose do-reply format this notification shares. */
  readonly notify?: OpModel;
  /** Notification or event: what it carries and the type of it. */
  readonly message?: OpMessageModel;
  readonly event: boolean;
  /** Multicast group the notification is sent to. */
  readonly mcgrp?: McastGroupModel;
  /**
   * With NLM_F_ECHO the kernel sends the sender what it multicasts (override
   * `extend: {echo: true}`): this notification describes that message.
   */
  readonly echo?: OpModel;
  readonly flags: readonly ('admin-perm' | 'uns-admin-perm')[];
  readonly overrides: readonly AppliedOverride[];
}

export interface McastGroupModel {
  readonly name: string;
  readonly tsName: string;
  /** Group number for netlink-raw families (spec `value:`); absent for genetlink. */
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
