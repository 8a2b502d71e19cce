/**
 * Builder of `sub-messages:` (netlink-raw): formats linked to their
 * attribute sets and fixed headers.
 * @module
 */
import { pascal, valueName } from '../../names.js';
import type { NameScope } from '../names.js';
import { maps, str, type SpecIndex } from '../spec.js';
import type { AttrSetModel, StructModel, SubMessageModel } from '../types.js';

export function buildSubMessages(
  ix: SpecIndex,
  sets: ReadonlyMap<string, AttrSetModel>,
  structs: ReadonlyMap<string, StructModel>,
  top: NameScope,
): Map<string, SubMessageModel> {
  const out = new Map<string, SubMessageModel>();
  maps(ix.spec['sub-messages']).forEach((m, i) => {
    const mn = String(m.name);
    if (out.has(mn)) return;
    const formats = maps(m.formats).map((f) => {
      const set = str(f['attribute-set']);
      const hdr = str(f['fixed-header']);
      return {
        value: String(f.value),
        ...(set !== undefined ? { attrSet: sets.get(set)! } : {}),
        ...(hdr !== undefined ? { fixedHeader: structs.get(hdr)! } : {}),
      };
    });
    const site = { obj: m, key: 'name', path: ['sub-messages', i, 'name'] };
    const tsName = top.claim(pascal(mn), `sub-message '${mn}'`, site);
    const value = top.claim(valueName(mn, 'Formats'), `the formats of sub-message '${mn}'`, site);
    out.set(mn, { name: mn, tsName, valueName: value, formats });
  });
  return out;
}
