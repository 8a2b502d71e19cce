// Runs one case of the hostile-spec corpus (test/fixtures/hostile-specs):
// copies its specs into a temp directory (under the path the case asks for),
// then runs the generator in-process or the CLI, and says what happened.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { generatePackage, SpecErrors, type GeneratedFile } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

export const corpusDir = join(repoRoot, 'test', 'fixtures', 'hostile-specs');

/** One case of manifest.json. */
export interface HostileCase {
  /** The spec file (in corpusDir). */
  readonly spec: string;
  /** More specs generated together with it (the first is `spec`). */
  readonly specs?: readonly string[];
  /** Path (relative, may hold any character) the first spec is copied to. */
  readonly as?: string;
  /** The issue item it pins. */
  readonly item: string;
  readonly why: string;
  /** Run `codegen` with these arguments: {spec}, {out} (a new directory), {file} (an existing file). */
  readonly cli?: readonly string[];
  /** 'generates': generates, typechecks, imports without side effects. */
  readonly expect?: 'generates';
  /** Text the generated module must contain. */
  readonly contains?: readonly string[];
  /** The exact errors (`file:line:col: path: message`, file relative to the case's directory). */
  readonly errors?: readonly string[];
  /** CLI cases: exit code and exact stderr (paths relative to the case's directory). */
  readonly exit?: number;
  readonly stderr?: string;
}

export function manifest(): HostileCase[] {
  return (
    JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as { cases: HostileCase[] }
  ).cases;
}

export type Outcome =
  | { readonly kind: 'generated'; readonly dir: string; readonly files: GeneratedFile[] }
  | { readonly kind: 'errors'; readonly errors: string[] }
  | { readonly kind: 'cli'; readonly exit: number; readonly stderr: string }
  | { readonly kind: 'crash'; readonly error: string };

const bin = join(repoRoot, 'generator', 'bin', 'codegen.js');

export async function runCase(c: HostileCase, parent: string): Promise<Outcome> {
  const dir = mkdtempSync(join(parent, 'case-'));
  const specs = (c.specs ?? [c.spec]).map((name, i) => {
    const dest = join(dir, i === 0 && c.as !== undefined ? c.as : name);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(corpusDir, name), dest);
    return dest;
  });
  if (c.cli) {
    writeFileSync(join(dir, 'a-file'), 'not a directory\n');
    const args = c.cli.map((a) =>
      a === '{spec}'
        ? relative(dir, specs[0]!)
        : a === '{out}'
          ? 'out'
          : a === '{file}'
            ? 'a-file'
            : a,
    );
    const r = spawnSync(
      process.execPath,
      [bin, ...args, '--schemas', join(repoRoot, 'specs', 'schemas'), '--no-overrides'],
      { cwd: dir, encoding: 'utf8' },
    );
    return { kind: 'cli', exit: r.status ?? -1, stderr: r.stderr };
  }
  try {
    const files = await generatePackage({
      specs,
      schemasDir: join(repoRoot, 'specs', 'schemas'),
      overridesDir: null,
      relativeTo: dir,
    });
    return { kind: 'generated', dir, files };
  } catch (e) {
    if (e instanceof SpecErrors)
      return {
        kind: 'errors',
        errors: e.errors.map((x) =>
          x
            .format()
            .split(dir + '/')
            .join(''),
        ),
      };
    return { kind: 'crash', error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
