/**
 * JSON-schema validation of specs against the kernel's vendored schemas,
 * with the schemas' known quirks handled in memory (the files stay as vendored):
 * - `$schema` is the https draft-07 URL; ajv knows draft-07 as http.
 * - genetlink.yaml reuses genetlink-legacy's `$id`: every schema gets its own id.
 * - netlink-raw.yaml repeats `if:`/`then:` keys: the last wins, as with PyYAML,
 *   which the kernel's own tools (nlspec.py + jsonschema) use.
 *
 * ajv options mirror what nlspec.py's `jsonschema.validate` effectively does:
 * draft-07, unknown keywords and `format`s ignored (`strict: false`), union
 * `type: [a, b]` allowed. Unlike jsonschema (which raises the first error) we
 * collect all errors (`allErrors`) and report each at its YAML position.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { cacheGet, cachePut, contentHash } from '../cache.js';
import { formatPath, SpecError } from '../errors.js';
import type { Data, Positions } from '../load/yaml.js';
import { isDataMap, parseYamlFile } from '../load/yaml.js';

/** Protocols and their schema files. */
export const schemaFiles = {
  genetlink: 'genetlink.yaml',
  'genetlink-c': 'genetlink-c.yaml',
  'genetlink-legacy': 'genetlink-legacy.yaml',
  'netlink-raw': 'netlink-raw.yaml',
} as const;
export type SchemaProtocol = keyof typeof schemaFiles;

/** A compiled validator: true, or false with `errors`. */
export interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const require = createRequire(import.meta.url);
const loaded = new Map<string, Validator>();
const ajvOptions = { allErrors: true, strict: false, allowUnionTypes: true } as const;

/** The cache key of a schema text: its hash with ajv's version and options. */
function schemaKey(text: string): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return contentHash('ajv', ajvVersion, JSON.stringify(ajvOptions), text);
}

/** ajv's standalone code of the validator of schema `file` (loads and runs ajv). */
function compileStandalone(file: string, text: string, key: string): string {
  const parsed = parseYamlFile(file, { text, uniqueKeys: false });
  if (parsed.errors.length || !isDataMap(parsed.data)) {
    throw new Error(
      `cannot read schema ${file}: ${parsed.errors.map((e) => e.format()).join('; ')}`,
    );
  }
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standalone = (
    require('ajv/dist/standalone/index.js') as {
      default: (ajv: unknown, fn: unknown) => string;
    }
  ).default;
  const ajv = new Ajv({ ...ajvOptions, code: { source: true } });
  const fn = ajv.compile({ ...parsed.data, $schema: DRAFT7, $id: `ynl-ts:schema:${key}` });
  return standalone(ajv, fn);
}

/**
 * Validators compiled at build time (`npm run build`: {@link precompileSchemas}),
 * named like cache entries: a schema whose text changed since has another
 * key and is not found here.
 */
const precompiledDir = fileURLToPath(new URL('./precompiled/', import.meta.url));

/** The build-time validator of `key`, if there is one. */
function precompiled(key: string): string | undefined {
  try {
    return readFileSync(join(precompiledDir, `${key}.cjs`), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Compiles the validators of schema `files` into the build output, where
 * {@link compiledSchema} finds them by content hash: a run on the vendored
 * schemas loads no ajv and compiles nothing, while an edited (or another)
 * schema is compiled and cached as before. Returns the files written.
 */
export function precompileSchemas(files: readonly string[]): string[] {
  mkdirSync(precompiledDir, { recursive: true });
  const wanted = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const key = schemaKey(text);
    const out = join(precompiledDir, `${key}.cjs`);
    wanted.add(`${key}.cjs`);
    if (!existsSync(out)) writeFileSync(out, compileStandalone(file, text, key));
  }
  // entries of schemas that changed since are dead weight
  for (const f of readdirSync(precompiledDir)) if (!wanted.has(f)) rmSync(join(precompiledDir, f));
  return [...wanted].map((f) => join(precompiledDir, f));
}

/**
 * The validator of a schema file, compiled once per content: ajv compiles it
 * to standalone code, which is looked up by the hash of the schema text (and
 * ajv's version and options) among the validators compiled at build time,
 * then in the cache; so a run neither loads ajv nor compiles unless the
 * schema is new.
 */
export function compiledSchema(file: string): Validator {
  const text = readFileSync(file, 'utf8');
  const key = schemaKey(text);
  const hit = loaded.get(key);
  if (hit) return hit;
  let code = precompiled(key) ?? cacheGet('schemas', `${key}.cjs`);
  if (code === undefined) {
    code = compileStandalone(file, text, key);
    cachePut('schemas', `${key}.cjs`, code);
  }
  const mod = { exports: {} as Validator };
  // The code is ajv's output for a schema of ours (or the cache's copy of it).
  new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
  loaded.set(key, mod.exports);
  return mod.exports;
}

/** The validator for a protocol's schema in `schemasDir`. */
export function schemaValidator(schemasDir: string, protocol: SchemaProtocol): Validator {
  const file = join(schemasDir, schemaFiles[protocol]);
  if (!existsSync(file))
    throw new Error(
      `no schema for protocol '${protocol}': ${file} does not exist (pass schemasDir to loadFamily)`,
    );
  return compiledSchema(file);
}

/** Validates a spec; returns readable errors at the offending place. */
export function validateSchema(
  data: Data,
  positions: Positions,
  schemasDir: string,
  protocol: SchemaProtocol,
): SpecError[] {
  const validate = schemaValidator(schemasDir, protocol);
  if (validate(data)) return [];
  return readableErrors(validate.errors ?? [], data, positions);
}

/** A value as a message shows it: JSON, cut short (a value may be large, e.g. an expanded alias). */
function brief(v: Data): string {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Turns ajv errors into readable {@link SpecError}s placed at the offending
 * node (also used for override files, which have their own schema).
 */
export function readableErrors(
  errors: readonly ErrorObject[],
  data: Data,
  positions: Positions,
): SpecError[] {
  // Combinator summaries ("must match a schema in anyOf", "must match then") only
  // restate errors reported in detail; keep them only when nothing else is said.
  const noise = new Set(['anyOf', 'oneOf', 'if']);
  const detailed = errors.filter((e) => !noise.has(e.keyword));
  const chosen = detailed.length ? detailed : errors;
  const out = new Map<string, SpecError>();
  for (const e of chosen) {
    const segs = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const path: (string | number)[] = [];
    let parent: Data = null;
    let cur: Data = data;
    for (const s of segs) {
      const key: string | number = Array.isArray(cur) ? Number(s) : s;
      path.push(key);
      parent = cur;
      cur = Array.isArray(cur)
        ? (cur[key as number] ?? null)
        : isDataMap(cur)
          ? (cur[s] ?? null)
          : null;
    }
    let pos = positions.of(cur);
    if (parent !== null && path.length && (typeof cur !== 'object' || cur === null)) {
      pos = positions.of(parent, path[path.length - 1]);
    }
    let message: string;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties':
        message = `unknown property '${String(p.additionalProperty)}'`;
        if (isDataMap(cur)) pos = positions.of(cur, String(p.additionalProperty));
        break;
      case 'required':
        message = `missing required property '${String(p.missingProperty)}'`;
        break;
      case 'enum':
        message = `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')} (is ${brief(cur)})`;
        break;
      case 'type':
        message = `must be of type ${String(p.type)} (is ${brief(cur)})`;
        break;
      case 'pattern':
        message = `${brief(cur)} does not match the pattern ${String(p.pattern)}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(p.allowedValue)}`;
        break;
      default:
        message = e.message ?? e.keyword;
    }
    const err = new SpecError(pos, formatPath(path), message);
    out.set(err.format(), err);
  }
  return [...out.values()];
}
