// The fuzzer: three fast-check properties run against every target, seeded
// and reproducible. Each (target, property, batch) gets its own seed derived
// from the run's seed, so `--family` or `--property` filters replay exactly
// the inputs of a full run. A failing batch is shrunk by fast-check, saved as
// a corpus entry, and the run goes on with the next batch.
//   round-trip  random valid values: decode(encode(v)) deep-equals v, the
//               compiled and interpreted codecs give the same bytes/objects
//   mutated     mutated valid messages decode or throw DecodeError (never a
//               foreign exception, never a read past the buffer), the two
//               decoders agree, and what decodes re-encodes and decodes again
//   junk        valid values with one node replaced by junk encode or throw
//               EncodeError, the same in both encoders
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DecodeError, EncodeError, decodeAttrs, fastPath, type StructDef } from '@ynl-ts/runtime';
import { setArb, structArb } from './arbitrary.js';
import { mutateAll, mutationArb, type Mutation } from './mutate.js';
import {
  attrsOffset,
  decodeMessages,
  encodeMessage,
  targets as allTargets,
  type Target,
} from './targets.js';

/** Mutated inputs made from one generated value (at most). */
const MUTANTS = 8;

export const PROPERTIES = ['round-trip', 'mutated', 'junk'] as const;
export type Property = (typeof PROPERTIES)[number];

/** A saved failing input: the unit tests replay every one. */
export interface CorpusEntry {
  /** Target id, `family/set`. */
  readonly target: string;
  readonly property: Property;
  /** The message bytes (mutated: the decoder's input; others: the value's encoding if any). */
  readonly hex?: string;
  /** The value to encode (round-trip, junk), as tagged JSON (see {@link toJson}). */
  readonly value?: unknown;
  /** What went wrong when it was found. */
  readonly error: string;
  /** Seed of the batch that found it. */
  readonly seed: number;
}

// ---- tagged JSON for values: bigint, Uint8Array, undefined, NaN, symbols, functions ----
export function toJson(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $hex: Buffer.from(v).toString('hex') };
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (typeof v === 'number' && Object.is(v, -0)) return { $number: '-0' };
  if (typeof v === 'symbol') return { $symbol: v.description ?? '' };
  if (typeof v === 'function') return { $function: true };
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [toJson(k), toJson(x)]) };
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJson(x);
    return { $object: o };
  }
  return v;
}
export function fromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if ('$bigint' in o) return BigInt(o['$bigint'] as string);
  if ('$hex' in o) return new Uint8Array(Buffer.from(o['$hex'] as string, 'hex'));
  if ('$undefined' in o) return undefined;
  if ('$number' in o) return Number(o['$number']);
  if ('$symbol' in o) return Symbol(o['$symbol'] as string);
  if ('$function' in o) return () => 1;
  if ('$map' in o)
    return new Map((o['$map'] as [unknown, unknown][]).map(([k, x]) => [fromJson(k), fromJson(x)]));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o['$object'] as Record<string, unknown>))
    out[k] = fromJson(x);
  return out;
}

/** Runs `fn` with the compiled codecs off: the interpreters alone. */
export function interpreted<T>(fn: () => T): T {
  fastPath.enabled = false;
  try {
    return fn();
  } finally {
    fastPath.enabled = true;
  }
}

interface Outcome {
  value?: unknown;
  /** The error's class and message, for comparing two codecs. */
  error?: string;
  thrown?: unknown;
}
/** The value, or the error thrown. */
function outcome(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), thrown: e };
  }
}
/** For comparing two codecs: the value or the error's class and message. */
const shown = (o: Outcome): Outcome =>
  o.error === undefined ? { value: o.value } : { error: o.error };

/** A failure of a property, carrying what to save. */
class Finding extends Error {
  constructor(
    message: string,
    readonly hex: string | undefined,
  ) {
    super(message);
  }
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * A view that fails loudly on any index outside `[0, length)`, where a plain
 * Uint8Array quietly returns undefined. DataView reads are bounds-checked by
 * the engine already (a RangeError, caught as foreign); this catches typed-array reads.
 */
export class OutOfBounds extends Error {}
export function guarded(bytes: Uint8Array): Uint8Array {
  return new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string') {
        const n = Number(prop);
        if (
          Number.isInteger(n) &&
          prop !== '' &&
          String(n) === prop &&
          (n < 0 || n >= target.length)
        )
          throw new OutOfBounds(`read of index ${n} of a ${target.length}-byte buffer`);
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Fixed header plus attributes: the message object as clients see it. */
function messageArb(t: Target): fc.Arbitrary<Record<string, unknown>> {
  const attrs = setArb(t.set) as fc.Arbitrary<Record<string, unknown>>;
  if (!t.fixed) return attrs;
  return fc
    .tuple(attrs, structArb(t.fixed as StructDef))
    .map(([a, h]) => ({ ...a, [t.headerKey]: h }));
}

// ---- the properties, as plain checks (the corpus replays them too) ----

/** Valid value: encodes, decodes to itself, both codecs agree, re-encoding is stable. */
export function checkRoundTrip(t: Target, value: unknown): void {
  let wire: Uint8Array;
  try {
    wire = encodeMessage(t, value);
  } catch (e) {
    throw new Finding(`a valid value does not encode: ${String(e)}`, undefined);
  }
  const hex = hexOf(wire);
  const fail = (what: string, e?: unknown): never => {
    throw new Finding(`${what}${e === undefined ? '' : `: ${String(e)}`}`, hex);
  };
  let back: unknown[];
  try {
    back = decodeMessages(t, wire);
  } catch (e) {
    return fail('its encoding does not decode', e);
  }
  try {
    assert.equal(back.length, 1);
    assert.deepStrictEqual(back[0], value);
  } catch (e) {
    return fail('decode(encode(v)) differs from v', e);
  }
  const slow = outcome(() => interpreted(() => encodeMessage(t, value)));
  if (slow.error !== undefined || hexOf(slow.value as Uint8Array) !== hex)
    fail(`the interpreted encoder differs: ${slow.error ?? hexOf(slow.value as Uint8Array)}`);
  try {
    assert.deepStrictEqual(
      interpreted(() => decodeMessages(t, wire)),
      back,
    );
  } catch (e) {
    fail('the interpreted decoder differs', e);
  }
  if (hexOf(encodeMessage(t, back[0])) !== hex) fail('re-encoding the decoded value differs');
}

/** Any bytes: decode or DecodeError; both decoders agree; what decodes survives a round trip. */
export function checkBytes(t: Target, raw: Uint8Array, guard: boolean): void {
  const hex = hexOf(raw);
  const fail = (what: string): never => {
    throw new Finding(what, hex);
  };
  const buf = guard ? guarded(raw) : raw;
  const attrsAt = Math.min(attrsOffset(t), raw.length);
  const cases: [string, () => unknown][] = [
    ['message', () => decodeMessages(t, buf, guard)],
    // the attributes alone, so damage behind a broken nlmsghdr still reaches the TLV walk
    ['attributes', () => decodeAttrs(t.set, buf, attrsAt)],
  ];
  for (const [what, fn] of cases) {
    const fast = outcome(fn);
    if (fast.error !== undefined) {
      const err = fast.thrown;
      if (!(err instanceof DecodeError))
        fail(`${what} decode threw a foreign error: ${fast.error}`);
      const off = (err as DecodeError).offset;
      if (!(off >= 0 && off <= raw.length))
        fail(`${what} DecodeError offset ${off} is outside the ${raw.length}-byte buffer`);
    }
    const slow = outcome(() => interpreted(fn));
    try {
      assert.deepStrictEqual(shown(slow), shown(fast));
    } catch (e) {
      fail(`${what}: compiled and interpreted decoders differ: ${String(e)}`);
    }
  }
  const decoded = outcome(() => decodeMessages(t, raw));
  if (decoded.error !== undefined) return;
  for (const msg of decoded.value as unknown[]) {
    let again: Uint8Array;
    try {
      again = encodeMessage(t, msg);
    } catch (e) {
      if (e instanceof EncodeError) continue; // e.g. a value the spec's checks forbid
      return fail(`re-encoding a decoded message threw a foreign error: ${String(e)}`);
    }
    let back: unknown[];
    try {
      back = decodeMessages(t, again);
    } catch (e) {
      return fail(`a decoded message re-encodes to bytes that do not decode: ${String(e)}`);
    }
    try {
      assert.deepStrictEqual(back[0], msg);
    } catch (e) {
      fail(`a decoded message does not survive encode + decode: ${String(e)}`);
    }
  }
}

/** A value with junk in it: encodes or throws EncodeError, the same in both encoders. */
export function checkJunk(t: Target, value: unknown): void {
  const fast = outcome(() => encodeMessage(t, value));
  const slow = outcome(() => interpreted(() => encodeMessage(t, value)));
  if (fast.error !== undefined && !(fast.thrown instanceof EncodeError))
    throw new Finding(`encoding junk threw a foreign error: ${fast.error}`, undefined);
  const show = (o: Outcome): string => o.error ?? hexOf(o.value as Uint8Array);
  if (show(fast) !== show(slow))
    throw new Finding(
      `compiled and interpreted encoders differ on junk: ${show(fast)} vs ${show(slow)}`,
      undefined,
    );
}

// ---- junk values ----
const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    -1,
    -1.5,
    NaN,
    Infinity,
    2 ** 53,
    2n ** 70n,
    -1n,
    '',
    '\0',
    'x',
    '\ud800',
    true,
    false,
    [],
    [null],
    {},
    { value: 1 },
    { value: null, mask: 1 },
    { type: 'nope', value: 1 },
    { type: 70000, value: new Uint8Array(1) },
    new Uint8Array(3),
    new Map([['a', 1]]),
    Symbol('s'),
    () => 1,
    Object.create({ inherited: 1 }) as unknown,
  ),
  fc.anything({ maxDepth: 2, withBigInt: true, withTypedArray: true, withMap: true }),
);

/** Replace the node at `path` (indices into keys/elements, taken modulo) with `junk`. */
export function plant(value: unknown, path: readonly number[], junk: unknown): unknown {
  if (
    path.length === 0 ||
    typeof value !== 'object' ||
    value === null ||
    value instanceof Uint8Array
  )
    return junk;
  const [i, ...rest] = path as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return [junk];
    const copy = value.slice();
    copy[i % copy.length] = plant(copy[i % copy.length], rest, junk);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return { ['k' + i]: junk };
  const k = keys[i % keys.length]!;
  return { ...value, [k]: plant((value as Record<string, unknown>)[k], rest, junk) };
}

// ---- the runner ----

/** 32-bit seed of one batch, from the run's seed and the batch's identity. */
export function batchSeed(seed: number, target: string, property: Property, batch: number): number {
  const h = createHash('sha256').update(`${seed}:${target}:${property}:${batch}`).digest();
  return h.readInt32LE(0);
}

export interface FuzzOptions {
  readonly seed: number;
  /** Inputs per target and property. */
  readonly runs: number;
  readonly families?: readonly string[];
  readonly properties?: readonly Property[];
  /** Inputs per fast-check call (a failure costs at most the rest of one batch). */
  readonly batch?: number;
  /** Called with each new finding (already shrunk). */
  readonly onFinding?: (e: CorpusEntry) => void;
  /** Called after each batch. */
  readonly onProgress?: (p: Progress) => void;
  /**
   * `[inputs, target index, property index]`, updated before every input: a
   * watchdog in another thread reads it to detect a hang and name the input.
   */
  readonly heartbeat?: Int32Array;
  /** The current mutated input is copied here (length first, 4 bytes) for a watchdog. */
  readonly current?: Uint8Array;
}

export interface Progress {
  readonly inputs: number;
  readonly byProperty: Readonly<Record<Property, number>>;
  readonly targets: number;
  readonly findings: number;
  readonly ms: number;
  readonly target: string;
}

export interface FuzzReport extends Progress {
  readonly seed: number;
  readonly entries: readonly CorpusEntry[];
}

/** Targets selected by family name. */
export function selectTargets(families?: readonly string[]): Target[] {
  return allTargets.filter((t) => !families || families.includes(t.family));
}

/** Run the properties over the selected targets. */
export function runFuzz(o: FuzzOptions): FuzzReport {
  const chosen = selectTargets(o.families);
  const props = o.properties ?? PROPERTIES;
  const batchSize = o.batch ?? 2000;
  const byProperty: Record<Property, number> = { 'round-trip': 0, mutated: 0, junk: 0 };
  const entries: CorpusEntry[] = [];
  const seen = new Set<string>();
  const start = performance.now();
  // errors are the common outcome of mutated input; their stack traces are most of the cost
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let inputs = 0;
  const beat = (): void => {
    inputs++;
    if (o.heartbeat) Atomics.add(o.heartbeat, 0, 1);
  };
  const current = o.current;
  const record = (raw: Uint8Array | null): void => {
    if (!current) return;
    const n = raw === null ? 0 : Math.min(raw.length, current.length - 4);
    new DataView(current.buffer, current.byteOffset).setUint32(0, n, true);
    if (raw !== null) current.set(raw.subarray(0, n), 4);
  };
  for (const t of chosen) {
    if (o.heartbeat) Atomics.store(o.heartbeat, 1, allTargets.indexOf(t));
    const msg = messageArb(t);
    const arbs: Record<Property, fc.Arbitrary<unknown>> = {
      'round-trip': msg,
      mutated: fc.record({
        value: msg,
        donor: msg,
        muts: fc.array(mutationArb, { minLength: MUTANTS / 2, maxLength: MUTANTS }),
        guard: fc.nat(15),
      }),
      junk: fc.record({
        value: msg,
        path: fc.array(fc.nat(), { maxLength: 5 }),
        junk: junkArb,
      }),
    };
    const attrsAt = attrsOffset(t);
    // one generated value gives several inputs: each mutation applied to the valid
    // message or, when its `y` is odd, stacked on the previous input
    const mutants = (c: { value: unknown; donor: unknown; muts: Mutation[] }): Uint8Array[] => {
      const valid = encodeMessage(t, c.value);
      const donor = encodeMessage(t, c.donor);
      const out: Uint8Array[] = [];
      for (const m of c.muts) {
        const base = m.y % 2 === 1 && out.length > 0 ? out[out.length - 1]! : valid;
        out.push(mutateAll(base, [m], attrsAt, donor));
      }
      return out;
    };
    const checks: Record<Property, (c: never) => void> = {
      'round-trip': (v: unknown) => {
        beat();
        record(null);
        checkRoundTrip(t, v);
      },
      mutated: (c: { value: unknown; donor: unknown; muts: Mutation[]; guard: number }) => {
        for (const raw of mutants(c)) {
          beat();
          record(raw);
          checkBytes(t, raw, c.guard === 0);
        }
      },
      junk: (c: { value: unknown; path: number[]; junk: unknown }) => {
        beat();
        record(null);
        checkJunk(t, plant(c.value, c.path, c.junk));
      },
    };
    for (const p of props) {
      if (o.heartbeat) Atomics.store(o.heartbeat, 2, PROPERTIES.indexOf(p));
      for (let b = 0, done = 0; done < o.runs; b++) {
        const numRuns = Math.min(batchSize, o.runs - done);
        const seed = batchSeed(o.seed, t.id, p, b);
        const before = inputs;
        let counted = -1;
        const check = checks[p] as (c: unknown) => void;
        const predicate = (c: unknown): void => {
          try {
            check(c);
          } catch (e) {
            if (counted < 0) counted = inputs; // the first failure; shrinking follows
            throw e;
          }
        };
        const r = fc.check(fc.property(arbs[p], predicate), {
          seed,
          numRuns,
          endOnFailure: false,
          maxSkipsPerRun: 0,
        });
        // shrinking re-runs the check: count only the inputs before it
        if (counted < 0) counted = inputs;
        byProperty[p] += counted - before;
        inputs = counted;
        done += numRuns;
        if (r.failed) {
          const cex = r.counterexample![0];
          const err = r.errorInstance;
          const message = err instanceof Error ? err.message : String(err);
          let entry: CorpusEntry;
          if (p === 'mutated') {
            const hex =
              err instanceof Finding && err.hex !== undefined
                ? err.hex
                : hexOf(mutants(cex as { value: unknown; donor: unknown; muts: Mutation[] })[0]!);
            entry = { target: t.id, property: p, hex, error: message, seed };
          } else {
            const c = cex as { value: unknown; path: number[]; junk: unknown };
            const value = p === 'junk' ? plant(c.value, c.path, c.junk) : cex;
            entry = {
              target: t.id,
              property: p,
              ...(err instanceof Finding && err.hex !== undefined ? { hex: err.hex } : {}),
              value: toJson(value),
              error: message,
              seed,
            };
          }
          const sig = `${t.id}|${p}|${message.replace(/\d+/g, 'N').slice(0, 200)}`;
          if (!seen.has(sig)) {
            seen.add(sig);
            entries.push(entry);
            o.onFinding?.(entry);
          }
        }
        o.onProgress?.({
          inputs,
          byProperty,
          targets: chosen.length,
          findings: entries.length,
          ms: performance.now() - start,
          target: t.id,
        });
      }
    }
  }
  Error.stackTraceLimit = stackLimit;
  return {
    seed: o.seed,
    inputs,
    byProperty,
    targets: chosen.length,
    findings: entries.length,
    ms: performance.now() - start,
    target: '',
    entries,
  };
}

/** Replay one corpus entry's property (throws on failure, like the fuzzer). */
export function replay(e: CorpusEntry): void {
  const t = allTargets.find((x) => x.id === e.target);
  if (!t) throw new Error(`corpus entry names an unknown target ${e.target}`);
  switch (e.property) {
    case 'mutated':
      checkBytes(t, new Uint8Array(Buffer.from(e.hex ?? '', 'hex')), false);
      checkBytes(t, new Uint8Array(Buffer.from(e.hex ?? '', 'hex')), true);
      return;
    case 'round-trip':
      checkRoundTrip(t, fromJson(e.value));
      return;
    case 'junk':
      checkJunk(t, fromJson(e.value));
      return;
  }
}
