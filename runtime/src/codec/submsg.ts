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
import type { AttrDef, AttrSet, SubMessageFormat } from './layout.js';
import { own, put } from './own.js';

/** A sub-message waiting for its selector. */
export interface Pending {
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
 * Settle the sub-messages recorded since `mark` whose selector `set` (just
 * decoded into `out`) defines: each with a format for the selector's value is
 * decoded by `decode` and put in place (the others keep their raw bytes);
 * those whose selector `set` does not define stay for an enclosing set. The
 * interpreter and the compiled decoders each pass their own `decode`; when it
 * returns `stop`, settling stops and returns false.
 */
export function settle(
  set: AttrSet,
  out: object,
  mark: number,
  decode: (p: Pending, f: SubMessageFormat) => unknown,
  stop?: unknown,
): boolean {
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
    const v = decode(p, f);
    if (v === stop && stop !== undefined) return false;
    if (Array.isArray(p.target)) p.target[p.key as number] = v;
    else put(p.target, p.key as string, v);
  }
  return true;
}

/**
 * The path segments from `root` (a decoded set) down to the pending
 * sub-message `p`, for its errors.
 */
export function pathOf(root: object, p: Pending): string[] {
  const path = pathTo(root, p.target, new Set()) ?? [];
  path.push(typeof p.key === 'number' ? `[${p.key}]` : p.key);
  return path;
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

/**
 * Whether selector `key` of `x` is `value`, narrowing `x` to the member of its
 * generated union that value selects. A plain `x.kind === 'bridge'` also
 * keeps the union's last member (any other kind, as raw bytes), since a
 * `string` cannot exclude the known values; this guard does not.
 *
 * @example
 * ```ts
 * if (selects(linkinfo, 'kind', 'bridge')) linkinfo.data?.stpState; // LinkinfoBridgeAttrs
 * ```
 */
export function selects<T extends object, K extends keyof T & string, V extends string | number>(
  x: T,
  key: K,
  value: V,
): x is Extract<T, { readonly [P in K]: V }> {
  return Object.hasOwn(x, key) && (x as Record<string, unknown>)[key] === value;
}

/**
 * `Pick` for a set typed as a union discriminated on its sub-message
 * selectors: picks from each member, so the result stays a union that
 * narrows on the selector (a plain `Pick` would merge the members' types).
 * The generated per-op types of such sets use it.
 */
export type PickSelected<T, K extends PropertyKey> = T extends unknown
  ? Pick<T, Extract<K, keyof T>>
  : never;
