/**
 * Own-property access for user values and decoded objects. Attribute and
 * member names come from specs and may be any string, `toString` or
 * `__proto__` included: presence is an own property, never an inherited
 * one, and storing a name never goes through Object.prototype (a decoded
 * `__proto__` attribute is data, not a prototype change).
 * @module
 */

/** The own property `key` of `obj`, or undefined (inherited members do not count). */
export function own(obj: object, key: PropertyKey): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<PropertyKey, unknown>)[key] : undefined;
}

/** Whether a plain `obj[key]` would read or write through Object.prototype. */
export function isProtoName(key: string): boolean {
  return key in Object.prototype;
}

/** Store `v` under `key` as an own, enumerable data property (any name). */
export function put(obj: object, key: string, v: unknown): void {
  if (isProtoName(key)) {
    Object.defineProperty(obj, key, {
      value: v,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else (obj as Record<string, unknown>)[key] = v;
}

/**
 * A record of named fields: any object except an array, a byte array, or a
 * built-in whose entries are not its properties (a Map, Set, Date …, which
 * would otherwise encode as an empty nest). Plain objects (the common case)
 * are recognized by their prototype alone.
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p: unknown = Object.getPrototypeOf(v);
  if (p === Object.prototype || p === null) return true;
  return !Array.isArray(v) && Object.prototype.toString.call(v) === '[object Object]';
}
