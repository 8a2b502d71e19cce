/**
 * `codegen`: kernel YNL specs → the typed families package.
 * @module
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SpecErrors } from './errors.js';
import type { GeneratedFile } from './emit/package.js';
import { generatePackage } from './pipeline.js';

const usage = `Usage: codegen [options] [spec.yaml...]
       codegen diff [--json] OLD.yaml NEW.yaml
       codegen diff [--json] --against GIT_REF

Generates typed TypeScript netlink families from the kernel's YNL specs.

Without spec arguments, reads the "ynl-ts" key of the nearest package.json:
  { "specs": "specs", "out": "generated", "families": ["ovs_flow", ...] }
(spec files are <specs>/<family>.yaml, where an entry may name a subdirectory:
"extra/ovs_meter"; overrides come from <specs>/overrides, schemas from
<specs>/schemas, unless the spec's own directory has them).

Options:
  --out DIR        package directory to write (src/<family>.ts, src/index.ts,
                   package.json, tsconfig.json, README.md); default: config "out"
  --check          write nothing; exit 1 and list the files that differ, are
                   missing or are extra when DIR is not what codegen would write
  --schemas DIR    schema directory (default: schemas/ next to the specs)
  --overrides DIR  overrides directory (default: overrides/ next to the specs)
  --no-overrides   apply no overrides (see what the vendored specs say)
  -h, --help       show this help

codegen diff generates two versions and compares their public API (ts-morph):
added/removed ops, methods, types, attributes, enum values; type changes;
optional <-> required; attribute numbers. Each change is marked compatible or
breaking, with an overall verdict and the semver bump it implies.
  OLD.yaml NEW.yaml  two versions of one family's spec (each with the
                     schemas and overrides next to it, else the project's)
  --against GIT_REF  the configured families (package.json "ynl-ts") as of
                     GIT_REF (specs, overrides, schemas) against the work tree
  --json             print the report as JSON (for CI)
codegen --check prints the same report when the output directory is stale.

Exit codes: 0 ok (diff: compatible or unchanged), 1 --check found differences
(diff: a breaking change), 2 bad usage (also a path with a line break, an
--out that is not a directory or cannot be written), 3 spec errors.`;

class UsageError extends Error {}

interface Config {
  specs: string[];
  out: string;
  schemasDir?: string;
  overridesDir?: string | null;
  base: string;
}

function findConfig(from: string): { root: string; cfg: Record<string, unknown> } | undefined {
  let dir = resolve(from);
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      let pkg: Record<string, unknown>;
      try {
        pkg = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new UsageError(`${p}: ${(e as Error).message}`);
      }
      const cfg = pkg['ynl-ts'];
      if (typeof cfg === 'object' && cfg !== null)
        return { root: dir, cfg: cfg as Record<string, unknown> };
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

interface Parsed {
  cfg: Config;
  check: boolean;
  /** `codegen diff`: the comparison asked for. */
  diff?: { json: boolean; against?: string; families: string[]; specsDir: string };
}

function parseArgs(argv: readonly string[]): Parsed | 'help' {
  if (argv[0] === 'diff') return parseDiff(argv.slice(1));
  const specs: string[] = [];
  let out: string | undefined;
  let check = false;
  let schemasDir: string | undefined;
  let overridesDir: string | null | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--check') check = true;
    else if (a === '--out') out = value();
    else if (a === '--schemas') schemasDir = value();
    else if (a === '--overrides') overridesDir = value();
    else if (a === '--no-overrides') overridesDir = null;
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else specs.push(a);
  }
  const base = process.cwd();
  if (specs.length === 0) {
    const found = findConfig(base);
    if (!found)
      throw new UsageError('no spec files given and no "ynl-ts" config in a package.json');
    const { root, cfg } = found;
    const specsDir = join(root, typeof cfg.specs === 'string' ? cfg.specs : 'specs');
    const fams = cfg.families;
    if (!Array.isArray(fams) || fams.some((f) => typeof f !== 'string')) {
      throw new UsageError(
        `${join(root, 'package.json')}: "ynl-ts".families must be a list of family names`,
      );
    }
    for (const f of fams as string[]) specs.push(join(specsDir, `${f}.yaml`));
    out ??= join(root, typeof cfg.out === 'string' ? cfg.out : 'generated');
    return {
      cfg: {
        specs,
        out,
        base: root,
        ...(schemasDir !== undefined ? { schemasDir } : {}),
        ...(overridesDir !== undefined ? { overridesDir } : {}),
      },
      check,
    };
  }
  if (out === undefined) throw new UsageError('--out DIR is required when spec files are given');
  return {
    cfg: {
      specs,
      out,
      base,
      ...(schemasDir !== undefined ? { schemasDir } : {}),
      ...(overridesDir !== undefined ? { overridesDir } : {}),
    },
    check,
  };
}

function parseDiff(argv: readonly string[]): Parsed | 'help' {
  let json = false;
  let against: string | undefined;
  const specs: string[] = [];
  let overridesDir: string | null | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--json') json = true;
    else if (a === '--against') {
      against = argv[++i];
      if (against === undefined || against.startsWith('-'))
        throw new UsageError('--against needs a git revision');
    } else if (a === '--no-overrides') overridesDir = null;
    else if (a.startsWith('-')) throw new UsageError(`unknown diff option '${a}'`);
    else specs.push(a);
  }
  const over = overridesDir !== undefined ? { overridesDir } : {};
  if (against !== undefined) {
    if (specs.length)
      throw new UsageError('diff takes either --against GIT_REF or OLD.yaml NEW.yaml');
    const found = findConfig(process.cwd());
    if (!found) throw new UsageError('diff --against needs a "ynl-ts" config in a package.json');
    const { root, cfg } = found;
    const fams = cfg.families;
    if (!Array.isArray(fams) || fams.some((f) => typeof f !== 'string'))
      throw new UsageError(
        `${join(root, 'package.json')}: "ynl-ts".families must be a list of family names`,
      );
    const specsDir = join(root, typeof cfg.specs === 'string' ? cfg.specs : 'specs');
    return {
      cfg: { specs: [], out: '', base: root, ...over },
      check: false,
      diff: { json, against, families: fams as string[], specsDir },
    };
  }
  if (specs.length !== 2)
    throw new UsageError('diff needs OLD.yaml NEW.yaml (or --against GIT_REF)');
  return {
    cfg: { specs, out: '', base: process.cwd(), ...over },
    check: false,
    diff: { json, families: [], specsDir: '' },
  };
}

/** Runs `codegen diff`; returns the exit code. */
async function runDiff(p: Parsed): Promise<number> {
  const { diffAgainst, diffSpecs, formatReport } = await import('./diff/index.js');
  const d = p.diff!;
  const opts = p.cfg.overridesDir !== undefined ? { overridesDir: p.cfg.overridesDir } : {};
  const report =
    d.against !== undefined
      ? await diffAgainst(d.against, p.cfg.base, d.specsDir, d.families, opts)
      : await diffSpecs([p.cfg.specs[0]!], [p.cfg.specs[1]!], opts);
  process.stdout.write(d.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return report.verdict === 'breaking' ? 1 : 0;
}

function generatedFilesIn(dir: string): string[] {
  const src = join(dir, 'src');
  if (!existsSync(src)) return [];
  return readdirSync(src)
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        readFileSync(join(src, f), 'utf8').startsWith('// Code generated by ynl-ts codegen'),
    )
    .map((f) => `src/${f}`);
}

/** What regenerating `out` would change in its API (committed modules vs `files`). */
async function staleReport(out: string, files: readonly GeneratedFile[]): Promise<string> {
  const { diffModules, formatReport } = await import('./diff/index.js');
  const modules = (list: readonly { path: string; text: string }[]): Map<string, string> =>
    new Map(
      list
        .filter((f) => f.path.startsWith('src/') && f.path !== 'src/index.ts')
        .map((f) => [f.path.slice(4, -3), f.text]),
    );
  const committed = generatedFilesIn(out).map((p) => ({
    path: p,
    text: readFileSync(join(out, p), 'utf8'),
  }));
  return formatReport(await diffModules(modules(committed), modules(files)));
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`codegen: ${e.message}\n(see codegen --help)\n`);
      return 2;
    }
    throw e;
  }
  if (parsed === 'help') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const { cfg, check } = parsed;
  // a path lands in messages (file:line:col) and in generated headers: one line of text
  const oddPath = [...cfg.specs, ...(parsed.diff ? [] : [cfg.out])].find((p) =>
    [...p].some((ch) => ch < ' ' || ch === '\x7f' || ch === '\u2028' || ch === '\u2029'),
  );
  if (oddPath !== undefined) {
    process.stderr.write(
      `codegen: a path with a line break or control character is not accepted: ${JSON.stringify(oddPath)}\n`,
    );
    return 2;
  }
  if (!parsed.diff && existsSync(cfg.out) && !statSync(cfg.out).isDirectory()) {
    process.stderr.write(`codegen: --out ${cfg.out} is not a directory\n`);
    return 2;
  }
  for (const s of cfg.specs) {
    if (!existsSync(s) || !statSync(s).isFile()) {
      process.stderr.write(`codegen: no such spec file: ${s}\n`);
      return 2;
    }
  }
  if (parsed.diff) {
    try {
      return await runDiff(parsed);
    } catch (e) {
      if (e instanceof SpecErrors) {
        process.stderr.write(`codegen: ${e.message}\n`);
        return 3;
      }
      throw e;
    }
  }
  let files: GeneratedFile[];
  try {
    files = await generatePackage({
      specs: cfg.specs,
      relativeTo: cfg.base,
      ...(cfg.schemasDir !== undefined ? { schemasDir: cfg.schemasDir } : {}),
      ...(cfg.overridesDir !== undefined ? { overridesDir: cfg.overridesDir } : {}),
    });
  } catch (e) {
    if (e instanceof SpecErrors) {
      process.stderr.write(`codegen: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
  if (check) {
    const problems: string[] = [];
    const wanted = new Set(files.map((f) => f.path));
    for (const f of files) {
      const p = join(cfg.out, f.path);
      if (!existsSync(p)) problems.push(`missing: ${p}`);
      else if (readFileSync(p, 'utf8') !== f.text) problems.push(`differs: ${p}`);
    }
    for (const f of generatedFilesIn(cfg.out))
      if (!wanted.has(f)) problems.push(`extra:   ${join(cfg.out, f)}`);
    if (problems.length) {
      process.stderr.write(
        `codegen --check: ${cfg.out} is stale (run npx codegen):\n  ${problems.join('\n  ')}\n`,
      );
      process.stderr.write(`API change of the regeneration:\n${await staleReport(cfg.out, files)}`);
      return 1;
    }
    process.stdout.write(`codegen --check: ${cfg.out} is current (${files.length} files)\n`);
    return 0;
  }
  let written = 0;
  for (const f of files) {
    const p = join(cfg.out, f.path);
    try {
      if (existsSync(p) && readFileSync(p, 'utf8') === f.text) continue;
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.text);
    } catch (e) {
      process.stderr.write(`codegen: cannot write ${p}: ${(e as Error).message}\n`);
      return 2;
    }
    written++;
  }
  const wanted = new Set(files.map((f) => f.path));
  for (const f of generatedFilesIn(cfg.out)) if (!wanted.has(f)) rmSync(join(cfg.out, f));
  process.stdout.write(`codegen: ${files.length} files in ${cfg.out} (${written} written)\n`);
  return 0;
}
