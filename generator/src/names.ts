/**
 * Spec names → TypeScript identifiers and C constant names. Names are only
 * converted (kebab/snake → camel/Pascal), never invented; a result that is not
 * a valid identifier (or is a member name that would misbehave, like `then`)
 * gets a `_` prefix or suffix, and a top-level name that would shadow a
 * global, a keyword or an import of generated code gets a suffix (see
 * {@link isReservedTopLevel}).
 *
 * The member-name rule: a camelCase name (attribute, struct member, enum
 * entry, operation, client method, multicast group) that is a member of
 * `Object.prototype` (`toString`, `valueOf`, `hasOwnProperty`, `constructor`,
 * `isPrototypeOf`, `propertyIsEnumerable`, `toLocaleString`, `__proto__`,
 * `__defineGetter__`, `__defineSetter__`, `__lookupGetter__`,
 * `__lookupSetter__`), or `then` or `prototype`, gets a trailing underscore:
 * the spec's `to-string` is `toString_` in the types and in the layout the
 * runtime reads (`{ name: 'toString_', type: 1, ... }`); the wire name and
 * number are unchanged. An own property of that name could not be told from
 * the inherited one, and `{}` would not typecheck as an object that may lack
 * it.
 * @module
 */

/**
 * Property/method names that would misbehave: the members of
 * `Object.prototype` (listed, so that output does not depend on the Node.js
 * version), `prototype`, and `then` (it makes replies thenables).
 */
export const badMembers: ReadonlySet<string> = new Set([
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  'hasOwnProperty',
  '__lookupGetter__',
  '__lookupSetter__',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toString',
  'valueOf',
  '__proto__',
  'toLocaleString',
  'prototype',
  'then',
]);

/** Words TypeScript reserves for type names. */
const typeKeywords = [
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
];

/** Reserved words of JavaScript and TypeScript (no declaration may have these names). */
const keywords = [
  ...'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval async of type declare namespace module abstract readonly keyof infer is asserts satisfies accessor global require'.split(
    ' ',
  ),
];

/**
 * Globals a generated module must not shadow: ECMAScript and Node.js globals
 * (values and types), TypeScript's utility types, and the names generated
 * code imports from `@ynl-ts/runtime`.
 */
export const reservedGlobals: ReadonlySet<string> = new Set([
  // ECMAScript and Node.js (Object.getOwnPropertyNames(globalThis) of Node 20, plus types)
  ...'AbortController AbortSignal AggregateError Array ArrayBuffer Atomics BigInt BigInt64Array BigUint64Array Blob Boolean BroadcastChannel Buffer ByteLengthQueuingStrategy CompressionStream CountQueuingStrategy Crypto CryptoKey CustomEvent DOMException DataView Date DecompressionStream Error EvalError Event EventTarget File FinalizationRegistry Float32Array Float64Array FormData Function Headers Infinity Int16Array Int32Array Int8Array Intl Iterator JSON Map Math MessageChannel MessageEvent MessagePort NaN Navigator Number Object Performance PerformanceEntry PerformanceMark PerformanceMeasure PerformanceObserver PerformanceObserverEntryList PerformanceResourceTiming Promise Proxy RangeError ReadableByteStreamController ReadableStream ReadableStreamBYOBReader ReadableStreamBYOBRequest ReadableStreamDefaultController ReadableStreamDefaultReader ReferenceError Reflect RegExp Request Response Set SharedArrayBuffer String SubtleCrypto Symbol SyntaxError TextDecoder TextDecoderStream TextEncoder TextEncoderStream TransformStream TransformStreamDefaultController TypeError URIError URL URLSearchParams Uint16Array Uint32Array Uint8Array Uint8ClampedArray WeakMap WeakRef WeakSet WebAssembly WebSocket WritableStream WritableStreamDefaultController WritableStreamDefaultWriter'.split(
    ' ',
  ),
  ...'atob btoa clearImmediate clearInterval clearTimeout console crypto decodeURI decodeURIComponent encodeURI encodeURIComponent escape exports fetch globalThis isFinite isNaN navigator parseFloat parseInt performance process queueMicrotask setImmediate setInterval setTimeout structuredClone undefined unescape __dirname __filename'.split(
    ' ',
  ),
  // TypeScript's lib types that generated code or its users refer to
  ...'ArrayLike AsyncGenerator AsyncIterable AsyncIterableIterator AsyncIterator Awaited Capitalize ConstructorParameters Exclude Extract Generator InstanceType Iterable IterableIterator Lowercase NoInfer NonNullable Omit OmitThisParameter Parameters Partial Pick PromiseLike PropertyKey Readonly ReadonlyArray ReadonlyMap ReadonlySet Record Required ReturnType TemplateStringsArray ThisParameterType ThisType Uncapitalize Uppercase'.split(
    ' ',
  ),
  // what generated modules import from @ynl-ts/runtime
  ...'AttrSet Bitfield32 EchoOptions EnumDef FamilyDef GenlFamilyClient Kind Masked Notification NotificationOptions OpDef RequestOptions StructDef UnknownEntry'.split(
    ' ',
  ),
]);

const reservedTop = new Set([...typeKeywords, ...keywords, ...reservedGlobals]);

/**
 * A top-level declaration of a generated module must not be named this: a
 * keyword, a global it would shadow, or a runtime import.
 */
export function isReservedTopLevel(id: string): boolean {
  return reservedTop.has(id);
}

function words(name: string): string[] {
  return name.split(/[-_.\s/]+/).filter(Boolean);
}

function safe(id: string, bad: ReadonlySet<string>): string {
  id = id.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(id)) id = '_' + id;
  return bad.has(id) ? id + '_' : id;
}

/**
 * `dispatch-upcall-per-cpu` → `dispatchUpcallPerCpu` (always a valid
 * identifier; an `Object.prototype` member name, `then` or `prototype` takes
 * a trailing `_`, see {@link badMembers}).
 */
export function camel(name: string): string {
  const w = words(name);
  return safe(
    w.map((x, i) => (i === 0 ? x.charAt(0).toLowerCase() + x.slice(1) : cap(x))).join(''),
    badMembers,
  );
}

/** `ovs-key-ipv4` → `OvsKeyIpv4` (always a valid identifier). */
export function pascal(name: string): string {
  return safe(words(name).map(cap).join(''), new Set(typeKeywords));
}

/** A value name: the Pascal name with a lower-case first letter and a suffix (`userFeaturesEnum`). */
export function valueName(name: string, suffix: string): string {
  const p = pascal(name);
  return p.charAt(0).toLowerCase() + p.slice(1) + suffix;
}

/** `ovs-dp-attr-` + `name` → `OVS_DP_ATTR_NAME` (the kernel's c_upper). */
export function cUpper(name: string): string {
  return name.toUpperCase().replace(/[-.]/g, '_');
}

function cap(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}
