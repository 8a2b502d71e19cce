/**
 * The ynl-dpctl commands: what `ovs-dpctl` does against the kernel
 * datapath, with its output, built on the generated ovs_* clients and the
 * flow text of this package.
 * @module
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { EncodeError, NLM_F_CREATE, NetlinkError } from '@ynl-ts/runtime';
import type { FlowAttrs, KeyAttrs } from '@ynl-ts/families/ovs_flow';
import type { VportOptions } from '@ynl-ts/families/ovs_vport';
import { FlowSyntaxError } from '../text/scan.js';
import { formatFlow, formatStats, monotonicMs, parseKey } from '../text/flow.js';
import { parseActions, printfFixed } from '../text/actions.js';
import { DpctlError, Kernel, dpName, failed, sysfsStat, type Dp, type Port } from './datapath.js';

/** Options ovs-dpctl takes before or between the arguments. */
export interface DpctlOptions {
  /** `-s`: port statistics (show), flow statistics (add/mod/del-flow). */
  statistics: boolean;
  /** `-m` (repeatable): verbose flows. */
  verbosity: number;
  /** `--names` / `--no-names` (default: names with `-m`). */
  names: boolean | undefined;
  /** `--clear`: mod-flow zeroes the statistics. */
  clear: boolean;
  /** `--may-create`: mod-flow creates a missing flow. */
  mayCreate: boolean;
  /** `--read-only`: refuse commands that change the datapath. */
  readOnly: boolean;
  /** `-t SECS`: give up on each request after SECS seconds. */
  timeout: number | undefined;
}

/** Where a command writes. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

interface Ctx {
  readonly k: Kernel;
  readonly o: DpctlOptions;
  readonly io: Output;
}

interface Command {
  readonly name: string;
  readonly usage: string;
  readonly min: number;
  readonly max: number;
  readonly rw: boolean;
  run(c: Ctx, args: string[]): Promise<void>;
}

const EINVAL = 22;
const ENOENT = 2;

// ---- datapaths and ports ------------------------------------------------------------

/** `NAME[,type=T][,port_no=N][,key=value]...` of add-if / set-if. */
function ifaceArg(arg: string): { name: string; options: Map<string, string> } {
  const [name = '', ...opts] = arg.split(',');
  if (!name) throw new DpctlError(`${arg} is not a valid network device name`);
  const options = new Map<string, string>();
  for (const o of opts) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    if (options.has(key)) throw new DpctlError(`duplicate "${key}" option`);
    options.set(key, eq < 0 ? '' : o.slice(eq + 1));
  }
  return { name, options };
}

const vportTypes: Record<string, 'netdev' | 'internal' | 'gre' | 'vxlan' | 'geneve'> = {
  system: 'netdev',
  netdev: 'netdev',
  internal: 'internal',
  gre: 'gre',
  vxlan: 'vxlan',
  geneve: 'geneve',
};
const typeNames: Record<string, string> = {
  netdev: 'system',
  internal: 'internal',
  gre: 'gre',
  vxlan: 'vxlan',
  geneve: 'geneve',
};
/** ovs-dpctl's name of a port type (`system` for a plain netdev). */
const typeName = (t: Port['type']): string =>
  typeof t === 'string' ? (typeNames[t] ?? t) : `type ${String(t)}`;

/** The kernel vport options a tunnel port takes (the rest of OVS's tunnel options live in flows). */
function tunnelOptions(
  name: string,
  type: string,
  opts: Map<string, string>,
): VportOptions | undefined {
  let dstPort: number | undefined;
  let gbp = false;
  for (const [k, v] of opts) {
    if (
      k === 'dst_port' &&
      type !== 'netdev' &&
      type !== 'internal' &&
      /^\d+$/.test(v) &&
      Number(v) < 65536
    ) {
      dstPort = Number(v);
    } else if (k === 'exts' && type === 'vxlan' && v === 'gbp') {
      gbp = true;
    } else {
      throw new DpctlError(
        `${name}: option ${k}=${v} is not a kernel ${typeNames[type] ?? type} port option`,
        EINVAL,
      );
    }
  }
  if (dstPort === undefined && !gbp)
    return type === 'vxlan' || type === 'geneve'
      ? { dstPort: type === 'vxlan' ? 4789 : 6081 }
      : undefined;
  return {
    ...(dstPort !== undefined ? { dstPort } : {}),
    ...(gbp ? { extension: { gbp: true } } : {}),
  };
}

/** ovs-dpctl brings a port it adds up; without rtnetlink here, iproute2 does it. */
function ifUp(name: string): void {
  try {
    execFileSync('ip', ['link', 'set', 'dev', name, 'up'], { stdio: 'ignore' });
  } catch {
    throw new DpctlError(`${name}: failed bringing interface up`);
  }
}

async function addIfs(c: Ctx, dp: Dp, dpArg: string, ifaces: readonly string[]): Promise<void> {
  let last: DpctlError | undefined;
  for (const arg of ifaces) {
    try {
      const { name, options } = ifaceArg(arg);
      const type = vportTypes[options.get('type') ?? 'system'];
      if (!type)
        throw new DpctlError(`${name}: unsupported port type ${options.get('type')}`, EINVAL);
      options.delete('type');
      const portNo = options.has('port_no') ? Number(options.get('port_no')) : undefined;
      options.delete('port_no');
      const tun = tunnelOptions(name, type, options);
      try {
        await c.k.vports.new(
          {
            ...dp.h,
            name,
            type,
            upcallPid: [0],
            ...(portNo !== undefined ? { portNo } : {}),
            ...(tun ? { options: tun } : {}),
          },
          c.k.opts,
        );
      } catch (e) {
        throw failed(`adding ${name} to ${dpArg} failed`, e);
      }
      if (type === 'netdev' || type === 'internal') ifUp(name);
    } catch (e) {
      last = report(c, e);
    }
  }
  if (last) throw new Reported(last);
}

/** A failure already printed; the command exits non-zero. */
class Reported extends Error {
  constructor(override readonly cause: DpctlError) {
    super(cause.message);
  }
}

/** Prints `e` as ovs-dpctl does and returns it as a DpctlError. */
function report(c: Ctx, e: unknown): DpctlError {
  const d = e instanceof DpctlError ? e : failed('error', e);
  printError(c.io, d);
  return d;
}

async function show(c: Ctx, dp: Dp): Promise<void> {
  const { io } = c;
  const s = dp.info.stats;
  io.out(`system@${dp.name}:`);
  if (s) {
    io.out(`  lookups: hit:${s.nHit} missed:${s.nMissed} lost:${s.nLost}`);
    io.out(`  flows: ${s.nFlows}`);
    const m = dp.info.megaflowStats;
    if (m) {
      const pkts = s.nHit + s.nMissed;
      const per = pkts ? Number(m.nMaskHit) / Number(pkts) : 0;
      io.out(`  masks: hit:${m.nMaskHit} total:${m.nMasks} hit/pkt:${printfFixed(per, 2)}`);
      if (m.nCacheHit) {
        const rate = pkts ? (Number(m.nCacheHit) / Number(pkts)) * 100 : 0;
        io.out(`  cache: hit:${m.nCacheHit} hit-rate:${printfFixed(rate, 2)}%`);
      }
    }
  }
  if (dp.info.masksCacheSize !== undefined) {
    io.out('  caches:');
    io.out(`    masks-cache: size:${dp.info.masksCacheSize}`);
  }
  for (const p of await c.k.ports(dp)) {
    const type = typeName(p.type);
    io.out(`  port ${p.portNo}: ${p.name}${type === 'system' ? '' : ` (${type})`}`);
    if (c.o.statistics) portStats(io, p);
  }
}

/** `show -s` port counters: the vport's, plus the device's error counters for system ports (as OVS merges them). */
function portStats(io: Output, p: Port): void {
  const v = p.stats;
  const dev = (n: string): bigint => (typeName(p.type) === 'system' ? sysfsStat(p.name, n) : 0n);
  const human = (b: bigint): string => {
    const units = ['TiB', 'GiB', 'MiB', 'KiB'];
    for (const [i, u] of units.entries()) {
      const scale = 1024 ** (4 - i);
      if (b >= BigInt(scale)) return ` (${printfFixed(Number(b) / scale, 1)} ${u})`;
    }
    return '';
  };
  const z = 0n;
  io.out(
    `    RX packets:${v?.rxPackets ?? z} errors:${v?.rxErrors ?? z} dropped:${v?.rxDropped ?? z} ` +
      `overruns:${dev('rx_over_errors')} frame:${dev('rx_frame_errors')}`,
  );
  io.out(
    `    TX packets:${v?.txPackets ?? z} errors:${v?.txErrors ?? z} dropped:${v?.txDropped ?? z} ` +
      `aborted:${dev('tx_aborted_errors')} carrier:${dev('tx_carrier_errors')}`,
  );
  io.out(`    collisions:${dev('collisions')}`);
  const rx = v?.rxBytes ?? z;
  const tx = v?.txBytes ?? z;
  io.out(`    RX bytes:${rx}${human(rx)}  TX bytes:${tx}${human(tx)}`);
}

// ---- flows ----------------------------------------------------------------------------

/** Port name → number and back, for names in flows. */
async function portMaps(
  c: Ctx,
  dp: Dp,
): Promise<{ byName: Map<string, number>; byNumber: Map<number, string> }> {
  const ports = await c.k.ports(dp);
  return {
    byName: new Map(ports.map((p) => [p.name, p.portNo])),
    byNumber: new Map(ports.map((p) => [p.portNo, p.name])),
  };
}

/** The text of one flow as ovs-dpctl prints it (ufid only with -m, statistics always). */
function flowLine(
  c: Ctx,
  f: FlowAttrs,
  names: Map<number, string> | undefined,
  now: bigint,
): string {
  const { ufid, ...rest } = f;
  return formatFlow(c.o.verbosity > 0 && ufid ? f : rest, {
    verbose: c.o.verbosity > 0,
    stats: true,
    now,
    ...(names ? { portNames: names } : {}),
  });
}

const showNames = (o: DpctlOptions): boolean => o.names ?? o.verbosity > 0;

/** Parses FLOW and ACTIONS, each failure named as ovs-dpctl names it. */
function parseFlowArgs(
  key: string,
  actions: string | undefined,
  ports: Map<string, number>,
): { ufid?: Uint8Array; key: KeyAttrs; mask: KeyAttrs; actions?: ReturnType<typeof parseActions> } {
  let k;
  try {
    k = parseKey(key, { ports });
  } catch (e) {
    if (e instanceof FlowSyntaxError)
      throw new DpctlError(`parsing flow key (${e.message})`, EINVAL);
    throw e;
  }
  if (actions === undefined) return k;
  try {
    return { ...k, actions: parseActions(actions, { ports }) };
  } catch (e) {
    if (e instanceof FlowSyntaxError)
      throw new DpctlError(`parsing actions (${e.message})`, EINVAL);
    throw e;
  }
}

/** A kernel or client-side failure of a flow request. */
function flowFailed(what: string, e: unknown): DpctlError {
  if (e instanceof EncodeError) return new DpctlError(`${what} (${e.message})`, EINVAL);
  return failed(what, e);
}

async function putFlow(
  c: Ctx,
  dp: Dp,
  keyText: string,
  actionsText: string,
  mode: 'add' | 'mod',
): Promise<void> {
  const { byName } = await portMaps(c, dp);
  const f = parseFlowArgs(keyText, actionsText, byName);
  // add-flow and mod-flow always give actions (an empty list drops)
  const req = {
    ...dp.h,
    ...f,
    actions: f.actions ?? [],
    ...(mode === 'mod' && c.o.clear ? { clear: true } : {}),
  };
  try {
    if (mode === 'add') await c.k.flows.new(req, { ...c.k.opts, flags: NLM_F_CREATE });
    else if (c.o.mayCreate) await c.k.flows.new(req, c.k.opts);
    else await c.k.flows.set(req, c.k.opts);
  } catch (e) {
    throw flowFailed('updating flow table', e);
  }
  if (c.o.statistics) {
    const got = await c.k.flows.get(
      { ...dp.h, ...(f.ufid ? { ufid: f.ufid } : { key: f.key }) },
      c.k.opts,
    );
    c.io.out(formatStats(got));
  }
}

async function delFlow(c: Ctx, dp: Dp, keyText: string): Promise<void> {
  const { byName } = await portMaps(c, dp);
  const f = parseFlowArgs(keyText, undefined, byName);
  let stats: FlowAttrs | undefined;
  try {
    const sel = f.ufid ? { ufid: f.ufid } : { key: f.key };
    if (c.o.statistics) stats = await c.k.flows.get({ ...dp.h, ...sel }, c.k.opts);
    await c.k.flows.del({ ...dp.h, ...sel }, c.k.opts);
  } catch (e) {
    const d = flowFailed('deleting flow', e);
    if (d.errno === ENOENT && !f.ufid)
      throw new DpctlError(d.message, d.errno, { after: 'Perhaps you need to specify a UFID?' });
    throw d;
  }
  if (stats) c.io.out(formatStats(stats));
}

/** add-flows / mod-flows / del-flows FILE: one `[add|modify|delete] FLOW [ACTIONS]` per line. */
async function processFlows(
  c: Ctx,
  dp: Dp,
  file: string,
  def: 'add' | 'mod' | 'del',
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new DpctlError(
      `Opening file "${file}" failed`,
      (e as { errno?: number }).errno ? -(e as { errno: number }).errno : ENOENT,
    );
  }
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^(add|delete|modify)(?=[\s,])/.exec(line);
    const cmd = m ? ({ add: 'add', modify: 'mod', delete: 'del' } as const)[m[1] as 'add'] : def;
    const rest = (m ? line.slice(m[0].length) : line).trim();
    const sp = rest.search(/\s/);
    const flow = sp < 0 ? rest : rest.slice(0, sp);
    const actions = sp < 0 ? undefined : rest.slice(sp).trim();
    try {
      if (!flow || (cmd !== 'del' && !actions) || (cmd === 'del' && actions)) {
        throw new DpctlError(`Failed parsing line number ${i + 1}, skipped!`);
      }
      if (cmd === 'del') await delFlow(c, dp, flow);
      else await putFlow(c, dp, flow, actions!, cmd);
    } catch (e) {
      report(c, e);
    }
  }
}

// ---- the command table -----------------------------------------------------------------

/** add-flow / mod-flow `[dp] flow actions`. */
const putCommand = (name: string, mode: 'add' | 'mod'): Command => ({
  name,
  usage: '[dp] flow actions',
  min: 2,
  max: 3,
  rw: true,
  async run(c, args) {
    const { dp, rest } = await c.k.openOptional(args, 4);
    await putFlow(c, dp, rest.at(-2)!, rest.at(-1)!, mode);
  },
});

/** add-flows / mod-flows `[dp] file`. */
const fileCommand = (name: string, mode: 'add' | 'mod'): Command => ({
  name,
  usage: '[dp] file',
  min: 1,
  max: 2,
  rw: true,
  async run(c, args) {
    const { dp, rest } = await c.k.openOptional(args, 3);
    await processFlows(c, dp, rest.at(-1)!, mode);
  },
});

const commands: readonly Command[] = [
  {
    name: 'add-dp',
    usage: 'dp [iface...]',
    min: 1,
    max: Infinity,
    rw: true,
    async run(c, [dpArg, ...ifaces]) {
      try {
        await c.k.dps.new(
          {
            header: { dpIfindex: 0 },
            name: dpName(dpArg!),
            upcallPid: 0,
            userFeatures: ['unaligned', 'vportPids'],
          },
          c.k.opts,
        );
      } catch (e) {
        throw failed('add_dp', e);
      }
      if (ifaces.length) await addIfs(c, await c.k.open(dpArg!), dpArg!, ifaces);
    },
  },
  {
    name: 'del-dp',
    usage: 'dp',
    min: 1,
    max: 1,
    rw: true,
    async run(c, [dpArg]) {
      const dp = await c.k.open(dpArg!);
      try {
        await c.k.dps.del({ header: { dpIfindex: 0 }, name: dp.name }, c.k.opts);
      } catch (e) {
        throw failed('del_dp', e);
      }
    },
  },
  {
    name: 'add-if',
    usage: 'dp iface...',
    min: 2,
    max: Infinity,
    rw: true,
    async run(c, [dpArg, ...ifaces]) {
      await addIfs(c, await c.k.open(dpArg!), dpArg!, ifaces);
    },
  },
  {
    name: 'del-if',
    usage: 'dp iface...',
    min: 2,
    max: Infinity,
    rw: true,
    async run(c, [dpArg, ...ifaces]) {
      const dp = await c.k.open(dpArg!);
      const ports = await c.k.ports(dp);
      let last: DpctlError | undefined;
      for (const name of ifaces) {
        const portNo = /^\d+$/.test(name)
          ? Number(name)
          : ports.find((p) => p.name === name)?.portNo;
        if (portNo === undefined) {
          last = report(c, new DpctlError(`no port named ${name}`));
          continue;
        }
        try {
          await c.k.vports.del({ ...dp.h, portNo }, c.k.opts);
        } catch (e) {
          last = report(c, failed(`deleting port ${name} from ${dpArg} failed`, e));
        }
      }
      if (last) throw new Reported(last);
    },
  },
  {
    name: 'set-if',
    usage: 'dp iface...',
    min: 2,
    max: Infinity,
    rw: true,
    async run(c, [dpArg, ...ifaces]) {
      const dp = await c.k.open(dpArg!);
      let last: DpctlError | undefined;
      for (const arg of ifaces) {
        try {
          const { name, options } = ifaceArg(arg);
          let port: Port;
          try {
            port = (await c.k.vports.get({ ...dp.h, name }, c.k.opts)) as Port;
          } catch (e) {
            throw failed(`${name}: failed to query port in ${dpArg}`, e);
          }
          const type = typeName(port.type);
          const t = options.get('type');
          if (t !== undefined && t !== type)
            throw new DpctlError(`${name}: can't change type from ${type} to ${t}`);
          const pn = options.get('port_no');
          if (pn !== undefined && Number(pn) !== port.portNo) {
            throw new DpctlError(
              `${name}: can't change port number from ${port.portNo} to ${Number(pn)}`,
            );
          }
          options.delete('type');
          options.delete('port_no');
          if (options.size === 0) continue;
          const tun = tunnelOptions(name, String(port.type), options);
          try {
            await c.k.vports.set({ ...dp.h, name, ...(tun ? { options: tun } : {}) }, c.k.opts);
          } catch (e) {
            throw failed(`${name}: Error updating configuration`, e);
          }
        } catch (e) {
          last = report(c, e);
        }
      }
      if (last) throw new Reported(last);
    },
  },
  {
    name: 'dump-dps',
    usage: '',
    min: 0,
    max: 0,
    rw: false,
    async run(c) {
      for (const n of await c.k.names()) c.io.out(`system@${n}`);
    },
  },
  {
    name: 'show',
    usage: '[-s] [dp...]',
    min: 0,
    max: Infinity,
    rw: false,
    async run(c, dps) {
      let last: DpctlError | undefined;
      for (const arg of dps.length ? dps : (await c.k.names()).map((n) => `system@${n}`)) {
        try {
          await show(c, await c.k.open(arg, `opening datapath ${arg} failed`));
        } catch (e) {
          last = report(c, e);
        }
      }
      if (last) throw new Reported(last);
    },
  },
  {
    name: 'dump-flows',
    usage: '[-m] [--names] [dp]',
    min: 0,
    max: 1,
    rw: false,
    async run(c, args) {
      const { dp } = await c.k.openOptional(args, 2);
      const names = showNames(c.o) ? (await portMaps(c, dp)).byNumber : undefined;
      const now = monotonicMs();
      try {
        for await (const f of c.k.flows.dump(dp.h, c.k.opts)) c.io.out(flowLine(c, f, names, now));
      } catch (e) {
        throw failed('Failed to dump flows from datapath', e);
      }
    },
  },
  putCommand('add-flow', 'add'),
  putCommand('mod-flow', 'mod'),
  {
    name: 'get-flow',
    usage: '[dp] ufid',
    min: 1,
    max: 2,
    rw: false,
    async run(c, args) {
      const { dp, rest } = await c.k.openOptional(args, 3);
      const f = parseFlowArgs(rest.at(-1)!, undefined, new Map());
      if (!f.ufid) throw new DpctlError('parsing flow ufid', EINVAL);
      const names = showNames(c.o) ? (await portMaps(c, dp)).byNumber : undefined;
      let got: FlowAttrs;
      try {
        got = await c.k.flows.get({ ...dp.h, ufid: f.ufid }, c.k.opts);
      } catch (e) {
        throw failed('getting flow', e);
      }
      c.io.out(flowLine(c, got, names, monotonicMs()));
    },
  },
  {
    name: 'del-flow',
    usage: '[dp] flow',
    min: 1,
    max: 2,
    rw: true,
    async run(c, args) {
      const { dp, rest } = await c.k.openOptional(args, 3);
      await delFlow(c, dp, rest.at(-1)!);
    },
  },
  fileCommand('add-flows', 'add'),
  fileCommand('mod-flows', 'mod'),
  {
    name: 'del-flows',
    usage: '[dp] [file]',
    min: 0,
    max: 2,
    rw: true,
    async run(c, args) {
      const names = await c.k.names();
      const isDp = args.length > 0 && names.includes(args[0]!.replace(/^system@/, ''));
      if ((args.length === 1 && !isDp) || args.length === 2) {
        const { dp, rest } = await c.k.openOptional(args, 3);
        await processFlows(c, dp, rest.at(-1)!, 'del');
        return;
      }
      const { dp } = await c.k.openOptional(args, 2);
      try {
        await c.k.flows.del(dp.h, c.k.opts);
      } catch (e) {
        throw failed('deleting all flows', e);
      }
    },
  },
];

// ---- running -------------------------------------------------------------------------------

const strerror: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  22: 'Invalid argument',
  27: 'File too large',
  28: 'No space left on device',
  34: 'Numerical result out of range',
  90: 'Message too long',
  95: 'Operation not supported',
  97: 'Address family not supported by protocol',
  98: 'Address already in use',
  105: 'No buffer space available',
  110: 'Connection timed out',
};

/** Prints an error as ovs-dpctl does: `PROG: WHAT (strerror)`, with its notes. */
export function printError(io: Output, e: DpctlError): void {
  if (e.notes.before) io.err(`ynl-dpctl: ${e.notes.before}`);
  const why = e.errno ? ` (${strerror[e.errno] ?? `error ${e.errno}`})` : '';
  io.err(`ynl-dpctl: ${e.message}${why}`);
  if (e.notes.after) io.out(e.notes.after);
}

/** A command line ynl-dpctl cannot run (exit status 2). */
export class UsageError extends DpctlError {
  override name = 'UsageError';
}

/**
 * Runs one command; resolves to the exit status: 0, or 1 after a printed
 * error. A bad command line throws {@link UsageError}.
 */
export async function runCommand(
  argv: readonly string[],
  o: DpctlOptions,
  io: Output,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError('missing command name; use --help for help');
  const cmd = commands.find((x) => x.name === name);
  if (!cmd) throw new UsageError(`unknown command '${name}'; use --help for help`);
  if (args.length < cmd.min)
    throw new UsageError(`'${name}' command requires at least ${cmd.min} arguments`);
  if (args.length > cmd.max)
    throw new UsageError(`'${name}' command takes at most ${cmd.max} arguments`);
  if (cmd.rw && o.readOnly)
    throw new UsageError(`'${name}' command does not work in read only mode`);
  const k = await Kernel.open(o.timeout);
  try {
    await cmd.run({ k, o, io }, args);
    return 0;
  } catch (e) {
    if (e instanceof Reported) return 1;
    if (e instanceof DpctlError || e instanceof NetlinkError) {
      printError(io, e instanceof DpctlError ? e : failed('error', e));
      return 1;
    }
    throw e;
  } finally {
    k.close();
  }
}

/** `NAME USAGE` of every command, for --help. */
export const commandUsage = (): string[] =>
  commands.map((c) => `  ${c.name.padEnd(24)} ${c.usage}`);
