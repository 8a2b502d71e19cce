/**
 * The error hierarchy of the runtime. Every error names where it happened:
 * decode errors the attribute path and byte offset, encode errors the path of
 * the offending user value.
 * @module
 */

/** Base class of every error thrown by ynl-ts. */
export class YnlError extends Error {
  override name = 'YnlError';
}

function joinPath(segment: string, path: string): string {
  if (path === '') return segment;
  return path.startsWith('[') ? segment + path : `${segment}.${path}`;
}

/** A path for a message: a very deep one keeps its start and its end. */
function shortPath(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 70)} … ${path.slice(-70)}`;
}

/**
 * Bytes that do not parse: a truncated header, an attribute whose length runs
 * past its parent, a value of the wrong size. `path` names the attribute
 * (`actions[3].sample.actions[0].set.ipv4`), `offset` the byte in the buffer.
 */
export class DecodeError extends YnlError {
  override name = 'DecodeError';
  /** Attribute path, e.g. `key.ipv4` (empty at message level). */
  path: string;
  constructor(
    /** Human-readable reason, without the path. */
    readonly reason: string,
    path: string,
    /** Byte offset into the decoded buffer where the problem starts. */
    readonly offset: number,
  ) {
    super();
    this.path = path;
    this.message = this.#format();
  }
  #format(): string {
    return `${this.path ? shortPath(this.path) + ': ' : ''}${this.reason} (at byte ${this.offset})`;
  }
  /** Prepend a path segment (used as the error leaves a nest). */
  prefixed(segment: string): this {
    this.path = joinPath(segment, this.path);
    this.message = this.#format();
    return this;
  }
}

/** A user value that cannot be encoded: wrong type, out of range, unknown field. */
export class EncodeError extends YnlError {
  override name = 'EncodeError';
  /** Path of the offending value, e.g. `actions[2].set.ipv4.ttl`. */
  path: string;
  constructor(
    readonly reason: string,
    path = '',
  ) {
    super();
    this.path = path;
    this.message = this.#format();
  }
  #format(): string {
    return `${this.path ? shortPath(this.path) + ': ' : ''}${this.reason}`;
  }
  /** Prepend a path segment (used as the error leaves a nest). */
  prefixed(segment: string): this {
    this.path = joinPath(segment, this.path);
    this.message = this.#format();
    return this;
  }
}
