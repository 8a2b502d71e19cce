/**
 * The overrides layer: patches from `specs/overrides/<family>.yaml`, applied to
 * a vendored spec after it validates. The vendored files are never edited.
 *
 * File format (documented in specs/overrides/README.md):
 * ```yaml
 * family: ovs_flow
 * patches:
 *   - target: attribute-sets[action-attrs].attributes   # list elements by name
 *     insert-before: psample
 *     value: { name: drop, type: u32 }
 *     reason: the uapi has OVS_ACTION_ATTR_DROP = 24 before PSAMPLE = 25
 * ```
 * The format is described once, by the JSON schema
 * `specs/overrides/overrides.schema.yaml` (which validates every override file);
 * `specs/overrides/README.md` explains and shows examples.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { SpecError } from '../errors.js';
import type { AppliedOverride } from '../model/types.js';
import type { ErrorObject } from 'ajv';
import { compiledSchema, readableErrors } from '../validate/schema.js';
import { isDataMap, parseYamlFile, type Data, type DataMap, type Positions } from '../load/yaml.js';

/** The override format's schema (specs/overrides/overrides.schema.yaml). */
export const overrideSchemaFile = fileURLToPath(
  new URL('../../../specs/overrides/overrides.schema.yaml', import.meta.url),
);

/** Project extensions recorded by `extend` patches (see the schema). */
export interface Extensions {
  ordered?: boolean;
  masked?: boolean;
  /** A binary attribute carrying another family's attribute set (on `attribute-sets[set].attributes[attr]`). */
  'nested-from'?: { family: string; 'attribute-set': string };
  /** A binary attribute with `struct:` whose payload is a packed array of that struct. */
  'struct-array'?: boolean;
  /** Key/mask consistency rules of an attribute set (checked in the model builder). */
  match?: DataMap;
  /** Request attributes the kernel requires (on `operations.list[op].do|dump.request`). */
  required?: string[];
  /** The kernel echoes the op's notification to the sender with NLM_F_ECHO (on `operations.list[op]`). */
  echo?: boolean;
}

/** What applying overrides left behind for the model builder. */
export interface OverrideResult {
  readonly errors: SpecError[];
  /** Overrides that touched an object of the spec (attr, set, struct, op, family root). */
  readonly applied: WeakMap<object, AppliedOverride[]>;
  readonly extensions: WeakMap<object, Extensions>;
  /** Positions of values the overrides inserted. */
  readonly positions?: Positions;
}

/** Where each extension applies: the shape of its target path. */
const extensionTargets: Record<keyof Extensions, { shapes: string[]; what: string }> = {
  ordered: { shapes: ['attribute-sets.[]'], what: 'an attribute set (attribute-sets[name])' },
  match: { shapes: ['attribute-sets.[]'], what: 'an attribute set (attribute-sets[name])' },
  masked: {
    shapes: ['attribute-sets.[].attributes.[]'],
    what: 'an attribute (attribute-sets[name].attributes[name])',
  },
  'nested-from': {
    shapes: ['attribute-sets.[].attributes.[]'],
    what: 'an attribute (attribute-sets[name].attributes[name])',
  },
  'struct-array': {
    shapes: ['attribute-sets.[].attributes.[]'],
    what: 'an attribute (attribute-sets[name].attributes[name])',
  },
  required: {
    shapes: ['operations.list.[].do.request', 'operations.list.[].dump.request'],
    what: "an op's request (operations.list[name].do.request or .dump.request)",
  },
  echo: { shapes: ['operations.list.[]'], what: 'an op (operations.list[name])' },
};

/** Splits `a[b].c` into `['a', {name: 'b'}, 'c']`. */
function parseTarget(target: string): (string | { name: string })[] | undefined {
  const out: (string | { name: string })[] = [];
  if (target === '') return out;
  for (const seg of target.split('.')) {
    const m = /^([a-z0-9-]+)((?:\[[^\]]+\])*)$/.exec(seg);
    if (!m) return undefined;
    out.push(m[1]!);
    for (const sel of m[2]!.matchAll(/\[([^\]]+)\]/g)) out.push({ name: sel[1]! });
  }
  return out;
}

function byName(list: Data[], name: string): DataMap | undefined {
  for (const e of list) if (isDataMap(e) && e.name === name) return e;
  return undefined;
}

/**
 * Applies the override file (if it exists) to `spec` in place.
 * @returns errors (with override file positions) and what was applied where.
 */
export function applyOverrides(spec: DataMap, file: string, family: string): OverrideResult {
  const applied = new WeakMap<object, AppliedOverride[]>();
  const extensions = new WeakMap<object, Extensions>();
  const parsed = parseYamlFile(file);
  const errors = [...parsed.errors];
  const pos = parsed.positions;
  if (errors.length) return { errors, applied, extensions };
  const validateOverrideFile = compiledSchema(overrideSchemaFile);
  const data = parsed.data;
  if (!validateOverrideFile(data) || !isDataMap(data)) {
    // The oneOf over operations reports one 'required' per alternative (or a
    // bare oneOf when several match): say it once, plainly, per patch.
    const all = validateOverrideFile.errors ?? [];
    const ops = new Map<string, ErrorObject>();
    const opChoice = (e: ErrorObject): boolean =>
      e.schemaPath.startsWith('#/properties/patches/items/oneOf');
    for (const e of all) {
      const inOneOf = opChoice(e);
      const several = e.keyword === 'oneOf' && Array.isArray(e.params.passingSchemas);
      if (inOneOf && (several || !ops.has(e.instancePath))) ops.set(e.instancePath, e);
    }
    const rest = all.filter((e) => !opChoice(e));
    for (const e of readableErrors(rest, data, pos))
      errors.push(new SpecError(e.pos, e.path, `invalid override: ${e.message}`));
    for (const [at, e] of ops) {
      const several = e.keyword === 'oneOf' && Array.isArray(e.params.passingSchemas);
      const [first] = readableErrors([{ ...e, keyword: 'ynl-op' }], data, pos);
      errors.push(
        new SpecError(
          first?.pos ?? pos.of(data),
          first?.path ?? at,
          several
            ? 'invalid override: more than one operation in one patch (use separate patches)'
            : 'invalid override: needs one operation: set, insert-before with value, append, extend or remove',
        ),
      );
    }
    return { errors, applied, extensions };
  }
  if (data.family !== family) {
    errors.push(
      new SpecError(
        pos.of(data, 'family'),
        'family',
        `names family '${String(data.family)}', expected '${family}'`,
      ),
    );
  }
  const record = (obj: object, o: AppliedOverride): void => {
    const l = applied.get(obj);
    if (l) l.push(o);
    else applied.set(obj, [o]);
  };
  const patches = data.patches as DataMap[];
  patches.forEach((p, i) => {
    const where = `patches[${i}]`;
    const target = typeof p.target === 'string' ? p.target : '';
    const reason = String(p.reason);
    const steps = parseTarget(target);
    if (!steps) {
      errors.push(
        new SpecError(
          pos.of(p, 'target'),
          `${where}.target`,
          `'${target}' is not a target path (a.b[name].c)`,
        ),
      );
      return;
    }
    let cur: Data = spec;
    let owner: object = spec;
    for (const s of steps) {
      let next: Data | undefined;
      if (typeof s === 'string') next = isDataMap(cur) ? cur[s] : undefined;
      else next = Array.isArray(cur) ? byName(cur, s.name) : undefined;
      if (next === undefined || next === null) {
        const what = typeof s === 'string' ? `'${s}'` : `no element named '${s.name}'`;
        errors.push(
          new SpecError(
            pos.of(p, 'target'),
            `${where}.target`,
            `target '${target}' does not exist in the spec (${what})`,
          ),
        );
        return;
      }
      cur = next;
      if (isDataMap(cur)) owner = cur;
    }
    const record1 = { target: target || '(family)', reason };
    if (p.set !== undefined) {
      if (!isDataMap(cur)) {
        errors.push(
          new SpecError(pos.of(p, 'set'), `${where}.set`, `target '${target}' is not a map`),
        );
        return;
      }
      for (const [k, v] of Object.entries(p.set as DataMap)) {
        if (v === null) Reflect.deleteProperty(cur, k);
        else cur[k] = v;
      }
      record(cur, record1);
    } else if (p.extend !== undefined) {
      if (!isDataMap(cur)) {
        errors.push(
          new SpecError(pos.of(p, 'extend'), `${where}.extend`, `target '${target}' is not a map`),
        );
        return;
      }
      const shape = steps.map((x) => (typeof x === 'string' ? x : '[]')).join('.');
      const ext = p.extend as Extensions;
      const wrong = (Object.keys(ext) as (keyof Extensions)[]).find(
        (k) => !extensionTargets[k].shapes.includes(shape),
      );
      if (wrong) {
        errors.push(
          new SpecError(
            pos.of(p, 'extend'),
            `${where}.extend.${wrong}`,
            `'${wrong}' applies to ${extensionTargets[wrong].what}, not to '${target}'`,
          ),
        );
        return;
      }
      extensions.set(cur, { ...extensions.get(cur), ...ext });
      record(cur, record1);
    } else {
      if (!Array.isArray(cur)) {
        errors.push(
          new SpecError(pos.of(p, 'target'), `${where}.target`, `target '${target}' is not a list`),
        );
        return;
      }
      if (typeof p.remove === 'string') {
        const gone = p.remove;
        const at = cur.findIndex((e) => isDataMap(e) && e.name === gone);
        if (at < 0) {
          errors.push(
            new SpecError(
              pos.of(p, 'remove'),
              `${where}.remove`,
              `no element named '${gone}' in '${target}'`,
            ),
          );
          return;
        }
        cur.splice(at, 1);
        record(owner, record1);
        return;
      }
      const value = (p.append ?? p.value) as Data;
      let at = cur.length;
      if (typeof p['insert-before'] === 'string') {
        const before = p['insert-before'];
        at = cur.findIndex((e) => isDataMap(e) && e.name === before);
        if (at < 0) {
          errors.push(
            new SpecError(
              pos.of(p, 'insert-before'),
              `${where}.insert-before`,
              `no element named '${before}' in '${target}'`,
            ),
          );
          return;
        }
      }
      cur.splice(at, 0, value);
      if (typeof value === 'object' && value !== null) record(value, record1);
      record(owner, record1);
    }
  });
  return { errors, applied, extensions, positions: pos };
}
