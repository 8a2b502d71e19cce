/**
 * @ynl-ts/codegen: kernel YNL specs → validated model → typed TypeScript.
 * @module
 */
export { loadFamily, type LoadOptions } from './load/family.js';
export { SpecError, SpecErrors } from './errors.js';
export { camel, pascal, cUpper } from './names.js';
export type * from './model/types.js';
export { emitFamily } from './emit/family.js';
export {
  generatePackage,
  moduleName,
  type GenerateOptions,
  type GeneratedFile,
} from './emit/package.js';
export { main } from './cli.js';
