// `ynl --create / --excl / --replace / --append` against the kernel, in the VM:
// - by effect on ovs_flow `new`, whose handler (ovs_flow_cmd_new, the same in
//   6.1 and 6.12) answers EEXIST for an existing flow when the request has
//   NLM_F_CREATE or NLM_F_EXCL, and otherwise replaces the flow's actions;
// - on the wire: an nlmon tap device sees every netlink message of the
//   namespace, so the nlmsg_flags of each request ynl sent are read back.
// Runs in the VM on 6.1 and 6.12 (npm run test:ovs).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ynl } from '@ynl-ts/cli';
import type { ActionAttrsEntry } from '@ynl-ts/families/ovs_flow';
import { genlProbe, ovsSkipReason, repoRoot, run, runQuiet, withDatapath } from './vm.js';

const skip = ovsSkipReason();
const ynlBin = join(repoRoot, 'cli', 'bin', 'ynl.js');
const NLMON = 'ynlnlmon0';
const OVS_FLOW_CMD_NEW = 1;
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_APPEND = 0x800;

interface Run {
  readonly status: number | null;
  readonly stderr: string;
}

/** `ynl ARGS...` as a process of its own (exit status and stderr of the real command). */
function ynlProcess(...args: string[]): Run {
  const r = spawnSync(process.execPath, [ynlBin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr };
}

/**
 * `ynl ARGS...` in this process: the function the bin runs, without a node
 * start per call (which costs many seconds in the TCG VM).
 */
async function ynlHere(...args: string[]): Promise<Run> {
  const err: string[] = [];
  const status = await ynl(args, { out: () => undefined, err: (l) => err.push(l) });
  return { status, stderr: err.join('\n') };
}

/**
 * Captures, on an nlmon device, the nlmsg_flags of the requests of generic
 * netlink family `familyId` with command `cmd`, in order; `stop()` ends the
 * capture and returns them.
 */
async function tapRequests(
  familyId: number,
  cmd: number,
): Promise<{ stop: () => Promise<number[]> }> {
  const py = [
    'import json, os, select, socket, struct, sys',
    'fam, cmd = int(sys.argv[1]), int(sys.argv[2])',
    's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))',
    `s.bind((${JSON.stringify(NLMON)}, 0))`,
    'flags = []',
    'def take():',
    '    d = s.recv(65535)',
    '    if len(d) >= 20:',
    "        _, typ, fl, _, _ = struct.unpack_from('=IHHII', d)",
    '        if typ == fam and d[16] == cmd and fl & 1: flags.append(fl)',
    "print('ready', flush=True)",
    'while True:',
    '    r, _, _ = select.select([s, 0], [], [])',
    '    if s in r: take()',
    "    if 0 in r and os.read(0, 1) == b'': break",
    's.setblocking(False)',
    'while True:',
    '    try: take()',
    '    except BlockingIOError: break',
    'print(json.dumps(flags), flush=True)',
  ].join('\n');
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const p = spawn(python, ['-c', py, String(familyId), String(cmd)]);
  let out = '';
  let err = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  p.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number>((r) => p.on('exit', (c) => r(c ?? -1)));
  for (let i = 0; !out.includes('ready'); i++) {
    if (i > 1000 || p.exitCode !== null) throw new Error(`tap did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    stop: async () => {
      p.stdin.end();
      assert.equal(await exited, 0, `tap: ${err}`);
      return JSON.parse(out.slice(out.indexOf('ready') + 5)) as number[];
    },
  };
}

test(
  'ynl --create/--excl/--replace/--append: each flag reaches the kernel, and create/excl make an existing flow EEXIST',
  { skip, timeout: 180_000 },
  async () => {
    runQuiet('ip', ['link', 'del', NLMON]);
    run('modprobe', ['nlmon']);
    run('ip', ['link', 'add', NLMON, 'type', 'nlmon']);
    run('ip', ['link', 'set', NLMON, 'up']);
    try {
      await withDatapath('ynlflags0', ['ynlflg1', 'ynlflg2'], async ({ flows, h, ports }) => {
        const [p1, p2] = [ports[0]!, ports[1]!];
        const key = (ethertype: number) => ({
          'in-port': p1,
          ethernet: { 'eth-src': '02:00:00:00:00:01', 'eth-dst': '02:00:00:00:00:02' },
          ethertype,
        });
        const req = (ethertype: number, out: number[]): string =>
          JSON.stringify({
            'dp-ifindex': h.header.dpIfindex,
            key: key(ethertype),
            actions: out.map((o) => ({ output: o })),
          });
        const args = (json: string, flags: string[]): string[] => [
          '--family',
          'ovs_flow',
          '--do',
          'new',
          '--json',
          json,
          ...flags,
        ];
        const newFlow = (json: string, ...flags: string[]): Promise<Run> =>
          ynlHere(...args(json, flags));
        const actionsOf = async (ethertype: number): Promise<readonly ActionAttrsEntry[]> => {
          const f = await flows.get({
            ...h,
            key: {
              inPort: p1,
              ethernet: {
                ethSrc: Uint8Array.from([2, 0, 0, 0, 0, 1]),
                ethDst: Uint8Array.from([2, 0, 0, 0, 0, 2]),
              },
              ethertype,
            },
          });
          return f.actions ?? [];
        };
        const outputs = (ports: number[]): ActionAttrsEntry[] =>
          ports.map((value) => ({ type: 'output', value }));
        const ok = (r: Run, what: string): void =>
          assert.equal(r.status, 0, `${what}: ${r.stderr}`);
        const eexist = (r: Run, what: string): void => {
          assert.equal(r.status, 1, `${what}: exit 1 (the kernel refused): ${r.stderr}`);
          assert.match(r.stderr, /EEXIST/, what);
        };

        const ovsFlow = genlProbe(['ovs_flow'])['ovs_flow'];
        assert.ok(ovsFlow, 'ovs_flow is registered');
        const tap = await tapRequests(ovsFlow.id, OVS_FLOW_CMD_NEW);
        let flags: number[];
        try {
          // a new flow, no flags: created
          ok(await newFlow(req(0x88b5, [p2])), 'new');
          assert.deepEqual(await actionsOf(0x88b5), outputs([p2]));
          // the same flow again with --excl (the real command, its exit status), then
          // --create: EEXIST, the flow unchanged
          eexist(ynlProcess(...args(req(0x88b5, [p1]), ['--excl'])), '--excl on an existing flow');
          eexist(await newFlow(req(0x88b5, [p1]), '--create'), '--create on an existing flow');
          assert.deepEqual(await actionsOf(0x88b5), outputs([p2]), 'unchanged');
          // --replace (and --append, which OVS ignores) without create/excl: the actions are replaced
          ok(await newFlow(req(0x88b5, [p1]), '--replace'), '--replace');
          assert.deepEqual(await actionsOf(0x88b5), outputs([p1]));
          ok(await newFlow(req(0x88b5, [p2, p1]), '--append'), '--append');
          assert.deepEqual(await actionsOf(0x88b5), outputs([p2, p1]));
          // create and excl do not hinder creating a flow that does not exist
          ok(await newFlow(req(0x88b6, [p2]), '--create', '--excl'), '--create --excl, new flow');
          assert.deepEqual(await actionsOf(0x88b6), outputs([p2]));
          eexist(await newFlow(req(0x88b6, [p2]), '--create', '--excl'), '--create --excl again');
        } finally {
          flags = await tap.stop();
        }
        // what the kernel received, in order: exactly the flags asked for
        const extra = NLM_F_REPLACE | NLM_F_EXCL | NLM_F_CREATE | NLM_F_APPEND;
        assert.deepEqual(
          flags.map((f) => f & extra),
          [
            0,
            NLM_F_EXCL,
            NLM_F_CREATE,
            NLM_F_REPLACE,
            NLM_F_APPEND,
            NLM_F_CREATE | NLM_F_EXCL,
            NLM_F_CREATE | NLM_F_EXCL,
          ],
          `nlmsg_flags seen on ${NLMON}: ${flags.map((f) => f.toString(16)).join(' ')}`,
        );
      });
    } finally {
      runQuiet('ip', ['link', 'del', NLMON]);
    }
  },
);
