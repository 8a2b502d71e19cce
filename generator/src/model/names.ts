/**
 * The one check that TypeScript names are distinct: every name the emitters
 * will declare is claimed in a scope (the module's top level, or the members
 * of one interface, enum, struct or client), and a second claim of the same
 * name is a spec error at the second spec object, naming both.
 * @module
 */
import { isReservedTopLevel } from '../names.js';
import type { Path, Report } from './spec.js';

/** Where a name comes from in the spec, for the error. */
export interface NameSite {
  readonly obj: object;
  readonly key: string | number | undefined;
  readonly path: Path;
}

/** A scope of names: the module's top level (reserved names are taken) or one type's members. */
export class NameScope {
  readonly #owners = new Map<string, string>();

  constructor(
    private readonly report: Report,
    /** Top level: keywords, globals and runtime imports are taken. */
    private readonly topLevel = false,
  ) {}

  /** The name is free (and, at top level, not reserved). */
  free(id: string): boolean {
    return !this.#owners.has(id) && !(this.topLevel && isReservedTopLevel(id));
  }

  /** `id` unless it is reserved (a keyword, global or runtime import), else `alternative`. */
  unreserved(id: string, alternative: string): string {
    return this.topLevel && isReservedTopLevel(id) ? alternative : id;
  }

  /** `id` if free, else the first free alternative (none free: `id`, a collision when claimed). */
  pick(id: string, ...alternatives: string[]): string {
    for (const c of [id, ...alternatives]) if (this.free(c)) return c;
    return id;
  }

  /** Claims `id` for `what` (`attribute 'foo'`); reports it if it is taken. */
  claim(id: string, what: string, at: NameSite): string {
    const prev = this.#owners.get(id);
    if (prev !== undefined)
      this.report(
        at.obj,
        at.key,
        at.path,
        `${what} becomes the TypeScript name '${id}', already used by ${prev}`,
      );
    else if (this.topLevel && isReservedTopLevel(id))
      this.report(
        at.obj,
        at.key,
        at.path,
        `${what} becomes the TypeScript name '${id}', which is reserved`,
      );
    else this.#owners.set(id, what);
    return id;
  }
}
