/**
 * Checks of the socket layer's options: a value of the wrong type is a
 * TypeError, one out of range a RangeError, each naming the option. Nothing
 * is coerced (a string `'100'` is not a number) or silently clamped.
 * @module
 */

/** The largest delay setTimeout honours (2^31 - 1 ms, about 24.8 days); larger ones fire after 1 ms. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}' (a string)`;
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  return `a ${typeof v}`;
}

/**
 * An integer option in [min, max]; `fallback` when undefined.
 * @throws TypeError when it is not a number, RangeError when out of range or not an integer.
 */
export function intOption(
  name: string,
  v: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${show(v)}`);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${show(v)}`);
  return v;
}

/** A boolean option; `fallback` when undefined. */
export function boolOption(name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${show(v)}`);
  return v;
}

/**
 * A `timeout` option in milliseconds: `undefined` and `Infinity` mean no
 * timeout (returns undefined); otherwise a number in [0, {@link MAX_TIMEOUT}]
 * (fractions allowed). Larger finite values are refused rather than clamped:
 * they are almost surely a unit mistake, and setTimeout cannot hold them.
 */
export function timeoutOption(v: unknown): number | undefined {
  if (v === undefined || v === Infinity) return undefined;
  if (typeof v !== 'number')
    throw new TypeError(`timeout must be a number of milliseconds, got ${show(v)}`);
  if (!(v >= 0 && v <= MAX_TIMEOUT))
    throw new RangeError(
      `timeout must be between 0 and ${MAX_TIMEOUT} ms (about 24.8 days), or Infinity for none; got ${show(v)}`,
    );
  return v;
}

/** An `AbortSignal` option. */
export function signalOption(v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof AbortSignal))
    throw new TypeError(`signal must be an AbortSignal, got ${show(v)}`);
  return v;
}
