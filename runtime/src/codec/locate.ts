/**
 * Map a byte offset inside an encoded request back to the attribute it falls
 * in, as a path of names (`key.ipv4`) when the request's layout is known, or
 * of attribute type numbers otherwise. Used to explain extended ACK offsets.
 * @module
 */
import { GENL_HDRLEN, MAX_NEST_DEPTH, NLMSG_HDRLEN, NLA_F_NESTED, nlaAlign } from './constants.js';
import { Cursor, enumValue, readString } from './cursor.js';
import { forEachAttr, readScalar } from './decode.js';
import { Kind, type AttrDef, type AttrSet } from './layout.js';

/** A set being walked and the bytes of its attributes (where sub-messages look their selector up). */
interface Level {
  readonly set: AttrSet;
  readonly off: number;
  readonly end: number;
}

/**
 * The value of the selector of sub-message `def` in the request: in the
 * innermost level whose set has an attribute of that name.
 */
function selectorValue(c: Cursor, levels: readonly Level[], def: AttrDef): unknown {
  for (let i = levels.length - 1; i >= 0; i--) {
    const { set, off, end } = levels[i]!;
    const sel = set.byName(def.selector!);
    if (sel === undefined) continue;
    let v: unknown;
    forEachAttr(c, off, end, (type, _flags, poff, plen) => {
      if (type !== sel.type) return;
      if (sel.kind === Kind.String) v = readString(c.bytes, poff, plen);
      else {
        const x = readScalar(c, sel.kind, sel.be === true, poff, plen);
        v = sel.enum ? enumValue(sel.enum, x) : x;
      }
    });
    return v;
  }
  return undefined;
}

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
  const levels: Level[] = [];
  const walk = (
    off: number,
    end: number,
    s: AttrSet | undefined,
    prefix: string,
    elements?: AttrSet | null,
    depth = 0,
  ): void => {
    const inArray = elements !== undefined;
    const level = s !== undefined && !inArray;
    if (level) levels.push({ set: s, off, end });
    try {
      walkLevel(off, end, s, prefix, inArray, elements, depth);
    } finally {
      if (level) levels.pop();
    }
  };
  const walkLevel = (
    off: number,
    end: number,
    s: AttrSet | undefined,
    prefix: string,
    inArray: boolean,
    elements: AttrSet | null | undefined,
    depth: number,
  ): void => {
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
      if (offset >= poff && def?.kind === Kind.SubMessage && depth < MAX_NEST_DEPTH) {
        // into the attributes of the format the request's selector picks
        try {
          const f = def.subMessage!.format(selectorValue(c, levels, def));
          const at = poff + (f?.header ? nlaAlign(f.header.size) : 0);
          if (f?.attrs && offset >= at) walk(at, poff + plen, f.attrs, path, undefined, depth + 1);
        } catch {
          // a selector or payload that does not parse: stop at this level
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
