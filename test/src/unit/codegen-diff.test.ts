// `codegen diff`: what regenerating from another spec version changes for a
// user, with a verdict. Pinned on this repository's two kernel versions
// (test/fixtures/kernel-v7.2.13 → specs/), with the verdicts read from the
// spec changes, and on hand-made breaking edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './spec-util.js';

const bin = join(repoRoot, 'generator', 'bin', 'codegen.js');
const old = join(repoRoot, 'test', 'fixtures', 'kernel-v7.2.13');
function codegen(args: string[], cwd = repoRoot): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

// Expected from reading the spec diffs of 7.2.13 → mainline:
const expected: Record<string, [verdict: string, bump: string, why: string]> = {
  // netdev: dmabuf gains rx-page-size (attribute 5), which bind-rx accepts
  netdev: ['compatible', 'minor', 'an optional attribute added'],
  // devlink: new nested set dl-parent-dev and attribute parent-dev (186), accepted by rate-set/new
  devlink: ['compatible', 'minor', 'a new set and an optional attribute'],
  // dpll: pin-type int-nco and pin-capabilities state-connected-override appended
  dpll: ['compatible', 'minor', 'enum values appended'],
  // nfsd: server-proc-entry / server-stats sets and a stats op added
  nfsd: ['compatible', 'minor', 'sets and an op added'],
  // nl80211: only YAML comments changed (TOOD → TODO)
  nl80211: ['unchanged', 'none', 'comments only'],
  // rt-link: a doc paragraph added to vfinfo-list: the TSDoc changes, the API does not
  'rt-link': ['unchanged', 'patch', 'docs only'],
  ovs_datapath: ['unchanged', 'none', 'identical spec'],
  ovs_vport: ['unchanged', 'none', 'identical spec'],
  ovs_flow: ['unchanged', 'none', 'identical spec'],
  ovs_packet: ['unchanged', 'none', 'identical spec'],
};

test('kernel 7.2.13 → mainline: the verdict of every family', () => {
  for (const [f, [verdict, bump, why]] of Object.entries(expected)) {
    const r = codegen(['diff', '--json', join(old, `${f}.yaml`), join('specs', `${f}.yaml`)]);
    assert.equal(r.code, 0, `${f}: ${r.err}`);
    const report = JSON.parse(r.out) as { verdict: string; bump: string; changes: unknown[] };
    assert.equal(report.verdict, verdict, `${f} (${why})`);
    assert.equal(report.bump, bump, `${f} (${why})`);
  }
});

test('kernel 7.2.13 → mainline: the netdev and dpll reports, line by line', () => {
  assert.equal(
    codegen(['diff', join(old, 'netdev.yaml'), 'specs/netdev.yaml']).out,
    [
      'netdev:',
      '  + prop Dmabuf.rxPageSize ?: number  [compatible: new]',
      '  + attr dmabufSet.rxPageSize type 5 Kind.U32  [compatible: new]',
      '  + prop BindRxRequest.rxPageSize ?: number  [compatible: new]',
      'verdict: compatible; semver bump: minor',
      '',
    ].join('\n'),
  );
  assert.equal(
    codegen(['diff', join(old, 'dpll.yaml'), 'specs/dpll.yaml']).out,
    [
      'dpll:',
      '  + value PinType.intNco 6  [compatible: new]',
      '  + value PinCapabilities.stateConnectedOverride 8  [compatible: new]',
      'verdict: compatible; semver bump: minor',
      '',
    ].join('\n'),
  );
});

const base = `name: demo
doc: A demo family.
protocol: genetlink
definitions:
  - name: colour
    type: enum
    entries: [red, green, blue]
attribute-sets:
  - name: main
    attributes:
      - name: id
        type: u32
      - name: size
        type: u64
      - name: colour
        type: u32
        enum: colour
      - name: label
        type: string
operations:
  list:
    - name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          attributes: [id]
        reply:
          attributes: [id, size, colour, label]
`;

test('hand-made edits: attribute removed, type narrowed, enum value renumbered are breaking', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-diff-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a', 'demo.yaml');
  mkdirSync(join(dir, 'a'));
  writeFileSync(a, base);
  const edits: [string, string, RegExp][] = [
    [
      'attribute removed',
      base.replace('      - name: label\n        type: string\n', '').replace(', label]', ']'),
      /- prop Main\.label {2}\[breaking: removed/,
    ],
    [
      'type narrowed (u64 → u32)',
      base.replace('type: u64', 'type: u32'),
      /~ prop Main\.size \?: bigint -> \?: number {2}\[breaking: its type changed\]/,
    ],
    [
      'enum value renumbered',
      base.replace('entries: [red, green, blue]', 'entries: [red, blue, green]'),
      /~ value Colour\.green 1 -> 2 {2}\[breaking: renumbered/,
    ],
  ];
  for (const [what, text, line] of edits) {
    const b = join(dir, 'b', 'demo.yaml');
    mkdirSync(join(dir, 'b'), { recursive: true });
    writeFileSync(b, text);
    const r = codegen(['diff', a, b]);
    assert.equal(r.code, 1, `${what}: a breaking change exits 1 (${r.err})`);
    assert.match(r.out, line, what);
    assert.match(r.out, /verdict: breaking \(\d+ breaking changes?\); semver bump: major/, what);
  }
  // and an added optional attribute is compatible
  const b = join(dir, 'b', 'demo.yaml');
  writeFileSync(
    b,
    base.replace(
      '      - name: label\n',
      '      - name: extra\n        type: u8\n      - name: label\n',
    ),
  );
  const r = codegen(['diff', '--json', a, b]);
  assert.equal(r.code, 1, 'inserting before label renumbers it: the wire layout changes');
  assert.match(r.out, /"item": "attr mainSet.label"/);
});

test('diff --against GIT_REF compares the configured families at a revision with the work tree', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-diff-git-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ 'ynl-ts': { specs: 'specs', out: 'gen', families: ['netdev', 'dpll'] } }),
  );
  mkdirSync(join(dir, 'specs'));
  cpSync(join(old, 'schemas'), join(dir, 'specs', 'schemas'), { recursive: true });
  for (const f of ['netdev', 'dpll'])
    cpSync(join(old, `${f}.yaml`), join(dir, 'specs', `${f}.yaml`));
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'kernel 7.2.13 specs');
  for (const f of ['netdev', 'dpll'])
    writeFileSync(
      join(dir, 'specs', `${f}.yaml`),
      readFileSync(join(repoRoot, 'specs', `${f}.yaml`)),
    );
  const r = codegen(['diff', '--against', 'HEAD'], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^dpll:\n {2}\+ value PinType\.intNco 6/m);
  assert.match(r.out, /^netdev:\n {2}\+ prop Dmabuf\.rxPageSize/m);
  assert.match(r.out, /verdict: compatible; semver bump: minor\n$/);
});

test('codegen --check on a stale package reports the API change of regenerating', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-diff-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(codegen([join(old, 'netdev.yaml'), '--out', dir]).code, 0);
  const r = codegen(['specs/netdev.yaml', '--out', dir, '--check']);
  assert.equal(r.code, 1);
  assert.match(r.err, /differs: .*netdev\.ts/);
  assert.match(r.err, /\+ prop Dmabuf\.rxPageSize \?: number/);
  assert.match(r.err, /verdict: compatible; semver bump: minor/);
});
