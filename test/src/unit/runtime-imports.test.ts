// The runtime's modules form no import cycle (type-only imports included): the
// wire primitives sit below the interpreters and the compiler, the layout
// types below everything that reads them. A cycle is reported as its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const runtimeSrc = resolve(dirname(fileURLToPath(import.meta.url)), '../../../runtime/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Relative imports and re-exports of each file (`from './x.js'`, `import './x.js'`). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps = [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g)].map((m) =>
      resolve(dirname(f), `${m[1]!}.ts`),
    );
    graph.set(f, [...new Set(deps)]);
  }
  return graph;
}

/** One import cycle of `graph` as a list of files (first = last), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | undefined => {
    const s = state.get(f);
    if (s === 'done') return undefined;
    if (s === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of graph.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return undefined;
}

test('the cycle finder finds a cycle, and none in a chain', () => {
  assert.deepEqual(
    findCycle(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ]),
    ),
    ['a', 'b', 'c', 'a'],
  );
  assert.equal(
    findCycle(
      new Map([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    undefined,
  );
});

test('runtime/src has no import cycle', () => {
  const files = sources(runtimeSrc);
  assert.ok(files.length > 10, `found the runtime's sources (${files.length})`);
  const cycle = findCycle(importGraph(files));
  assert.equal(cycle?.map((f) => relative(runtimeSrc, f)).join(' -> '), undefined);
});
