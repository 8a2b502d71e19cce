// @ynl-ts/ovs flow text: every line of the corpus parses and prints back to
// the same text, objects survive text, syntax errors name their column, and
// loose input reads the way ovs-dpctl reads it. No kernel (the VM suite
// compares with ovs-dpctl on the kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FlowSyntaxError,
  formatActions,
  formatFlow,
  formatKey,
  parseActions,
  parseFlow,
  parseKey,
} from '@ynl-ts/ovs';
import { dpctl, parseArgs, UsageError } from '@ynl-ts/ovs/dpctl';
import { goodFlows, tcpKey } from './ovs-flow-cases.js';
import {
  dpctlDumpLines,
  dpctlDumpPorts,
  printedKey,
  kernelFlows,
  syntaxLines,
} from './odp-corpus.js';

const now = 1_000_000n;
const names = new Map([...dpctlDumpPorts].map(([n, p]) => [p, n]));
const usesNames = (l: string): boolean => /\b(xa|xb|xdp0)\b/.test(l);

/** The line again from its own parse, printed as ovs-dpctl would (verbose lines carry dp:ovs). */
function again(line: string): string {
  return formatFlow(parseFlow(line, { ports: dpctlDumpPorts, now }), printedAs(line));
}
const printedAs = (line: string) => ({
  now,
  verbose: line.includes(', dp:ovs,'),
  ...(usesNames(line) ? { portNames: names } : {}),
});

/** Comparable form: bytes as hex, bigints tagged (Buffer and Uint8Array views compare equal). */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}

const kernelLines = kernelFlows.map((f) => `${f.key}, actions:${f.actions}`);
const corpus = [...dpctlDumpLines, ...syntaxLines];

test(`${dpctlDumpLines.length} lines ovs-dpctl printed: parse, print, the same text`, () => {
  for (const l of dpctlDumpLines) assert.equal(again(l), l);
});

test(`${syntaxLines.length} lines covering every attribute and action: parse, print, the same text`, () => {
  for (const l of syntaxLines) assert.equal(again(l), l);
});

test(`${kernelFlows.length} kernel flows of the OVS tests: key and actions print as written (wildcarded tcp_flags(0/0) left out)`, () => {
  for (const f of kernelFlows) {
    const k = parseKey(f.key);
    assert.equal(formatKey(k.key, k.mask), printedKey(f), f.name);
    assert.equal(formatActions(parseActions(f.actions)), f.actions, f.name);
  }
});

test('objects survive text: parseFlow(formatFlow(f)) deep-equals f, for every canonical line', () => {
  let n = 0;
  // canonical texts: the corpus, and the kernel flows as printed (tcp_flags(0/0) gone)
  for (const l of [...corpus, ...kernelLines.map(again)]) {
    const f = parseFlow(l, { ports: dpctlDumpPorts, now });
    const back = parseFlow(formatFlow(f, printedAs(l)), { ports: dpctlDumpPorts, now });
    assert.deepEqual(norm(back), norm(f), l);
    n++;
  }
  assert.ok(n >= 70, `${n} flows`);
});

test('typed flows of the other tests print as text and read back to the same key', () => {
  const tcp = formatKey(tcpKey);
  assert.equal(
    tcp,
    'in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),' +
      'ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=80),tcp_flags(0)',
  );
  for (const g of goodFlows) {
    const text = formatKey(g.flow.key!, g.flow.mask);
    const back = parseKey(text);
    // what the text shows comes back; what a mask hides reads as zero
    assert.equal(formatKey(back.key, back.mask), text, g.name);
    if (!g.flow.mask) assert.deepEqual(norm(back.key), norm(g.flow.key), g.name);
  }
});

test('the typed values a text gives (generated ovs_flow types, kernel representation)', () => {
  const f = parseFlow(
    'ufid:01020304-0506-0708-090a-0b0c0d0e0f10, recirc_id(0x5),in_port(2),ct_state(+new-est),eth(src=02:00:00:00:00:01/ff:ff:ff:00:00:00),' +
      'eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,proto=6,frag=no),tcp(dst=80),tcp_flags(syn), packets:3, bytes:180, used:0.250s, flags:S., ' +
      'actions:set(ipv4(src=1.2.3.4)),sample(sample=50.0%,actions(1)),ct(commit,zone=5,mark=0x1/0xff),2',
    { now },
  );
  // OVS holds a UFID as four little-endian u32 words
  assert.deepEqual(norm(f.ufid), '04030201080706050c0b0a09100f0e0d');
  assert.deepEqual(f.key.recircId, 5);
  assert.equal(f.mask.recircId, 0xffffffff);
  assert.deepEqual(f.key.ctState, ['new']);
  assert.deepEqual(f.mask.ctState, ['new', 'established']);
  assert.deepEqual(norm(f.mask.ethernet), { ethSrc: 'ffffff000000', ethDst: '000000000000' });
  assert.deepEqual(f.key.ethertype, 0x0800);
  assert.deepEqual(f.key.ipv4, {
    ipv4Src: 0x0a000001,
    ipv4Dst: 0,
    ipv4Proto: 6,
    ipv4Tos: 0,
    ipv4Ttl: 0,
    ipv4Frag: 'none',
  });
  assert.deepEqual(f.mask.ipv4, {
    ipv4Src: 0xffffff00,
    ipv4Dst: 0,
    ipv4Proto: 0xff,
    ipv4Tos: 0,
    ipv4Ttl: 0,
    ipv4Frag: 'any',
  });
  assert.equal(f.key.tcpFlags, 2);
  assert.equal(f.mask.tcpFlags, 0xffff);
  assert.deepEqual(f.stats, { nPackets: 3n, nBytes: 180n });
  assert.equal(f.used, now - 250n);
  assert.equal(f.tcpFlags, 0x12);
  assert.deepEqual(norm(f.actions), [
    {
      type: 'setMasked',
      value: {
        ipv4: {
          value: {
            ipv4Src: 0x01020304,
            ipv4Dst: 0,
            ipv4Proto: 0,
            ipv4Tos: 0,
            ipv4Ttl: 0,
            ipv4Frag: 'none',
          },
          mask: {
            ipv4Src: 0xffffffff,
            ipv4Dst: 0,
            ipv4Proto: 0,
            ipv4Tos: 0,
            ipv4Ttl: 0,
            ipv4Frag: 'none',
          },
        },
      },
    },
    { type: 'sample', value: { probability: 0x80000000, actions: [{ type: 'output', value: 1 }] } },
    { type: 'ct', value: { commit: true, zone: 5, mark: '01000000ff000000' } },
    { type: 'output', value: 2 },
  ]);
  // a set that changes every bit is a plain set; drop alone is no actions
  assert.deepEqual(norm(parseActions('set(tcp(src=1,dst=2))')), [
    { type: 'set', value: { tcp: { tcpSrc: 1, tcpDst: 2 } } },
  ]);
  assert.deepEqual(parseActions('drop'), []);
  assert.deepEqual(parseActions('1,drop'), [
    { type: 'output', value: 1 },
    { type: 'drop', value: 0 },
  ]);
});

test('loose input reads the way ovs-dpctl reads it and prints canonically', () => {
  const cases: [string, string][] = [
    [
      'in_port(1) eth()\teth_type(2048),ipv4(frag=no,proto=0x6),tcp(dst=010)',
      'in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=8)',
    ],
    ['eth(src=0:1:2:a:b:c)', 'eth(src=00:01:02:0a:0b:0c)'],
    ['ct_tuple6(tp_src=1,tp_dst=2)', 'ct_tuple6(src_port=1,dst_port=2)'],
    ['ipv6(src=FD00:0:0:0::1,dst=::ffff:1.2.3.4)', 'ipv6(src=fd00::1,dst=::ffff:1.2.3.4)'],
    ['ct_state(0x21/0x21),tcp_flags(0x12/0x12)', 'ct_state(+new+trk),tcp_flags(+syn+ack)'],
    ['vlan(pcp=3,vid=10)', 'vlan(vid=10,pcp=3)'],
    ['mpls(bos=1,label=3)', 'mpls(label=3/0xfffff,tc=0/0,ttl=0/0x0,bos=1/1)'],
  ];
  for (const [input, canonical] of cases) {
    const k = parseKey(input);
    assert.equal(formatKey(k.key, k.mask), canonical, input);
  }
  const actions: [string, string][] = [
    ['recirc(16), 1 ,2', 'recirc(0x10),1,2'],
    ['push_vlan(tpid=0x8100,vid=1,pcp=0,cfi=1)', 'push_vlan(vid=1,pcp=0)'],
    [
      'set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0,ttl=9,frag=no))',
      'set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0,ttl=9,frag=no))',
    ],
    ['sample(sample=33.33%,actions(1))', 'sample(sample=33.3%,actions(1))'],
    ['ct(mark=a/ff,nat(src=10.0.0.1))', 'ct(mark=0xa/0xff,nat(src=10.0.0.1))'],
    ['clone()', 'clone(drop)'],
  ];
  for (const [input, canonical] of actions) {
    assert.equal(formatActions(parseActions(input)), canonical, input);
  }
  assert.equal(
    formatActions(
      parseActions('p1,p2', {
        ports: new Map([
          ['p1', 1],
          ['p2', 2],
        ]),
      }),
    ),
    '1,2',
  );
  assert.equal(
    formatActions([{ type: 'output', value: 3 }], { portNames: new Map([[3, 'eth0']]) }),
    'eth0',
  );
});

test('syntax errors are FlowSyntaxError with the column and what was expected', () => {
  const cases: [() => unknown, number, RegExp][] = [
    [() => parseKey('in_port(1),eth(src=02:00:00:00:00:0x)'), 36, /expected ',' or '\)'/],
    [
      () => parseKey('ipv4(src=1.2.3.4,foo=1)'),
      18,
      /expected a field \(src=, dst=, proto=, tos=, ttl=, frag=\)/,
    ],
    [() => parseKey('tcp(src=70000)'), 9, /a number of at most 16 bits/],
    [() => parseKey('eth_typ(0x0800)'), 1, /expected a key attribute \(encap, /],
    [() => parseKey('eth_type(0x0800'), 16, /expected '\)', found end of text/],
    [() => parseKey('ipv4(src=1.2.3.256)'), 10, /IPv4 address/],
    [() => parseKey('ipv6(src=fd00:::1)'), 10, /an IPv6 address/],
    [() => parseKey('ipv4(frag=maybe)'), 11, /a fragment type \(no, first, later\)/],
    [() => parseKey('in_port(1),in_port(2)'), 12, /each key attribute once/],
    [() => parseKey('in_port(eth9)'), 9, /the name of a port of the datapath/],
    [() => parseKey('tcp_flags(+syn+bogus)'), 16, /flags \(fin, syn/],
    [() => parseKey('tunnel(tun_id=1,foo=2)'), 17, /a tunnel field/],
    [() => parseKey('key99(00)'), 1, /type the ovs_flow layouts know \(not 99\)/],
    [() => parseActions('1,bogus(3)'), 3, /expected an action \(a port, /],
    [() => parseActions('sample(sample=150%,actions(1))'), 15, /a percentage from 0 to 100/],
    [() => parseActions('ct(commit,zone=70000)'), 16, /a zone of at most 16 bits/],
    [() => parseActions('push_vlan(vid=4096,pcp=0)'), 15, /vid of at most 12 bits/],
    [() => parseActions('check_pkt_len(size=10,gt(1)le(2))'), 27, /expected '\),le\('/],
    [() => parseFlow('in_port(1), actions:1,2x'), 24, /',' or the end of the action/],
    [() => parseFlow('in_port(1)'), 11, /', actions:'/],
    [() => parseFlow('in_port(1), packets:x, actions:1'), 21, /a packet count/],
  ];
  for (const [fn, column, expected] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof FlowSyntaxError, String(e));
      assert.match(e.message, expected);
      assert.equal(e.column, column, e.message);
      assert.match(e.message, new RegExp(`^column ${column}: `));
      return true;
    });
  }
});

test('ynl-dpctl command line: options anywhere, usage errors exit 2, --help', async () => {
  const p = parseArgs([
    'dump-flows',
    '-ms',
    'dp0',
    '--names',
    '-t',
    '5',
    '--clear',
    '--may-create',
  ]);
  assert.deepEqual(p.args, ['dump-flows', 'dp0']);
  assert.equal(p.o.verbosity, 1);
  assert.equal(p.o.statistics, true);
  assert.equal(p.o.names, true);
  assert.equal(p.o.timeout, 5000);
  assert.ok(p.o.clear && p.o.mayCreate);
  assert.deepEqual(parseArgs(['--', 'add-flow', '-x']).args, ['add-flow', '-x']);
  assert.throws(() => parseArgs(['--frob']), UsageError);
  assert.throws(() => parseArgs(['-t', '0']), /on -t or --timeout is invalid/);

  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const rc = await dpctl(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { rc, out: out.join('\n'), err: err.join('\n') };
  };
  const help = await run(['--help']);
  assert.equal(help.rc, 0);
  for (const c of [
    'show',
    'add-dp',
    'del-dp',
    'add-if',
    'set-if',
    'del-if',
    'dump-flows',
    'add-flow',
    'mod-flow',
    'get-flow',
    'del-flow',
    'del-flows',
  ]) {
    assert.match(help.out, new RegExp(`^  ${c} `, 'm'));
  }
  assert.deepEqual(await run(['bogus']), {
    rc: 2,
    out: '',
    err: "ynl-dpctl: unknown command 'bogus'; use --help for help",
  });
  assert.equal(
    (await run(['add-flow', 'x'])).err,
    "ynl-dpctl: 'add-flow' command requires at least 2 arguments",
  );
  assert.equal(
    (await run(['del-dp', 'a', 'b'])).err,
    "ynl-dpctl: 'del-dp' command takes at most 1 arguments",
  );
  assert.equal((await run(['--read-only', 'del-dp', 'a'])).rc, 2);
  assert.match((await run(['--version'])).out, /^ynl-dpctl \(@ynl-ts\/ovs\) \d/);
});

test(
  'ynl-dpctl without the openvswitch module: the error and exit status 1',
  { skip: process.getuid?.() !== 0 },
  async (t) => {
    const { existsSync } = await import('node:fs');
    if (existsSync('/sys/module/openvswitch')) return t.skip('this kernel has openvswitch');
    const err: string[] = [];
    const rc = await dpctl(['show'], { out: () => undefined, err: (l) => err.push(l) });
    assert.equal(rc, 1);
    assert.deepEqual(err, [
      'ynl-dpctl: the openvswitch kernel module is not loaded (No such file or directory)',
    ]);
  },
);
