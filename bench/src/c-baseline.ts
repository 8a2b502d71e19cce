// The C baselines (bench/c/*.c), built with gcc -O2 into bench/.build when a
// benchmark needs one; never committed as binaries.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds bench/c/`name`.c; returns the binary. */
export function buildC(name: string): string {
  const out = join(benchDir, '.build');
  mkdirSync(out, { recursive: true });
  const bin = join(out, name);
  execFileSync('gcc', ['-O2', '-Wall', '-o', bin, join(benchDir, 'c', `${name}.c`)], {
    stdio: 'inherit',
  });
  return bin;
}
