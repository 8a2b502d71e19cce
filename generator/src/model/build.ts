/**
 * The model stage: validated spec data (overrides applied) → FamilyModel.
 * Semantic validation runs first (`validate.ts`); if it finds nothing, one
 * builder per spec section builds the linked model, and every TypeScript
 * name is claimed in one place (`names.ts`) as it is made.
 * @module
 */
import { formatPath, SpecError } from '../errors.js';
import type { DataMap } from '../load/yaml.js';
import { pascal } from '../names.js';
import { buildConsts, buildEnums, buildStructs, nameEntries } from './build/definitions.js';
import { declareAttrSets, fillAttrSets } from './build/attr-sets.js';
import { buildGroups, buildOps, claimFixedNames } from './build/operations.js';
import { buildSubMessages } from './build/sub-messages.js';
import { NameScope } from './names.js';
import { docOf, num, SpecIndex, str, type BuildContext, type Report } from './spec.js';
import type { FamilyModel } from './types.js';
import { validateSpec } from './validate.js';

export type { BuildContext } from './spec.js';

/** Builds the model; returns it only when there were no errors (sorted by position). */
export function buildModel(
  spec: DataMap,
  ctx: BuildContext,
): { model?: FamilyModel; errors: SpecError[] } {
  const errors: SpecError[] = [];
  const report: Report = (obj, key, path, msg) => {
    errors.push(new SpecError(ctx.positions.of(obj, key), formatPath(path), msg));
  };
  const done = (): SpecError[] => errors.sort((a, b) => a.line - b.line || a.col - b.col);
  const ix = new SpecIndex(spec, ctx);
  const scope = (): NameScope => new NameScope(report);
  validateSpec(ix, report);
  const invalid = errors.length > 0;
  // names within one enum or the groups depend on nothing else: checked in the same pass
  const entries = nameEntries(ix, scope);
  const mcastGroups = buildGroups(ix, scope());
  if (invalid) return { errors: done() };

  const genl = ix.protocol !== 'netlink-raw';
  const top = new NameScope(report, true);
  claimFixedNames(top, ix.opList.length > 0);
  const consts = buildConsts(ix, top);
  const enums = buildEnums(ix, top, entries);
  const structs = buildStructs(ix, top, scope, enums);
  const sets = declareAttrSets(ix, top);
  const subMessages = buildSubMessages(ix, sets, structs, top);
  fillAttrSets(ix, sets, { enums, structs, subMessages }, top, scope, report);
  const ops = buildOps(ix, { sets, structs, groups: mcastGroups }, top, scope);
  const tsName = pascal(ix.name);
  const hasClient = ops.some((o) => o.do || o.dump);
  const client = hasClient
    ? {
        className: top.claim(`${tsName}Client`, 'the client class', {
          obj: spec,
          key: 'name',
          path: ['name'],
        }),
        notificationType: top.claim(`${tsName}ClientNotification`, 'the notification type', {
          obj: spec,
          key: 'name',
          path: ['name'],
        }),
      }
    : undefined;
  if (errors.length) return { errors: done() };
  const familyHeader = str(ix.ops['fixed-header']);
  const model: FamilyModel = {
    name: ix.name,
    tsName,
    protocol: ix.protocol,
    version: num(spec.version) ?? 1,
    ...(genl ? {} : { protonum: num(spec.protonum) ?? 0 }),
    ...docOf(spec),
    uapiHeader: str(spec['uapi-header']) ?? `linux/${ix.name}.h`,
    file: ctx.file,
    namePos: ctx.positions.of(spec, 'name'),
    consts,
    enums: [...enums.values()],
    structs: [...structs.values()],
    attrSets: [...sets.values()],
    ...(familyHeader !== undefined ? { fixedHeader: structs.get(familyHeader)! } : {}),
    ops,
    mcastGroups,
    subMessages: [...subMessages.values()],
    ...(client ? { client } : {}),
    overrides: ix.overridesOf(spec),
  };
  return { model, errors };
}
