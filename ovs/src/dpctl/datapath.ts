/**
 * The kernel datapaths as ynl-dpctl sees them: one socket with the three
 * ovs_* clients, datapaths by name (`system@dp0` or `dp0`), and their ports.
 * @module
 */
import { readFileSync } from 'node:fs';
import { GenlSocket, NetlinkError } from '@ynl-ts/runtime';
import { OvsDatapathClient, type Datapath } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient, type Vport } from '@ynl-ts/families/ovs_vport';
import { OvsFlowClient } from '@ynl-ts/families/ovs_flow';

/** A failure ovs-dpctl reports as `ynl-dpctl: WHAT (strerror)`. */
export class DpctlError extends Error {
  override name = 'DpctlError';
  constructor(
    message: string,
    /** Positive errno of the cause, if any. */
    readonly errno?: number,
    /** Lines ovs-dpctl prints around the error: an error line before, a hint after. */
    readonly notes: { readonly before?: string; readonly after?: string } = {},
  ) {
    super(message);
  }
}

/** Wraps a kernel error (or any other) as `WHAT (strerror)`, with the ext-ack text if the kernel gave one. */
export function failed(what: string, e: unknown): DpctlError {
  if (e instanceof NetlinkError) {
    const ack = e.extack.message ? `: ${e.extack.message}` : '';
    return new DpctlError(`${what}${ack}`, e.errno);
  }
  if (e instanceof DpctlError) return e;
  return new DpctlError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
}

const hdr0 = { header: { dpIfindex: 0 } } as const;

/** `system@dp0` or `dp0` → `dp0`; other datapath types are not the kernel's. */
export function dpName(arg: string): string {
  const at = arg.indexOf('@');
  if (at < 0) return arg;
  const type = arg.slice(0, at);
  if (type !== 'system')
    throw new DpctlError(`${arg}: only the kernel datapath (system@NAME) is supported`, 22);
  return arg.slice(at + 1);
}

/** One open datapath. */
export interface Dp {
  readonly name: string;
  readonly h: { readonly header: { readonly dpIfindex: number } };
  readonly info: Datapath;
}

/** A port of a datapath, from ovs_vport. */
export type Port = Vport & { readonly portNo: number; readonly name: string };

/** The three OVS families on one socket. */
export class Kernel {
  private constructor(
    readonly sock: GenlSocket,
    readonly dps: OvsDatapathClient,
    readonly vports: OvsVportClient,
    readonly flows: OvsFlowClient,
  ) {}

  static async open(timeout?: number): Promise<Kernel> {
    const sock = await GenlSocket.open();
    try {
      const [d, v, f] = await Promise.all([
        OvsDatapathClient.open(sock),
        OvsVportClient.open(sock),
        OvsFlowClient.open(sock),
      ]);
      const k = new Kernel(sock, d, v, f);
      k.timeout = timeout;
      return k;
    } catch (e) {
      sock.close();
      if (e instanceof NetlinkError && e.code === 'ENOENT') {
        throw new DpctlError('the openvswitch kernel module is not loaded', e.errno);
      }
      throw e;
    }
  }

  /** Request timeout in ms (`-t`). */
  timeout: number | undefined;

  get opts(): { timeout?: number } {
    return this.timeout === undefined ? {} : { timeout: this.timeout };
  }

  close(): void {
    this.sock.close();
  }

  /** Names of all datapaths, in the kernel's order. */
  async names(): Promise<string[]> {
    const out: string[] = [];
    for await (const d of this.dps.dump(hdr0, this.opts)) if (d.name) out.push(d.name);
    return out;
  }

  /** Opens datapath `arg`; `what` names the failure (ovs-dpctl: "opening datapath"). */
  async open(arg: string, what = 'opening datapath'): Promise<Dp> {
    const name = dpName(arg);
    try {
      const info = await this.dps.get({ ...hdr0, name }, this.opts);
      return { name, h: { header: { dpIfindex: info.header.dpIfindex } }, info };
    } catch (e) {
      throw failed(what, e);
    }
  }

  /**
   * The datapath of a command whose DP argument is optional (ovs-dpctl's
   * `opt_dpif_open`): `args[0]` when it names a datapath, else the only one.
   * Returns the datapath and the arguments after it.
   */
  async openOptional(args: readonly string[], max: number): Promise<{ dp: Dp; rest: string[] }> {
    const all = await this.names();
    if (args.length > 0 && all.includes(safeName(args[0]!))) {
      return { dp: await this.open(args[0]!), rest: args.slice(1) };
    }
    if (args.length === max) throw new DpctlError('datapath not found', 22);
    if (all.length !== 1) {
      const why = all.length === 0 ? 'no datapaths exist' : 'multiple datapaths, specify one';
      throw new DpctlError('datapath not found', 22, { before: why });
    }
    return { dp: await this.open(all[0]!), rest: [...args] };
  }

  /** Ports of `dp`, by port number. */
  async ports(dp: Dp): Promise<Port[]> {
    const out: Port[] = [];
    for await (const v of this.vports.dump(dp.h, this.opts)) out.push(v as Port);
    return out.sort((a, b) => a.portNo - b.portNo);
  }
}

const safeName = (arg: string): string => {
  try {
    return dpName(arg);
  } catch {
    return '';
  }
};

/** Counters of a network device from sysfs (0 where the kernel has none). */
export function sysfsStat(dev: string, name: string): bigint {
  try {
    return BigInt(readFileSync(`/sys/class/net/${dev}/statistics/${name}`, 'utf8').trim());
  } catch {
    return 0n;
  }
}
