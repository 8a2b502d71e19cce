/**
 * Compares two APIs read by `api.ts` and says what changed for a user, each
 * change marked compatible or breaking, with the overall verdict and the
 * semver bump it implies.
 * @module
 */
import type { ApiItem, PackageApi } from './api.js';

export interface ApiChange {
  readonly module: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** `prop Dev.ifindex`, `value UserFeatures.vportPids`, `method NetdevClient.devGet`, ... */
  readonly item: string;
  readonly before?: string;
  readonly after?: string;
  readonly breaking: boolean;
  /** Why it is (not) breaking, in a few words. */
  readonly why: string;
}

export type Verdict = 'unchanged' | 'compatible' | 'breaking';
export type Bump = 'none' | 'patch' | 'minor' | 'major';

export interface DiffReport {
  readonly changes: readonly ApiChange[];
  readonly verdict: Verdict;
  /** The semver bump of a package whose API changed so. */
  readonly bump: Bump;
}

function describe(i: ApiItem): string {
  return i.required === undefined ? i.shape : `${i.required ? '' : '?'}: ${i.shape}`;
}

function added(i: ApiItem): [boolean, string] {
  if (i.key.startsWith('prop ') && i.required === true && i.role !== 'output')
    return [true, 'a new required property: existing code does not set it'];
  if (i.key.startsWith('module ')) return [false, 'a new module'];
  return [false, 'new'];
}

function changed(a: ApiItem, b: ApiItem): [boolean, string] {
  if (a.key.startsWith('prop ')) {
    if (a.shape !== b.shape) return [true, 'its type changed'];
    if (!a.required && b.required)
      return a.role === 'output'
        ? [false, 'now always present']
        : [true, 'now required: existing code may not set it'];
    return a.role === 'input'
      ? [false, 'now optional']
      : [true, 'now optional: existing code may rely on it'];
  }
  if (a.key.startsWith('value ')) return [true, 'renumbered: the name means another value'];
  if (a.key.startsWith('attr ')) return [true, 'the wire layout changed'];
  if (a.key.startsWith('op ')) return [true, 'the command number changed'];
  if (a.key.startsWith('type ')) {
    const parts = (s: string): Set<string> => new Set(s.split('|').map((x) => x.trim()));
    const before = parts(a.shape);
    const after = parts(b.shape);
    if ([...before].every((x) => after.has(x))) return [false, 'the union gained members'];
    return [true, 'the type changed'];
  }
  return [true, 'its signature changed'];
}

/** What changed from `before` to `after` (the same module names compared). */
export function compareApis(
  before: PackageApi,
  after: PackageApi,
  docsChanged = false,
): DiffReport {
  const changes: ApiChange[] = [];
  const modules = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const mod of modules) {
    const a = before.get(mod);
    const b = after.get(mod);
    if (!a || !b) {
      changes.push({
        module: mod,
        change: a ? 'removed' : 'added',
        item: `module ${mod}`,
        breaking: !b,
        why: b ? 'a new family' : 'the family is gone',
      });
      continue;
    }
    for (const [key, x] of a) {
      const y = b.get(key);
      if (!y)
        changes.push({
          module: mod,
          change: 'removed',
          item: key,
          before: describe(x),
          breaking: true,
          why: 'removed: code using it no longer compiles',
        });
      else if (x.shape !== y.shape || x.required !== y.required) {
        const [breaking, why] = changed(x, y);
        changes.push({
          module: mod,
          change: 'changed',
          item: key,
          before: describe(x),
          after: describe(y),
          breaking,
          why,
        });
      }
    }
    for (const [key, y] of b) {
      if (a.has(key)) continue;
      const [breaking, why] = added(y);
      changes.push({ module: mod, change: 'added', item: key, after: describe(y), breaking, why });
    }
  }
  const verdict: Verdict = changes.some((c) => c.breaking)
    ? 'breaking'
    : changes.length
      ? 'compatible'
      : 'unchanged';
  const bump: Bump =
    verdict === 'breaking'
      ? 'major'
      : verdict === 'compatible'
        ? 'minor'
        : docsChanged
          ? 'patch'
          : 'none';
  return { changes, verdict, bump };
}

/** The report as text: one line per change, grouped by module, then the verdict. */
export function formatReport(r: DiffReport): string {
  const lines: string[] = [];
  let mod = '';
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  for (const c of r.changes) {
    if (c.module !== mod) lines.push(`${(mod = c.module)}:`);
    const what =
      c.change === 'changed'
        ? `${c.item} ${c.before} -> ${c.after}`
        : `${c.item}${c.change === 'added' ? ` ${c.after ?? ''}` : ''}`;
    lines.push(
      `  ${sign[c.change]} ${what.trimEnd()}  [${c.breaking ? 'breaking' : 'compatible'}: ${c.why}]`,
    );
  }
  const n = r.changes.filter((c) => c.breaking).length;
  lines.push(
    `verdict: ${r.verdict}${r.verdict === 'breaking' ? ` (${n} breaking change${n === 1 ? '' : 's'})` : ''}; semver bump: ${r.bump}`,
  );
  return lines.join('\n') + '\n';
}
