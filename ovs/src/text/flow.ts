/**
 * Whole flows in the text `ovs-dpctl dump-flows` prints:
 * `[ufid:UUID, ]KEY[, packets:N, bytes:N, used:T[, flags:F]][, dp:ovs], actions:ACTIONS`.
 * @module
 */
import type {
  ActionAttrsEntry,
  FlowAttrs,
  KeyAttrs,
  OvsFlowStats,
} from '@ynl-ts/families/ovs_flow';
import { formatActions, printfFixed, readActions } from './actions.js';
import type { FormatOptions, ParseOptions } from './codec.js';
import { formatKeyAttrs, parseKeyAttrs } from './key.js';
import { Scanner } from './scan.js';

/** A flow read from text: the generated `ovs_flow` types, ready for `OvsFlowClient.new`. */
export interface ParsedFlow {
  /** `ufid:…` when the text starts with one. */
  readonly ufid?: Uint8Array;
  readonly key: KeyAttrs;
  /** Every attribute named in the text, with the mask its text gives (exact where no `/mask`). */
  readonly mask: KeyAttrs;
  readonly actions: readonly ActionAttrsEntry[];
  /** `packets:`/`bytes:` of a dump-flows line. */
  readonly stats?: OvsFlowStats;
  /** `used:` as a monotonic time in ms (`now` minus the age printed). */
  readonly used?: bigint;
  /** `flags:` (TCP flags seen). */
  readonly tcpFlags?: number;
}

/** Options for {@link formatFlow}. */
export interface FlowFormatOptions extends FormatOptions {
  /** Print `packets:…, bytes:…, used:…` even when the flow carries no statistics (as ovs-dpctl does). */
  readonly stats?: boolean;
  /** The monotonic clock in ms that `used:` is relative to (default: now). */
  readonly now?: bigint;
}

/** Options for {@link parseFlow}. */
export interface FlowParseOptions extends ParseOptions {
  /** The monotonic clock in ms that `used:` is relative to (default: now). */
  readonly now?: bigint;
}

/** The monotonic clock in ms (CLOCK_MONOTONIC, the clock of the kernel's `used`). */
export const monotonicMs = (): bigint => process.hrtime.bigint() / 1_000_000n;

/**
 * `ufid:` text of a 16-byte flow id. OVS holds a UFID as four host-order
 * (little-endian) u32 words and prints them UUID-style, so the text is not
 * the bytes in order.
 */
export function formatUfid(u: Uint8Array): string {
  const v = new DataView(u.buffer, u.byteOffset, u.byteLength);
  const w = [0, 4, 8, 12].map((o) => v.getUint32(o, true).toString(16).padStart(8, '0'));
  return `ufid:${w[0]}-${w[1]!.slice(0, 4)}-${w[1]!.slice(4)}-${w[2]!.slice(0, 4)}-${w[2]!.slice(4)}${w[3]}`;
}

/** Reads `ufid:UUID` (the `ufid:` already consumed) into the 16 bytes OVS sends. */
export function readUfid(sc: Scanner): Uint8Array {
  const m = sc.match(
    /([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})([0-9a-fA-F]{8})/,
    'a UUID',
  );
  const words = [m[1]!, m[2]! + m[3]!, m[4]! + m[5]!, m[6]!];
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(4 * i, parseInt(w, 16), true));
  return out;
}

// TCP flags of the statistics, tcpdump style (OVS packet_format_tcp_flags)
const tcpLetters: readonly (readonly [number, string])[] = [
  [0x002, 'S'],
  [0x001, 'F'],
  [0x008, 'P'],
  [0x004, 'R'],
  [0x020, 'U'],
  [0x010, '.'],
  [0x040, 'E'],
  [0x080, 'C'],
  [0x100, 'N'],
  [0x200, '[200]'],
  [0x400, '[400]'],
  [0x800, '[800]'],
];

function formatTcpFlags(f: number): string {
  if (!f) return 'none';
  return tcpLetters
    .filter(([b]) => f & b)
    .map(([, l]) => l)
    .join('');
}

function readTcpFlags(sc: Scanner): number {
  if (sc.eat('none')) return 0;
  let f = 0;
  for (let more = true; more;) {
    more = false;
    for (const [b, l] of tcpLetters) {
      if (!(f & b) && sc.eat(l)) {
        f |= b;
        more = true;
      }
    }
  }
  if (!f) throw sc.error('TCP flags (S, F, P, R, U, ., E, C, N or none)');
  return f;
}

/**
 * The statistics of a flow as ovs-dpctl prints them:
 * `packets:N, bytes:N, used:T[, flags:F]`, `used` relative to `now` (ms on
 * the monotonic clock; default: now).
 */
export function formatStats(flow: FlowAttrs, now?: bigint): string {
  const used = flow.used
    ? `${printfFixed(Number((now ?? monotonicMs()) - flow.used) / 1000, 3)}s`
    : 'never';
  let s = `packets:${flow.stats?.nPackets ?? 0n}, bytes:${flow.stats?.nBytes ?? 0n}, used:${used}`;
  if (flow.tcpFlags) s += `, flags:${formatTcpFlags(flow.tcpFlags)}`;
  return s;
}

/**
 * A flow as `ovs-dpctl dump-flows` prints it. Takes a parsed flow or a
 * flow message from the kernel (`OvsFlowClient` dump/get replies) as is;
 * `ufid` is printed when present (ovs-dpctl shows it only with `-m`).
 */
export function formatFlow(flow: FlowAttrs, o: FlowFormatOptions = {}): string {
  let s = flow.ufid ? formatUfid(flow.ufid) + ', ' : '';
  s += formatKeyAttrs(flow.key ?? {}, flow.mask, o);
  if (o.stats || flow.stats || flow.used !== undefined || flow.tcpFlags)
    s += ', ' + formatStats(flow, o.now);
  if (o.verbose) s += ', dp:ovs';
  return s + ', actions:' + formatActions(flow.actions ?? [], o);
}

/**
 * Parses a flow in the text `ovs-dpctl dump-flows` prints (key, mask,
 * actions, and optionally `ufid:`, statistics and `dp:`). A syntax error is
 * a {@link FlowSyntaxError} naming the column and what was expected there.
 */
export function parseFlow(text: string, o: FlowParseOptions = {}): ParsedFlow {
  const sc = new Scanner(text);
  sc.skipDelimiters();
  const ufid = sc.eat('ufid:') ? readUfid(sc) : undefined;
  const { key, mask } = parseKeyAttrs(sc, o);
  const out: { -readonly [K in keyof ParsedFlow]: ParsedFlow[K] } = { key, mask, actions: [] };
  if (ufid) out.ufid = ufid;
  let nPackets: bigint | undefined;
  let nBytes: bigint | undefined;
  for (;;) {
    if (sc.atEnd()) throw sc.error(`', actions:'`);
    sc.expect(', ', `', ' and a key attribute, packets:, bytes:, used:, flags:, dp: or actions:`);
    const at = sc.pos;
    const label = sc.word();
    if (!sc.eat(':')) throw sc.error('packets:, bytes:, used:, flags:, dp: or actions:', at);
    if (label === 'actions') break;
    if (label === 'packets') nPackets = BigInt(sc.match(/[0-9]+/, 'a packet count')[0]);
    else if (label === 'bytes') nBytes = BigInt(sc.match(/[0-9]+/, 'a byte count')[0]);
    else if (label === 'used') {
      if (!sc.eat('never')) {
        const s = sc.match(/(-?[0-9]+(?:\.[0-9]{1,3})?)s/, `'never' or seconds ('1.500s')`)[1]!;
        const [i, f = ''] = s.replace('-', '').split('.');
        const ms = BigInt(i!) * 1000n + BigInt(f.padEnd(3, '0'));
        out.used = (o.now ?? monotonicMs()) - (s.startsWith('-') ? -ms : ms);
      }
    } else if (label === 'flags') out.tcpFlags = readTcpFlags(sc);
    else if (label === 'dp') sc.expect('ovs', `'ovs' (the kernel datapath)`);
    else throw sc.error('packets:, bytes:, used:, flags:, dp: or actions:', at);
  }
  if (nPackets !== undefined || nBytes !== undefined)
    out.stats = { nPackets: nPackets ?? 0n, nBytes: nBytes ?? 0n };
  out.actions = readActions(sc, o);
  return out;
}

/** A flow key with its mask, as `ovs-dpctl add-flow` takes it (a leading `ufid:` is accepted). */
export interface ParsedKey {
  readonly ufid?: Uint8Array;
  readonly key: KeyAttrs;
  readonly mask: KeyAttrs;
}

/** Parses a flow key with masks (`in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0)`). */
export function parseKey(text: string, o: ParseOptions = {}): ParsedKey {
  const sc = new Scanner(text);
  sc.skipDelimiters();
  const ufid = sc.eat('ufid:') ? readUfid(sc) : undefined;
  const r = parseKeyAttrs(sc, o);
  sc.skipDelimiters();
  if (!sc.atEnd()) throw sc.error('a key attribute or the end of the key');
  return ufid ? { ufid, ...r } : r;
}

/** A key and mask as `ovs-dpctl` prints them (`mask` undefined: every attribute exact). */
export function formatKey(key: KeyAttrs, mask?: KeyAttrs, o: FormatOptions = {}): string {
  return formatKeyAttrs(key, mask, o);
}
