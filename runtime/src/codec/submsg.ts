/**
 * Decoding of netlink-raw sub-messages, shared by both decoding paths. A
 * sub-message's format is chosen by the value of its selector attribute,
 * which may come after it in the bytes, or live in an enclosing set (tc's
 * `stats2.app` is selected by the `kind` of the set around `stats2`). So a
 * sub-message is first stored as its raw bytes and recorded here; when the
 * set that defines the selector is complete (its own set, or the nearest
 * enclosing one with an attribute of that name), {@link settle} decodes it
 * by its format and puts the value in place. A selector no set defines, a
 * selector the kernel did not send, or a value without a format leaves the
 * raw bytes: nothing is lost.
 * @module
 */
import { nlaAlign } from './constants.js';
import type { Cursor } from './cursor.js';
import { decodeSet, decodeStruct, withSegment } from './decode.js';
import { DecodeError } from './errors.js';
import type { AttrDef, AttrSet, SubMessageFormat } from './layout.js';
import { own, put } from './own.js';

/** A sub-message waiting for its selector. */
interface Pending {
  readonly def: AttrDef;
  readonly off: number;
  readonly len: number;
  /** Where its value goes: `target[key]` (an object and name, or an array and index). */
  readonly target: object;
  readonly key: string | number;
  /** Nesting level of the set it belongs to. */
  readonly depth: number;
}

/**
 * The sub-messages decoded so far whose selector is not settled, innermost
 * last. Decoding is synchronous, so one list serves every call: each set
 * decoder notes its length on entry and settles what was added since.
 */
export const pending: Pending[] = [];

/**
 * Record the sub-message `def` at `[off, off+len)`, whose raw bytes are
 * already stored at `target[key]`.
 */
export function defer(
  def: AttrDef,
  off: number,
  len: number,
  target: object,
  key: string | number,
  depth: number,
): void {
  pending.push({ def, off, len, target, key, depth });
}

/** Drop the record of the sub-message at `target[key]` (a repeat replaced it). */
export function forget(target: object, key: string | number): void {
  for (let i = pending.length - 1; i >= 0; i--) {
    const p = pending[i]!;
    if (p.target === target && p.key === key) {
      pending.splice(i, 1);
      return;
    }
  }
}

/**
 * Decode the sub-messages recorded since `mark` whose selector `set` (just
 * decoded into `out`) defines; the others stay for an enclosing set. Their
 * errors name the path from `out` to the sub-message.
 */
export function settle(c: Cursor, set: AttrSet, out: object, mark: number): void {
  for (let i = mark; i < pending.length;) {
    const p = pending[i]!;
    const sel = p.def.selector!;
    if (set.byName(sel) === undefined) {
      i++;
      continue;
    }
    pending.splice(i, 1);
    const f = p.def.subMessage!.format(own(out, sel));
    if (f === undefined) continue; // the raw bytes stay
    let v: unknown;
    try {
      v = decodeFormat(c, f, p.off, p.len, p.depth);
    } catch (e) {
      throw withPath(e, out, p);
    }
    if (Array.isArray(p.target)) p.target[p.key as number] = v;
    else put(p.target, p.key as string, v);
  }
}

/** Decode `[off, off+len)` in format `f` of a sub-message of a set `depth` levels deep. */
function decodeFormat(
  c: Cursor,
  f: SubMessageFormat,
  off: number,
  len: number,
  depth: number,
): unknown {
  const h = f.header;
  if (f.attrs === undefined) {
    if (h !== undefined) return decodeStruct(c, h, off, len);
    // content where the spec knows none (a newer kernel's): kept as raw bytes
    return len === 0 ? {} : c.binary(off, len);
  }
  if (h === undefined) return decodeSet(c, f.attrs, off, off + len, false, depth + 1);
  if (len < h.size)
    throw new DecodeError(`struct ${h.name} needs ${h.size} bytes, got ${len}`, 'header', off);
  const header = decodeStruct(c, h, off, h.size);
  const start = Math.min(off + nlaAlign(h.size), off + len);
  const out = decodeSet(c, f.attrs, start, off + len, false, depth + 1);
  put(out, 'header', header);
  return out;
}

/** `e` with the path from `root` down to the pending sub-message `p` before its own path. */
function withPath(e: unknown, root: object, p: Pending): unknown {
  let err = withSegment(e, typeof p.key === 'number' ? `[${p.key}]` : p.key);
  const path = pathTo(root, p.target, new Set()) ?? [];
  for (let i = path.length - 1; i >= 0; i--) err = withSegment(err, path[i]!);
  return err;
}

/** Segments leading from `from` to the object `to` in a decoded value (errors only). */
function pathTo(from: object, to: object, seen: Set<object>): string[] | undefined {
  if (from === to) return [];
  if (seen.has(from) || from instanceof Uint8Array) return undefined;
  seen.add(from);
  const entries: [string, unknown][] = Array.isArray(from)
    ? from.map((v, i) => [`[${i}]`, v])
    : Object.entries(from);
  for (const [k, v] of entries) {
    if (typeof v !== 'object' || v === null) continue;
    const rest = pathTo(v, to, seen);
    if (rest) return [k, ...rest];
  }
  return undefined;
}
