/**
 * Spec data (validated, overrides applied) → FamilyModel, with the semantic
 * checks JSON Schema cannot express: references exist, values unique,
 * subsets consistent, identifiers distinct, struct layouts sane.
 * @module
 */
import { formatPath, SpecError } from '../errors.js';
import type { Extensions } from '../overrides/apply.js';
import { camel, cUpper, pascal } from '../names.js';
import { isDataMap, type Data, type DataMap, type Positions } from '../load/yaml.js';
import type {
  AppliedOverride,
  AttrModel,
  AttrSetModel,
  AttrType,
  ChecksModel,
  ConstModel,
  DisplayHint,
  EnumModel,
  FamilyModel,
  McastGroupModel,
  SubMessageModel,
  OpMessageModel,
  OpModel,
  Protocol,
  StructMemberModel,
  StructModel,
} from './types.js';
import { buildMatch } from './match.js';

/** What the builder needs besides the spec data. */
export interface BuildContext {
  readonly file: string;
  readonly positions: Positions;
  readonly applied?: WeakMap<object, AppliedOverride[]>;
  readonly extensions?: WeakMap<object, Extensions>;
}

const scalarSize: Record<string, number> = {
  u8: 1,
  s8: 1,
  u16: 2,
  s16: 2,
  u32: 4,
  s32: 4,
  u64: 8,
  s64: 8,
};

const str = (v: Data | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: Data | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const list = (v: Data | undefined): Data[] => (Array.isArray(v) ? v : []);
const maps = (v: Data | undefined): DataMap[] => list(v).filter(isDataMap);

/** Builds the model; returns it only when there were no errors. */
export function buildModel(
  spec: DataMap,
  ctx: BuildContext,
): { model?: FamilyModel; errors: SpecError[] } {
  const errors: SpecError[] = [];
  const err = (
    obj: object,
    key: string | number | undefined,
    path: (string | number)[],
    msg: string,
  ): void => {
    errors.push(new SpecError(ctx.positions.of(obj, key), formatPath(path), msg));
  };
  const overridesOf = (obj: object): AppliedOverride[] => ctx.applied?.get(obj) ?? [];
  const ext = (obj: object): Extensions => ctx.extensions?.get(obj) ?? {};

  const name = String(spec.name);
  const protocol = (str(spec.protocol) ?? 'genetlink') as Protocol;
  const defs = maps(spec.definitions);
  const consts = new Map<string, number | string>();
  // Kernel-scope consts (netdev `page-size`: PAGE_SIZE) have only a dummy value in
  // the spec: not emitted, and checks against them are left to the kernel.
  const kernelOnly = new Set<string>();
  for (const d of defs) {
    if (d.type !== 'const') continue;
    if (d.scope === 'kernel') {
      kernelOnly.add(String(d.name));
      continue;
    }
    // checks and lengths may name a const with or without its name-prefix
    consts.set(String(d.name), d.value as number | string);
    if (typeof d['name-prefix'] === 'string')
      consts.set(d['name-prefix'] + String(d.name), d.value as number | string);
  }

  // ---- names defined at the top level: each kind and all together must be unique ----
  const topNames = new Map<string, string>(); // tsName → what
  const claimTop = (obj: object, tsName: string, what: string, path: (string | number)[]): void => {
    const prev = topNames.get(tsName);
    if (prev)
      err(
        obj,
        'name',
        path,
        `${what} becomes the TypeScript name '${tsName}', already used by ${prev}`,
      );
    else topNames.set(tsName, what);
  };

  // ---- definitions ----
  const enums: EnumModel[] = [];
  const structDefs = new Map<string, DataMap>();
  const enumDefs = new Map<string, DataMap>();
  const constModels: ConstModel[] = [];
  defs.forEach((d, i) => {
    const dn = String(d.name);
    const path = ['definitions', i];
    if (
      structDefs.has(dn) ||
      enumDefs.has(dn) ||
      (d.type === 'const' && constModels.some((c) => c.name === dn))
    ) {
      err(d, 'name', [...path, 'name'], `definition '${dn}' is defined twice`);
    }
    if (d.type === 'const' && d.scope !== 'kernel') {
      constModels.push({
        name: dn,
        tsName: camel(dn),
        value: d.value as number | string,
        ...doc(d),
      });
    } else if (d.type === 'struct') structDefs.set(dn, d);
    else if (d.type === 'enum' || d.type === 'flags') enumDefs.set(dn, d);
  });
  defs.forEach((d, i) => {
    if (d.type !== 'enum' && d.type !== 'flags') return;
    const path: (string | number)[] = ['definitions', i];
    const en = String(d.name);
    const flags = d.type === 'flags';
    const prefix = str(d['name-prefix']) ?? `${name}-${en}-`;
    let next = num(d['value-start']) ?? 0;
    const seenV = new Map<number, string>();
    const seenTs = new Map<string, string>();
    const entries = list(d.entries).map((e, j) => {
      const em = isDataMap(e) ? e : undefined;
      const entryName = em ? String(em.name) : String(e);
      const raw = num(em?.value) ?? next;
      next = raw + 1;
      const value = flags ? 2 ** raw : raw;
      const epath = [...path, 'entries', j];
      const owner: object = em ?? list(d.entries);
      const key = em ? 'name' : j;
      const dup = seenV.get(value);
      if (dup !== undefined)
        err(
          em ?? list(d.entries),
          em ? 'value' : j,
          epath,
          `value ${value} of '${entryName}' is already used by '${dup}'`,
        );
      seenV.set(value, entryName);
      const tsName = camel(entryName);
      const dupTs = seenTs.get(tsName);
      if (dupTs !== undefined)
        err(
          owner,
          key,
          epath,
          `'${entryName}' and '${dupTs}' both become the TypeScript name '${tsName}'`,
        );
      seenTs.set(tsName, entryName);
      return { name: entryName, tsName, value, cName: cUpper(prefix + entryName), ...doc(em) };
    });
    const tsName = pascal(en);
    claimTop(d, tsName, `${d.type} '${en}'`, [...path, 'name']);
    enums.push({ name: en, tsName, flags, ...doc(d), entries, overrides: overridesOf(d) });
  });

  const structs: StructModel[] = [];
  const structSizes = new Map<string, number>();
  const structSize = (sn: string, stack: string[] = []): number => {
    const known = structSizes.get(sn);
    if (known !== undefined) return known;
    const d = structDefs.get(sn);
    if (!d || stack.includes(sn)) return 0;
    let size = 0;
    for (const m of maps(d.members)) size += memberSize(m, [...stack, sn]);
    structSizes.set(sn, size);
    return size;
  };
  const resolveLen = (v: Data | undefined): number | undefined => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const m = /^(.*?)( - 1)?$/.exec(v)!;
      const c = consts.get(m[1]!);
      if (typeof c === 'number') return m[2] ? c - 1 : c;
    }
    return undefined;
  };
  const memberSize = (m: DataMap, stack: string[]): number => {
    const t = String(m.type);
    if (scalarSize[t] !== undefined) return scalarSize[t];
    if (typeof m.struct === 'string' && m.len === undefined) return structSize(m.struct, stack);
    return resolveLen(m.len) ?? 0;
  };
  defs.forEach((d, i) => {
    if (d.type !== 'struct') return;
    const path: (string | number)[] = ['definitions', i];
    const sn = String(d.name);
    let offset = 0;
    const seenTs = new Map<string, string>();
    const members: StructMemberModel[] = maps(d.members).map((m, j) => {
      const mpath = [...path, 'members', j];
      // genetlink-legacy structs have no `pad` member type: binary members named
      // pad/padN/__pad are padding (hidden from users, written as zeros).
      const t = m.type === 'binary' && /^_*pad\d*$/.test(String(m.name)) ? 'pad' : String(m.type);
      const mn = String(m.name);
      if (m.enum !== undefined && !enumDefs.has(String(m.enum)))
        err(m, 'enum', [...mpath, 'enum'], `enum '${String(m.enum)}' is not defined`);
      if (typeof m.struct === 'string' && !structDefs.has(m.struct))
        err(m, 'struct', [...mpath, 'struct'], `struct '${m.struct}' is not defined`);
      let size: number;
      if (scalarSize[t] !== undefined) {
        size = scalarSize[t];
        if (m.len !== undefined)
          err(m, 'len', [...mpath, 'len'], `a ${t} member has a fixed size; 'len' does not apply`);
      } else if (t === 'binary' || t === 'string' || t === 'pad') {
        size = memberSize(m, [sn]);
        if (size <= 0) {
          const why =
            m.len === undefined
              ? `needs 'len'`
              : `has a 'len' that is not a positive size (${JSON.stringify(m.len)})`;
          err(
            m,
            m.len === undefined ? 'type' : 'len',
            [...mpath, m.len === undefined ? 'type' : 'len'],
            `${t} member '${mn}' ${why}`,
          );
        }
      } else {
        err(m, 'type', [...mpath, 'type'], `member type '${t}' cannot be laid out in a struct`);
        size = 0;
      }
      if (t !== 'pad') {
        const tsName = camel(mn);
        const dup = seenTs.get(tsName);
        if (dup !== undefined)
          err(
            m,
            'name',
            [...mpath, 'name'],
            `'${mn}' and '${dup}' both become the TypeScript name '${tsName}'`,
          );
        seenTs.set(tsName, mn);
      }
      const member: StructMemberModel = {
        name: mn,
        tsName: t === 'pad' ? `_pad${j}` : camel(mn),
        type: (typeof m.struct === 'string' && t === 'binary'
          ? 'struct'
          : t) as StructMemberModel['type'],
        offset,
        size,
        byteOrder: m['byte-order'] === 'big-endian' ? 'big-endian' : 'host',
        ...(str(m.enum) !== undefined ? { enum: str(m.enum) } : {}),
        ...(typeof m.struct === 'string' ? { struct: m.struct } : {}),
        ...(str(m['display-hint']) !== undefined
          ? { displayHint: m['display-hint'] as DisplayHint }
          : {}),
        ...doc(m),
      };
      offset += size;
      return member;
    });
    if (offset === 0) err(d, 'name', [...path, 'name'], `struct '${sn}' has size 0`);
    const tsName = pascal(sn);
    claimTop(d, tsName, `struct '${sn}'`, [...path, 'name']);
    structs.push({ name: sn, tsName, size: offset, ...doc(d), members, overrides: overridesOf(d) });
  });

  // ---- attribute sets ----
  const setData = new Map<string, DataMap>();
  maps(spec['attribute-sets']).forEach((s, i) => {
    const sn = String(s.name);
    if (setData.has(sn))
      err(s, 'name', ['attribute-sets', i, 'name'], `attribute set '${sn}' is defined twice`);
    setData.set(sn, s);
  });
  const subMessages = new Set(maps(spec['sub-messages']).map((m) => String(m.name)));
  const attrNames = new Set<string>();
  for (const s of setData.values())
    for (const a of maps(s.attributes)) attrNames.add(String(a.name));
  const attrSets: AttrSetModel[] = [];
  maps(spec['attribute-sets']).forEach((s, i) => {
    const path: (string | number)[] = ['attribute-sets', i];
    const sn = String(s.name);
    const parentName = str(s['subset-of']);
    const parent = parentName !== undefined ? setData.get(parentName) : undefined;
    if (parentName !== undefined && !parent)
      err(
        s,
        'subset-of',
        [...path, 'subset-of'],
        `attribute set '${parentName}' (subset-of) is not defined`,
      );
    const prefixOwner = parent ?? s;
    const prefix =
      str(prefixOwner['name-prefix']) ??
      (String(prefixOwner.name) === name ? `${name}-a-` : `${name}-a-${String(prefixOwner.name)}-`);
    // implicit values: counted over the defining set
    const valuesOf = (set: DataMap): Map<string, number> => {
      const out = new Map<string, number>();
      let v = 1;
      for (const a of maps(set.attributes)) {
        v = num(a.value) ?? v;
        out.set(String(a.name), v);
        v += 1;
      }
      return out;
    };
    const values = valuesOf(parent ?? s);
    const parentAttrs = new Map(maps(parent?.attributes).map((a) => [String(a.name), a]));
    const seenV = new Map<number, string>();
    const seenTs = new Map<string, string>();
    const attrs: AttrModel[] = [];
    maps(s.attributes).forEach((own, j) => {
      const apath = [...path, 'attributes', j];
      const an = String(own.name);
      let a: DataMap = own;
      if (parent) {
        const pa = parentAttrs.get(an);
        if (!pa) {
          err(
            own,
            'name',
            [...apath, 'name'],
            `'${an}' is not an attribute of '${parentName}', which this set is a subset of`,
          );
          return;
        }
        a = { ...pa, ...own };
      }
      const value = values.get(an)!;
      const dupV = seenV.get(value);
      if (dupV !== undefined)
        err(
          own,
          'value' in own ? 'value' : 'name',
          apath,
          `value ${value} of '${an}' is already used by '${dupV}'`,
        );
      seenV.set(value, an);
      const tsName = camel(an);
      const dupTs = seenTs.get(tsName);
      if (dupTs !== undefined)
        err(
          own,
          'name',
          [...apath, 'name'],
          `'${an}' and '${dupTs}' both become the TypeScript name '${tsName}'`,
        );
      seenTs.set(tsName, an);
      const t = String(a.type) as AttrType;
      const nested = str(a['nested-attributes']);
      if (nested !== undefined && !setData.has(nested))
        err(
          own,
          'nested-attributes',
          [...apath, 'nested-attributes'],
          `attribute set '${nested}' is not defined`,
        );
      if ((t === 'nest' || t === 'nest-type-value') && nested === undefined)
        err(own, 'type', [...apath, 'type'], `a ${t} attribute needs 'nested-attributes'`);
      const sub = str(a['sub-type']);
      if (t === 'indexed-array' && sub === undefined)
        err(own, 'type', [...apath, 'type'], `an indexed-array attribute needs 'sub-type'`);
      if (t === 'indexed-array' && sub === 'nest' && nested === undefined)
        err(
          own,
          'sub-type',
          [...apath, 'sub-type'],
          `an indexed-array of nests needs 'nested-attributes'`,
        );
      const struct = str(a.struct);
      if (struct !== undefined && !structDefs.has(struct))
        err(own, 'struct', [...apath, 'struct'], `struct '${struct}' is not defined`);
      const en = str(a.enum);
      if (en !== undefined && !enumDefs.has(en))
        err(own, 'enum', [...apath, 'enum'], `enum '${en}' is not defined`);
      const sm = str(a['sub-message']);
      if (sm !== undefined && !subMessages.has(sm))
        err(own, 'sub-message', [...apath, 'sub-message'], `sub-message '${sm}' is not defined`);
      const selector = str(a.selector);
      if (t === 'sub-message' && (sm === undefined || selector === undefined))
        err(
          own,
          'type',
          [...apath, 'type'],
          `a sub-message attribute needs 'sub-message' and 'selector'`,
        );
      if (selector !== undefined && !attrNames.has(selector))
        err(
          own,
          'selector',
          [...apath, 'selector'],
          `selector '${selector}' is not an attribute of any attribute set`,
        );
      const checks = isDataMap(a.checks)
        ? buildChecks(a.checks, t, consts, kernelOnly, (k, msg) =>
            err(a.checks as DataMap, k, [...apath, 'checks', k], msg),
          )
        : undefined;
      if (
        checks?.exactLen !== undefined &&
        struct !== undefined &&
        structSize(struct) !== checks.exactLen
      ) {
        err(
          own,
          'struct',
          [...apath, 'struct'],
          `struct '${struct}' is ${structSize(struct)} bytes but checks.exact-len is ${checks.exactLen}`,
        );
      }
      attrs.push({
        name: an,
        tsName,
        value,
        type: t,
        cName: cUpper(prefix + an),
        byteOrder: a['byte-order'] === 'big-endian' ? 'big-endian' : 'host',
        multi: a['multi-attr'] === true,
        ...(nested !== undefined ? { nested } : {}),
        ...(struct !== undefined ? { struct } : {}),
        ...(sub !== undefined ? { subType: sub as AttrType } : {}),
        ...(Array.isArray(a['type-value']) ? { typeValue: a['type-value'].map(String) } : {}),
        ...(en !== undefined ? { enum: en } : {}),
        enumAsFlags: a['enum-as-flags'] === true,
        ...(sm !== undefined ? { subMessage: sm } : {}),
        ...(selector !== undefined ? { selector } : {}),
        masked:
          ext(own).masked === true || (parent ? ext(parentAttrs.get(an)!).masked === true : false),
        ...(checks ? { checks } : {}),
        ...(str(a['display-hint']) !== undefined
          ? { displayHint: a['display-hint'] as DisplayHint }
          : {}),
        ...doc(a),
        overrides: [...overridesOf(own), ...(parent ? overridesOf(parentAttrs.get(an)!) : [])],
      });
    });
    // A set named like an enum or struct (ethtool: enum and set `stringset`) takes an `Attrs` suffix.
    const tsName = topNames.has(pascal(sn)) ? pascal(`${sn}-attrs`) : pascal(sn);
    claimTop(s, tsName, `attribute set '${sn}'`, [...path, 'name']);
    attrSets.push({
      name: sn,
      tsName,
      ...doc(s),
      ordered: ext(s).ordered === true || (parent ? ext(parent).ordered === true : false),
      ...(parentName !== undefined ? { subsetOf: parentName } : {}),
      attrs,
      overrides: overridesOf(s),
    });
  });
  // Match rules name attributes of other sets, so they are built once all sets exist.
  const setByName = new Map(attrSets.map((x) => [x.name, x]));
  const structByName = new Map(structs.map((x) => [x.name, x]));
  maps(spec['attribute-sets']).forEach((s, i) => {
    const raw = ext(s).match;
    const owner = setByName.get(String(s.name));
    if (raw === undefined || owner === undefined) return;
    const match = buildMatch(raw, owner, setByName, structByName, err, [
      'attribute-sets',
      i,
      'match',
    ]);
    if (match) attrSets[attrSets.indexOf(owner)] = { ...owner, match };
  });

  // ---- operations ----
  const opsData = isDataMap(spec.operations) ? spec.operations : {};
  const familyHeader = str(opsData['fixed-header']);
  if (familyHeader !== undefined && !structDefs.has(familyHeader))
    err(
      opsData,
      'fixed-header',
      ['operations', 'fixed-header'],
      `struct '${familyHeader}' is not defined`,
    );
  const opPrefix = str(opsData['name-prefix']) ?? `${name}-cmd-`;
  const directional = opsData['enum-model'] === 'directional';
  const opList = maps(opsData.list);
  const opNames = new Set(opList.map((o) => String(o.name)));
  const ops: OpModel[] = [];
  const seenOpTs = new Map<string, string>();
  const seenOpV = new Map<number, string>();
  let reqVal = 1;
  let rspVal = 1;
  opList.forEach((o, i) => {
    const path: (string | number)[] = ['operations', 'list', i];
    const on = String(o.name);
    const setName = str(o['attribute-set']);
    const set = setName !== undefined ? setData.get(setName) : undefined;
    if (setName !== undefined && !set)
      err(
        o,
        'attribute-set',
        [...path, 'attribute-set'],
        `attribute set '${setName}' is not defined`,
      );
    const header = str(o['fixed-header']) ?? familyHeader;
    if (str(o['fixed-header']) !== undefined && !structDefs.has(header!))
      err(o, 'fixed-header', [...path, 'fixed-header'], `struct '${header!}' is not defined`);
    const known = new Set(maps(set?.attributes).map((a) => String(a.name)));
    const msg = (m: Data | undefined, mpath: (string | number)[]): OpMessageModel | undefined => {
      if (!isDataMap(m)) return undefined;
      const names = list(m.attributes).map(String);
      if (set) {
        names.forEach((n, k) => {
          if (!known.has(n))
            err(
              list(m.attributes),
              k,
              [...mpath, 'attributes', k],
              `'${n}' is not an attribute of '${setName!}'`,
            );
        });
      }
      return { attrs: names, ...(num(m.value) !== undefined ? { value: num(m.value) } : {}) };
    };
    const mode = (key: 'do' | 'dump'): OpModel['do'] => {
      const m = o[key];
      if (!isDataMap(m)) return undefined;
      const request = msg(m.request, [...path, key, 'request']);
      const reply = msg(m.reply, [...path, key, 'reply']);
      return { ...(request ? { request } : {}), ...(reply ? { reply } : {}) };
    };
    const doM = mode('do');
    const dumpM = mode('dump');
    // command numbers: unified: one counter; directional: request and reply counters
    let value: number;
    if (!directional) {
      value = num(o.value) ?? reqVal;
      reqVal = value + 1;
    } else if (o.notify !== undefined || o.event !== undefined) {
      value = num(o.value) ?? rspVal;
      rspVal = value + 1;
    } else {
      const m = (doM ?? dumpM)!;
      const rq = m?.request?.value ?? reqVal;
      const rp = m?.reply?.value ?? rspVal;
      value = rq;
      reqVal = rq + 1;
      rspVal = rp + (m?.reply ? 1 : 0);
      if (m?.reply && m.reply.value === undefined)
        (m as { reply: { value?: number } }).reply.value = rp;
    }
    // Requests need distinct commands; notifications may reuse a request's number
    // (OVS multicasts OVS_FLOW_CMD_NEW after a NEW request).
    if (o.notify === undefined && o.event === undefined) {
      const dupV = seenOpV.get(value);
      if (dupV !== undefined)
        err(
          o,
          'value' in o ? 'value' : 'name',
          path,
          `command ${value} of '${on}' is already used by '${dupV}'`,
        );
      seenOpV.set(value, on);
    }
    const notify = str(o.notify);
    if (notify !== undefined && !opNames.has(notify))
      err(o, 'notify', [...path, 'notify'], `operation '${notify}' (notify) is not defined`);
    const mcgrp = str(o.mcgrp);
    const groups = maps(isDataMap(spec['mcast-groups']) ? spec['mcast-groups'].list : []).map((g) =>
      String(g.name),
    );
    if (mcgrp !== undefined && !groups.includes(mcgrp))
      err(o, 'mcgrp', [...path, 'mcgrp'], `multicast group '${mcgrp}' is not defined`);
    const tsName = camel(on);
    const dupTs = seenOpTs.get(tsName);
    if (dupTs !== undefined)
      err(
        o,
        'name',
        [...path, 'name'],
        `'${on}' and '${dupTs}' both become the TypeScript name '${tsName}'`,
      );
    seenOpTs.set(tsName, on);
    const event = isDataMap(o.event) ? msg(o.event, [...path, 'event']) : undefined;
    ops.push({
      name: on,
      tsName,
      value,
      cName: cUpper(opPrefix + on),
      ...doc(o),
      ...(setName !== undefined ? { attrSet: setName } : {}),
      ...(header !== undefined ? { fixedHeader: header } : {}),
      ...(doM ? { do: doM } : {}),
      ...(dumpM ? { dump: dumpM } : {}),
      ...(notify !== undefined ? { notify } : {}),
      ...(event ? { event } : {}),
      ...(mcgrp !== undefined ? { mcgrp } : {}),
      flags: list(o.flags).map(String) as OpModel['flags'],
      overrides: overridesOf(o),
    });
  });

  // A notification that reuses a request's command number (OVS multicasts
  // OVS_FLOW_CMD_NEW) is that command in C as well.
  if (!directional) {
    const requests = new Map(
      ops.filter((o) => o.notify === undefined && !o.event).map((o) => [o.value, o.cName]),
    );
    ops.forEach((o, i) => {
      const shared = o.notify !== undefined || o.event ? requests.get(o.value) : undefined;
      if (shared !== undefined) ops[i] = { ...o, cName: shared };
    });
  }

  // ---- sub-messages (netlink-raw) ----
  const subMessageModels: SubMessageModel[] = [];
  const seenSub = new Set<string>();
  maps(spec['sub-messages']).forEach((m, i) => {
    const path: (string | number)[] = ['sub-messages', i];
    const mn = String(m.name);
    if (seenSub.has(mn)) err(m, 'name', [...path, 'name'], `sub-message '${mn}' is defined twice`);
    seenSub.add(mn);
    const tsName = pascal(mn);
    claimTop(m, tsName, `sub-message '${mn}'`, [...path, 'name']);
    const values = new Set<string>();
    const formats = maps(m.formats).map((f, j) => {
      const fpath = [...path, 'formats', j];
      const value = String(f.value);
      if (values.has(value))
        err(f, 'value', [...fpath, 'value'], `format '${value}' is listed twice`);
      values.add(value);
      const attrSet = str(f['attribute-set']);
      if (attrSet !== undefined && !setData.has(attrSet))
        err(
          f,
          'attribute-set',
          [...fpath, 'attribute-set'],
          `attribute set '${attrSet}' is not defined`,
        );
      const fixedHeader = str(f['fixed-header']);
      if (fixedHeader !== undefined && !structDefs.has(fixedHeader))
        err(
          f,
          'fixed-header',
          [...fpath, 'fixed-header'],
          `struct '${fixedHeader}' is not defined`,
        );
      return {
        value,
        ...(attrSet !== undefined ? { attrSet } : {}),
        ...(fixedHeader !== undefined ? { fixedHeader } : {}),
      };
    });
    subMessageModels.push({ name: mn, tsName, formats });
  });

  const seenGroups = new Map<string, string>();
  const mcastGroups: McastGroupModel[] = maps(
    isDataMap(spec['mcast-groups']) ? spec['mcast-groups'].list : [],
  ).map((g, i) => {
    const gn = String(g.name);
    const tsName = camel(gn);
    const dup = seenGroups.get(tsName);
    if (dup !== undefined)
      err(
        g,
        'name',
        ['mcast-groups', 'list', i, 'name'],
        dup === gn
          ? `multicast group '${gn}' is listed twice`
          : `'${gn}' and '${dup}' both become the TypeScript name '${tsName}'`,
      );
    seenGroups.set(tsName, gn);
    const value = num(g.value);
    return { name: gn, tsName, ...(value !== undefined ? { value } : {}) };
  });

  if (errors.length) return { errors };
  const model: FamilyModel = {
    name,
    tsName: pascal(name),
    protocol,
    version: num(spec.version) ?? 1,
    ...doc(spec),
    uapiHeader: str(spec['uapi-header']) ?? `linux/${name}.h`,
    file: ctx.file,
    consts: constModels,
    enums,
    structs,
    attrSets,
    ...(familyHeader !== undefined ? { fixedHeader: familyHeader } : {}),
    ops,
    mcastGroups,
    subMessages: subMessageModels,
    overrides: overridesOf(spec),
  };
  return { model, errors };
}

function doc(obj: DataMap | undefined): { doc?: string } {
  const d = obj ? str(obj.doc) : undefined;
  return d !== undefined && d.trim() !== '' ? { doc: d.trim() } : {};
}

const limits: Record<string, [bigint, bigint]> = {};
for (const [t, bits] of [
  ['8', 8n],
  ['16', 16n],
  ['32', 32n],
  ['64', 64n],
] as const) {
  limits[`u${t}`] = [0n, (1n << bits) - 1n];
  limits[`s${t}`] = [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

function buildChecks(
  c: DataMap,
  type: AttrType,
  consts: Map<string, number | string>,
  kernelOnly: ReadonlySet<string>,
  err: (key: string, msg: string) => void,
): ChecksModel | undefined {
  const wide = type === 'u64' || type === 's64' || type === 'uint' || type === 'sint';
  const value = (key: string): number | bigint | undefined => {
    const v = c[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && kernelOnly.has(v)) return undefined;
    let big: bigint | undefined;
    if (typeof v === 'number') big = BigInt(v);
    else if (typeof v === 'string') {
      const lim = /^([us](?:8|16|32|64))-(min|max)$/.exec(v);
      if (lim) big = limits[lim[1]!]![lim[2] === 'min' ? 0 : 1];
      else {
        const k = consts.get(v);
        if (typeof k === 'number') big = BigInt(k);
      }
    }
    if (big === undefined) {
      err(
        key,
        `'${String(v)}' is neither a number, a defined constant nor a type limit like u32-max`,
      );
      return undefined;
    }
    return wide || big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)
      ? big
      : Number(big);
  };
  const len = (key: string): number | undefined => {
    const v = value(key);
    return v === undefined ? undefined : Number(v);
  };
  const out: { -readonly [K in keyof ChecksModel]: ChecksModel[K] } = {};
  const min = value('min');
  const max = value('max');
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  const minLen = len('min-len');
  const maxLen = len('max-len');
  const exactLen = len('exact-len');
  if (minLen !== undefined) out.minLen = minLen;
  if (maxLen !== undefined) out.maxLen = maxLen;
  if (exactLen !== undefined) out.exactLen = exactLen;
  if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max))
    err('min', `min ${min} is greater than max ${max}`);
  return Object.keys(out).length ? out : undefined;
}
