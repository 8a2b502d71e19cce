// Paths shared by the generator tests.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/dist/unit → ../../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
