// Paths shared by the generator tests.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';
import { fileURLToPath } from 'node:url';
import { SpecErrors } from '@ynl-ts/codegen';

/** The repository root (test/dist/unit → ../../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Writes generated files (paths like `src/x.ts`) into `dir` as an ESM package
 * and returns a ts-morph project that typechecks them as a user's strict
 * project would (`@ynl-ts/runtime` resolves through the repository's node_modules).
 */
export function strictProject(
  dir: string,
  files: readonly { path: string; text: string }[],
): Project {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const project = new Project({
    compilerOptions: {
      strict: true,
      noEmit: true,
      noUnusedLocals: true,
      target: ScriptTarget.ES2022,
      module: ModuleKind.NodeNext,
      moduleResolution: ModuleResolutionKind.NodeNext,
      types: ['node'],
    },
  });
  for (const f of files) project.addSourceFileAtPath(join(dir, f.path));
  return project;
}

/**
 * Runs `load` on a spec tree made by `tree(patch)` and asserts that it throws
 * `SpecErrors` whose message matches `msg`; the tree is removed afterwards.
 */
export function assertSpecError(
  tree: (patch: string) => string,
  patch: string,
  load: (dir: string) => unknown,
  msg: RegExp,
): void {
  const dir = tree(patch);
  try {
    assert.throws(
      () => load(dir),
      (e: unknown) => {
        assert.ok(e instanceof SpecErrors, String(e));
        assert.match(e.message, msg);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
}
