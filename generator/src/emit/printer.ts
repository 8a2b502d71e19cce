/**
 * The printer generated modules are written with. Spec text is untrusted: it
 * reaches generated code only through one escaping function per context
 * (`doc` for TSDoc, `str` for string literals, `lineComment` for `//`
 * comments, identifiers checked by the `ts` tag), so no spec can open
 * code. The `ts` template tag enforces it: it interpolates only `Code`
 * (already escaped), numbers, and strings that are identifiers or dotted
 * identifier paths; anything else throws.
 * @module
 */
import { at, importDecl } from './syntax.js';

/** A piece of generated code, safe to splice anywhere code goes. */
export class Code {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const identPath = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/** A value the `ts` tag accepts. */
export type Piece = Code | number | bigint | string | readonly Piece[];

function piece(v: Piece): string {
  if (v instanceof Code) return v.text;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return (v as readonly Piece[]).map(piece).join('');
  if (typeof v === 'string' && (v === '' || identPath.test(v))) return v;
  throw new Error(`generated code may not contain ${JSON.stringify(v)}: escape it`);
}

/** Generated code from a template: interpolations are identifiers, numbers or Code. */
export function ts(strings: TemplateStringsArray, ...values: readonly Piece[]): Code {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]!) + strings[i + 1]!;
  return new Code(out);
}

/** Joins pieces of code with a separator. */
export function join(parts: readonly Piece[], sep: string): Code {
  return new Code(parts.map(piece).join(sep));
}

/**
 * A string literal (JSON escaping: no quote, template or line terminator can
 * be opened), quoted as prettier quotes it: single quotes unless the text has
 * more single than double quotes, no escape that is not needed.
 */
export function str(s: string): Code {
  let singles = 0;
  let doubles = 0;
  for (const c of s) {
    if (c === "'") singles++;
    else if (c === '"') doubles++;
  }
  const q = singles > doubles ? '"' : "'";
  const other = q === "'" ? '"' : "'";
  const body = JSON.stringify(s)
    .slice(1, -1)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/\\(.)|(["'])/gs, (_, esc: string | undefined, quote: string | undefined) => {
      if (esc === other) return esc;
      if (quote === q) return `\\${quote}`;
      if (quote) return quote;
      return /^[^\n\r"'0-7\\bfnrt-vx\u2028\u2029]$/.test(esc!) ? esc! : `\\${esc!}`;
    });
  return new Code(q + body + q);
}

/** Text inside a comment: no `*\/` ends it, no `@` starts a tag, no lone CR. */
function commentText(s: string): string {
  return s.replace(/\*\//g, '*\\/').replace(/@/g, '\\@').replace(/\r\n?/g, '\n');
}

/**
 * A TSDoc block from paragraphs of text (undefined and empty ones dropped),
 * or nothing. Line terminators other than `\n` (U+2028/2029) are escaped.
 */
export function doc(paragraphs: readonly (string | undefined)[], indent = ''): Code {
  const text = commentText(
    paragraphs.filter((l): l is string => l !== undefined && l !== '').join('\n\n'),
  ).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  if (!text.trim()) return new Code('');
  if (!text.includes('\n')) return new Code(`${indent}/** ${text.trim()} */\n`);
  const body = text
    .split('\n')
    .map((l) => (l.trim() === '' ? `${indent} *` : `${indent} * ${l.trimEnd()}`));
  return new Code(`${indent}/**\n${body.join('\n')}\n${indent} */\n`);
}

/** Spec text as an inline code span inside a doc paragraph (backticks cannot close it). */
export function span(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

/** A `//` comment line: every character outside printable ASCII is escaped, so nothing ends it. */
export function lineComment(s: string): Code {
  return new Code(
    `// ${s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`,
  );
}

/** A module file name from a spec name: only `[A-Za-z0-9_-]` survive. */
export function fileName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Collects a module's declarations and the names they import. */
export class ModulePrinter {
  readonly #imports = new Map<string, boolean>();
  /** Imports from sibling modules (other families), by module file name. */
  readonly #siblings = new Map<string, Map<string, boolean>>();
  readonly #parts: string[] = [];

  /** Records a runtime import (`type` imports are erased) and returns the name. */
  use(name: string, type = false): string {
    return record(this.#imports, name, type);
  }

  /** Records an import from the sibling module `./<module>.js` and returns the name. */
  useFrom(module: string, name: string, type = false): string {
    let names = this.#siblings.get(module);
    if (!names) this.#siblings.set(module, (names = new Map()));
    return record(names, name, type);
  }

  /** Appends code. */
  add(...code: readonly Code[]): void {
    for (const c of code) this.#parts.push(c.text);
  }

  /** The module: header, imports from `from`, declarations. */
  render(
    header: Code,
    from: string,
    sibling = (module: string): string => `./${module}.js`,
  ): string {
    const line = (names: Map<string, boolean>, module: string): string =>
      at(
        0,
        importDecl(
          [...names]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([n, type]) => (type ? `type ${n}` : n)),
          str(module).text,
        ),
      );
    const lines = [
      ...(this.#imports.size ? [line(this.#imports, from)] : []),
      ...[...this.#siblings]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([m, names]) => line(names, sibling(fileName(m)))),
    ];
    const text = header.text + (lines.length ? `${lines.join('')}\n` : '') + this.#parts.join('');
    // one line break at the end, as prettier leaves a file
    return text.replace(/\n+$/, '\n');
  }
}

/** Records `name` in an import list; a name used as a value is a value import. */
function record(names: Map<string, boolean>, name: string, type: boolean): string {
  const prev = names.get(name);
  names.set(name, prev === undefined ? type : prev && type);
  return name;
}
