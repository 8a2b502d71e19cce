// What the fuzzer runs against: every message layout of every generated
// family (each op's request and reply set and each notification's set, with
// the family's fixed header), plus the synthetic every-kind layout. A target
// encodes and decodes through the same entry points the family clients use:
// `genlRequest` and `splitMessages` + `readGenlMessage` (netlink-raw families
// such as rt-link: `rawRequest` and `readRawMessage`, no genlmsghdr).
import * as families from '@ynl-ts/families';
import {
  NLMSG_HDRLEN,
  GENL_HDRLEN,
  genlRequest,
  rawRequest,
  readGenlMessage,
  readRawMessage,
  splitMessages,
  type AttrSet,
  type FamilyDef,
  type FamilyDefBase,
  type OpDef,
  type StructDef,
} from '@ynl-ts/runtime';
import {
  all as syntheticSet,
  fixed as syntheticFixed,
  subs as syntheticSubs,
} from './synthetic.js';

export interface Target {
  /** `family/set`, e.g. `netdev/dev` (the corpus names targets so). */
  readonly id: string;
  readonly family: string;
  readonly set: AttrSet;
  readonly fixed: StructDef | undefined;
  /** Property of the message object holding the fixed header. */
  readonly headerKey: string;
  readonly version: number;
  readonly cmd: number;
  /** A netlink-raw family's message: no genlmsghdr before the fixed header. */
  readonly raw: boolean;
}

/** Byte offset of the first attribute in a message of `t`. */
export function attrsOffset(t: Target): number {
  return NLMSG_HDRLEN + (t.raw ? 0 : GENL_HDRLEN) + (t.fixed?.size ?? 0);
}

/** Encode a message object (attributes plus the fixed header under `headerKey`). */
export function encodeMessage(t: Target, value: unknown): Uint8Array {
  const body = {
    set: t.set,
    attrs: value,
    ...(t.fixed ? { fixedHeader: t.fixed } : {}),
    headerKey: t.headerKey,
    // random keys violate OVS key/mask rules: the codec, not the rules, is under test
    unchecked: true,
  };
  return t.raw
    ? rawRequest({ ...body, type: t.cmd }).bytes
    : genlRequest({ ...body, familyId: 0x20, cmd: t.cmd, version: t.version }).bytes;
}

/** Decode every message in `bytes` as messages of `t`; `copy` as the clients' option. */
export function decodeMessages(t: Target, bytes: Uint8Array, copy = false): unknown[] {
  const opts = { copy, headerKey: t.headerKey };
  return splitMessages(bytes).map((m) =>
    t.raw
      ? readRawMessage(m, t.set, t.fixed, opts)
      : readGenlMessage(m, t.set, t.fixed, opts).attrs,
  );
}

interface FamilyModule {
  readonly family: FamilyDefBase & { readonly version?: number; readonly protocol?: number };
  readonly ops: Readonly<Record<string, OpDef>>;
}

function collect(): Target[] {
  const out = new Map<string, Target>();
  const add = (
    def: FamilyModule['family'],
    set: AttrSet,
    cmd: number,
    fixed: StructDef | undefined,
    headerKey: string | undefined,
  ): void => {
    const key = headerKey ?? 'header';
    let id = `${def.name}/${set.name}`;
    const prev = out.get(id);
    if (prev && prev.set === set && prev.fixed === fixed && prev.headerKey === key) return;
    for (let n = 2; out.has(id); n++) id = `${def.name}/${set.name}~${n}`;
    out.set(id, {
      id,
      family: def.name,
      set,
      fixed,
      headerKey: key,
      version: def.version ?? 1,
      cmd,
      raw: def.protocol !== undefined,
    });
  };
  for (const mod of Object.values(families) as FamilyModule[]) {
    const def = mod.family;
    for (const op of Object.values(mod.ops)) {
      const fixed = op.fixedHeader ?? def.fixedHeader;
      add(def, op.requestSet, op.cmd, fixed, op.headerKey);
      if (op.replySet) add(def, op.replySet, op.replyCmd ?? op.cmd, fixed, op.headerKey);
    }
    for (const [cmd, n] of Object.entries(def.notifications)) {
      add(def, n.set, Number(cmd), n.fixedHeader ?? def.fixedHeader, n.headerKey);
    }
  }
  const synthetic: FamilyDef = {
    name: 'synthetic',
    version: 1,
    mcastGroups: [],
    notifications: {},
  };
  add(synthetic, syntheticSet, 1, syntheticFixed, undefined);
  add(synthetic, syntheticSubs, 2, syntheticFixed, undefined);
  return [...out.values()];
}

/** Every target, in a stable order. */
export const targets: readonly Target[] = collect();

/** The family names the targets cover. */
export const familyNames: readonly string[] = [...new Set(targets.map((t) => t.family))];
