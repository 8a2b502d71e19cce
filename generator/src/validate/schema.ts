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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { formatPath, SpecError } from '../errors.js';
import type { Data, DataMap, Positions } from './yaml.js';
import { isDataMap, parseYamlFile } from './yaml.js';

/** Protocols and their schema files. */
export const schemaFiles = {
  genetlink: 'genetlink.yaml',
  'genetlink-c': 'genetlink-c.yaml',
  'genetlink-legacy': 'genetlink-legacy.yaml',
  'netlink-raw': 'netlink-raw.yaml',
} as const;
export type SchemaProtocol = keyof typeof schemaFiles;

const DRAFT7 = 'http://json-schema.org/draft-07/schema#';
const cache = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

/** The compiled validator for a protocol's schema in `schemasDir` (compiled once per process). */
export function schemaValidator(schemasDir: string, protocol: SchemaProtocol): ValidateFunction {
  const file = join(schemasDir, schemaFiles[protocol]);
  const hit = cache.get(file);
  if (hit) return hit;
  if (!existsSync(file))
    throw new Error(
      `no schema for protocol '${protocol}': ${file} does not exist (pass schemasDir to loadFamily)`,
    );
  const parsed = parseYamlFile(file, { uniqueKeys: false });
  if (parsed.errors.length || !isDataMap(parsed.data)) {
    throw new Error(
      `cannot read schema ${file}: ${parsed.errors.map((e) => e.format()).join('; ')}`,
    );
  }
  const schema: DataMap = { ...parsed.data, $schema: DRAFT7, $id: `ynl-ts:schema:${file}` };
  ajv ??= new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const fn = ajv.compile(schema);
  cache.set(file, fn);
  return fn;
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
        message = `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')} (is ${JSON.stringify(cur)})`;
        break;
      case 'type':
        message = `must be of type ${String(p.type)} (is ${JSON.stringify(cur)})`;
        break;
      case 'pattern':
        message = `${JSON.stringify(cur)} does not match the pattern ${String(p.pattern)}`;
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
