// @ynl-ts/ovs against the kernel, with ovs-dpctl (3.1) as the peer: every
// flow of the text corpus (all the flows the other OVS tests install, as
// text) installed by us and by ovs-dpctl prints the same in `dump-flows`
// (with and without -m) and reads back as written; each ynl-dpctl command
// does what ovs-dpctl sees, and prints what ovs-dpctl prints. Runs in the VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NLM_F_CREATE, NetlinkError } from '@ynl-ts/runtime';
import { parseActions, parseKey } from '@ynl-ts/ovs';
import { dpctl } from '@ynl-ts/ovs/dpctl';
import { dumpedKey, kernelFlows, type KernelFlow } from '../unit/odp-corpus.js';
import { flowLines, ovsSkipReason, repoRoot, runQuiet, vmKernel, withDatapath } from './vm.js';

const skip = ovsSkipReason();

interface Run {
  readonly rc: number;
  readonly out: string;
  readonly err: string;
}

/** ynl-dpctl in this process (the bin's code, without a node start per command). */
async function ynl(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const rc = await dpctl(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { rc, out: out.map((l) => l + '\n').join(''), err: err.map((l) => l + '\n').join('') };
}

/** ovs-dpctl, its log lines (`…|dpif|WARN|…`) dropped and its name made ours. */
function ovs(...argv: string[]): Run {
  const r = spawnSync('ovs-dpctl', argv, { encoding: 'utf8' });
  const err = r.stderr
    .split('\n')
    .filter((l) => l && !/^\d{4}-\d\d-\d\dT.*\|/.test(l))
    .map((l) => l.replace(/^ovs-dpctl: /, 'ynl-dpctl: ') + '\n')
    .join('');
  return { rc: r.status ?? -1, out: r.stdout, err };
}

/** show output with the traffic counters hidden (the ports see IPv6 chatter at any time). */
const shown = (text: string): string =>
  text.replace(
    /(hit|missed|lost|total|hit\/pkt|packets|errors|dropped|overruns|frame|aborted|carrier|collisions|bytes):[0-9.]+( \([0-9.]+ [KMGT]iB\))?/g,
    '$1:*',
  );

test(
  `${kernelFlows.length} flows of the text corpus: installed by ynl-ts and by ovs-dpctl, dump-flows prints the same, and reads back as written`,
  { skip, timeout: 300_000 },
  (t) =>
    withDatapath('ynltxt0', ['ynltxp1', 'ynltxp2'], async ({ flows, h, ports }) => {
      assert.deepEqual(ports, [1, 2], 'the corpus names ports 1 and 2');
      const dp = 'system@ynltxt0';
      const problems: string[] = [];
      // as written (the kernel adds key32(…), Linux's IPv6 extension headers, to IPv6 keys)
      const asWritten = (text: string) => flowLines(text.replace(/,key32\([^)]*\)/g, ''));
      const written = (fs: readonly KernelFlow[]) =>
        fs
          .map((f) => `${dumpedKey(f)}, packets:0, bytes:0, used:never, actions:${f.actions}`)
          .sort();
      /** Both tools' dump-flows of what is installed, with and without -m: the same lines. */
      const bothPrint = async (what: string): Promise<string> => {
        let plain = '';
        for (const more of [[], ['-m']]) {
          const theirs = ovs('dump-flows', ...more, dp);
          const ours = await ynl('dump-flows', ...more, dp);
          assert.equal(theirs.rc, 0, theirs.err);
          assert.equal(ours.rc, 0, ours.err);
          const diff = flowLines(ours.out).filter((l, i) => l !== flowLines(theirs.out)[i]);
          if (diff.length || flowLines(ours.out).length !== flowLines(theirs.out).length) {
            problems.push(
              `${what}${more.join('')}:\n  ovs-dpctl ${theirs.out}  ynl-dpctl ${ours.out}`,
            );
          }
          if (!more.length) plain = theirs.out;
        }
        return plain;
      };
      const install = async (f: KernelFlow): Promise<'ok' | 'overlaps' | 'refused'> => {
        const accepted = f.kernels === undefined || f.kernels.includes(vmKernel);
        try {
          await flows.new(
            { ...h, ...parseKey(f.key), actions: parseActions(f.actions) },
            { flags: NLM_F_CREATE },
          );
          if (!accepted) problems.push(`${f.name}: accepted by ${vmKernel}`);
          return 'ok';
        } catch (e) {
          // a flow whose key an installed flow's masked key matches: the next round
          if (e instanceof NetlinkError && e.code === 'EEXIST') return 'overlaps';
          if (accepted || !(e instanceof NetlinkError && e.code === 'EINVAL'))
            problems.push(`${f.name}: ${String(e)}`);
          return 'refused';
        }
      };

      // rounds of flows that do not overlap, installed together
      let rest = kernelFlows.filter((f) => !f.ovsMisreads);
      const file = join(repoRoot, 'test', 'vm', '.cache', `corpus-${process.pid}.txt`);
      mkdirSync(dirname(file), { recursive: true });
      const ovsCannot: string[] = [];
      for (let round = 1; rest.length; round++) {
        const now: KernelFlow[] = [];
        const later: KernelFlow[] = [];
        for (const f of rest) {
          const r = await install(f);
          if (r === 'ok') now.push(f);
          else if (r === 'overlaps') later.push(f);
        }
        assert.ok(now.length > 0, `round ${round} installs something`);
        assert.deepEqual(
          asWritten(await bothPrint(`round ${round}, installed by ynl-ts`)),
          written(now),
        );
        await flows.del(h);
        // the same flows from ovs-dpctl (those its parser and numbering can take)
        writeFileSync(file, now.map((f) => `${f.key} ${f.actions}`).join('\n') + '\n');
        const add = ovs('add-flows', dp, file);
        ovsCannot.push(...add.err.split('\n').filter(Boolean));
        await bothPrint(`round ${round}, installed by ovs-dpctl`);
        await flows.del(h);
        rest = later;
      }
      rmSync(file, { force: true });
      t.diagnostic(`ovs-dpctl 3.1 cannot add ${ovsCannot.length}: ${ovsCannot.join('; ')}`);

      // flows ovs-dpctl 3.1 misprints: read back through ynl-dpctl; ovs-dpctl shows what it thinks they are
      for (const f of kernelFlows.filter((x) => x.ovsMisreads)) {
        if ((await install(f)) !== 'ok') continue;
        assert.deepEqual(asWritten((await ynl('dump-flows', dp)).out), written([f]), f.name);
        assert.ok(ovs('dump-flows', dp).out.includes(f.ovsMisreads!), f.name);
        await flows.del(h);
      }
      assert.deepEqual(problems, []);
    }),
);

test(
  'ynl-dpctl commands on the kernel: ovs-dpctl sees what they do and prints what they print',
  { skip, timeout: 300_000 },
  async () => {
    const dp = 'system@ynlctl0';
    const other = 'system@ynlctl1';
    const same = async (...argv: string[]) => {
      const theirs = ovs(...argv);
      const ours = await ynl(...argv);
      assert.deepEqual(
        { ...ours, out: shown(ours.out) },
        { ...theirs, out: shown(theirs.out) },
        `ynl-dpctl ${argv.join(' ')}`,
      );
      return ours;
    };
    const veth = ['ynlcva', 'ynlcvb'];
    runQuiet('ovs-dpctl', ['del-dp', dp]);
    runQuiet('ovs-dpctl', ['del-dp', other]);
    runQuiet('ip', ['link', 'del', veth[0]!]);
    assert.equal(
      spawnSync('ip', ['link', 'add', veth[0]!, 'type', 'veth', 'peer', 'name', veth[1]!]).status,
      0,
    );
    try {
      // datapaths
      assert.deepEqual(await ynl('add-dp', dp), { rc: 0, out: '', err: '' });
      assert.match(ovs('dump-dps').out, /^system@ynlctl0$/m);
      await same('add-dp', dp); // EEXIST, the same words
      assert.equal(ovs('add-dp', other).rc, 0);
      await same('dump-dps');
      await same('add-flow', 'in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)', '2'); // two datapaths
      assert.equal((await ynl('del-dp', other)).rc, 0);
      assert.doesNotMatch(ovs('dump-dps').out, /ynlctl1/);

      // ports: a veth, an internal port at a chosen number, and one ovs-dpctl adds
      assert.deepEqual(await ynl('add-if', dp, veth[0]!, 'ynlcin,type=internal,port_no=9'), {
        rc: 0,
        out: '',
        err: '',
      });
      assert.equal(ovs('add-if', dp, 'ynlcio,type=internal').rc, 0);
      await same('show', dp);
      await same('show');
      await same('show', '-s', dp);
      await same('set-if', dp, 'ynlcin,type=system'); // refused: can't change type
      await same('set-if', dp, 'ynlcin,port_no=3');
      await same('set-if', dp, 'nosuchport');
      await same('set-if', dp, veth[0]!);
      await same('del-if', dp, 'nosuchport');

      // flows, with port names
      const key =
        'ufid:11111111-2222-3333-4444-555555555555,in_port(ynlcva),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,proto=17,frag=no),udp(dst=53)';
      assert.deepEqual(await ynl('add-flow', dp, key, 'ynlcin,push_vlan(vid=7,pcp=1),ynlcio'), {
        rc: 0,
        out: '',
        err: '',
      });
      await same('add-flow', dp, key, '1'); // EEXIST
      const bad = await ynl('add-flow', dp, 'in_port(1),eth(),eth_typ(0x0800)', '1');
      assert.equal(bad.rc, ovs('add-flow', dp, 'in_port(1),eth(),eth_typ(0x0800)', '1').rc);
      assert.match(
        bad.err,
        /^ynl-dpctl: parsing flow key \(column 18: expected a key attribute \(.*\) \(Invalid argument\)\n$/,
      );
      await same('dump-flows', dp);
      await same('dump-flows', '-m', dp);
      await same('dump-flows', '--names', dp);
      await same('dump-flows'); // the only datapath
      await same('get-flow', dp, 'ufid:11111111-2222-3333-4444-555555555555');
      await same('get-flow', '-m', dp, 'ufid:11111111-2222-3333-4444-555555555555');
      await same('get-flow', dp, 'ufid:11111111-2222-3333-4444-555555555556');
      const arp = 'in_port(1),eth(),eth_type(0x0806),arp(op=1)';
      assert.deepEqual(await ynl('mod-flow', dp, arp, '9'), ovs('mod-flow', dp, arp, '9')); // ENOENT
      assert.equal((await ynl('mod-flow', '--may-create', dp, arp, '9')).rc, 0);
      assert.match(
        ovs('dump-flows', dp).out,
        /eth_type\(0x0806\),arp\(op=1\/0xff\), packets:0, bytes:0, used:never, actions:9$/m,
      );
      const mod = await ynl('mod-flow', '-s', '--clear', dp, arp, '9,1');
      assert.deepEqual(mod, { rc: 0, out: 'packets:0, bytes:0, used:never\n', err: '' });
      assert.match(
        ovs('dump-flows', dp).out,
        /arp\(op=1\/0xff\), packets:0, bytes:0, used:never, actions:9,1$/m,
      );
      await same('del-flow', dp, 'in_port(1),eth(),eth_type(0x0806),arp(op=2)'); // ENOENT and the UFID hint
      assert.deepEqual(await ynl('del-flow', '-s', dp, arp), {
        rc: 0,
        out: 'packets:0, bytes:0, used:never\n',
        err: '',
      });
      assert.doesNotMatch(ovs('dump-flows', dp).out, /arp/);
      assert.equal((await ynl('del-flows', dp)).rc, 0);
      assert.equal(ovs('dump-flows', dp).out, '');

      // flows from a file, as add-flows / del-flows take them
      const file = join(repoRoot, 'test', 'vm', '.cache', `dpctl-flows-${process.pid}.txt`);
      mkdirSync(join(repoRoot, 'test', 'vm', '.cache'), { recursive: true });
      writeFileSync(
        file,
        'in_port(1),eth(),eth_type(0x0806),arp(op=1) 9\n# a comment\nadd in_port(1),eth(),eth_type(0x0806),arp(op=2) 1\nin_port(1),eth()\n',
      );
      try {
        const theirs = ovs('add-flows', dp, file);
        assert.equal(ovs('del-flows', dp).rc, 0);
        assert.deepEqual(await ynl('add-flows', dp, file), theirs);
        await same('dump-flows', dp);
        writeFileSync(file, 'delete in_port(1),eth(),eth_type(0x0806),arp(op=1)\n');
        assert.equal((await ynl('del-flows', dp, file)).rc, 0);
        assert.equal(flowLines(ovs('dump-flows', dp).out).length, 1);
      } finally {
        rmSync(file, { force: true });
      }

      // ports away, by name and number
      assert.equal((await ynl('del-if', dp, veth[0]!, '9')).rc, 0);
      await same('show', dp);
      // the bin itself: a node process, its exit status and streams
      const bin = spawnSync(
        process.execPath,
        [join(repoRoot, 'ovs', 'dist', 'dpctl', 'main.js'), 'show', dp],
        { encoding: 'utf8' },
      );
      assert.equal(bin.status, 0, bin.stderr);
      assert.equal(shown(bin.stdout), shown(ovs('show', dp).out));
      assert.equal((await ynl('del-dp', dp)).rc, 0);
      await same('del-dp', dp); // ENODEV
      await same('show', dp);
      const none = spawnSync(
        process.execPath,
        [join(repoRoot, 'ovs', 'dist', 'dpctl', 'main.js'), 'dump-flows'],
        { encoding: 'utf8' },
      );
      assert.equal(none.status, 1);
      assert.equal(none.stderr, ovs('dump-flows').err);
    } finally {
      runQuiet('ovs-dpctl', ['del-dp', dp]);
      runQuiet('ovs-dpctl', ['del-dp', other]);
      runQuiet('ip', ['link', 'del', veth[0]!]);
    }
  },
);
