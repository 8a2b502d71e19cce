/**
 * Builders of `operations:` and `mcast-groups:`: ops linked to their set,
 * fixed header, notification target, group and echo, with the names of their
 * client methods and of their per-mode request/reply types.
 * @module
 */
import { isDataMap, type Data, type DataMap } from '../../load/yaml.js';
import { camel, cUpper, pascal } from '../../names.js';
import type { NameScope } from '../names.js';
import { docOf, isMulticast, list, num, opValues, str, type SpecIndex } from '../spec.js';
import type {
  AttrModel,
  AttrSetModel,
  McastGroupModel,
  OpMessageModel,
  OpModeModel,
  OpModel,
  StructModel,
} from '../types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Members of the runtime's GenlFamilyClient that a method must not shadow. */
const clientMembers = new Set([
  'open',
  'family',
  'socket',
  'def',
  'notifications',
  'events',
  'doOp',
  'dumpOp',
  'encodeOp',
  'doOpReply',
]);

/** Names the module declares besides the spec's (claimed before any spec name). */
export function claimFixedNames(top: NameScope, hasOps: boolean): void {
  if (!hasOps) return;
  const site = { obj: {}, key: undefined, path: [] };
  for (const n of ['ops', 'family', 'emptySet']) top.claim(n, `the generated '${n}'`, site);
}

/**
 * The multicast groups with their TS names. Needs nothing else of the spec,
 * so it runs with the semantic checks (a collision is reported with the
 * other errors of the file).
 */
export function buildGroups(ix: SpecIndex, scope: NameScope): McastGroupModel[] {
  const listed = new Set<string>();
  return ix.groups.map((g, i) => {
    const gn = String(g.name);
    const value = num(g.value);
    const site = { obj: g, key: 'name', path: ['mcast-groups', 'list', i, 'name'] };
    // a name listed twice is reported by validation
    const tsName = listed.has(gn)
      ? camel(gn)
      : scope.claim(camel(gn), `multicast group '${gn}'`, site);
    listed.add(gn);
    return { name: gn, tsName, ...(value !== undefined ? { value } : {}) };
  });
}

/**
 * The key of an op's fixed header in its messages: `header`, unless the
 * op's attribute set has an attribute of that TS name; then `fixedHeader`,
 * `fixedHeader_`, ... (never an attribute's name).
 */
function headerKey(set: AttrSetModel | undefined): string {
  const taken = new Set(set?.attrs.map((a) => a.tsName));
  if (!taken.has('header')) return 'header';
  let key = 'fixedHeader';
  while (taken.has(key)) key += '_';
  return key;
}

/** Name of the dump method of an op: `get` → `dump`, `x-get` → `xDump`, `y` → `yDump`. */
function dumpName(op: string): string {
  return op === 'get' ? 'dump' : op.endsWith('-get') ? `${op.slice(0, -4)}-dump` : `${op}-dump`;
}

export function buildOps(
  ix: SpecIndex,
  links: {
    readonly sets: ReadonlyMap<string, AttrSetModel>;
    readonly structs: ReadonlyMap<string, StructModel>;
    readonly groups: readonly McastGroupModel[];
  },
  top: NameScope,
  scope: () => NameScope,
): OpModel[] {
  const values = opValues(ix);
  const directional = ix.ops['enum-model'] === 'directional';
  const opPrefix = str(ix.ops['name-prefix']) ?? `${ix.name}-cmd-`;
  const familyHeader = str(ix.ops['fixed-header']);
  const opNames = scope();
  const methods = scope();
  const method = (n: string): string => {
    const base = clientMembers.has(n) ? `${n}Op` : n;
    const name = methods.pick(base, `${base}_`, `${base}__`);
    return methods.claim(name, `method '${name}'`, { obj: {}, key: undefined, path: [] });
  };
  const byData = new Map<DataMap, Mutable<OpModel>>();
  const ops = ix.opList.map((o, i) => {
    const path = ['operations', 'list', i];
    const on = String(o.name);
    const set = str(o['attribute-set']) !== undefined ? links.sets.get(String(o['attribute-set'])) : undefined;
    const headerName = str(o['fixed-header']) ?? familyHeader;
    const header = headerName !== undefined ? links.structs.get(headerName) : undefined;
    const attrsOf = (names: Data | undefined): AttrModel[] =>
      list(names)
        .map((n) => set?.attrs.find((a) => a.name === String(n)))
        .filter((a): a is AttrModel => a !== undefined);
    const message = (m: DataMap, typeName: string, required: readonly string[] = []): OpMessageModel => {
      const attrs = attrsOf(m.attributes);
      const site = { obj: m, key: undefined, path };
      return {
        typeName: top.claim(typeName, `a message type of operation '${on}'`, site),
        attrs,
        required: attrs.filter((a) => required.includes(a.name)),
        ...(num(m.value) !== undefined ? { value: num(m.value) } : {}),
      };
    };
    const mode = (key: 'do' | 'dump'): OpModeModel | undefined => {
      const m = o[key];
      if (!isDataMap(m)) return undefined;
      const base = key === 'do' ? on : dumpName(on);
      return {
        method: method(camel(base)),
        request: message(isDataMap(m.request) ? m.request : {}, `${pascal(base)}Request`, ix.required(o, key)),
        ...(isDataMap(m.reply) ? { reply: message(m.reply, `${pascal(base)}Reply`) } : {}),
      };
    };
    const doM = mode('do');
    const dumpM = mode('dump');
    const mcgrp = str(o.mcgrp);
    const group = mcgrp !== undefined ? links.groups.find((g) => g.name === mcgrp) : undefined;
    const op: Mutable<OpModel> = {
      name: on,
      tsName: opNames.claim(camel(on), `operation '${on}'`, { obj: o, key: 'name', path: [...path, 'name'] }),
      value: values.get(o)!.value,
      cName: cUpper(opPrefix + on),
      ...docOf(o),
      ...(set ? { attrSet: set } : {}),
      ...(header ? { fixedHeader: header } : {}),
      headerKey: headerKey(set),
      ...(doM ? { do: doM } : {}),
      ...(dumpM ? { dump: dumpM } : {}),
      ...(isDataMap(o.event) ? { message: message(o.event, `${pascal(on)}Event`) } : {}),
      event: isDataMap(o.event),
      ...(group ? { mcgrp: group } : {}),
      flags: list(o.flags).map(String) as OpModel['flags'],
      overrides: ix.overridesOf(o),
    };
    // a reply id that differs from the request's (directional enum model)
    const replyValue = values.get(o)!.replyValue;
    if (replyValue !== undefined) {
      const m = (op.do ?? op.dump)!;
      if (m.reply && m.reply.value === undefined)
        (m as Mutable<OpModeModel>).reply = { ...m.reply, value: replyValue };
    }
    byData.set(o, op);
    return op;
  });
  // Second pass: links between ops.
  ix.opList.forEach((o, i) => {
    const op = byData.get(o)!;
    const notify = str(o.notify);
    if (notify !== undefined) {
      const target = ops.find((x) => x.name === notify)!;
      op.notify = target;
      // the notification carries the target's reply; its set is the target's
      const reply = target.do?.reply ?? target.dump?.reply;
      if (target.attrSet) {
        op.attrSet = target.attrSet;
        op.headerKey = headerKey(target.attrSet);
      }
      op.message = {
        typeName: top.claim(`${pascal(op.name)}Notification`, `the message type of notification '${op.name}'`, {
          obj: o,
          key: 'name',
          path: ['operations', 'list', i, 'name'],
        }),
        attrs: reply?.attrs ?? [],
        required: [],
      };
    }
  });
  const requests = new Map(ops.filter((x) => !isMulticast(ix.opList[ops.indexOf(x)]!)).map((x) => [x.value, x]));
  ix.opList.forEach((o) => {
    const op = byData.get(o)!;
    // A notification that reuses a request's command number (OVS multicasts
    // OVS_FLOW_CMD_NEW) is that command in C as well.
    if (!directional && isMulticast(o)) {
      const shared = requests.get(op.value);
      if (shared) op.cName = shared.cName;
    }
    if (ix.ext(o).echo === true)
      op.echo = ops.find((x, k) => isMulticast(ix.opList[k]!) && x.value === op.value && x.message);
  });
  return ops;
}
