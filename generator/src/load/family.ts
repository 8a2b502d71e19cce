/**
 * `loadFamily`: spec file → parse (with positions) → schema validation →
 * overrides → semantic checks → FamilyModel. Throws `SpecErrors` with every
 * problem of the file at once.
 * @module
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, SpecErrors } from '../errors.js';
import { buildModel } from '../model/build.js';
import type { FamilyModel } from '../model/types.js';
import { applyOverrides } from '../overrides/apply.js';
import { schemaFiles, validateSchema, type SchemaProtocol } from './schema.js';
import { isDataMap, parseYamlFile } from './yaml.js';

/** Where the loader finds schemas and overrides. */
export interface LoadOptions {
  /** Directory of the kernel's schema YAMLs (default: `schemas/` next to the spec, else the project's `specs/schemas`). */
  readonly schemasDir?: string;
  /** Directory of override files (default: `overrides/` next to the spec, else the project's `specs/overrides`); `null`: none. */
  readonly overridesDir?: string | null;
  /** Spec text to use instead of reading the file (the path still names it). */
  readonly text?: string;
}

/** The project's own `specs/` (generator/dist/load → ../../../specs). */
const projectSpecs = fileURLToPath(new URL('../../../specs/', import.meta.url));

/** `<spec dir>/<sub>` when it exists, else the project's `specs/<sub>`. */
function nearOrProject(dir: string, sub: string): string {
  const near = join(dir, sub);
  return existsSync(near) ? near : join(projectSpecs, sub);
}

/**
 * Loads, validates and models one family spec.
 *
 * Defaults: schemas from `schemas/` next to the spec, else the project's
 * `specs/schemas`; overrides from `overrides/` next to the spec, else the
 * project's `specs/overrides` (`overridesDir: null`: no overrides).
 * @throws SpecErrors with every problem of the spec (or override) file at once.
 */
export function loadFamily(specPath: string, opts: LoadOptions = {}): FamilyModel {
  const dir = dirname(resolve(specPath));
  const schemasDir = opts.schemasDir ?? nearOrProject(dir, 'schemas');
  const overridesDir =
    opts.overridesDir === undefined ? nearOrProject(dir, 'overrides') : opts.overridesDir;
  const parsed = parseYamlFile(specPath, opts.text !== undefined ? { text: opts.text } : {});
  if (parsed.errors.length) throw new SpecErrors(specPath, parsed.errors);
  const spec = parsed.data;
  if (!isDataMap(spec)) {
    throw new SpecErrors(specPath, [
      new SpecError(parsed.positions.of(spec), '', 'a spec must be a YAML map'),
    ]);
  }
  const protocol = typeof spec.protocol === 'string' ? spec.protocol : 'genetlink';
  if (!(protocol in schemaFiles)) {
    const err = new SpecError(
      parsed.positions.of(spec, 'protocol'),
      'protocol',
      `unknown protocol '${protocol}' (known: ${Object.keys(schemaFiles).join(', ')})`,
    );
    throw new SpecErrors(specPath, [err]);
  }
  const schemaErrors = validateSchema(
    spec,
    parsed.positions,
    schemasDir,
    protocol as SchemaProtocol,
  );
  if (schemaErrors.length) throw new SpecErrors(specPath, schemaErrors);

  const family = String(spec.name);
  let applied;
  let extensions;
  const overrideFile = overridesDir !== null ? join(overridesDir, `${family}.yaml`) : undefined;
  if (overrideFile !== undefined && existsSync(overrideFile)) {
    const r = applyOverrides(spec, overrideFile, family);
    if (r.errors.length) throw new SpecErrors(overrideFile, r.errors);
    if (r.positions) parsed.positions.also(r.positions);
    // The patched spec must still be a valid spec.
    const again = validateSchema(spec, parsed.positions, schemasDir, protocol as SchemaProtocol);
    if (again.length) throw new SpecErrors(`${specPath} (with ${basename(overrideFile)})`, again);
    applied = r.applied;
    extensions = r.extensions;
  }
  const { model, errors } = buildModel(spec, {
    file: specPath,
    positions: parsed.positions,
    ...(applied ? { applied } : {}),
    ...(extensions ? { extensions } : {}),
  });
  if (!model) throw new SpecErrors(specPath, errors);
  return model;
}
