#!/usr/bin/env node
// npm run fuzz -- [--seed N] [--runs M] [--family NAME]... [--property NAME]...
// Property-based fuzzing of every generated family's codec (see engine.ts).
// Seeded and reproducible: the same seed and options give the same inputs.
// Findings are saved under test/fixtures/fuzz-corpus/, which the unit tests replay.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PROPERTIES, type Property } from './engine.js';
import { CORPUS_DIR, fuzzInWorker, saveEntry } from './runner.js';
import { familyNames, targets } from './targets.js';

const HELP = `usage: npm run fuzz -- [options]

Fuzzes the codec of every generated family with fast-check: random valid
values must round-trip, mutated messages must decode or throw DecodeError,
values with junk in them must encode or throw EncodeError.

  --seed N        seed of the run (default: random, printed)
  --runs M        runs per target and property (default 5000; a mutated run
                  decodes 4-8 inputs): about 2.6 million inputs
  --family NAME   only this family (repeatable): ${familyNames.join(', ')}
  --property P    only this property (repeatable): ${PROPERTIES.join(', ')}
  --no-save       do not write findings to the corpus
  --hang-ms MS    no progress for this long counts as a hang (default 20000)
  -h, --help      this text

Findings are saved to ${CORPUS_DIR}
(replayed by the unit tests); the exit status is 1 when there are any.`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '5000' },
    family: { type: 'string', multiple: true },
    property: { type: 'string', multiple: true },
    'no-save': { type: 'boolean', default: false },
    'hang-ms': { type: 'string', default: '20000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const int = (name: string, s: string | undefined, fallback: number): number => {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isSafeInteger(n)) {
    console.error(`fuzz: --${name} must be an integer, got ${JSON.stringify(s)}`);
    process.exit(2);
  }
  return n;
};
const seed = int('seed', values.seed, randomInt(2 ** 31));
const runs = int('runs', values.runs, 5000);
for (const f of values.family ?? [])
  if (!familyNames.includes(f)) {
    console.error(`fuzz: unknown family ${f} (known: ${familyNames.join(', ')})`);
    process.exit(2);
  }
for (const p of values.property ?? [])
  if (!(PROPERTIES as readonly string[]).includes(p)) {
    console.error(`fuzz: unknown property ${p} (known: ${PROPERTIES.join(', ')})`);
    process.exit(2);
  }
const families = values.family;
const properties = values.property as Property[] | undefined;
const chosen = targets.filter((t) => !families || families.includes(t.family));
const perProp = properties?.length ?? PROPERTIES.length;
console.log(
  `fuzz: seed ${seed}, ${runs} runs x ${perProp} properties x ${chosen.length} targets ` +
    `(${new Set(chosen.map((t) => t.family)).size} families); a mutated run decodes 4-8 inputs`,
);
console.log(`fuzz: replay with: npm run fuzz -- --seed ${seed} --runs ${runs}`);

let lastPrint = 0;
const report = await fuzzInWorker({
  seed,
  runs,
  hangMs: int('hang-ms', values['hang-ms'], 20000),
  ...(families ? { families } : {}),
  ...(properties ? { properties } : {}),
  onFinding: (e) => {
    const where = values['no-save'] ? '(not saved)' : saveEntry(e);
    console.log(`FINDING ${e.target} ${e.property}: ${e.error.split('\n')[0]}\n  ${where}`);
  },
  onProgress: (p) => {
    if (p.ms - lastPrint < 5000) return;
    lastPrint = p.ms;
    console.log(
      `  ${(p.ms / 1000).toFixed(0)} s: ${p.inputs} inputs, ${Math.round(p.inputs / (p.ms / 1000))}/s, at ${p.target}`,
    );
  },
});
const s = report.ms / 1000;
console.log(
  `fuzz: ${report.inputs} inputs in ${s.toFixed(1)} s (${Math.round(report.inputs / s)} inputs/s): ` +
    PROPERTIES.map((p) => `${p} ${report.byProperty[p]}`).join(', ') +
    `; ${report.targets} targets; ${report.findings} findings; seed ${seed}`,
);
process.exit(report.findings > 0 ? 1 : 0);
