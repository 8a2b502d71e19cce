/**
 * A content-addressed cache of derived text (compiled validators of schemas
 * that were not compiled at build time, generated modules), so that a run
 * only pays for what changed. Entries are
 * named by a hash of everything they derive from; a corrupt or missing entry
 * is recomputed. Location: `$YNL_TS_CACHE_DIR` (`off` disables the cache),
 * else `node_modules/.cache/ynl-ts-codegen` of the nearest directory (from
 * the working directory up) that has a `node_modules`, else none.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let dir: string | null | undefined;

function cacheDir(): string | null {
  if (dir !== undefined) return dir;
  const env = process.env.YNL_TS_CACHE_DIR;
  if (env === 'off') return (dir = null);
  if (env) return (dir = resolve(env));
  for (let d = resolve(process.cwd()); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules')))
      return (dir = join(d, 'node_modules', '.cache', 'ynl-ts-codegen'));
    if (dirname(d) === d) return (dir = null);
  }
}

/** sha256 (hex) of the parts, separated so that ('ab','c') ≠ ('a','bc'). */
export function contentHash(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex');
}

/** The cached text of `kind/key`, if any. */
export function cacheGet(kind: string, key: string): string | undefined {
  const d = cacheDir();
  if (d === null) return undefined;
  try {
    return readFileSync(join(d, kind, key), 'utf8');
  } catch {
    return undefined;
  }
}

/** Stores `text` as `kind/key` (atomically; a cache that cannot be written is skipped). */
export function cachePut(kind: string, key: string, text: string): void {
  const d = cacheDir();
  if (d === null) return;
  try {
    mkdirSync(join(d, kind), { recursive: true });
    const tmp = join(d, kind, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(d, kind, key));
  } catch {
    // read-only or full: run without the cache
  }
}
