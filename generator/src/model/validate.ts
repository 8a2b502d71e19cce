/**
 * Semantic validation: what JSON Schema cannot say about a spec (references
 * exist, values and names are unique, subsets are consistent, structs can be
 * laid out, op messages list attributes of their set, override extensions
 * name what exists). Runs before the builders, which may then assume a
 * well-formed spec. Name collisions of the generated TypeScript are checked
 * after building (`names.ts`), where the names exist.
 * @module
 */
import { isDataMap, type DataMap } from '../load/yaml.js';
import {
  isMulticast,
  list,
  maps,
  opValues,
  scalarSize,
  str,
  type Path,
  type Report,
  type SpecIndex,
} from './spec.js';

/** The largest attribute type: `nla_type` has 16 bits, of which 2 are the nested and byte-order flags. */
const maxAttrType = 0x3fff;

/** The largest struct: the payload of one attribute (`nla_len` is 16 bits, 4 of them the header). */
const maxStructSize = 0xffff - 4;
const structCap = `a struct is at most ${maxStructSize} bytes, the payload of one netlink attribute (nla_len has 16 bits)`;

function tooLongMember(ix: SpecIndex, d: DataMap): boolean {
  return maps(d.members).some((m) => m.len !== undefined && ix.memberSize(m) > maxStructSize);
}

/** Reports every semantic problem of the spec through `report`. */
export function validateSpec(ix: SpecIndex, report: Report): void {
  validateDefinitions(ix, report);
  validateAttrSets(ix, report);
  validateOperations(ix, report);
  validateSubMessages(ix, report);
  validateGroups(ix, report);
}

function validateDefinitions(ix: SpecIndex, report: Report): void {
  const seen = new Set<string>();
  ix.defs.forEach((d, i) => {
    const dn = String(d.name);
    const path: Path = ['definitions', i];
    if (seen.has(dn)) report(d, 'name', [...path, 'name'], `definition '${dn}' is defined twice`);
    seen.add(dn);
    if (d.type === 'enum' || d.type === 'flags') {
      const values = new Map<number, string>();
      const names = new Set<string>();
      ix.entries(d).forEach((e, j) => {
        if (names.has(e.name))
          report(e.owner, e.key, [...path, 'entries', j], `entry '${e.name}' is listed twice`);
        names.add(e.name);
        if (d.type === 'enum' && e.value > Number.MAX_SAFE_INTEGER)
          report(
            e.owner,
            e.data && 'value' in e.data ? 'value' : e.key,
            [...path, 'entries', j],
            `value of '${e.name}' counts past 2^53 - 1 and would be rounded`,
          );
        if (d.type === 'flags' && e.value > 2 ** 63)
          report(
            e.owner,
            e.data && 'value' in e.data ? 'value' : e.key,
            [...path, 'entries', j],
            `flag '${e.name}' is bit ${Math.log2(e.value)}, beyond the 64 bits of a u64`,
          );
        const dup = values.get(e.value);
        if (dup !== undefined)
          report(
            e.owner,
            e.data ? 'value' : e.key,
            [...path, 'entries', j],
            `value ${e.value} of '${e.name}' is already used by '${dup}'`,
          );
        values.set(e.value, e.name);
      });
    } else if (d.type === 'struct') {
      let size = 0;
      maps(d.members).forEach((m, j) => {
        const mpath = [...path, 'members', j];
        const t = ix.memberType(m);
        if (m.enum !== undefined && !ix.enums.has(String(m.enum)))
          report(m, 'enum', [...mpath, 'enum'], `enum '${String(m.enum)}' is not defined`);
        if (typeof m.struct === 'string' && !ix.structs.has(m.struct))
          report(m, 'struct', [...mpath, 'struct'], `struct '${m.struct}' is not defined`);
        const s = ix.memberSize(m, [dn]);
        if (scalarSize(t) !== undefined) {
          if (m.len !== undefined)
            report(
              m,
              'len',
              [...mpath, 'len'],
              `a ${t} member has a fixed size; 'len' does not apply`,
            );
        } else if (t === 'binary' || t === 'string' || t === 'pad') {
          if (s <= 0) {
            const key = m.len === undefined ? 'type' : 'len';
            const why =
              m.len === undefined
                ? `needs 'len'`
                : `has a 'len' that is not a positive size (${JSON.stringify(m.len)})`;
            report(m, key, [...mpath, key], `${t} member '${String(m.name)}' ${why}`);
          }
        } else {
          report(
            m,
            'type',
            [...mpath, 'type'],
            `member type '${t}' cannot be laid out in a struct`,
          );
        }
        if (s > maxStructSize && m.len !== undefined)
          report(
            m,
            'len',
            [...mpath, 'len'],
            `member '${String(m.name)}' is ${s} bytes; ${structCap}`,
          );
        size += Math.max(s, 0);
      });
      if (size === 0) report(d, 'name', [...path, 'name'], `struct '${dn}' has size 0`);
      else if (size > maxStructSize && !tooLongMember(ix, d))
        report(d, 'name', [...path, 'name'], `struct '${dn}' is ${size} bytes; ${structCap}`);
    }
  });
}

/** Types a sub-message selector may have: its value is compared with the format values. */
const selectorTypes = new Set([
  'string',
  'u8',
  'u16',
  'u32',
  'u64',
  's8',
  's16',
  's32',
  's64',
  'uint',
  'sint',
]);

/** For each set, the sets that contain it: as a nest's attributes or a sub-message format. */
function enclosingSets(ix: SpecIndex): Map<string, Set<string>> {
  const up = new Map<string, Set<string>>();
  const link = (child: string | undefined, parent: string): void => {
    if (child === undefined) return;
    let s = up.get(child);
    if (s === undefined) up.set(child, (s = new Set()));
    s.add(parent);
  };
  for (const [sn, s] of ix.sets) {
    for (const { def: a } of ix.attrs(s)) {
      link(str(a['nested-attributes']), sn);
      const sm = str(a['sub-message']);
      const m = sm === undefined ? undefined : ix.subMessages.get(sm);
      if (m !== undefined) for (const f of maps(m.formats)) link(str(f['attribute-set']), sn);
    }
  }
  return up;
}

/**
 * The definition of attribute `selector` a sub-message in set `sn` is picked
 * by: in `sn`, else in the sets enclosing it, nearest first (the codec looks
 * it up the same way); undefined when none has it.
 */
function selectorSet(
  ix: SpecIndex,
  up: ReadonlyMap<string, ReadonlySet<string>>,
  sn: string,
  selector: string,
): DataMap | undefined {
  const seen = new Set<string>([sn]);
  for (let level = [sn]; level.length;) {
    const next: string[] = [];
    for (const name of level) {
      const s = ix.sets.get(name);
      const hit = s && ix.attrs(s).find((x) => x.name === selector);
      if (hit) return hit.def;
      for (const p of up.get(name) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        next.push(p);
      }
    }
    level = next;
  }
  return undefined;
}

function validateAttrSets(ix: SpecIndex, report: Report): void {
  const seen = new Set<string>();
  const enclosing = enclosingSets(ix);
  const attrNames = new Set<string>();
  for (const s of ix.sets.values())
    for (const a of maps(s.attributes)) attrNames.add(String(a.name));
  maps(ix.spec['attribute-sets']).forEach((s, i) => {
    const path: Path = ['attribute-sets', i];
    const sn = String(s.name);
    if (seen.has(sn))
      report(s, 'name', [...path, 'name'], `attribute set '${sn}' is defined twice`);
    seen.add(sn);
    const parentName = str(s['subset-of']);
    const parent = ix.parentOf(s);
    if (parentName !== undefined && !parent)
      report(
        s,
        'subset-of',
        [...path, 'subset-of'],
        `attribute set '${parentName}' (subset-of) is not defined`,
      );
    if (parent) {
      const known = new Set(maps(parent.attributes).map((a) => String(a.name)));
      maps(s.attributes).forEach((own, j) => {
        const an = String(own.name);
        if (!known.has(an))
          report(
            own,
            'name',
            [...path, 'attributes', j, 'name'],
            `'${an}' is not an attribute of '${parentName!}', which this set is a subset of`,
          );
      });
    }
    const values = new Map<number, string>();
    for (const { name: an, own, def: a, index: j, value } of ix.attrs(s)) {
      const apath = [...path, 'attributes', j];
      const at = (key: string, msg: string): void => report(own, key, [...apath, key], msg);
      const dup = values.get(value);
      if (dup !== undefined)
        report(
          own,
          'value' in own ? 'value' : 'name',
          apath,
          `value ${value} of '${an}' is already used by '${dup}'`,
        );
      values.set(value, an);
      if (value > maxAttrType)
        report(
          own,
          'value' in own ? 'value' : 'name',
          apath,
          `value ${value} of '${an}' does not fit the 14-bit type field of a netlink attribute (at most ${maxAttrType})`,
        );
      const t = String(a.type);
      const nested = str(a['nested-attributes']);
      if (nested !== undefined && !ix.sets.has(nested))
        at('nested-attributes', `attribute set '${nested}' is not defined`);
      if ((t === 'nest' || t === 'nest-type-value') && nested === undefined)
        at('type', `a ${t} attribute needs 'nested-attributes'`);
      const sub = str(a['sub-type']);
      if (t === 'indexed-array' && sub === undefined)
        at('type', `an indexed-array attribute needs 'sub-type'`);
      if (t === 'indexed-array' && sub === 'nest' && nested === undefined)
        at('sub-type', `an indexed-array of nests needs 'nested-attributes'`);
      const struct = str(a.struct);
      if (struct !== undefined && !ix.structs.has(struct))
        at('struct', `struct '${struct}' is not defined`);
      const en = str(a.enum);
      if (en !== undefined && !ix.enums.has(en)) at('enum', `enum '${en}' is not defined`);
      const sm = str(a['sub-message']);
      if (sm !== undefined && !ix.subMessages.has(sm))
        at('sub-message', `sub-message '${sm}' is not defined`);
      const selector = str(a.selector);
      if (t === 'sub-message' && (sm === undefined || selector === undefined))
        at('type', `a sub-message attribute needs 'sub-message' and 'selector'`);
      if (selector !== undefined && !attrNames.has(selector))
        at('selector', `selector '${selector}' is not an attribute of any attribute set`);
      else if (selector !== undefined && t === 'sub-message') {
        const where = selectorSet(ix, enclosing, sn, selector);
        if (where === undefined)
          at(
            'selector',
            `selector '${selector}' is not an attribute of '${sn}' nor of a set enclosing it`,
          );
        else {
          const st = String(where.type);
          if (where['multi-attr'] === true || !selectorTypes.has(st))
            at(
              'selector',
              `selector '${selector}' must be a single string or integer attribute, not ${where['multi-attr'] === true ? 'a multi-attr ' : ''}${st}`,
            );
        }
      }
      const checks = isDataMap(a.checks)
        ? ix.checks(a.checks, t as never, (k, msg) =>
            report(a.checks as DataMap, k, [...apath, 'checks', k], msg),
          )
        : undefined;
      if (checks?.exactLen !== undefined && struct !== undefined && ix.structs.has(struct)) {
        const size = ix.structSize(struct);
        if (size !== checks.exactLen)
          at(
            'struct',
            `struct '${struct}' is ${size} bytes but checks.exact-len is ${checks.exactLen}`,
          );
      }
    }
  });
}

function validateOperations(ix: SpecIndex, report: Report): void {
  const familyHeader = str(ix.ops['fixed-header']);
  if (familyHeader !== undefined && !ix.structs.has(familyHeader))
    report(
      ix.ops,
      'fixed-header',
      ['operations', 'fixed-header'],
      `struct '${familyHeader}' is not defined`,
    );
  const opNames = new Set(ix.opList.map((o) => String(o.name)));
  const groups = new Set(ix.groups.map((g) => String(g.name)));
  const values = opValues(ix);
  const requestCmds = new Map<number, string>();
  const multicastCmds = new Set<number>();
  for (const o of ix.opList) if (isMulticast(o)) multicastCmds.add(values.get(o)!.value);
  ix.opList.forEach((o, i) => {
    const path: Path = ['operations', 'list', i];
    const on = String(o.name);
    const setName = str(o['attribute-set']);
    const set = setName !== undefined ? ix.sets.get(setName) : undefined;
    if (setName !== undefined && !set)
      report(
        o,
        'attribute-set',
        [...path, 'attribute-set'],
        `attribute set '${setName}' is not defined`,
      );
    const own = str(o['fixed-header']);
    if (own !== undefined && !ix.structs.has(own))
      report(o, 'fixed-header', [...path, 'fixed-header'], `struct '${own}' is not defined`);
    const known = new Set(maps(set?.attributes).map((a) => String(a.name)));
    const message = (m: unknown, mpath: Path): void => {
      if (!isDataMap(m) || !set) return;
      const names = list(m.attributes);
      names.forEach((n, k) => {
        if (!known.has(String(n)))
          report(
            names,
            k,
            [...mpath, 'attributes', k],
            `'${String(n)}' is not an attribute of '${setName!}'`,
          );
      });
    };
    for (const mode of ['do', 'dump'] as const) {
      const m = o[mode];
      if (!isDataMap(m)) continue;
      message(m.request, [...path, mode, 'request']);
      message(m.reply, [...path, mode, 'reply']);
      const rq = isDataMap(m.request) ? m.request : undefined;
      const listed = new Set(list(rq?.attributes).map(String));
      for (const r of ix.required(o, mode))
        if (!listed.has(r))
          report(
            rq!,
            undefined,
            [...path, mode, 'request', 'required'],
            `required attribute '${r}' is not in the ${mode} request's attributes`,
          );
    }
    if (isDataMap(o.event)) message(o.event, [...path, 'event']);
    const { value, replyValue } = values.get(o)!;
    const maxCmd = ix.protocol === 'netlink-raw' ? 0xffff : 0xff;
    for (const v of replyValue !== undefined ? [value, replyValue] : [value])
      if (v > maxCmd)
        report(
          o,
          'value' in o ? 'value' : 'name',
          path,
          ix.protocol === 'netlink-raw'
            ? `message type ${v} of '${on}' does not fit nlmsg_type (16 bits)`
            : `command ${v} of '${on}' does not fit the 8-bit cmd of genlmsghdr`,
        );
    // Requests need distinct commands; notifications may reuse a request's
    // number (OVS multicasts OVS_FLOW_CMD_NEW after a NEW request).
    if (!isMulticast(o)) {
      const dup = requestCmds.get(value);
      if (dup !== undefined)
        report(
          o,
          'value' in o ? 'value' : 'name',
          path,
          `command ${value} of '${on}' is already used by '${dup}'`,
        );
      requestCmds.set(value, on);
    }
    const notify = str(o.notify);
    if (notify !== undefined && !opNames.has(notify))
      report(o, 'notify', [...path, 'notify'], `operation '${notify}' (notify) is not defined`);
    const mcgrp = str(o.mcgrp);
    if (mcgrp !== undefined && !groups.has(mcgrp))
      report(o, 'mcgrp', [...path, 'mcgrp'], `multicast group '${mcgrp}' is not defined`);
    if (ix.ext(o).echo === true && !multicastCmds.has(value))
      report(
        o,
        'name',
        [...path, 'echo'],
        `'${on}' is declared to echo, but no notification has its command ${value}`,
      );
  });
}

function validateSubMessages(ix: SpecIndex, report: Report): void {
  const seen = new Set<string>();
  maps(ix.spec['sub-messages']).forEach((m, i) => {
    const path: Path = ['sub-messages', i];
    const mn = String(m.name);
    if (seen.has(mn)) report(m, 'name', [...path, 'name'], `sub-message '${mn}' is defined twice`);
    seen.add(mn);
    const values = new Set<string>();
    maps(m.formats).forEach((f, j) => {
      const fpath = [...path, 'formats', j];
      const value = String(f.value);
      if (values.has(value))
        report(f, 'value', [...fpath, 'value'], `format '${value}' is listed twice`);
      values.add(value);
      const set = str(f['attribute-set']);
      if (set !== undefined && !ix.sets.has(set))
        report(
          f,
          'attribute-set',
          [...fpath, 'attribute-set'],
          `attribute set '${set}' is not defined`,
        );
      const hdr = str(f['fixed-header']);
      if (hdr !== undefined && !ix.structs.has(hdr))
        report(f, 'fixed-header', [...fpath, 'fixed-header'], `struct '${hdr}' is not defined`);
    });
  });
}

function validateGroups(ix: SpecIndex, report: Report): void {
  const seen = new Set<string>();
  ix.groups.forEach((g, i) => {
    const gn = String(g.name);
    if (seen.has(gn))
      report(
        g,
        'name',
        ['mcast-groups', 'list', i, 'name'],
        `multicast group '${gn}' is listed twice`,
      );
    seen.add(gn);
  });
}
