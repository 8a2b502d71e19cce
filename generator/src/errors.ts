/**
 * Spec errors: every problem found in a spec or override file, with its
 * position, JSON path and a plain sentence.
 * @module
 */
import type { SourcePos } from './model/types.js';

/** One problem in a spec or override file. */
export class SpecError {
  constructor(
    /** Where: file, 1-based line and column. */
    readonly pos: SourcePos,
    /** JSON path into the document, e.g. `attribute-sets[2].attributes[0].type`. */
    readonly path: string,
    /** A plain sentence. */
    readonly message: string,
  ) {}

  /** The file the error is in (same as `pos.file`). */
  get file(): string {
    return this.pos.file;
  }
  /** 1-based line (same as `pos.line`). */
  get line(): number {
    return this.pos.line;
  }
  /** 1-based column (same as `pos.col`). */
  get col(): number {
    return this.pos.col;
  }

  /** `file:line:col: path: message` */
  format(): string {
    const where = `${this.pos.file}:${this.pos.line}:${this.pos.col}`;
    return this.path ? `${where}: ${this.path}: ${this.message}` : `${where}: ${this.message}`;
  }
}

/** Thrown by the loader with all errors of a file at once. */
export class SpecErrors extends Error {
  override readonly name = 'SpecErrors';
  constructor(
    readonly file: string,
    readonly errors: readonly SpecError[],
  ) {
    const n = errors.length;
    super(
      `${file}: ${n} error${n === 1 ? '' : 's'}\n${errors.map((e) => '  ' + e.format()).join('\n')}`,
    );
  }
}

/** Formats a JSON path (`['a', 2, 'b']`) as `a[2].b`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}
