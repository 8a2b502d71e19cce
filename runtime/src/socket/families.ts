/**
 * Generic netlink family resolution through nlctrl (CTRL_CMD_GETFAMILY):
 * the per-socket cache by name and by id, the op flags that explain an
 * EPERM, and the removal of a family the kernel unregistered.
 * @module
 */
import { CTRL_CMD_DELFAMILY, CTRL_CMD_GETFAMILY, GENL_ID_CTRL } from '../codec/constants.js';
import { DecodeError, YnlError } from '../codec/errors.js';
import { genlCmd, nlType } from '../codec/header.js';
import { readGenlMessage, type NlMessage } from '../codec/message.js';
import { ctrlAttrs } from './ctrl.js';
import type { GenlRequestInit, NetlinkRequest } from './request.js';

/** A resolved generic netlink family, from CTRL_CMD_GETFAMILY. */
export interface ResolvedFamily {
  /** Family id (nlmsg_type of its messages). */
  readonly id: number;
  /** Family name (CTRL_ATTR_FAMILY_NAME). */
  readonly name: string;
  /** The kernel's version of the family (CTRL_ATTR_VERSION). */
  readonly version: number;
  /** Size of the family's fixed header (CTRL_ATTR_HDRSIZE). */
  readonly hdrSize: number;
  /** Highest attribute type of the family's main set (CTRL_ATTR_MAXATTR). */
  readonly maxAttr: number;
  /** Supported operations: cmd and GENL_* flags. */
  readonly ops: readonly { readonly cmd: number; readonly flags: number }[];
  /** Multicast groups by name → group id. */
  readonly mcastGroups: ReadonlyMap<string, number>;
}

/** The CTRL_CMD_GETFAMILY request for one family (`name`) or, as a dump, all. */
export function getFamilyRequest(name?: string): GenlRequestInit {
  return {
    familyId: GENL_ID_CTRL,
    cmd: CTRL_CMD_GETFAMILY,
    version: 2,
    set: ctrlAttrs,
    family: 'nlctrl',
    ...(name !== undefined
      ? { attrs: { familyName: name }, op: `getfamily ${name}` }
      : { op: 'getfamily dump' }),
  };
}

/** Families resolved on one socket. */
export class FamilyCache {
  readonly #byName = new Map<string, Promise<ResolvedFamily>>();
  /** Resolved families by id: the op flags explain an EPERM. */
  readonly #byId = new Map<number, ResolvedFamily>();

  /**
   * The family `name`, from the cache or resolved with `ask` (which sends
   * {@link getFamilyRequest}); concurrent calls share one request, a failed
   * one is not cached.
   */
  resolve(name: string, ask: () => Promise<NlMessage | undefined>): Promise<ResolvedFamily> {
    const cached = this.#byName.get(name);
    if (cached !== undefined) return cached;
    const p = ask().then((msg) => {
      if (msg === undefined)
        throw new YnlError(`nlctrl answered getfamily ${name} without a reply`);
      const f = familyFromMessage(msg);
      this.#byId.set(f.id, f);
      return f;
    });
    this.#byName.set(name, p);
    p.catch(() => {
      if (this.#byName.get(name) === p) this.#byName.delete(name);
    });
    return p;
  }

  /** Forget cached families (all, or one name). */
  clear(name?: string): void {
    if (name === undefined) this.#byName.clear();
    else this.#byName.delete(name);
    for (const [id, f] of this.#byId)
      if (name === undefined || f.name === name) this.#byId.delete(id);
  }

  /** GENL_* flags of a request's op, when its family was resolved here. */
  opFlags(req: NetlinkRequest): number | undefined {
    const b = req.bytes;
    const cmd = genlCmd(b, 0, b.length);
    if (cmd === undefined) return undefined;
    const fam = this.#byId.get(nlType(b, 0));
    return fam?.ops.find((o) => o.cmd === cmd)?.flags;
  }

  /**
   * An nlctrl notification: a removed family leaves the cache; returns its
   * id and name (for the subscriptions that must end), else undefined.
   */
  onCtrlEvent(msg: NlMessage): { id: number; name: string } | undefined {
    if (genlCmd(msg.buffer, msg.offset, msg.len) !== CTRL_CMD_DELFAMILY) return undefined;
    const f = readGenlMessage(msg, ctrlAttrs).attrs;
    if (f.familyId === undefined) return undefined;
    this.#byId.delete(f.familyId);
    if (f.familyName !== undefined) this.#byName.delete(f.familyName);
    return { id: f.familyId, name: f.familyName ?? `#${f.familyId}` };
  }
}

/** Decode a CTRL_CMD_GETFAMILY reply. */
export function familyFromMessage(msg: NlMessage): ResolvedFamily {
  const f = readGenlMessage(msg, ctrlAttrs).attrs;
  if (f.familyId === undefined || f.familyName === undefined) {
    throw new DecodeError('nlctrl family reply without an id or a name', '', msg.offset);
  }
  const groups = new Map<string, number>();
  for (const g of f.mcastGroups ?? [])
    if (g.name !== undefined && g.id !== undefined) groups.set(g.name, g.id);
  return {
    id: f.familyId,
    name: f.familyName,
    version: f.version ?? 0,
    hdrSize: f.hdrsize ?? 0,
    maxAttr: f.maxattr ?? 0,
    ops: (f.ops ?? []).map((o) => ({ cmd: o.id ?? 0, flags: o.flags ?? 0 })),
    mcastGroups: groups,
  };
}
