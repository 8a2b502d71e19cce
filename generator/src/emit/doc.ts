/**
 * Safe text for generated code: TSDoc comments and string literals built from
 * spec text can never break out of their comment or literal.
 * @module
 */

/** A TSDoc block (`/** ... *\/`) from lines of text, or '' if there is none. */
export function tsdoc(lines: readonly (string | undefined)[], indent = ''): string {
  const text = lines
    .filter((l): l is string => l !== undefined && l !== '')
    .join('\n\n')
    .replace(/\*\//g, '*\\/')
    .replace(/@/g, '\\@')
    .replace(/\r/g, '');
  if (!text.trim()) return '';
  const body = text
    .split('\n')
    .map((l) => (l.trim() === '' ? `${indent} *` : `${indent} * ${l.trimEnd()}`));
  return `${indent}/**\n${body.join('\n')}\n${indent} */\n`;
}

/** A string literal (JSON escaping: no template or comment can be opened by it). */
export function lit(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** `@remarks` lines for the overrides that changed a spec item. */
export function overrideNotes(overrides: readonly { target: string; reason: string }[]): string[] {
  return overrides.map((o) => `Override (specs/overrides): ${o.reason}.`);
}
