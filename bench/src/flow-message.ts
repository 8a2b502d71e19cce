// The benchmark's ovs_flow message: a dump reply as the kernel sends it (key,
// mask, actions, stats, used, tcp-flags; about 300 bytes), and a hand-written
// straight-line encoder and decoder for exactly this message: the practical
// ceiling for JS, against which the generated layouts are measured. The
// hand-written pair produces the same bytes and the same object as the codec
// (checked before timing), so the comparison is like for like.
import type { ActionAttrsEntry, FlowAttrs, KeyAttrs, OvsHeader } from '@ynl-ts/families/ovs_flow';

export type FlowMsg = FlowAttrs & { readonly header: OvsHeader };

const mac = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));

const key: KeyAttrs = {
  priority: 0,
  inPort: 3,
  skbMark: 0,
  recircId: 0,
  dpHash: 0,
  ethernet: { ethSrc: mac('02:00:00:00:00:01'), ethDst: mac('02:00:00:00:00:02') },
  ethertype: 0x0800,
  ipv4: {
    ipv4Src: 0x0a000001,
    ipv4Dst: 0x0a000002,
    ipv4Proto: 6,
    ipv4Tos: 0,
    ipv4Ttl: 64,
    ipv4Frag: 'none',
  },
  tcp: { tcpSrc: 40000, tcpDst: 443 },
  tcpFlags: 0x12,
};
const mask: KeyAttrs = {
  priority: 0,
  inPort: 0xffffffff,
  skbMark: 0,
  recircId: 0xffffffff,
  dpHash: 0,
  ethernet: { ethSrc: new Uint8Array(6), ethDst: new Uint8Array(6).fill(0xff) },
  ethertype: 0xffff,
  ipv4: {
    ipv4Src: 0,
    ipv4Dst: 0xffffffff,
    ipv4Proto: 0xff,
    ipv4Tos: 0,
    ipv4Ttl: 0,
    ipv4Frag: 'none',
  },
  tcp: { tcpSrc: 0, tcpDst: 0xffff },
  tcpFlags: 0,
};
const actions: readonly ActionAttrsEntry[] = [
  { type: 'output', value: 2 },
  { type: 'output', value: 4 },
];

/** The flow of the benchmark (a dump reply's attributes). */
export const flow: FlowMsg = {
  header: { dpIfindex: 7 },
  key,
  mask,
  actions,
  stats: { nPackets: 1234n, nBytes: 567890n },
  used: 4242424242n,
  tcpFlags: 0x12,
};

// ---- hand-written straight-line encoder ----

const scratch = new Uint8Array(1024);
const sv = new DataView(scratch.buffer);

function keyAttrs(o: number, k: KeyAttrs): number {
  // in spec (attribute number) order, as the codec writes a set:
  // priority 2, in-port 3, ethernet 4, ethertype 6, ipv4 7, tcp 9, skb-mark 15,
  // tcp-flags 18, dp-hash 19, recirc-id 20
  o = u32(o, 2, k.priority!);
  o = u32(o, 3, k.inPort!);
  sv.setUint16(o, 16, true);
  sv.setUint16(o + 2, 4, true); // ethernet
  scratch.set(k.ethernet!.ethSrc, o + 4);
  scratch.set(k.ethernet!.ethDst, o + 10);
  o += 16;
  sv.setUint16(o, 6, true);
  sv.setUint16(o + 2, 6, true); // ethertype (be16)
  sv.setUint16(o + 4, k.ethertype!, false);
  sv.setUint16(o + 6, 0, true);
  o += 8;
  const ip = k.ipv4!;
  sv.setUint16(o, 16, true);
  sv.setUint16(o + 2, 7, true); // ipv4
  sv.setUint32(o + 4, ip.ipv4Src, false);
  sv.setUint32(o + 8, ip.ipv4Dst, false);
  scratch[o + 12] = ip.ipv4Proto;
  scratch[o + 13] = ip.ipv4Tos;
  scratch[o + 14] = ip.ipv4Ttl;
  scratch[o + 15] = fragValue(ip.ipv4Frag);
  o += 16;
  sv.setUint16(o, 8, true);
  sv.setUint16(o + 2, 9, true); // tcp
  sv.setUint16(o + 4, k.tcp!.tcpSrc, false);
  sv.setUint16(o + 6, k.tcp!.tcpDst, false);
  o += 8;
  o = u32(o, 15, k.skbMark!);
  sv.setUint16(o, 6, true);
  sv.setUint16(o + 2, 18, true); // tcp-flags (be16)
  sv.setUint16(o + 4, k.tcpFlags!, false);
  sv.setUint16(o + 6, 0, true);
  o += 8;
  o = u32(o, 19, k.dpHash!);
  return u32(o, 20, k.recircId!);
}

function u32(o: number, type: number, v: number): number {
  sv.setUint16(o, 8, true);
  sv.setUint16(o + 2, type, true);
  sv.setUint32(o + 4, v, true);
  return o + 8;
}

const frags = ['none', 'first', 'later'] as const;
function fragValue(f: unknown): number {
  return typeof f === 'number' ? f : frags.indexOf(f as (typeof frags)[number]);
}

/** A key or mask nest (NLA_F_NESTED) of type `type` at `at`; returns its end. */
function nest(at: number, type: number, k: KeyAttrs): number {
  const o = keyAttrs(at + 4, k);
  sv.setUint16(at, o - at, true);
  sv.setUint16(at + 2, type | 0x8000, true);
  return o;
}

/** Encodes `m` as an OVS_FLOW_CMD_NEW request for family `familyId`; returns a copy. */
export function handEncode(m: FlowMsg, familyId: number): Uint8Array {
  // nlmsghdr (len patched below), genlmsghdr, ovs_header
  sv.setUint16(4, familyId, true);
  sv.setUint16(6, 1, true); // NLM_F_REQUEST
  sv.setUint32(8, 0, true);
  sv.setUint32(12, 0, true);
  scratch[16] = 1; // OVS_FLOW_CMD_NEW
  scratch[17] = 1; // version
  sv.setUint16(18, 0, true);
  sv.setInt32(20, m.header.dpIfindex, true);
  // in spec order: key 1, actions 2, stats 3, tcp-flags 4, used 5, mask 7
  let o = nest(24, 1, m.key!);
  const at = o;
  o += 4;
  for (const a of m.actions!) {
    if (a.type !== 'output') throw new Error('hand-written encoder: output actions only');
    o = u32(o, 1, a.value);
  }
  sv.setUint16(at, o - at, true);
  sv.setUint16(at + 2, 2 | 0x8000, true); // actions, NLA_F_NESTED
  sv.setUint16(o, 20, true);
  sv.setUint16(o + 2, 3, true); // stats
  sv.setBigUint64(o + 4, m.stats!.nPackets, true);
  sv.setBigUint64(o + 12, m.stats!.nBytes, true);
  o += 20;
  sv.setUint16(o, 5, true);
  sv.setUint16(o + 2, 4, true); // tcp-flags u8
  sv.setUint32(o + 4, m.tcpFlags!, true);
  o += 8;
  sv.setUint16(o, 12, true);
  sv.setUint16(o + 2, 5, true); // used
  sv.setBigUint64(o + 4, m.used!, true);
  o += 12;
  o = nest(o, 7, m.mask!);
  sv.setUint32(0, o, true);
  // The fastest copy out on Node (pooled, like the codec's Writer.bytes()).
  const b = Buffer.allocUnsafe(o);
  b.set(scratch.subarray(0, o));
  return new Uint8Array(b.buffer, b.byteOffset, o);
}

// ---- hand-written straight-line decoder ----

function decodeKey(b: Uint8Array, v: DataView, o: number, end: number): KeyAttrs {
  const k: Record<string, unknown> = {};
  while (o + 4 <= end) {
    const len = v.getUint16(o, true);
    if (len < 4 || o + len > end) throw new Error('bad attribute length');
    const p = o + 4;
    switch (v.getUint16(o + 2, true) & 0x3fff) {
      case 2:
        k.priority = v.getUint32(p, true);
        break;
      case 3:
        k.inPort = v.getUint32(p, true);
        break;
      case 15:
        k.skbMark = v.getUint32(p, true);
        break;
      case 20:
        k.recircId = v.getUint32(p, true);
        break;
      case 19:
        k.dpHash = v.getUint32(p, true);
        break;
      case 4:
        k.ethernet = { ethSrc: b.subarray(p, p + 6), ethDst: b.subarray(p + 6, p + 12) };
        break;
      case 6:
        k.ethertype = v.getUint16(p, false);
        break;
      case 7:
        k.ipv4 = {
          ipv4Src: v.getUint32(p, false),
          ipv4Dst: v.getUint32(p + 4, false),
          ipv4Proto: b[p + 8],
          ipv4Tos: b[p + 9],
          ipv4Ttl: b[p + 10],
          ipv4Frag: frags[b[p + 11]!] ?? b[p + 11],
        };
        break;
      case 9:
        k.tcp = { tcpSrc: v.getUint16(p, false), tcpDst: v.getUint16(p + 2, false) };
        break;
      case 18:
        k.tcpFlags = v.getUint16(p, false);
        break;
      default:
        throw new Error('hand-written decoder: unexpected key attribute');
    }
    o += (len + 3) & ~3;
  }
  return k as KeyAttrs;
}

/** Decodes the message at `off` of `b` (as the codec would, binary values as views). */
export function handDecode(b: Uint8Array, off: number): FlowMsg {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const end = off + v.getUint32(off, true);
  if (end > b.length) throw new Error('truncated message');
  const m: Record<string, unknown> = { header: { dpIfindex: v.getInt32(off + 20, true) } };
  let o = off + 24;
  while (o + 4 <= end) {
    const len = v.getUint16(o, true);
    if (len < 4 || o + len > end) throw new Error('bad attribute length');
    const p = o + 4;
    switch (v.getUint16(o + 2, true) & 0x3fff) {
      case 1:
        m.key = decodeKey(b, v, p, o + len);
        break;
      case 7:
        m.mask = decodeKey(b, v, p, o + len);
        break;
      case 2: {
        const acts: ActionAttrsEntry[] = [];
        for (let a = p; a + 4 <= o + len;) {
          const al = v.getUint16(a, true);
          if ((v.getUint16(a + 2, true) & 0x3fff) !== 1) throw new Error('output actions only');
          acts.push({ type: 'output', value: v.getUint32(a + 4, true) });
          a += (al + 3) & ~3;
        }
        m.actions = acts;
        break;
      }
      case 3:
        m.stats = { nPackets: v.getBigUint64(p, true), nBytes: v.getBigUint64(p + 8, true) };
        break;
      case 5:
        m.used = v.getBigUint64(p, true);
        break;
      case 4:
        m.tcpFlags = b[p];
        break;
      default:
        throw new Error('hand-written decoder: unexpected attribute');
    }
    o += (len + 3) & ~3;
  }
  return m as unknown as FlowMsg;
}
