// `ynl` without a kernel: the command line and its exit statuses, the
// --json conversion (spec or camelCase names, display-hint text, u64
// strings, enum and flag names, fixed-header members at the top level) to
// the same bytes a typed request encodes, the output tree (spec names,
// display hints, exact u64, unknown attributes), the descriptions from the
// spec, and a spec outside the generated package generated in memory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  InputError,
  Shaper,
  loadByName,
  parseArgs,
  toBytes,
  toJson,
  toRequest,
  toText,
  ynl,
  type CliFamily,
} from '@ynl-ts/cli';
import {
  Kind,
  AttrSet,
  extraAttrs,
  genlRequest,
  type AttrSet as AttrSetT,
  type StructDef,
} from '@ynl-ts/runtime';
import { repoRoot } from '../doc-blocks.js';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await ynl(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

/** The request bytes of `attrs` under op `op` of `fam` (no socket: family id 0x20). */
function bytes(fam: CliFamily, op: string, attrs: unknown): Buffer {
  const def = fam.module.ops[op]!;
  const fixed = def.fixedHeader ?? fam.module.family.fixedHeader;
  return Buffer.from(
    genlRequest({
      familyId: 0x20,
      cmd: def.cmd,
      version: fam.module.family.version,
      set: def.requestSet as AttrSetT<unknown>,
      attrs,
      ...(fixed ? { fixedHeader: fixed } : {}),
    }).bytes,
  );
}

function convert(fam: CliFamily, op: string, json: Record<string, unknown>): unknown {
  const def = fam.module.ops[op]!;
  const fixed: StructDef | undefined = def.fixedHeader ?? fam.module.family.fixedHeader;
  return toRequest(
    fam.names,
    def.requestSet,
    json,
    fixed ? { def: fixed, key: 'header' } : undefined,
  );
}

test('usage errors exit 2 and say what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['--family', 'netdev', '--spec', 'specs/netdev.yaml', '--list-ops'], /not both/],
    [
      ['--family', 'netdev', '--do', 'dev-gett'],
      /netdev has no operation 'dev-gett' \(it has: dev-get, /,
    ],
    [['--family', 'netdev', '--do', 'qstats-get'], /qstats-get has no do mode \(use --dump\)/],
    [['--family', 'netdev', '--do', 'dev-get', '--dump', 'dev-get'], /one action/],
    [['--family', 'netdev', '--do', 'dev-get', '--json', '{"ifindex": 1'], /--json: .*JSON/],
    [
      ['--family', 'netdev', '--do', 'dev-get', '--json', '{"ifindx": 1}'],
      /'ifindx' is not an attribute of dev \(it has: ifindex, xdp-features/,
    ],
    [
      ['--family', 'netdev', '--do', 'dev-get', '--json', '{"ifindex": "eth0"}'],
      /ifindex: expected a 32-bit integer/,
    ],
    [
      ['--family', 'netdev', '--do', 'dev-get', '--json', '{"ifindex": 0}'],
      /ifindex: 0 is below the minimum 1/,
    ],
    [
      ['--family', 'netdev', '--subscribe', 'nosuch'],
      /no multicast group 'nosuch' \(it has: mgmt, page-pool\)/,
    ],
    [['--family', 'nosuch', '--list-ops'], /no family 'nosuch'/],
    [['--family', 'netdev'], /nothing to do/],
    [
      ['--family', 'netdev', '--dump', 'dev-get', '--timeout', 'soon'],
      /--timeout takes a positive number/,
    ],
  ];
  for (const [argv, re] of cases) {
    const r = await run(...argv);
    assert.equal(r.status, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, re, argv.join(' '));
  }
  // no argument at all: the help, on stderr
  const none = await run();
  assert.equal(none.status, 2);
  assert.match(none.err, /^usage: ynl/);
});

test('a bad spec exits 3 with file:line:col', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-spec-'));
  try {
    const f = join(dir, 'broken.yaml');
    writeFileSync(
      f,
      'name: broken\nprotocol: genetlink\ndoc: a family\nattribute-sets: 7\noperations:\n  list: []\n',
    );
    const r = await run('--spec', f, '--list-ops');
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, new RegExp(`${f.replace(/[.]/g, '\\.')}:4:\\d+: attribute-sets`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--list-ops, --list-attrs, --doc and --family X --help come from the spec', async () => {
  const ops = await run('--family', 'netdev', '--list-ops');
  assert.equal(ops.status, 0);
  assert.match(ops.out, /^dev-get +\[do, dump\]$/m);
  assert.match(ops.out, /^qstats-get +\[dump\]$/m);
  assert.match(ops.out, /^dev-change-ntf +\[notify\]$/m);
  assert.match(ops.out, /^multicast groups: mgmt, page-pool$/m);

  const attrs = await run('--family', 'netdev', '--list-attrs', 'dev-get');
  assert.equal(attrs.status, 0);
  assert.match(attrs.out, /^do request:\n {2}ifindex: u32$/m);
  assert.match(attrs.out, /^ {2}xdp-features: u64 flags\(xdp-act\)$/m);
  assert.doesNotMatch(attrs.out, /#/);

  const doc = await run('--family', 'netdev', '--doc', 'dev-get');
  assert.match(doc.out, /Get \/ dump information about a netdev\./);
  assert.match(
    doc.out,
    /^ {6}ndo-xmit {2}# This feature informs if netdev implements ndo_xdp_xmit callback\.$/m,
  );

  const tm = await run('--family', 'tcp_metrics', '--list-attrs', 'get');
  assert.match(tm.out, /^ {2}addr-ipv4: u32 big-endian display:ipv4$/m);

  const help = await run('--family', 'ethtool', '--help');
  assert.equal(help.status, 0);
  assert.match(help.out, /^usage: ynl/);
  assert.match(help.out, /^ethtool operations \(@ynl-ts\/families\/ethtool\):$/m);
  assert.match(help.out, /^ {2}linkstate-get +\[do, dump\]$/m);
});

test('--json: spec or camelCase names, display-hint text, u64 strings, names encode like typed requests', async () => {
  const tm = await loadByName('tcp_metrics');
  assert.deepEqual(
    bytes(tm, 'get', convert(tm, 'get', { 'addr-ipv4': '10.0.0.1', saddrIpv6: 'fe80::1:2' })),
    bytes(tm, 'get', {
      addrIpv4: 0x0a000001,
      saddrIpv6: Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]),
    }),
  );
  const dp = await loadByName('ovs_datapath');
  // fixed-header members at the top level (as cli.py takes them) or under header; flag names
  const typed = bytes(dp, 'new', {
    header: { dpIfindex: 3 },
    name: 'dp0',
    upcallPid: 7,
    userFeatures: ['unaligned', 'vportPids'],
  });
  assert.deepEqual(
    bytes(
      dp,
      'new',
      convert(dp, 'new', {
        'dp-ifindex': 3,
        name: 'dp0',
        'upcall-pid': 7,
        'user-features': ['unaligned', 'vport-pids'],
      }),
    ),
    typed,
  );
  assert.deepEqual(
    bytes(
      dp,
      'new',
      convert(dp, 'new', {
        header: { dpIfindex: 3 },
        name: 'dp0',
        upcallPid: 7,
        userFeatures: ['unaligned', 'vportPids'],
      }),
    ),
    typed,
  );
  // u64: decimal strings are exact; unsafe JSON numbers are refused
  const flow = await loadByName('ovs_flow');
  const sets = convert(flow, 'get', {
    'dp-ifindex': 1,
    'ufid-flags': ['omit-key'],
    ufid: '01234567-89ab-cdef-0123-456789abcdef',
  }) as Record<string, unknown>;
  assert.deepEqual(sets.ufid, toBytes('0123456789abcdef0123456789abcdef', undefined));
  assert.throws(
    () => convert(flow, 'get', { 'ufid-flags': ['nosuch'] }),
    /'nosuch' is not a flag of ovs-ufid-flags \(it has: omit-key, omit-mask, omit-actions\)/,
  );
  const nd = await loadByName('netdev');
  const big = toRequest(
    nd.names,
    new AttrSet('x', () => [{ name: 'v', type: 1, kind: Kind.U64 }]),
    { v: '18446744073709551615' },
  );
  assert.deepEqual(big, { v: 18446744073709551615n });
  assert.throws(
    () =>
      toRequest(nd.names, new AttrSet('x', () => [{ name: 'v', type: 1, kind: Kind.U64 }]), {
        v: JSON.parse('18446744073709551615') as number, // what JSON.parse makes of it
      }),
    (e: unknown) => e instanceof InputError && /decimal strings/.test(e.message),
  );
});

test('toBytes reads addresses, MACs, UUIDs and hex by the display hint', () => {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  assert.equal(hex(toBytes('10.1.2.3', 'ipv4')), '0a010203');
  assert.equal(hex(toBytes('::ffff:1.2.3.4', 'ipv6')), '00000000000000000000ffff01020304');
  assert.equal(hex(toBytes('2001:db8::1', 'ipv4-or-v6')), '20010db8000000000000000000000001');
  assert.equal(hex(toBytes('1:2:3:4:5:6:7:8', 'ipv6')), '00010002000300040005000600070008');
  assert.equal(hex(toBytes('::', 'ipv6')), '0'.repeat(32));
  assert.equal(hex(toBytes('00:11:22:aa:bb:cc', 'mac')), '001122aabbcc');
  assert.equal(hex(toBytes('0a 0b', undefined)), '0a0b');
  assert.equal(hex(toBytes([1, 255], undefined)), '01ff');
  assert.throws(() => toBytes('10.1.2', 'ipv4'), /is not ipv4 text or hex bytes/);
  assert.throws(() => toBytes('abc', undefined), /is not hex bytes/);
});

test('output: spec names, enum and flag names, display hints, exact u64, unknown attributes', async () => {
  const tm = await loadByName('tcp_metrics');
  const set = tm.module.ops.get!.replySet!;
  const reply = {
    addrIpv4: 0x0a000001,
    addrIpv6: undefined,
    age: 18446744073709551615n,
    vals: { rttUs: 5 },
    [extraAttrs]: [{ type: 99, flags: 0, data: Uint8Array.from([0xab, 0xcd]) }],
  };
  delete reply.addrIpv6;
  const quiet = new Shaper(tm.names);
  const t = quiet.message(reply, set);
  assert.equal(
    toJson(t),
    '{"addr-ipv4": "10.0.0.1", "age": 18446744073709551615, "vals": {"rtt-us": 5}}',
  );
  assert.equal(quiet.unknown, 1);
  const loud = new Shaper(tm.names, true);
  assert.match(toJson(loud.message(reply, set)), /"UnknownAttr\(99\)": "abcd"/);
  assert.deepEqual(toText(t), [
    'addr-ipv4: 10.0.0.1',
    'age: 18446744073709551615',
    'vals:',
    '  rtt-us: 5',
  ]);

  const nd = await loadByName('netdev');
  const dev = new Shaper(nd.names).message(
    { ifindex: 2, xdpFeatures: ['basic', 'ndoXmit', 128] },
    nd.module.ops.devGet!.replySet!,
  );
  assert.deepEqual(dev, { ifindex: 2, 'xdp-features': ['basic', 'ndo-xmit', 128] });

  const dp = await loadByName('ovs_datapath');
  const get = dp.module.ops.get!;
  const shaped = new Shaper(dp.names).message(
    { header: { dpIfindex: 5 }, name: 'dp0', userFeatures: ['unaligned'] },
    get.replySet!,
    { def: dp.module.family.fixedHeader!, key: 'header' },
  );
  // the fixed header's members at the top level, as cli.py prints them
  assert.deepEqual(shaped, { 'dp-ifindex': 5, name: 'dp0', 'user-features': ['unaligned'] });
});

test('--spec: a spec outside the generated package is generated in memory and cached', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'ynl-cache-'));
  try {
    const env = { ...process.env, YNL_TS_CACHE_DIR: cache };
    const go = (): ReturnType<typeof spawnSync> =>
      spawnSync(
        process.execPath,
        [
          join(repoRoot, 'cli/bin/ynl.js'),
          '--spec',
          'specs/mptcp_pm.yaml',
          '--list-attrs',
          'get-limits',
        ],
        {
          cwd: repoRoot,
          env,
          encoding: 'utf8',
        },
      );
    const first = go();
    assert.equal(first.status, 0, String(first.stderr));
    assert.match(String(first.stdout), /^do reply:\n {2}rcv-add-addrs: u32\n {2}subflows: u32$/m);
    assert.equal(readdirSync(join(cache, 'ynl')).length, 1, 'one cache entry');
    const second = go();
    assert.equal(second.stdout, first.stdout);
    assert.equal(readdirSync(join(cache, 'ynl')).length, 1, 'the entry is reused');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('npx ynl works from the repository root', () => {
  const r = spawnSync('npx', ['--no-install', 'ynl', '--version'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ynl \(@ynl-ts\/cli\) \d+\.\d+\.\d+$/m);
});

test('parseArgs: NLM_F flag options, --opt=value, --multi pairs, seconds', () => {
  const a = parseArgs([
    '--family=netdev',
    '--multi',
    'dev-get',
    '{"ifindex": 1}',
    '--multi',
    'dev-get',
    '{}',
    '--create',
    '--excl',
    '--replace',
    '--append',
    '--timeout=2.5',
  ]);
  assert.equal(a.family, 'netdev');
  assert.equal(a.flags, 0x400 | 0x200 | 0x100 | 0x800);
  assert.deepEqual(a.multi, [
    { op: 'dev-get', json: '{"ifindex": 1}' },
    { op: 'dev-get', json: '{}' },
  ]);
  assert.equal(a.timeout, 2.5);
  assert.equal(parseArgs(['--family', 'x', '--create', '--do', 'y']).flags, 0x400);
  assert.throws(() => parseArgs(['--family', 'x', '--multi', 'y']), /--multi y needs a value/);
  assert.throws(
    () => parseArgs(['--family', 'x', '--duration', '3']),
    /--duration goes with --subscribe/,
  );
});

test('every genetlink spec of specs/ runs through --spec (generated, transpiled, imported); netlink-raw ones are refused', async () => {
  const specs = readdirSync(join(repoRoot, 'specs')).filter((f) => f.endsWith('.yaml'));
  assert.ok(specs.length > 20);
  for (const f of specs) {
    const r = await run('--spec', join(repoRoot, 'specs', f), '--list-ops');
    if (/^protocol: netlink-raw$/m.test(readFileSync(join(repoRoot, 'specs', f), 'utf8'))) {
      assert.equal(r.status, 2, f);
      assert.match(r.err, /netlink-raw .* generic netlink only/, f);
    } else {
      assert.equal(r.status, 0, `${f}: ${r.err}`);
      assert.match(r.out, /^\S+ +\[(do|dump|notify|event)/m, f);
    }
  }
});

test('--family of a generated netlink-raw family (rt-link) is a usage error, not an nlctrl lookup', async () => {
  const r = await run('--family', 'rt-link', '--dump', 'getlink');
  assert.equal(r.status, 2, r.err);
  assert.match(r.err, /--family rt-link: rt-link is a netlink-raw .* generic netlink only/);
});

test('a struct-array attribute (ovs_ct_limit zone-limit): JSON in, the typed request out, shaped back', async () => {
  const ct = await loadByName('ovs_ct_limit');
  const json = { 'dp-ifindex': 3, 'zone-limit': [{ 'zone-id': -1, limit: 9 }, { zoneId: 5 }] };
  const req = convert(ct, 'set', json);
  assert.deepEqual(req, {
    header: { dpIfindex: 3 },
    zoneLimit: [{ zoneId: -1, limit: 9 }, { zoneId: 5 }],
  });
  // the same bytes as the typed request
  assert.deepEqual(
    bytes(ct, 'set', req),
    bytes(ct, 'set', {
      header: { dpIfindex: 3 },
      zoneLimit: [
        { zoneId: -1, limit: 9, count: 0 },
        { zoneId: 5, limit: 0, count: 0 },
      ],
    }),
  );
  assert.throws(
    () => convert(ct, 'set', { 'dp-ifindex': 3, 'zone-limit': [7] }),
    (e: unknown) => e instanceof InputError && /zone-limit\[0\]/.test(e.message),
  );
  const shaped = new Shaper(ct.names).message(
    { header: { dpIfindex: 3 }, zoneLimit: [{ zoneId: 5, limit: 1, count: 1 }] },
    ct.module.ops.get!.replySet!,
    { def: ct.module.family.fixedHeader!, key: 'header' },
  );
  assert.deepEqual(shaped, {
    'dp-ifindex': 3,
    'zone-limit': [{ 'zone-id': 5, limit: 1, count: 1 }],
  });
});
