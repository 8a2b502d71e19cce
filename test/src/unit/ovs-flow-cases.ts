// Flows whose key and mask disagree in the ways the kernel's match_validate()
// rejects, and flows it accepts. Shared by the unit test (the client-side
// check) and the OVS suite (the kernel's EINVAL for the same flows, sent
// unchecked, and success for the good ones).
import { genlRequest } from '@ynl-ts/runtime';
import {
  family,
  ops,
  type FlowAttrs,
  type NewRequest,
  type OvsHeader,
} from '@ynl-ts/families/ovs_flow';

type Flow = Omit<FlowAttrs, 'header'>;

/** A flow message with its ovs_header, as requests carry it. */
export type FlowMsg = FlowAttrs & { readonly header: OvsHeader };

/** Encodes `msg` as an OVS_FLOW_CMD_NEW request (family id 0x20) without a socket. */
export function encodeFlowNew(msg: FlowMsg, unchecked = false): Uint8Array {
  return genlRequest({
    familyId: 0x20,
    cmd: ops.new.cmd,
    version: family.version,
    set: ops.new.requestSet,
    attrs: msg as NewRequest,
    ...(family.fixedHeader ? { fixedHeader: family.fixedHeader } : {}),
    unchecked,
  }).bytes;
}

const mac = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
const eth = { ethSrc: mac('02:00:00:00:00:01'), ethDst: mac('02:00:00:00:00:02') };
const ipv4 = (proto: number, frag: 'none' | 'first' | 'later' = 'none') =>
  ({
    ipv4Src: 0x0a000001,
    ipv4Dst: 0x0a000002,
    ipv4Proto: proto,
    ipv4Tos: 0,
    ipv4Ttl: 64,
    ipv4Frag: frag,
  }) as const;
const ipv4Mask = (proto: number) =>
  ({
    ipv4Src: 0xffffffff,
    ipv4Dst: 0,
    ipv4Proto: proto,
    ipv4Tos: 0,
    ipv4Ttl: 0,
    ipv4Frag: 0,
  }) as const;

/** A complete IPv4/TCP key (the kernel wants tcp-flags with every TCP key). */
export const tcpKey = {
  inPort: 1,
  ethernet: eth,
  ethertype: 0x0800,
  ipv4: ipv4(6),
  tcp: { tcpSrc: 1234, tcpDst: 80 },
  tcpFlags: 0,
} as const satisfies FlowAttrs['key'];

export interface BadFlow {
  readonly name: string;
  readonly flow: Flow;
  /** Path the client-side error names. */
  readonly path: string;
  readonly message: RegExp;
}

const without = <T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k as K))) as Omit<T, K>;
const tcpNoFlags = without(tcpKey, 'tcpFlags');
const ethOnly = without(tcpKey, 'ipv4', 'tcp', 'tcpFlags');

// Every case carries actions (an empty list: drop), so that the key and mask
// are the only thing wrong with a bad flow.
const withActions = <T extends { flow: Flow }>(cases: T[]): readonly T[] =>
  cases.map((c) => ({ ...c, flow: { ...c.flow, actions: [] } }));

export const badFlows: readonly BadFlow[] = withActions([
  {
    name: 'ethertype 0x0800 without an ipv4 key',
    flow: { key: ethOnly },
    path: 'key.ipv4',
    message: /missing: the kernel expects 'ipv4' in a key where ethertype is 0x800/,
  },
  {
    name: 'a TCP key without tcp-flags',
    flow: { key: tcpNoFlags },
    path: 'key.tcpFlags',
    message: /expects 'tcpFlags' .* ipv4\.ipv4Proto is 6/,
  },
  {
    name: 'a tcp mask while the mask leaves ip proto wildcarded',
    flow: {
      key: tcpKey,
      mask: {
        inPort: 0xffffffff,
        ethertype: 0xffff,
        ipv4: ipv4Mask(0),
        tcp: { tcpSrc: 0, tcpDst: 0xffff },
      },
    },
    path: 'mask.tcp',
    message: /only when .* mask\.ipv4\.ipv4Proto is all ones/,
  },
  {
    name: 'an ipv4 mask while the mask leaves the ethertype wildcarded',
    flow: { key: tcpKey, mask: { ethertype: 0, ipv4: ipv4Mask(0xff) } },
    path: 'mask.ipv4',
    message: /only when key\.ethertype is 0x800 and mask\.ethertype is all ones/,
  },
  {
    name: 'a udp mask on a TCP key',
    flow: {
      key: tcpKey,
      mask: { ethertype: 0xffff, ipv4: ipv4Mask(0xff), udp: { udpSrc: 0, udpDst: 53 } },
    },
    path: 'mask.udp',
    message: /'udp' mask only when .*ipv4Proto is 17/,
  },
  {
    name: 'a mask on skb-mark, which the key does not have',
    flow: { key: tcpKey, mask: { ethertype: 0xffff, skbMark: 0xff } },
    path: 'mask.skbMark',
    message: /the key has no 'skbMark'/,
  },
  {
    name: 'an 802.1Q key whose inner TCP key lacks tcp-flags',
    flow: {
      key: {
        inPort: 1,
        ethernet: eth,
        vlan: 0x1000 | 10,
        ethertype: 0x8100,
        encap: { ethertype: 0x0800, ipv4: ipv4(6), tcp: { tcpSrc: 1, tcpDst: 2 } },
      },
    },
    path: 'key.encap.tcpFlags',
    message: /expects 'tcpFlags'/,
  },
]);

export const goodFlows: readonly { readonly name: string; readonly flow: Flow }[] = withActions([
  { name: 'IPv4/TCP with an exact (absent) mask', flow: { key: tcpKey } },
  {
    name: 'IPv4/TCP wildcarding all but the destination port',
    flow: {
      key: tcpKey,
      mask: {
        inPort: 0xffffffff,
        ethertype: 0xffff,
        ipv4: ipv4Mask(0xff),
        tcp: { tcpSrc: 0, tcpDst: 0xffff },
        skbMark: 0, // all zero: the kernel ignores it
      },
    },
  },
  {
    name: 'a later IPv4 fragment carries no L4 key',
    flow: { key: { ...ethOnly, ipv4: ipv4(6, 'later') } },
  },
  {
    name: 'an ethertype mask without an ethertype key attribute (always allowed)',
    flow: { key: { inPort: 1, ethernet: eth }, mask: { inPort: 0xffffffff, ethertype: 0xffff } },
  },
  {
    name: '802.1Q with an inner IPv4/TCP key',
    flow: {
      key: {
        inPort: 1,
        ethernet: eth,
        vlan: 0x1000 | 10,
        ethertype: 0x8100,
        encap: { ethertype: 0x0800, ipv4: ipv4(6), tcp: { tcpSrc: 1, tcpDst: 2 }, tcpFlags: 0 },
      },
    },
  },
]);
