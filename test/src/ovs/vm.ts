// Helpers for the OVS tests, which run inside the VM (test/vm/run-in-vm.sh).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenlSocket } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { OvsFlowClient } from '@ynl-ts/families/ovs_flow';
import { formatFlow, monotonicMs } from '@ynl-ts/ovs';

/** Repository root (test/dist/ovs/vm.js → ../../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Why the OVS tests cannot run here, or undefined when they can. The tests skip
 * with this message; test/vm/run-ovs-suite.sh fails the run in the VM instead.
 */
export function ovsSkipReason(): string | undefined {
  if (!existsSync('/sys/module/openvswitch')) {
    return 'the openvswitch kernel module is not loaded (run these tests with npm run test:ovs, in the VM)';
  }
  if (process.getuid?.() !== 0) return 'needs root (CAP_NET_ADMIN) to create datapaths';
  return undefined;
}

/** The kernel the VM booted (6.1 | 6.12), or 'host'. */
export const vmKernel = process.env['YNL_VM_KERNEL'] ?? 'host';

/** Runs a program, returns its stdout; throws with its stderr on failure. */
export function run(file: string, args: readonly string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a program, ignoring failure (cleanup paths). */
export function runQuiet(file: string, args: readonly string[]): void {
  try {
    execFileSync(file, args, { stdio: 'ignore' });
  } catch {
    // cleanup of something that may not exist
  }
}

export interface ProbedFamily {
  readonly name: string;
  readonly id: number;
  readonly version: number;
  readonly hdrsize: number;
  readonly maxattr: number;
  readonly ops: readonly { readonly id: number; readonly flags: number }[];
  readonly mcastGroups: readonly { readonly name: string; readonly id: number }[];
}

/** Resolves families with the independent stdlib-only decoder test/vm/genl-probe.py. */
export function genlProbe(names: readonly string[]): Record<string, ProbedFamily | null> {
  // /usr/bin/python3, not a PATH lookup: a pyenv shim costs seconds per start in the VM
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const out = run(python, [join(repoRoot, 'test', 'vm', 'genl-probe.py'), ...names]);
  return JSON.parse(out) as Record<string, ProbedFamily | null>;
}

export interface GenlCtrlFamily {
  readonly id: number;
  readonly version: number;
  readonly hdrsize: number;
  readonly maxattr: number;
  readonly ops: readonly number[];
  readonly mcastGroups: readonly { readonly name: string; readonly id: number }[];
}

/** Parses `genl ctrl get name <family>` (iproute2). */
export function genlCtrlGet(name: string): GenlCtrlFamily {
  const text = run('genl', ['ctrl', 'get', 'name', name]);
  const head =
    /ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/.exec(
      text,
    );
  if (!head) throw new Error(`cannot parse genl ctrl output:\n${text}`);
  const [cmds = '', groups = ''] = text.split('multicast groups:');
  const ops = [...cmds.matchAll(/#\d+:\s+ID-0x([0-9a-f]+)/g)].map((m) => parseInt(m[1]!, 16));
  const mcastGroups = [...groups.matchAll(/#\d+:\s+ID-0x([0-9a-f]+)\s+name: (\S+)/g)].map((m) => ({
    name: m[2]!,
    id: parseInt(m[1]!, 16),
  }));
  return {
    id: parseInt(head[1]!, 16),
    version: parseInt(head[2]!, 16),
    hdrsize: Number(head[3]),
    maxattr: Number(head[4]),
    ops,
    mcastGroups,
  };
}

/** What {@link withDatapath} hands a test. */
export interface DatapathFixture {
  readonly sock: GenlSocket;
  readonly flows: OvsFlowClient;
  /** The ovs_header of the datapath, to spread into requests. */
  readonly h: { readonly header: { readonly dpIfindex: number } };
  /** Port numbers of the internal ports, in the order named. */
  readonly ports: readonly number[];
}

/**
 * Runs `fn` with a fresh datapath `name` (a stale one of that name is removed
 * first) with internal ports `ports`, all upcalls to the socket's port; the
 * datapath is deleted and the socket closed afterwards, whatever happens.
 */
export async function withDatapath(
  name: string,
  ports: readonly string[],
  fn: (c: DatapathFixture) => Promise<void>,
  sockOpts: { rcvbuf?: number } = {},
): Promise<void> {
  const sock = await GenlSocket.open(sockOpts);
  const dp = await OvsDatapathClient.open(sock);
  const hdr0 = { header: { dpIfindex: 0 } };
  await dp.del({ ...hdr0, name }).catch(() => undefined);
  try {
    await dp.new({ ...hdr0, name, upcallPid: sock.portId });
    const h = { header: { dpIfindex: (await dp.get({ ...hdr0, name })).header.dpIfindex } };
    const vp = await OvsVportClient.open(sock);
    const nums: number[] = [];
    for (const p of ports) {
      await vp.new({ ...h, name: p, type: 'internal', upcallPid: [sock.portId] });
      nums.push((await vp.get({ ...h, name: p })).portNo!);
    }
    await fn({ sock, flows: await OvsFlowClient.open(sock), h, ports: nums });
  } finally {
    await dp.del({ ...hdr0, name }).catch(() => undefined);
    sock.close();
  }
}

/** Lines of dump-flows text, comparable across tools and runs: `used:` ages hidden, sorted. */
export const flowLines = (text: string): string[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/used:[0-9.]+s/, 'used:*'))
    .sort();

/**
 * The flows of datapath `dp` as `ovs-dpctl dump-flows` prints them, and as
 * @ynl-ts/ovs prints our own dump of them (what ynl-dpctl dump-flows prints).
 */
export async function dumpTexts(
  flows: OvsFlowClient,
  h: DatapathFixture['h'],
  dp: string,
): Promise<{ ours: string[]; theirs: string[] }> {
  const now = monotonicMs();
  const ours: string[] = [];
  // ufid: ovs-dpctl shows it only with -m
  for await (const f of flows.dump(h)) {
    ours.push(formatFlow({ ...f, ufid: undefined }, { stats: true, now }));
  }
  const theirs = execFileSync('ovs-dpctl', ['dump-flows', `system@${dp}`], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return { ours: flowLines(ours.join('\n')), theirs: flowLines(theirs) };
}

/** What {@link withVethDatapath} hands a test. */
export interface VethDatapath {
  readonly sock: GenlSocket;
  readonly flows: OvsFlowClient;
  readonly h: { readonly header: { readonly dpIfindex: number } };
  /** Datapath port of `<prefix>a0`; frames sent into `<prefix>a1` enter the datapath here. */
  readonly inPort: number;
  /** Datapath port of `<prefix>b0`; what the datapath outputs here arrives on `<prefix>b1`. */
  readonly outPort: number;
  /** The device to send frames into (`<prefix>a1`). */
  readonly sendDev: string;
  /** The device where output frames arrive (`<prefix>b1`). */
  readonly recvDev: string;
}

/**
 * Runs `fn` with a fresh datapath `name` whose two netdev ports are veth
 * ends (`<prefix>a0`, `<prefix>b0`; their peers `…a1`, `…b1` stay outside,
 * for sending and receiving real frames). IPv6 is off on all four, so the
 * only traffic is the test's. Everything is removed afterwards.
 */
export async function withVethDatapath(
  name: string,
  prefix: string,
  fn: (c: VethDatapath) => Promise<void>,
): Promise<void> {
  const devs = ['a', 'b'].map((s) => [`${prefix}${s}0`, `${prefix}${s}1`] as const);
  for (const [d0] of devs) runQuiet('ip', ['link', 'del', d0]);
  const sock = await GenlSocket.open();
  const dp = await OvsDatapathClient.open(sock);
  const hdr0 = { header: { dpIfindex: 0 } };
  await dp.del({ ...hdr0, name }).catch(() => undefined);
  try {
    for (const [d0, d1] of devs) {
      run('ip', ['link', 'add', d0, 'type', 'veth', 'peer', 'name', d1]);
      for (const d of [d0, d1]) {
        run('sysctl', ['-qw', `net.ipv6.conf.${d}.disable_ipv6=1`]);
        run('ip', ['link', 'set', d, 'up']);
      }
    }
    await dp.new({ ...hdr0, name, upcallPid: sock.portId });
    const h = { header: { dpIfindex: (await dp.get({ ...hdr0, name })).header.dpIfindex } };
    const vp = await OvsVportClient.open(sock);
    const ports: number[] = [];
    for (const [d0] of devs) {
      await vp.new({ ...h, name: d0, type: 'netdev', upcallPid: [sock.portId] });
      ports.push((await vp.get({ ...h, name: d0 })).portNo!);
    }
    await fn({
      sock,
      flows: await OvsFlowClient.open(sock),
      h,
      inPort: ports[0]!,
      outPort: ports[1]!,
      sendDev: devs[0]![1],
      recvDev: devs[1]![1],
    });
  } finally {
    await dp.del({ ...hdr0, name }).catch(() => undefined);
    for (const [d0] of devs) runQuiet('ip', ['link', 'del', d0]);
    sock.close();
  }
}

/**
 * Sends `frames` (whole Ethernet frames) into `sendDev`, one after the other
 * as fast as python's AF_PACKET socket goes, and returns the frames of
 * ethertype `ethertype` that arrive on `recvDev` until none has come for 2 s.
 */
export function sendFrames(
  sendDev: string,
  recvDev: string,
  ethertype: number,
  frames: readonly Uint8Array[],
): Uint8Array[] {
  const py = [
    'import json, socket, sys',
    'send_dev, recv_dev, proto = sys.argv[1], sys.argv[2], int(sys.argv[3])',
    'frames = [bytes.fromhex(x) for x in sys.stdin.read().split()]',
    'r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))',
    'r.bind((recv_dev, 0))',
    'r.settimeout(2.0)',
    's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
    's.bind((send_dev, 0))',
    'for f in frames: s.send(f)',
    'got = []',
    'while len(got) < 100000:',
    '    try: got.append(r.recv(65535).hex())',
    '    except socket.timeout: break',
    'print(json.dumps(got))',
  ].join('\n');
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const out = execFileSync(python, ['-c', py, sendDev, recvDev, String(ethertype)], {
    input: frames.map((f) => Buffer.from(f).toString('hex')).join('\n'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return (JSON.parse(out) as string[]).map((x) => Uint8Array.from(Buffer.from(x, 'hex')));
}
