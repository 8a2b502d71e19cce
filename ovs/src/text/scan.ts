/**
 * A cursor over flow text, and the syntax error it raises. Every reader of
 * the ODP syntax moves one {@link Scanner}; a failure names the column and
 * what would have been accepted there.
 * @module
 */
import { YnlError } from '@ynl-ts/runtime';

/** Flow text that does not parse: `column` (1-based) and what was expected there. */
export class FlowSyntaxError extends YnlError {
  override name = 'FlowSyntaxError';
  constructor(
    /** The whole text that was parsed. */
    readonly text: string,
    /** 1-based column of the offending character. */
    readonly column: number,
    /** What the parser would have accepted at that column. */
    readonly expected: string,
  ) {
    super();
    const found =
      column > text.length ? 'end of text' : JSON.stringify(text.slice(column - 1, column + 11));
    this.message = `column ${column}: expected ${expected}, found ${found}`;
  }
}

/** A position in flow text with the small reads the ODP grammar needs. */
export class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  /** The character under the cursor ('' at the end). */
  peek(): string {
    return this.text.charAt(this.pos);
  }
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  /** Consumes `s` if the text continues with it. */
  eat(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }
  /** Consumes `s` or fails with `expected` (default: `s` quoted). */
  expect(s: string, expected = `'${s}'`): void {
    if (!this.eat(s)) throw this.error(expected);
  }
  /** Skips ODP's delimiters between list elements (`, \t\r\n`). */
  skipDelimiters(): void {
    while (this.pos < this.text.length && ', \t\r\n'.includes(this.text[this.pos]!)) this.pos++;
  }
  /** A run of `[A-Za-z0-9_]` (may be empty). */
  word(): string {
    const m = /^[A-Za-z0-9_]*/.exec(this.text.slice(this.pos))!;
    this.pos += m[0].length;
    return m[0];
  }
  /** Characters up to (not including) the first of `stops` or the end. */
  until(stops: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && !stops.includes(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }
  /** Reads with `re` (anchored here) or fails with `expected`. */
  match(re: RegExp, expected: string): RegExpExecArray {
    const sticky = new RegExp(re.source, re.flags.replace('y', '') + 'y');
    sticky.lastIndex = this.pos;
    const m = sticky.exec(this.text);
    if (!m) throw this.error(expected);
    this.pos += m[0].length;
    return m;
  }
  /** An error at `at` (default: the cursor). */
  error(expected: string, at = this.pos): FlowSyntaxError {
    return new FlowSyntaxError(this.text, at + 1, expected);
  }
}
