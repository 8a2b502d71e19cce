#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
//   node test/run.mjs            unit + golden + live-host tests
//   node test/run.mjs unit live  only those folders of test/dist
// Each folder of test/src is a layer: unit (codec, generator; no kernel),
// live (the host kernel over real sockets). The OVS suite runs in a VM
// (npm run test:ovs), not here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const layers = process.argv.slice(2);
const wanted = layers.length ? layers : ['unit', 'live'];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

if (!existsSync(root)) {
  console.error(`run: ${root} does not exist (did the build run? npm test builds first)`);
  process.exit(2);
}
const files = [];
for (const layer of wanted) {
  const dir = join(root, layer);
  const found = existsSync(dir) ? walk(dir) : [];
  if (found.length === 0) console.error(`run: layer '${layer}' has no compiled tests in ${dir}`);
  files.push(...found);
}
if (files.length === 0) {
  console.error('run: no tests to run');
  process.exit(2);
}
const args = ['--test', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
