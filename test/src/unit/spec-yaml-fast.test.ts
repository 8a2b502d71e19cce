// The fast path for plain block YAML (generator/src/load/block-yaml.ts) must
// give exactly what the yaml library gives (data, the position of every
// object, key and item, no errors) whenever it accepts a file, and decline
// otherwise: checked on every spec, override file and test fixture, and on
// seeded random mutations of the specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
// the loader's internals (not the package's API): from the generator's build output
import { parseYamlFile, type Data, type Positions } from '../../../generator/dist/load/yaml.js';
import { parseBlockYaml } from '../../../generator/dist/load/block-yaml.js';
import { repoRoot } from './spec-util.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return f.endsWith('.yaml') ? [p] : [];
  });
}

/** Asserts both parses agree on values and positions, walking them side by side. */
function same(a: Data, pa: Positions, b: Data, pb: Positions, where: string): void {
  assert.equal(Array.isArray(a), Array.isArray(b), where);
  if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') {
    assert.equal(a, b, where);
    return;
  }
  assert.deepEqual(pa.find(a), pb.find(b), `${where}: position`);
  const ka = Object.keys(a);
  assert.deepEqual(ka, Object.keys(b), `${where}: keys`);
  for (const k of ka) {
    const key: string | number = Array.isArray(a) ? Number(k) : k;
    assert.deepEqual(pa.find(a, key), pb.find(b, key), `${where}.${k}: position`);
    const va = (a as Record<string, Data>)[k]!;
    const vb = (b as Record<string, Data>)[k]!;
    same(va, pa, vb, pb, `${where}.${k}`);
  }
}

/** Whether the fast path accepted `text`; if so, that it agrees with the library. */
function agrees(file: string, text: string): boolean {
  if (parseBlockYaml(text) === undefined) return false;
  const fast = parseYamlFile(file, { text });
  const lib = parseYamlFile(file, { text, library: true });
  assert.deepEqual(
    lib.errors.map((e) => e.format()),
    [],
    `${file}: the fast path accepted text the library rejects`,
  );
  assert.deepEqual(fast.errors, []);
  same(fast.data, fast.positions, lib.data, lib.positions, file);
  return true;
}

const files = [
  ...yamlFiles(join(repoRoot, 'specs')),
  ...yamlFiles(join(repoRoot, 'test', 'fixtures')),
];

test('the fast path agrees with the yaml library on every spec, override and fixture it accepts', (t) => {
  let n = 0;
  for (const f of files) if (agrees(f, readFileSync(f, 'utf8'))) n++;
  t.diagnostic(`fast path: ${n} of ${files.length} files`);
  // the configured families and their overrides need no library (a run loads none)
  const cfg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    'ynl-ts': { families: string[] };
  };
  for (const fam of cfg['ynl-ts'].families) {
    for (const f of [join('specs', `${fam}.yaml`), join('specs', 'overrides', `${fam}.yaml`)]) {
      let text: string;
      try {
        text = readFileSync(join(repoRoot, f), 'utf8');
      } catch {
        continue;
      }
      assert.ok(parseBlockYaml(text) !== undefined, `${f} takes the fast path`);
    }
  }
});

test('the fast path agrees with the yaml library on mutated specs (or declines them)', (t) => {
  const specs = files.filter((f) => f.startsWith(join(repoRoot, 'specs')));
  const texts = specs.map((f) => readFileSync(f, 'utf8'));
  const pieces = [
    ' ',
    '  ',
    ':',
    ': ',
    '-',
    '- ',
    '#',
    ' #',
    "'",
    '"',
    '\n',
    '[',
    ']',
    '{',
    '}',
    ',',
    '|',
    '>',
    '|-',
    '>-',
    '&a',
    '*a',
    '0',
    '0x1',
    '1.5',
    '~',
    'null',
    'true',
    '\\',
    '?',
    '!',
    '%',
    '@',
    '`',
    'é',
    '\u3042',
    '\t',
    '\r',
    'x',
  ];
  let seed = 12;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let accepted = 0;
  const total = 2000;
  for (let n = 0; n < total; n++) {
    const i = rnd(texts.length);
    let s = texts[i]!;
    for (let m = 1 + rnd(3); m > 0; m--) {
      const at = rnd(s.length + 1);
      const lines = s.split('\n');
      const l = rnd(lines.length);
      switch (rnd(4)) {
        case 0:
          s = s.slice(0, at) + s.slice(at + 1 + rnd(3));
          break;
        case 1:
          s = s.slice(0, at) + pieces[rnd(pieces.length)]! + s.slice(at);
          break;
        case 2:
          lines.splice(l, 0, lines[rnd(lines.length)]!);
          s = lines.join('\n');
          break;
        default:
          lines[l] = ' '.repeat(rnd(3)) + lines[l]!.replace(/^ {0,2}/, '');
          s = lines.join('\n');
      }
    }
    if (agrees(`${specs[i]} (mutant ${n})`, s)) accepted++;
  }
  t.diagnostic(`${accepted} of ${total} mutants took the fast path`);
  assert.ok(accepted > total / 10, 'the mutants exercise the fast path');
});
