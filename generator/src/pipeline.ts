/**
 * The generator's stages, in order:
 *
 * 1. load: spec YAML → plain data with positions (`load/yaml.ts`)
 * 2. validate: against the kernel's JSON schema (`validate/schema.ts`)
 * 3. overrides: `specs/overrides/<family>.yaml` patched in, validated again (`overrides/apply.ts`)
 * 4. model: semantic checks, then the linked model (`model/validate.ts`, `model/build.ts`)
 * 5. emit: one TypeScript module per family (`emit/family.ts`) plus package files, laid out
 *    as prettier would leave them (`emit/layout.ts`; prettier itself only checks it, in a test)
 * 6. write or check: the package directory (`cli.ts`)
 *
 * Each stage throws `SpecErrors` with every problem of a file at once.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, SpecErrors } from './errors.js';
import { emitFamily } from './emit/family.js';
import {
  checkModuleNames,
  indexModule,
  moduleName,
  packageFiles,
  specPath,
  summary,
  type FamilySummary,
  type GeneratedFile,
} from './emit/package.js';
import { cacheGet, cachePut, contentHash } from './cache.js';
import { isDataMap, parseYamlFile } from './load/yaml.js';
import { buildModel } from './model/build.js';
import type { FamilyModel } from './model/types.js';
import { applyOverrides, overrideSchemaFile } from './overrides/apply.js';
import { schemaFiles, validateSchema, type SchemaProtocol } from './validate/schema.js';

/** Where the loader finds schemas and overrides. */
export interface LoadOptions {
  /** Directory of the kernel's schema YAMLs (default: `schemas/` next to the spec, else the project's `specs/schemas`). */
  readonly schemasDir?: string;
  /** Directory of override files (default: `overrides/` next to the spec, else the project's `specs/overrides`); `null`: none. */
  readonly overridesDir?: string | null;
  /** Spec text to use instead of reading the file (the path still names it). */
  readonly text?: string;
  /** Called with every other spec file the family's model was built from (`nested-from`). */
  readonly onDependency?: (file: string) => void;
  /**
   * Models built so far in this run, by spec path and directories: a family
   * that others import sets from (`nested-from`) is built once per run.
   */
  readonly models?: Map<string, { model: FamilyModel; deps: readonly string[] }>;
}

/** Families being loaded, outermost first: a `nested-from` cycle is an error, not a loop. */
const loading: string[] = [];

/**
 * The model of family `name` from `<dir>/<name>.yaml` (for `nested-from`
 * overrides), or why there is none.
 */
function siblingFamily(dir: string, name: string, opts: LoadOptions): FamilyModel | string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return 'not a family name';
  const file = join(dir, `${name}.yaml`);
  if (!existsSync(file)) return `no spec ${file}`;
  if (loading.includes(resolve(file))) return `a cycle of nested-from (${loading.join(' → ')})`;
  opts.onDependency?.(file);
  try {
    return loadFamily(file, { ...opts, text: undefined });
  } catch (e) {
    if (e instanceof SpecErrors) return `its spec has errors (${e.message.split('\n')[0]})`;
    throw e;
  }
}

/** The project's own `specs/` (generator/dist → ../../specs). */
const projectSpecs = fileURLToPath(new URL('../../specs/', import.meta.url));

/** `<spec dir>/<sub>` when it exists, else the project's `specs/<sub>`. */
function nearOrProject(dir: string, sub: string): string {
  const near = join(dir, sub);
  return existsSync(near) ? near : join(projectSpecs, sub);
}

/**
 * Stages 1-4: loads, validates, patches and models one family spec.
 * @throws SpecErrors with every problem of the spec (or override) file at once.
 */
export function loadFamily(specPath: string, opts: LoadOptions = {}): FamilyModel {
  const dir = dirname(resolve(specPath));
  const schemasDir = opts.schemasDir ?? nearOrProject(dir, 'schemas');
  const overridesDir =
    opts.overridesDir === undefined ? nearOrProject(dir, 'overrides') : opts.overridesDir;
  const memo =
    opts.models && opts.text === undefined
      ? `${resolve(specPath)}\0${resolve(schemasDir)}\0${overridesDir === null ? '' : resolve(overridesDir)}`
      : undefined;
  if (memo === undefined) return buildFamily(specPath, dir, schemasDir, overridesDir, opts);
  const known = opts.models!.get(memo);
  if (known) {
    for (const d of known.deps) opts.onDependency?.(d);
    return known.model;
  }
  const deps: string[] = [];
  const model = buildFamily(specPath, dir, schemasDir, overridesDir, {
    ...opts,
    onDependency: (f) => {
      deps.push(f);
      opts.onDependency?.(f);
    },
  });
  opts.models!.set(memo, { model, deps });
  return model;
}

/** {@link loadFamily} without the run's memo. */
function buildFamily(
  specPath: string,
  dir: string,
  schemasDir: string,
  overridesDir: string | null,
  opts: LoadOptions,
): FamilyModel {
  // 1. load
  const parsed = parseYamlFile(specPath, opts.text !== undefined ? { text: opts.text } : {});
  if (parsed.errors.length) throw new SpecErrors(specPath, parsed.errors);
  const spec = parsed.data;
  if (!isDataMap(spec))
    throw new SpecErrors(specPath, [
      new SpecError(parsed.positions.of(spec), '', 'a spec must be a YAML map'),
    ]);
  // 2. validate
  const protocol = typeof spec.protocol === 'string' ? spec.protocol : 'genetlink';
  if (!(protocol in schemaFiles)) {
    const known = Object.keys(schemaFiles).join(', ');
    throw new SpecErrors(specPath, [
      new SpecError(
        parsed.positions.of(spec, 'protocol'),
        'protocol',
        `unknown protocol '${protocol}' (known: ${known})`,
      ),
    ]);
  }
  const validate = (): SpecError[] =>
    validateSchema(spec, parsed.positions, schemasDir, protocol as SchemaProtocol);
  const schemaErrors = validate();
  if (schemaErrors.length) throw new SpecErrors(specPath, schemaErrors);
  // 3. overrides
  const family = String(spec.name);
  const overrideFile = overridesDir !== null ? join(overridesDir, `${family}.yaml`) : undefined;
  let overrides;
  if (overrideFile !== undefined && existsSync(overrideFile)) {
    overrides = applyOverrides(spec, overrideFile, family);
    if (overrides.errors.length) throw new SpecErrors(overrideFile, overrides.errors);
    if (overrides.positions) parsed.positions.also(overrides.positions);
    const again = validate(); // the patched spec must still be a valid spec
    if (again.length) throw new SpecErrors(`${specPath} (with ${basename(overrideFile)})`, again);
  }
  // 4. model
  loading.push(resolve(specPath));
  try {
    const { model, errors } = buildModel(spec, {
      file: specPath,
      positions: parsed.positions,
      ...(overrides ? { applied: overrides.applied, extensions: overrides.extensions } : {}),
      family: (name) =>
        siblingFamily(dir, name, {
          schemasDir,
          overridesDir,
          ...(opts.onDependency ? { onDependency: opts.onDependency } : {}),
          ...(opts.models ? { models: opts.models } : {}),
        }),
    });
    if (!model) throw new SpecErrors(specPath, errors);
    return model;
  } finally {
    loading.pop();
  }
}

export interface GenerateOptions {
  /** Spec files to generate. */
  readonly specs: readonly string[];
  /** Directory of schemas (default: `schemas/` next to each spec, else the project's). */
  readonly schemasDir?: string;
  /** Directory of overrides (default: `overrides/` next to each spec); null: none. */
  readonly overridesDir?: string | null;
  /** Base for the spec paths written into headers (default: the current directory). */
  readonly relativeTo?: string;
  /** Directory of templates (default: the project's templates/). */
  readonly templatesDir?: string;
}

/** A generated module with what the package files need of its family. */
interface Generated {
  readonly family: FamilySummary;
  readonly text: string;
  /** Other spec files it was built from (`nested-from`), with their content hashes. */
  readonly deps: readonly { readonly file: string; readonly hash: string }[];
}

/** Stages 1-5 for one spec. */
async function generateOne(spec: string, base: string, opts: LoadOptions): Promise<Generated> {
  const files = new Set<string>();
  const m = loadFamily(spec, { ...opts, onDependency: (f) => files.add(resolve(f)) });
  const deps = [...files].map((file) => ({ file, hash: contentHash(readFileSync(file, 'utf8')) }));
  return {
    family: summary(m),
    text: emitFamily(m, specPath(base, m.file)),
    deps,
  };
}

/** The spec files a cached module was built from are unchanged. */
function depsCurrent(g: Generated): boolean {
  return g.deps.every(
    (d) => existsSync(d.file) && contentHash(readFileSync(d.file, 'utf8')) === d.hash,
  );
}

/** Texts of the files in `dir` (names and contents), '' when it does not exist. */
function dirText(dir: string | null): string {
  if (dir === null || !existsSync(dir)) return '';
  return readdirSync(dir)
    .sort()
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n');
}

let generatorHash: string | undefined;
/** Hash of the generator's own code: a changed generator never reuses a cached module. */
function ownHash(): string {
  if (generatorHash !== undefined) return generatorHash;
  const root = fileURLToPath(new URL('.', import.meta.url));
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.js')) parts.push(f, readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return (generatorHash = contentHash(...parts));
}

/** The directories a spec is loaded with, and the hash of everything its model and module derive from. */
function inputsOf(
  spec: string,
  base: string,
  opts: LoadOptions,
): { key: string; schemasDir: string; overridesDir: string | null } {
  const dir = dirname(resolve(spec));
  const schemasDir = opts.schemasDir ?? nearOrProject(dir, 'schemas');
  const overridesDir =
    opts.overridesDir === undefined ? nearOrProject(dir, 'overrides') : opts.overridesDir;
  const key = contentHash(
    ownHash(),
    specPath(base, resolve(spec)),
    spec,
    // the bytes, not the decoded text: invalid UTF-8 must not share a key with U+FFFD
    readFileSync(spec).toString('base64'),
    dirText(schemasDir),
    dirText(overridesDir),
    readFileSync(overrideSchemaFile, 'utf8'),
  );
  return { key, schemasDir, overridesDir };
}

/**
 * A key for caching what is derived from a spec's model (as `codegen` caches
 * modules): the hash of the spec, every file of its overrides and schemas
 * directories, the override schema and the generator's code.
 */
export function specCacheKey(spec: string, opts: LoadOptions = {}): string {
  return inputsOf(spec, dirname(resolve(spec)), opts).key;
}

/**
 * Stages 1-5 for one spec, or their cached result: the key covers the spec,
 * every file of its overrides and schemas directories, the override schema,
 * the header's spec path and the generator's code, so any change reruns them.
 */
async function generateCached(spec: string, base: string, opts: LoadOptions): Promise<Generated> {
  const { key, schemasDir, overridesDir } = inputsOf(spec, base, opts);
  const hit = cacheGet('modules', key);
  if (hit !== undefined) {
    try {
      const g = JSON.parse(hit) as Generated;
      if (Array.isArray(g.deps) && depsCurrent(g)) return g;
    } catch {
      // a torn entry: regenerate
    }
  }
  const g = await generateOne(spec, base, {
    schemasDir,
    overridesDir,
    ...(opts.models ? { models: opts.models } : {}),
  });
  cachePut('modules', key, JSON.stringify(g));
  return g;
}

/** Stages 1-5 for every spec: the package's files, deterministic byte for byte. */
export async function generatePackage(opts: GenerateOptions): Promise<GeneratedFile[]> {
  const base = opts.relativeTo ?? process.cwd();
  const load: LoadOptions = {
    ...(opts.schemasDir !== undefined ? { schemasDir: opts.schemasDir } : {}),
    ...(opts.overridesDir !== undefined ? { overridesDir: opts.overridesDir } : {}),
  };
  const done: Generated[] = [];
  const run = { ...load, models: new Map() };
  for (const s of opts.specs) done.push(await generateCached(s, base, run));
  done.sort((a, b) => a.family.name.localeCompare(b.family.name));
  const families = done.map((g) => g.family);
  const clashes = checkModuleNames(families);
  if (clashes.length) throw new SpecErrors(clashes[0]!.file, clashes);
  return [
    ...done.map((g) => ({ path: `src/${moduleName(g.family)}.ts`, text: g.text })),
    { path: 'src/index.ts', text: indexModule(families) },
    ...packageFiles(families, base, opts.templatesDir),
  ];
}
