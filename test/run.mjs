#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
//   node test/run.mjs            unit + golden + live-host + netns tests
//   node test/run.mjs unit live  only those folders of test/dist
// Each folder of test/src is a layer: unit (codec, generator; no kernel),
// live (the host kernel over real sockets), netns (the host kernel, in a
// private network namespace of their own: `unshare --net`, as root; tests
// that create links and addresses run there). The OVS suite runs in a VM
// (npm run test:ovs), not here.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const layers = process.argv.slice(2);
const wanted = layers.length ? layers : ['unit', 'live', 'netns'];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

// System tools the unit and live tests use as independent peers or compilers:
// iproute2 (ip, genl), python3, gcc, diff, and OVS's Python flow parser. A fresh Debian machine usually has
// them; when one is missing and we are root, install it here, so that the
// README's `npm test` needs nothing else.
const tools = {
  ip: 'iproute2',
  genl: 'iproute2',
  python3: 'python3',
  gcc: 'gcc',
  diff: 'diffutils',
};
const has = (cmd) =>
  ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, cmd)));
const missingPkgs = [
  ...new Set(
    Object.entries(tools)
      .filter(([c]) => !has(c))
      .map(([, p]) => p),
  ),
];
// The unit layer's second parser for Open vSwitch flow text is OVS's own
// Python flow library (ovs.flow.odp), which needs netaddr and pyparsing.
const pyModule = (m) =>
  spawnSync('/usr/bin/python3', ['-c', `import ${m}`], { stdio: 'ignore' }).status === 0;
if (wanted.includes('unit') && !pyModule('ovs.flow.odp')) {
  missingPkgs.push('python3-openvswitch', 'python3-netaddr', 'python3-pyparsing');
}
// The live layer's oracle for `ynl` is the kernel's own YNL cli.py
// (tools/net/ynl), taken from Debian's kernel source package and unpacked
// into node_modules/.cache; it needs PyYAML.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const kernelSource = '/usr/src/linux-source-6.12.tar.xz';
const pyynlDir = join(repoRoot, 'node_modules', '.cache', 'ynl-ts-pyynl', '6.12');
const needPyynl = wanted.includes('live') && !existsSync(join(pyynlDir, 'cli.py'));
if (wanted.includes('live') && !pyModule('yaml')) missingPkgs.push('python3-yaml');
if (needPyynl && !existsSync(kernelSource)) missingPkgs.push('linux-source-6.12');
if (missingPkgs.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(`run: missing system packages (install them as root): ${missingPkgs.join(' ')}`);
    process.exit(2);
  }
  console.error(`run: installing ${missingPkgs.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missingPkgs],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`run: apt-get ${args[0]} failed`);
      process.exit(2);
    }
  }
}

if (needPyynl) {
  // only the python library and cli.py: tools/net/ynl/{cli.py,lib/*.py}
  console.error(`run: unpacking the kernel's YNL cli.py from ${kernelSource}`);
  const tmp = `${pyynlDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync(
    'tar',
    [
      '-xJf',
      kernelSource,
      '-C',
      tmp,
      '--strip-components=4',
      '--wildcards',
      'linux-source-6.12/tools/net/ynl/cli.py',
      'linux-source-6.12/tools/net/ynl/lib/*.py',
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) {
    console.error(`run: could not unpack the kernel's YNL from ${kernelSource}`);
    process.exit(2);
  }
  rmSync(pyynlDir, { recursive: true, force: true });
  renameSync(tmp, pyynlDir);
}

if (!existsSync(root)) {
  console.error(`run: ${root} does not exist (did the build run? npm test builds first)`);
  process.exit(2);
}
const files = [];
const netnsFiles = [];
for (const layer of wanted) {
  const dir = join(root, layer);
  const found = existsSync(dir) ? walk(dir) : [];
  if (found.length === 0) console.error(`run: layer '${layer}' has no compiled tests in ${dir}`);
  (layer === 'netns' ? netnsFiles : files).push(...found);
}
if (files.length + netnsFiles.length === 0) {
  console.error('run: no tests to run');
  process.exit(2);
}
let status = 0;
const runTests = (prefix, list) => {
  const [cmd, ...rest] = [...prefix, process.execPath, '--test', '--test-reporter=spec', ...list];
  const r = spawnSync(cmd, rest, { stdio: 'inherit' });
  if (r.error) {
    console.error(`run: cannot start ${cmd}: ${r.error.message}`);
    status = 2;
  } else if (r.status !== 0) status = r.status ?? 1;
};
if (files.length > 0) runTests([], files);
if (netnsFiles.length > 0) {
  console.error('run: netns layer, in a private network namespace (unshare --net)');
  runTests(['unshare', '--net', '--'], netnsFiles);
}
process.exit(status);
