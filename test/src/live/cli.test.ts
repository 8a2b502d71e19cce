// `ynl` against the host kernel, with the kernel's own YNL cli.py
// (tools/net/ynl of Linux 6.12, unpacked by test/run.mjs from Debian's
// linux-source-6.12) as the oracle: for the same requests on the same specs/
// both print the same JSON. What is compared modulo, and why:
//  - cli.py wraps each element of an indexed-array of nests as {"<index>": …};
//  - cli.py reads only the first entry of a nest-type-value (ynl keeps all,
//    as a list): its object is compared with our list's only entry;
//  - flag sets are Python sets (no order): lists of names compare sorted;
//  - cli.py 6.12 cannot decode `pad` attributes (nlctrl getpolicy): it runs
//    with --process-unknown there and its `pad` keys are dropped;
//  - values that change between two reads (tcp_metrics `age`) are left out.
// Numbers compare as JSON numbers (ynl prints u64 exactly; both parse alike).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../doc-blocks.js';

const pyynlDir = join(repoRoot, 'node_modules', '.cache', 'ynl-ts-pyynl', '6.12');
const ynlBin = join(repoRoot, 'cli', 'bin', 'ynl.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function ynl(...args: string[]): Run {
  const r = spawnSync(process.execPath, [ynlBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pyynl(spec: string, ...args: string[]): Run {
  assert.ok(
    existsSync(join(pyynlDir, 'cli.py')),
    `the kernel's cli.py is not in ${pyynlDir}: run the tests with node test/run.mjs live (it unpacks it)`,
  );
  const r = spawnSync(
    'python3',
    [join(pyynlDir, 'cli.py'), '--spec', join(repoRoot, 'specs', spec), '--no-schema', ...args],
    { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is { [k: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** cli.py's indexed-array element wrapper `{"<index>": value}` removed; flag sets sorted. */
function pyShape(v: Json): Json {
  if (Array.isArray(v)) {
    const wrapped =
      v.length > 0 &&
      v.every((x) => isObj(x) && Object.keys(x).length === 1 && /^\d+$/.test(Object.keys(x)[0]!));
    const a = (wrapped ? v.map((x) => Object.values(x as object)[0] as Json) : v).map(pyShape);
    return a.every((x) => typeof x === 'string') ? [...a].sort() : a;
  }
  if (isObj(v)) {
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'pad') out[k] = pyShape(x);
    return out;
  }
  return v;
}

function ourShape(v: Json): Json {
  if (Array.isArray(v)) {
    const a = v.map(ourShape);
    return a.every((x) => typeof x === 'string') ? [...a].sort() : a;
  }
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ourShape(x)]));
  return v;
}

/** Deep-equal modulo the rules above; `drop` names keys left out on both sides. */
function same(ours: Json, theirs: Json, drop: readonly string[], path = '$'): void {
  if (Array.isArray(ours) && ours.length === 1 && isObj(theirs)) ours = ours[0]!; // nest-type-value
  if (isObj(ours) && isObj(theirs)) {
    const keys = (o: object): string[] =>
      Object.keys(o)
        .filter((k) => !drop.includes(k))
        .sort();
    assert.deepEqual(keys(ours), keys(theirs), `${path}: keys`);
    for (const k of keys(ours)) same(ours[k]!, theirs[k]!, drop, `${path}.${k}`);
    return;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    assert.equal(ours.length, theirs.length, `${path}: length`);
    ours.forEach((x, i) => same(x, theirs[i]!, drop, `${path}[${i}]`));
    return;
  }
  assert.deepEqual(ours, theirs, path);
}

/** Runs the same request through both, requires success, compares the JSON. */
function compare(
  family: string,
  args: readonly string[],
  opts: { drop?: readonly string[]; pyArgs?: readonly string[] } = {},
): Json {
  const ours = ynl('--family', family, ...args, '--output-json');
  assert.equal(ours.status, 0, `ynl ${args.join(' ')}: ${ours.stderr}`);
  const theirs = pyynl(`${family}.yaml`, ...args, ...(opts.pyArgs ?? []), '--output-json');
  assert.equal(theirs.status, 0, `cli.py ${args.join(' ')}: ${theirs.stdout}${theirs.stderr}`);
  const o = JSON.parse(ours.stdout) as Json;
  same(ourShape(o), pyShape(JSON.parse(theirs.stdout) as Json), opts.drop ?? []);
  return o;
}

test('nlctrl getfamily do and dump match cli.py', () => {
  const one = compare('nlctrl', ['--do', 'getfamily', '--json', '{"family-name": "netdev"}']);
  assert.ok(isObj(one) && one['family-name'] === 'netdev');
  const all = compare('nlctrl', ['--dump', 'getfamily']);
  assert.ok(Array.isArray(all) && all.some((f) => isObj(f) && f['family-name'] === 'nlctrl'));
});

test('nlctrl getpolicy dump (nest-type-value policies) matches cli.py', () => {
  const r = compare('nlctrl', ['--dump', 'getpolicy', '--json', '{"family-name": "netdev"}'], {
    pyArgs: ['--process-unknown'],
  });
  assert.ok(Array.isArray(r) && r.length > 2);
  assert.ok(
    r.some((m) => isObj(m) && 'policy' in m) && r.some((m) => isObj(m) && 'op-policy' in m),
  );
});

test('netdev dev-get dump and do match cli.py; camelCase keys are taken too', () => {
  const all = compare('netdev', ['--dump', 'dev-get']);
  assert.ok(Array.isArray(all) && all.length > 0);
  compare('netdev', ['--do', 'dev-get', '--json', '{"ifindex": 1}']);
  const camel = ynl(
    '--family',
    'netdev',
    '--do',
    'dev-get',
    '--json',
    '{"ifindex": 1}',
    '--output-json',
  );
  assert.deepEqual(
    JSON.parse(camel.stdout),
    (all as Json[]).find((d) => isObj(d) && d.ifindex === 1),
  );
});

test('ethtool linkstate-get, features-get, tsinfo-get, strset-get on lo match cli.py', () => {
  const lo = ['--json', '{"header": {"dev-name": "lo"}}'];
  const link = compare('ethtool', ['--do', 'linkstate-get', ...lo]);
  assert.ok(isObj(link) && isObj(link.header) && link.header['dev-index'] === 1);
  compare('ethtool', ['--do', 'features-get', ...lo]);
  compare('ethtool', ['--do', 'tsinfo-get', ...lo]);
  compare('ethtool', ['--do', 'strset-get', ...lo]);
  // camelCase keys address the same attributes
  const camel = ynl(
    '--family',
    'ethtool',
    '--do',
    'linkstate-get',
    '--json',
    '{"header": {"devName": "lo"}}',
    '--output-json',
  );
  assert.equal(camel.status, 0, camel.stderr);
  assert.deepEqual(JSON.parse(camel.stdout), link);
});

test('tcp_metrics get dump matches cli.py (addresses by display hint; age left out)', () => {
  const r = compare('tcp_metrics', ['--dump', 'get'], { drop: ['age'] });
  assert.ok(Array.isArray(r));
  for (const m of r)
    assert.ok(
      isObj(m) && (typeof m['addr-ipv4'] === 'string' || typeof m['addr-ipv6'] === 'string'),
    );
});

test('a spec the generated package does not hold (mptcp_pm, generated in memory) matches cli.py', () => {
  compare('mptcp_pm', ['--do', 'get-limits']);
  // --spec FILE and --family NAME of a generated family give the same answer
  const bySpec = ynl('--spec', 'specs/netdev.yaml', '--dump', 'dev-get', '--output-json');
  const byName = ynl('--family', 'netdev', '--dump', 'dev-get', '--output-json');
  assert.equal(bySpec.status, 0, bySpec.stderr);
  assert.deepEqual(JSON.parse(bySpec.stdout), JSON.parse(byName.stdout));
});

test('--multi sends several do-requests and matches cli.py --multi', () => {
  const args = [
    '--multi',
    'getfamily',
    '{"family-name": "netdev"}',
    '--multi',
    'getfamily',
    '{"family-name": "ethtool"}',
  ];
  const r = compare('nlctrl', args);
  assert.deepEqual(
    (r as Json[]).map((f) => isObj(f) && f['family-name']),
    ['netdev', 'ethtool'],
  );
});

test('readable output uses display hints and spec names', () => {
  const r = ynl('--family', 'netdev', '--do', 'dev-get', '--json', '{"ifindex": 1}');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ifindex: 1$/m);
  assert.match(r.stdout, /^xdp-features: \[.*\]$/m);
  const t = ynl('--family', 'tcp_metrics', '--dump', 'get');
  assert.equal(t.status, 0, t.stderr);
  const json = JSON.parse(
    ynl('--family', 'tcp_metrics', '--dump', 'get', '--output-json').stdout,
  ) as Json[];
  for (const m of json) {
    const a = isObj(m) ? (m['addr-ipv4'] ?? m['addr-ipv6']) : undefined;
    assert.ok(typeof a === 'string');
    assert.ok(t.stdout.includes(`: ${a}\n`), `text shows ${a}`);
  }
});

test('kernel errors: exit 1 with the errno, the extended-ACK message and the attribute path', () => {
  const r = ynl('--family', 'netdev', '--do', 'dev-get', '--json', '{"ifindex": 999999}');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /netdev dev-get: .*\(ENODEV, errno 19\)/);
  const py = pyynl('netdev.yaml', '--do', 'dev-get', '--json', '{"ifindex": 999999}');
  assert.equal(py.status, 1);
  assert.match(py.stdout, /error: -19/);

  // the same while subscribed: the watcher ends with the request
  const sub = ynl(
    '--family',
    'netdev',
    '--do',
    'dev-get',
    '--json',
    '{"ifindex": 999999}',
    '--subscribe',
    'mgmt',
  );
  assert.equal(sub.status, 1, sub.stderr);
  assert.equal(sub.stderr.trim(), r.stderr.trim());

  const e = ynl(
    '--family',
    'ethtool',
    '--do',
    'linkstate-get',
    '--json',
    '{"header": {"dev-index": 999999}}',
  );
  assert.equal(e.status, 1);
  const pe = pyynl(
    'ethtool.yaml',
    '--do',
    'linkstate-get',
    '--json',
    '{"header": {"dev-index": 999999}}',
  );
  const msg = /'msg': '([^']+)'/.exec(pe.stdout)?.[1];
  const bad = /'bad-attr': '\.([^']+)'/.exec(pe.stdout)?.[1];
  assert.ok(msg && bad, pe.stdout);
  assert.match(e.stderr, new RegExp(`ethtool linkstate-get: ${msg} \\(ENODEV, errno 19\\)`));
  assert.match(e.stderr, new RegExp(`bad attribute: ${bad.replace(/\./g, '\\.')}$`, 'm'));
});

test('--list-families marks the families we have a spec for', () => {
  const r = ynl('--list-families');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^netdev +\d+ +v\d+ +@ynl-ts\/families\/netdev$/m);
  assert.match(r.stdout, /^nlctrl +16 +v2 +@ynl-ts\/families\/nlctrl$/m);
  assert.match(r.stdout, /^mptcp_pm +\d+ +v\d+ +specs\/mptcp_pm\.yaml$/m);
  assert.match(r.stdout, /^\S+ +\d+ +v\d+ +no spec$/m);
});
