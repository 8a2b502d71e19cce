/**
 * The format stage: prettier with the repository's settings, cached by
 * content (the hash of prettier's version, the options and the text), so a
 * run that emits what it emitted before loads no prettier at all.
 * @module
 */
import { createRequire } from 'node:module';
import { cacheGet, cachePut, contentHash } from './cache.js';

/** Formatting of generated TypeScript (the repository's prettier settings). */
const options = {
  // babel-ts prints the same as the typescript parser and loads in less than half the time
  parser: 'babel-ts',
  singleQuote: true,
  printWidth: 100,
  trailingComma: 'all',
} as const;

const require = createRequire(import.meta.url);
let version: string | undefined;

/** `text` formatted by prettier (from the cache when it was formatted before). */
export async function formatModule(text: string): Promise<string> {
  version ??= (require('prettier/package.json') as { version: string }).version;
  const key = contentHash('prettier', version, JSON.stringify(options), text);
  const hit = cacheGet('formatted', key);
  if (hit !== undefined) return hit;
  const prettier = await import('prettier');
  const out = await prettier.format(text, options);
  cachePut('formatted', key, out);
  return out;
}
