/**
 * `codegen diff`: generate two versions of families, read both APIs with
 * ts-morph and compare them (`compare.ts`). Sources: two spec files, the
 * configured families at a git revision against the working tree, or (for
 * `codegen --check`) the committed modules against what would be written.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { emitFamily } from '../emit/family.js';
import { moduleName } from '../emit/package.js';
import { loadFamily, type LoadOptions } from '../pipeline.js';
import { readApi } from './api.js';
import { compareApis, type DiffReport } from './compare.js';

export { compareApis, formatReport, type ApiChange, type DiffReport } from './compare.js';

/** Module name → module text, for the families of `specs`. */
function emitAll(specs: readonly string[], opts: LoadOptions): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of specs) {
    const m = loadFamily(s, opts);
    out.set(moduleName(m), emitFamily(m, ''));
  }
  return out;
}

/** Compares module texts (module name → text) of two generations. */
export async function diffModules(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Promise<DiffReport> {
  const [a, b] = await Promise.all([readApi(before), readApi(after)]);
  return compareApis(
    a,
    b,
    [...before].some(([k, v]) => after.has(k) && after.get(k) !== v),
  );
}

/** `codegen diff OLD.yaml NEW.yaml`: the API change from one spec to another. */
export async function diffSpecs(
  before: readonly string[],
  after: readonly string[],
  opts: LoadOptions = {},
): Promise<DiffReport> {
  return diffModules(emitAll(before, opts), emitAll(after, opts));
}

/**
 * `codegen diff --against REF`: the configured families as of git revision
 * `ref` (their specs, overrides and schemas) against the working tree.
 */
export async function diffAgainst(
  ref: string,
  root: string,
  specsDir: string,
  families: readonly string[],
  opts: LoadOptions = {},
): Promise<DiffReport> {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 28,
    });
  const top = git('rev-parse', '--show-toplevel').trim();
  const rel = relative(top, specsDir).split('\\').join('/');
  const tmp = mkdtempSync(join(tmpdir(), 'ynl-diff-'));
  try {
    const listed = new Set(
      git('ls-tree', '-r', '--name-only', ref, '--', rel).split('\n').filter(Boolean),
    );
    for (const path of listed) {
      const sub = path.slice(rel.length + 1);
      const isFamily = families.some(
        (f) => sub === `${f}.yaml` || sub === `overrides/${basename(f)}.yaml`,
      );
      if (!isFamily && !sub.startsWith('schemas/') && !sub.startsWith('overrides/overrides.'))
        continue;
      const dest = join(tmp, sub);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, git('show', `${ref}:${path}`));
    }
    const old = families
      .filter((f) => listed.has(`${rel}/${f}.yaml`))
      .map((f) => join(tmp, `${f}.yaml`));
    const now = families.map((f) => join(specsDir, `${f}.yaml`));
    return await diffModules(
      emitAll(old, {
        ...opts,
        ...(opts.overridesDir === null ? {} : { overridesDir: join(tmp, 'overrides') }),
      }),
      emitAll(now, opts),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
