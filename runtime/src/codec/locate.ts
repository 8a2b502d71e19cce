/**
 * Map a byte offset inside an encoded request back to the attribute it falls
 * in, as a path of names (`key.ipv4`) when the request's layout is known, or
 * of attribute type numbers otherwise. Used to explain extended ACK offsets.
 * @module
 */
import { GENL_HDRLEN, MAX_NEST_DEPTH, NLMSG_HDRLEN, NLA_F_NESTED } from './constants.js';
import { Cursor } from './cursor.js';
import { forEachAttr } from './decode.js';
import { Kind, type AttrSet } from './layout.js';

export interface AttrLocation {
  /** Path of names / `#type` numbers, e.g. `key.ipv4` or `actions[2].set`. */
  readonly path: string;
  /** The set the innermost attribute belongs to, when known. */
  readonly set?: AttrSet;
  /** Whether `offset` points at the attribute's header (not inside its payload). */
  readonly exact: boolean;
}

/**
 * Find the attribute at `offset` (counted from the start of the nlmsghdr) in
 * the request `msg`. `hdrSize` is the size of the family's fixed header,
 * `protoHdrSize` that of the protocol header between the nlmsghdr and the
 * fixed header (genlmsghdr's 4 bytes; 0 for classic netlink such as rtnetlink).
 * Returns undefined when the offset is not inside any attribute.
 */
export function locateAttr(
  msg: Uint8Array,
  offset: number,
  set: AttrSet | undefined,
  hdrSize = 0,
  protoHdrSize = GENL_HDRLEN,
): AttrLocation | undefined {
  const start = NLMSG_HDRLEN + protoHdrSize + hdrSize;
  if (offset < start || offset >= msg.length) return undefined;
  const c = new Cursor(msg);
  let found: AttrLocation | undefined;
  // `s` names the attributes at this level; `elements` other than undefined
  // says this level is an indexed array whose elements are named `[i]` and,
  // when it is a set, are nests of it (null: scalar elements).
  const walk = (
    off: number,
    end: number,
    s: AttrSet | undefined,
    prefix: string,
    elements?: AttrSet | null,
    depth = 0,
  ): void => {
    const inArray = elements !== undefined;
    let index = 0;
    forEachAttr(c, off, end, (type, flags, poff, plen, aoff) => {
      const i = index++;
      if (found !== undefined || offset < aoff || offset >= poff + plen) return;
      const def = inArray ? undefined : s?.byType(type);
      let name = inArray ? `[${i}]` : def ? def.name : `#${type}`;
      if (s?.ordered && !inArray) name = `[${i}].${name}`;
      const path =
        prefix === '' ? name : name.startsWith('[') ? prefix + name : `${prefix}.${name}`;
      const isArray = def?.kind === Kind.IndexedArray;
      const nestedSet = inArray
        ? (elements ?? undefined)
        : def && (def.kind === Kind.Nest || isArray)
          ? def.nested
          : undefined;
      const isNest =
        nestedSet !== undefined || isArray || (def === undefined && (flags & NLA_F_NESTED) !== 0);
      if (offset >= poff && isNest && depth < MAX_NEST_DEPTH) {
        try {
          if (isArray)
            walk(
              poff,
              poff + plen,
              undefined,
              path,
              (def.sub ?? Kind.Nest) === Kind.Nest ? def.nested : null,
              depth + 1,
            );
          else walk(poff, poff + plen, nestedSet, path, undefined, depth + 1);
        } catch {
          // a payload that does not parse as attributes: stop at this level
        }
      }
      const set = inArray ? undefined : s;
      found ??= { path, exact: offset === aoff, ...(set ? { set } : {}) };
    });
  };
  try {
    walk(start, msg.length, set, '');
  } catch {
    return found;
  }
  return found;
}
