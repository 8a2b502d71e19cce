/**
 * Build step (`npm run build`, `npm ci`): compiles the validators of the
 * vendored schemas (specs/schemas and the override schema) into the build
 * output, so that `codegen` on them loads no ajv. A schema edited later has
 * another content hash and is compiled at run time (and cached) instead.
 * @module
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { overrideSchemaFile } from './overrides/apply.js';
import { precompileSchemas, schemaFiles } from './validate/schema.js';

const schemas = fileURLToPath(new URL('../../specs/schemas/', import.meta.url));
precompileSchemas([...Object.values(schemaFiles).map((f) => join(schemas, f)), overrideSchemaFile]);
