// Paths shared by the generator tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';
import { fileURLToPath } from 'node:url';

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
