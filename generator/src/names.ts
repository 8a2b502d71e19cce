/**
 * Spec names → TypeScript identifiers and C constant names. Names are only
 * converted (kebab/snake → camel/Pascal), never invented; a result that is not
 * a valid identifier (or is a member name that would misbehave, like `then`)
 * gets a `_` prefix or suffix.
 * @module
 */

/** Property/method names that would misbehave: `then` makes replies thenables. */
const badMembers = new Set(['constructor', 'prototype', '__proto__', 'then']);
/** Words TypeScript reserves for declarations (types and consts are declared). */
const reservedTypes = new Set([
  'any',
  'boolean',
  'never',
  'number',
  'object',
  'string',
  'symbol',
  'unknown',
  'void',
  'undefined',
  'bigint',
]);

function words(name: string): string[] {
  return name.split(/[-_.\s/]+/).filter(Boolean);
}

function safe(id: string, bad: ReadonlySet<string>): string {
  id = id.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(id)) id = '_' + id;
  return bad.has(id) ? id + '_' : id;
}

/** `dispatch-upcall-per-cpu` → `dispatchUpcallPerCpu` (always a valid identifier). */
export function camel(name: string): string {
  const w = words(name);
  return safe(
    w.map((x, i) => (i === 0 ? x.charAt(0).toLowerCase() + x.slice(1) : cap(x))).join(''),
    badMembers,
  );
}

/** `ovs-key-ipv4` → `OvsKeyIpv4` (always a valid identifier). */
export function pascal(name: string): string {
  return safe(words(name).map(cap).join(''), reservedTypes);
}

/** `ovs-dp-attr-` + `name` → `OVS_DP_ATTR_NAME` (the kernel's c_upper). */
export function cUpper(name: string): string {
  return name.toUpperCase().replace(/[-.]/g, '_');
}

function cap(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}
