// The codec has two paths (compiled layouts, and the interpreter they fall
// back to); codec tests run their cases through both.
import assert from 'node:assert/strict';
import { fastPath } from '@ynl-ts/runtime';

/** Runs `f` with the compiled fast path on, then off; both must give the same. */
export function bothPaths<T>(f: () => T): T {
  const on = f();
  fastPath.enabled = false;
  try {
    assert.deepStrictEqual(f(), on, 'the interpreter and the compiled path disagree');
  } finally {
    fastPath.enabled = true;
  }
  return on;
}
