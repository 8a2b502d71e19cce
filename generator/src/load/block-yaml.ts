/**
 * A fast path for the plain block YAML that specs are written in: block
 * maps and sequences, plain, quoted and block scalars, one-line flow
 * sequences, comments, anchors and aliases. It builds the same node tree
 * (values, anchors, offsets) as the `yaml` library does for such text, in a
 * fraction of the time (the library's lexer alone takes ~180 ms for eight
 * specs on a cold start). Anything else (flow maps, tags, tabs, duplicate
 * keys, keys that are not plain strings, floats, escapes, ... and every
 * error) makes it decline, and the library parses the file: the library
 * stays the one authority on what a file means and what is wrong with it.
 * A unit test asserts both give the same data and positions for every spec,
 * override file and corpus file, and for mutations of them.
 * @module
 */

/** A parsed node: what `load/yaml.ts` converts to plain data. */
export type YNode =
  | {
      readonly kind: 'map';
      /** Offset where it starts (positions of objects and keys derive from these). */
      readonly start: number | undefined;
      readonly items: { key: string; keyStart: number | undefined; value: YNode | null }[];
      anchor?: string;
    }
  | {
      readonly kind: 'seq';
      readonly start: number | undefined;
      readonly items: (YNode | null)[];
      anchor?: string;
    }
  | {
      readonly kind: 'scalar';
      readonly start: number | undefined;
      readonly value: string | number | boolean | null;
      /** The scalar's text, when it is needed for a message. */
      readonly source?: string;
      anchor?: string;
    }
  | {
      readonly kind: 'alias';
      readonly start: number | undefined;
      readonly name: string;
      readonly target?: YNode;
    };

class Decline extends Error {}
const decline = (): never => {
  throw new Decline();
};

interface Line {
  /** Offset of the line's first character. */
  readonly at: number;
  /** Indentation (spaces). */
  readonly indent: number;
  /** The line without its indentation or line break. */
  readonly text: string;
}

/** A plain scalar's text → its value under the core schema, or decline where the fast path does not resolve it. */
function plainValue(s: string): string | number | boolean | null {
  if (s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (/^[-+]?[0-9]+$/.test(s)) {
    const n = parseInt(s, 10);
    return Number.isSafeInteger(n) ? n : decline();
  }
  if (/^0x[0-9a-fA-F]+$/.test(s)) {
    const n = parseInt(s.slice(2), 16);
    return Number.isSafeInteger(n) ? n : decline();
  }
  // floats, octals, infinities and NaN (the core schema's other tags): the library's job
  if (
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s) ||
    /^0o[0-7]+$/.test(s) ||
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)
  )
    decline();
  return s;
}

/** Text that is a plain scalar on one line as the fast path reads it (indicators, comments, `: ` decline). */
function plainLine(s: string): string {
  if (s === '' || /^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) {
    // `-1`, `-foo` are plain scalars
    if (!(s[0] === '-' && s.length > 1 && s[1] !== ' ')) decline();
  }
  if (/: |:$| #|\t/.test(s)) decline();
  return s;
}

/** Removes a trailing ` # comment`; declines when a `#` could be part of the text. */
function stripComment(s: string): string {
  const i = s.indexOf(' #');
  return (i < 0 ? s : s.slice(0, i)).replace(/ +$/, '');
}

/** Parses `text` into the node tree, or returns undefined when the fast path does not apply. */
export function parseBlockYaml(text: string): YNode | null | undefined {
  // CR, tabs, BOM, control characters, directives, document end markers: the library's job
  // eslint-disable-next-line no-control-regex
  if (/[\r\t\x00-\x08\x0b-\x1f\x7f\ufeff\u0085\u2028\u2029]/.test(text)) return undefined;
  const lines: Line[] = [];
  let at = 0;
  for (const raw of text.split('\n')) {
    const body = raw.replace(/^ +/, '');
    lines.push({ at, indent: raw.length - body.length, text: body });
    at += raw.length + 1;
  }
  try {
    return new BlockParser(lines).document();
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

/** The line starts a sequence entry or a map entry (`key:`), not a scalar. */
function isEntry(text: string): boolean {
  return /^-( |$)/.test(text) || /^[^\s'"[\]{}#&*!|>%@`,?:-][^:#]*:( |$)/.test(text);
}

/**
 * A one-line flow collection (`[a, 'b']`, `{ k: v, l: [x] }`) starting at
 * offset `at`: plain scalars, quoted ones without escapes, nested
 * collections; trailing commas, empty entries and anything else decline.
 */
function flow(s: string, at: number): YNode {
  let i = 0;
  const ws = (): void => {
    while (s[i] === ' ') i++;
  };
  const value = (): YNode => {
    ws();
    const start = at + i;
    const c = s[i];
    if (c === '[' || c === '{') {
      const close = c === '[' ? ']' : '}';
      i++;
      ws();
      const items: (YNode | null)[] = [];
      const entries: { key: string; keyStart: number; value: YNode | null }[] = [];
      const keys = new Set<string>();
      if (s[i] === close) i++;
      else
        for (;;) {
          ws();
          if (c === '[') items.push(value());
          else {
            const m = /^([A-Za-z_][A-Za-z0-9_.-]*): /.exec(s.slice(i));
            if (!m || keys.has(m[1]!) || typeof plainValue(m[1]!) !== 'string') decline();
            keys.add(m![1]!);
            const keyStart = at + i;
            i += m![0].length;
            entries.push({ key: m![1]!, keyStart, value: value() });
          }
          ws();
          if (s[i] === ',') {
            i++;
            ws();
            if (s[i] === close) decline(); // a trailing comma
            continue;
          }
          if (s[i] !== close) decline();
          i++;
          break;
        }
      return c === '[' ? { kind: 'seq', start, items } : { kind: 'map', start, items: entries };
    }
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      if (end < 0) decline();
      const inner = s.slice(i + 1, end);
      if (c === '"' && inner.includes('\\')) decline();
      if (c === "'" && s[end + 1] === "'") decline(); // an escaped quote
      i = end + 1;
      return { kind: 'scalar', start, value: inner };
    }
    let j = i;
    while (j < s.length && !',[]{}'.includes(s[j]!)) j++;
    const text = s.slice(i, j).replace(/ +$/, '');
    i = j;
    if (text === '' || /[:#'"]/.test(text) || /^[?&*!|>%@`-]/.test(text)) decline();
    return { kind: 'scalar', start, value: plainValue(text) };
  };
  const v = value();
  ws();
  if (i !== s.length) decline();
  return v;
}

class BlockParser {
  #i = 0;
  readonly #anchors = new Map<string, YNode>();

  constructor(readonly lines: readonly Line[]) {}

  /** Skips blank and comment lines; the next content line, if any. */
  #next(): Line | undefined {
    while (this.#i < this.lines.length) {
      const l = this.lines[this.#i]!;
      if (l.text === '' || l.text.startsWith('#')) this.#i++;
      else return l;
    }
    return undefined;
  }

  document(): YNode | null {
    let l = this.#next();
    if (l && l.text.startsWith('%')) decline();
    if (l && (l.text === '---' || l.text.startsWith('--- '))) {
      if (l.indent !== 0 || stripComment(l.text) !== '---') decline();
      this.#i++;
      l = this.#next();
    }
    if (!l) decline();
    if (l!.indent !== 0) decline();
    const root = this.#block(0);
    if (this.#next()) decline(); // `...`, a second document, or text that is not indented right
    return root;
  }

  /** The block node whose first line is the next content line, at indentation `indent`. */
  #block(indent: number): YNode {
    const l = this.#next()!;
    if (l.indent !== indent) decline();
    if (l.text === '-' || l.text.startsWith('- ')) return this.#seq(indent);
    return this.#map(indent, l.at + l.indent);
  }

  #seq(indent: number): YNode {
    const first = this.#next()!;
    const node = { kind: 'seq' as const, start: first.at + indent, items: [] as (YNode | null)[] };
    for (let l = this.#next(); l && l.indent === indent; l = this.#next()) {
      if (!(l.text === '-' || l.text.startsWith('- '))) decline();
      const rest = stripComment(l.text.slice(1)).replace(/^ +/, '');
      const afterDash = l.text.slice(1);
      const col = l.indent + 1 + afterDash.length - afterDash.replace(/^ +/, '').length;
      if (rest === '') {
        // the item is the block below, more indented
        this.#i++;
        const below = this.#next();
        if (!below || below.indent <= indent) decline(); // an empty item
        node.items.push(this.#block(below!.indent));
      } else if (
        /^[^\s'"[\]{}#&*!|>%@`,?:-][^:#]*: |^[^\s'"[\]{}#&*!|>%@`,?:-][^:#]*:$/.test(rest)
      ) {
        // `- key: value`: a map whose first key is on the dash's line
        this.#i++;
        node.items.push(this.#mapFrom(col, l.at + col, rest));
      } else {
        node.items.push(this.#inline(rest, l.at + col, indent, l));
      }
    }
    const l = this.#next();
    if (l && l.indent > indent) decline();
    return node;
  }

  #map(indent: number, start: number): YNode {
    const l = this.#next()!;
    this.#i++;
    return this.#mapFrom(indent, start, stripComment(l.text), l);
  }

  /** A map at column `indent` whose first entry's text is `first` (its line already consumed). */
  #mapFrom(indent: number, start: number, first: string, firstLine?: Line): YNode {
    const node = {
      kind: 'map' as const,
      start,
      items: [] as { key: string; keyStart: number | undefined; value: YNode | null }[],
    };
    const keys = new Set<string>();
    let text: string | undefined = first;
    let lineAt = firstLine ? firstLine.at + firstLine.indent : start;
    for (;;) {
      if (text === undefined) {
        const l = this.#next();
        if (!l || l.indent < indent) break;
        if (l.indent > indent) decline();
        if (l.text === '-' || l.text.startsWith('- ')) decline();
        text = stripComment(l.text);
        lineAt = l.at + l.indent;
        this.#i++;
      }
      const m = /^([^\s'"[\]{}#&*!|>%@`,?:-][^:#]*?):(?: +(.*))?$/.exec(text);
      if (!m) decline();
      const key = m![1]!;
      if (/ $/.test(key) || typeof plainValue(key) !== 'string' || keys.has(key)) decline();
      keys.add(key);
      const rest = m![2] ?? '';
      const valueAt = lineAt + text.length - rest.length;
      let value: YNode;
      if (rest === '' || /^&[^\s]+$/.test(rest)) {
        const below = this.#next();
        if (below && below.indent > indent && rest === '' && !isEntry(below.text)) {
          // the value on the next line: a scalar
          value = this.#inline(stripComment(below.text), below.at + below.indent, indent, below);
        } else if (below && below.indent > indent) {
          value = this.#block(below.indent);
          if (rest !== '') this.#anchor(rest.slice(1), value);
        } else {
          // `key:` and nothing (a sequence at the key's own indentation: the library's job)
          if (rest !== '' || (below?.indent === indent && /^-( |$)/.test(below.text))) decline();
          value = { kind: 'scalar', start: undefined, value: null };
        }
      } else {
        value = this.#inline(rest, valueAt, indent, undefined);
      }
      node.items.push({ key, keyStart: lineAt, value });
      text = undefined;
    }
    return node;
  }

  #anchor(name: string, node: YNode): void {
    if (node.kind === 'alias' || !/^[A-Za-z0-9_-]+$/.test(name)) decline();
    (node as { anchor?: string }).anchor = name;
    this.#anchors.set(name, node);
  }

  /**
   * A value that starts on a line after `- ` or `key: `: a scalar (plain,
   * possibly continued on more indented lines; quoted; block), a flow
   * sequence on the line, or an alias. `parent` is the indentation of the
   * map or sequence it belongs to.
   */
  #inline(rest: string, at: number, parent: number, dashLine: Line | undefined): YNode {
    if (dashLine) this.#i++;
    if (rest.startsWith('*')) {
      if (!/^\*[A-Za-z0-9_-]+$/.test(rest)) decline();
      const name = rest.slice(1);
      const target = this.#anchors.get(name);
      this.#noContinuation(parent);
      return { kind: 'alias', start: at, name, ...(target ? { target } : {}) };
    }
    if (rest.startsWith('&')) decline(); // an anchored scalar
    if (rest.startsWith('[') || rest.startsWith('{')) {
      this.#noContinuation(parent);
      return flow(rest, at);
    }
    if (rest[0] === '|' || rest[0] === '>') return this.#blockScalar(rest, at, parent);
    if (rest[0] === "'" || rest[0] === '"') {
      const q = rest[0];
      const end = rest.lastIndexOf(q);
      if (end === 0 || rest.slice(end + 1).trim() !== '') decline();
      const inner = rest.slice(1, end);
      if (q === '"' && /[\\"]/.test(inner)) decline();
      if (q === "'" && /'(?!')/.test(inner.replace(/''/g, ''))) decline();
      this.#noContinuation(parent);
      return { kind: 'scalar', start: at, value: q === "'" ? inner.replace(/''/g, "'") : inner };
    }
    const parts = [plainLine(rest)];
    // continuation lines: more indented than the parent, until a blank line or less indent
    let blank = 0;
    for (;;) {
      const j = this.#i;
      if (j >= this.lines.length) break;
      const l = this.lines[j]!;
      if (l.text === '') {
        blank++;
        this.#i++;
        continue;
      }
      if (l.indent <= parent || l.text.startsWith('#')) break;
      if (blank) decline(); // a folded line break: the library's job
      const t = plainLine(l.text.replace(/ +$/, ''));
      parts.push(t);
      this.#i++;
    }
    if (blank) this.#unread(blank);
    return { kind: 'scalar', start: at, value: plainValue(parts.join(' ')) };
  }

  /** Puts back `n` blank lines just read. */
  #unread(n: number): void {
    this.#i -= n;
  }

  /** After a one-line scalar, no more indented text may follow. */
  #noContinuation(parent: number): void {
    const l = this.#next();
    if (l && l.indent > parent) decline();
  }

  #blockScalar(rest: string, at: number, parent: number): YNode {
    const m = /^([|>])([-+]?)$/.exec(rest);
    if (!m) decline();
    const folded = m![1] === '>';
    const chomp = m![2];
    const body: string[] = [];
    let indent = -1;
    let j = this.#i;
    for (; j < this.lines.length; j++) {
      const l = this.lines[j]!;
      if (l.text === '') {
        if (l.indent > 0 && indent >= 0 && l.indent > indent) decline(); // spaces past the indentation
        if (indent < 0 && l.indent > 0) decline();
        body.push('');
        continue;
      }
      if (indent < 0) {
        if (l.indent <= parent) break;
        indent = l.indent;
      }
      if (l.indent < indent) break;
      // more-indented lines of a folded scalar are kept as they are: the library's job
      if (l.indent > indent && folded) decline();
      body.push(' '.repeat(l.indent - indent) + l.text);
    }
    if (indent < 0 || body[0] === '') decline();
    // trailing blank lines belong to the chomping, not the content
    let end = body.length;
    while (end > 0 && body[end - 1] === '') end--;
    const trailing = body.length - end;
    this.#i = j - trailing;
    const content = body.slice(0, end);
    let value = content[0]!;
    let blanks = 0;
    for (const t of content.slice(1)) {
      if (t === '') blanks++;
      else {
        value += (folded ? (blanks ? '\n'.repeat(blanks) : ' ') : '\n'.repeat(blanks + 1)) + t;
        blanks = 0;
      }
    }
    if (chomp === '+') decline();
    if (chomp === '') value += '\n';
    return { kind: 'scalar', start: at, value };
  }
}
