/**
 * Line layout of generated code, so that the emitter writes modules exactly
 * as prettier (the repository's settings: width 100, single quotes, trailing
 * commas) would leave them, without loading prettier: emitters build
 * documents the way prettier's printer builds them for the same syntax, and
 * {@link print} lays them out with prettier's algorithm (a group is printed
 * flat when it fits the rest of the line, else broken; a conditional group
 * tries its states in turn). A unit test runs prettier over generated
 * modules and asserts that it changes nothing.
 * @module
 */

/** A document: text, a sequence, or a layout command. */
export type Doc = string | readonly Doc[] | Cmd;

type Cmd =
  | {
      readonly t: 'group';
      readonly contents: Doc;
      brk: boolean;
      readonly states?: readonly Doc[];
      readonly id?: symbol;
    }
  | { readonly t: 'indent'; readonly contents: Doc; readonly by: number }
  | { readonly t: 'line'; readonly soft: boolean; readonly hard: boolean }
  | { readonly t: 'if-break'; readonly brk: Doc; readonly flat: Doc; readonly id?: symbol }
  | { readonly t: 'indent-if-break'; readonly contents: Doc; readonly id: symbol }
  | { readonly t: 'break-parent' };

/** Printed flat when it fits, else broken (`brk`: always broken). */
export function group(contents: Doc, opts: { brk?: boolean; id?: symbol } = {}): Doc {
  return { t: 'group', contents, brk: opts.brk ?? false, ...(opts.id ? { id: opts.id } : {}) };
}

/** A group printed as the first of `states` that fits (the last one otherwise). */
export function conditionalGroup(states: readonly Doc[]): Doc {
  return { t: 'group', contents: states[0]!, brk: false, states };
}

/** `contents` indented one level (two spaces) where it breaks. */
export function indent(contents: Doc): Doc {
  return { t: 'indent', contents, by: 2 };
}

/** `contents` indented by `n` spaces where it breaks. */
export function align(n: number, contents: Doc): Doc {
  return { t: 'indent', contents, by: n };
}

/** A space, or a line break. */
export const line: Doc = { t: 'line', soft: false, hard: false };
/** Nothing, or a line break. */
export const softline: Doc = { t: 'line', soft: true, hard: false };
const breakParent: Doc = { t: 'break-parent' };
/** A line break that breaks every enclosing group. */
export const hardline: Doc = [{ t: 'line', soft: false, hard: true }, breakParent];

/** `brk` when the enclosing group (or group `id`) is broken, else `flat`. */
export function ifBreak(brk: Doc, flat: Doc = '', id?: symbol): Doc {
  return { t: 'if-break', brk, flat, ...(id ? { id } : {}) };
}

/** `contents`, indented when group `id` is broken. */
export function indentIfBreak(contents: Doc, id: symbol): Doc {
  return { t: 'indent-if-break', contents, id };
}

/** `docs` with `sep` between them. */
export function join(sep: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i) out.push(sep);
    out.push(d);
  });
  return out;
}

/** Marks every group that contains a hard break (or a broken group) as broken, as prettier does. */
function propagate(doc: Doc, seen: Set<Doc>): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) {
    let b = false;
    for (const d of doc as readonly Doc[]) if (propagate(d, seen)) b = true;
    return b;
  }
  const c = doc as Cmd;
  switch (c.t) {
    case 'break-parent':
      return true;
    case 'group': {
      if (seen.has(c)) return c.brk;
      seen.add(c);
      let inner = false;
      for (const s of c.states ?? [c.contents]) if (propagate(s, seen)) inner = true;
      // a conditional group chooses its state itself: a break inside does not break it
      if (inner && !c.states) c.brk = true;
      return c.brk;
    }
    case 'if-break':
      return propagate(c.brk, seen) || propagate(c.flat, seen);
    case 'indent':
    case 'indent-if-break':
      return propagate(c.contents, seen);
    default:
      return false;
  }
}

const FLAT = 0;
const BREAK = 1;
type Mode = typeof FLAT | typeof BREAK;
type Entry = [indent: number, mode: Mode, doc: Doc];

/**
 * Columns a string takes, as prettier counts them: combining marks none, East
 * Asian wide characters and emoji two (the common ranges; prettier's own table
 * may differ for rare characters, which only matters at the edge of a line).
 */
export function width(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.length;
  let n = 0;
  for (const ch of s) {
    if (/\p{M}/u.test(ch)) continue;
    const cp = ch.codePointAt(0)!;
    n += isWide(cp) ? 2 : 1;
  }
  return n;
}

/** East Asian wide and fullwidth ranges, and emoji. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Does `next` (then the rest of the stack) fit in `room` columns up to the next line break? */
function fits(
  next: Entry,
  rest: readonly Entry[],
  room: number,
  modes: Map<symbol, Mode>,
): boolean {
  let restIdx = rest.length;
  const cmds: [Mode, Doc][] = [[next[1], next[2]]];
  while (room >= 0) {
    if (cmds.length === 0) {
      if (restIdx === 0) return true;
      const r = rest[--restIdx]!;
      cmds.push([r[1], r[2]]);
      continue;
    }
    const [mode, doc] = cmds.pop()!;
    if (typeof doc === 'string') {
      room -= width(doc);
      continue;
    }
    if (Array.isArray(doc)) {
      const a = doc as readonly Doc[];
      for (let i = a.length - 1; i >= 0; i--) cmds.push([mode, a[i]!]);
      continue;
    }
    const c = doc as Cmd;
    switch (c.t) {
      case 'indent':
      case 'indent-if-break':
        cmds.push([mode, c.contents]);
        break;
      case 'group': {
        const m: Mode = c.brk ? BREAK : mode;
        cmds.push([m, c.states && m === BREAK ? c.states[c.states.length - 1]! : c.contents]);
        break;
      }
      case 'if-break': {
        const m = c.id ? (modes.get(c.id) ?? FLAT) : mode;
        cmds.push([mode, m === BREAK ? c.brk : c.flat]);
        break;
      }
      case 'line':
        if (mode === BREAK || c.hard) return true;
        if (!c.soft) room -= 1;
        break;
      default:
        break;
    }
  }
  return false;
}

/** Lays out `doc` in `printWidth` columns, starting at column `start` (also its indentation). */
export function print(doc: Doc, printWidth = 100, start = 0): string {
  propagate(doc, new Set());
  const modes = new Map<symbol, Mode>();
  const out: string[] = [];
  let pos = start;
  const cmds: Entry[] = [[start, BREAK, doc]];
  while (cmds.length) {
    const [ind, mode, d] = cmds.pop()!;
    if (typeof d === 'string') {
      out.push(d);
      pos += width(d);
      continue;
    }
    if (Array.isArray(d)) {
      const a = d as readonly Doc[];
      for (let i = a.length - 1; i >= 0; i--) cmds.push([ind, mode, a[i]!]);
      continue;
    }
    const c = d as Cmd;
    switch (c.t) {
      case 'indent':
        cmds.push([ind + c.by, mode, c.contents]);
        break;
      case 'indent-if-break':
        cmds.push([(modes.get(c.id) ?? FLAT) === BREAK ? ind + 2 : ind, mode, c.contents]);
        break;
      case 'group': {
        let chosen: Entry;
        if (mode === FLAT) chosen = [ind, c.brk ? BREAK : FLAT, c.contents];
        else {
          const flat: Entry = [ind, FLAT, c.contents];
          if (!c.brk && fits(flat, cmds, printWidth - pos, modes)) chosen = flat;
          else if (c.states) {
            const last = c.states[c.states.length - 1]!;
            chosen = [ind, BREAK, last];
            if (!c.brk)
              for (let i = 1; i < c.states.length; i++) {
                const e: Entry = [ind, FLAT, c.states[i]!];
                if (fits(e, cmds, printWidth - pos, modes)) {
                  chosen = e;
                  break;
                }
              }
          } else chosen = [ind, BREAK, c.contents];
        }
        cmds.push(chosen);
        if (c.id) modes.set(c.id, chosen[1]);
        break;
      }
      case 'if-break': {
        const m = c.id ? (modes.get(c.id) ?? FLAT) : mode;
        cmds.push([ind, mode, m === BREAK ? c.brk : c.flat]);
        break;
      }
      case 'line':
        if (mode === FLAT && !c.hard) {
          if (!c.soft) {
            out.push(' ');
            pos += 1;
          }
          break;
        }
        // trailing spaces are trimmed
        while (out.length && / +$/.test(out[out.length - 1]!)) {
          const t = out[out.length - 1]!.replace(/ +$/, '');
          if (t) {
            out[out.length - 1] = t;
            break;
          }
          out.pop();
        }
        out.push('\n' + ' '.repeat(ind));
        pos = ind;
        break;
      default:
        break;
    }
  }
  return out.join('');
}
