/**
 * @ynl-ts/codegen: kernel YNL specs → validated model → typed TypeScript.
 * The stages are in `pipeline.ts`.
 * @module
 */
export {
  loadFamily,
  generatePackage,
  specCacheKey,
  type LoadOptions,
  type GenerateOptions,
} from './pipeline.js';
export { SpecError, SpecErrors } from './errors.js';
export { camel, pascal, cUpper } from './names.js';
export type * from './model/types.js';
export { emitFamily } from './emit/family.js';
export { moduleName, type GeneratedFile } from './emit/package.js';
export { main } from './cli.js';
export { cacheGet, cachePut, contentHash } from './cache.js';
