// Breadth of flow keys and actions through the generated ovs_flow client: each
// flow is installed and read back from the kernel. Runs in the VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionAttrsEntry, KeyAttrs } from '@ynl-ts/families/ovs_flow';
import { dumpTexts, ovsSkipReason, withDatapath } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynlbrd0';
const mac = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
const ones = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);
const eth = { ethSrc: mac('02:00:00:00:00:01'), ethDst: mac('02:00:00:00:00:02') };
const ethMask = { ethSrc: ones(6), ethDst: ones(6) };
const v6 = (last: number): Uint8Array =>
  Uint8Array.from([0xfd, 0, ...new Array<number>(13).fill(0), last]);

interface Case {
  readonly name: string;
  readonly key: (p1: number) => KeyAttrs;
  readonly mask: KeyAttrs;
  readonly actions: (p1: number, p2: number, pid: number) => readonly ActionAttrsEntry[];
  /** Key fields to compare after the round trip through the kernel. */
  readonly check: readonly (keyof KeyAttrs)[];
}

const ipv4 = {
  ipv4Src: 0x0a000001,
  ipv4Dst: 0x0a000002,
  ipv4Tos: 0,
  ipv4Ttl: 64,
  ipv4Frag: 'none',
} as const;
const ipv4Mask = {
  ipv4Src: 0xffffffff,
  ipv4Dst: 0xffffffff,
  ipv4Proto: 0xff,
  ipv4Tos: 0,
  ipv4Ttl: 0,
  ipv4Frag: 0xff,
};
const tcpBase = (p1: number, dst: number): KeyAttrs => ({
  inPort: p1,
  ethernet: eth,
  ethertype: 0x0800,
  ipv4: { ...ipv4, ipv4Proto: 6 },
  tcp: { tcpSrc: 1000, tcpDst: dst },
  tcpFlags: 0,
});
const tcpMask: KeyAttrs = {
  inPort: 0xffffffff,
  ethernet: ethMask,
  ethertype: 0xffff,
  ipv4: ipv4Mask,
  tcp: { tcpSrc: 0xffff, tcpDst: 0xffff },
  tcpFlags: 0,
};
const out = (p: number): ActionAttrsEntry => ({ type: 'output', value: p });

const cases: Case[] = [
  {
    name: 'ipv6 + udp',
    key: (p1) => ({
      inPort: p1,
      ethernet: eth,
      ethertype: 0x86dd,
      ipv6: {
        ipv6Src: v6(1),
        ipv6Dst: v6(2),
        ipv6Label: 0,
        ipv6Proto: 17,
        ipv6Tclass: 0,
        ipv6Hlimit: 64,
        ipv6Frag: 0,
      },
      udp: { udpSrc: 53, udpDst: 5353 },
    }),
    mask: {
      inPort: 0xffffffff,
      ethernet: ethMask,
      ethertype: 0xffff,
      ipv6: {
        ipv6Src: ones(16),
        ipv6Dst: ones(16),
        ipv6Label: 0,
        ipv6Proto: 0xff,
        ipv6Tclass: 0,
        ipv6Hlimit: 0,
        ipv6Frag: 0xff,
      },
      udp: { udpSrc: 0xffff, udpDst: 0xffff },
    },
    actions: (_p1, p2) => [out(p2)],
    check: ['ipv6', 'udp'],
  },
  {
    name: 'icmp',
    key: (p1) => ({
      inPort: p1,
      ethernet: eth,
      ethertype: 0x0800,
      ipv4: { ...ipv4, ipv4Proto: 1 },
      icmp: { icmpType: 8, icmpCode: 0 },
    }),
    mask: {
      inPort: 0xffffffff,
      ethernet: ethMask,
      ethertype: 0xffff,
      ipv4: ipv4Mask,
      icmp: { icmpType: 0xff, icmpCode: 0xff },
    },
    actions: (_p1, p2) => [out(p2)],
    check: ['icmp'],
  },
  {
    name: 'arp (the padded 24-byte key)',
    key: (p1) => ({
      inPort: p1,
      ethernet: eth,
      ethertype: 0x0806,
      arp: {
        arpSip: 0x0a000001,
        arpTip: 0x0a000002,
        arpOp: 1,
        arpSha: eth.ethSrc,
        arpTha: new Uint8Array(6),
      },
    }),
    mask: {
      inPort: 0xffffffff,
      ethernet: ethMask,
      ethertype: 0xffff,
      arp: {
        arpSip: 0xffffffff,
        arpTip: 0xffffffff,
        arpOp: 0xff,
        arpSha: ones(6),
        arpTha: ones(6),
      },
    },
    actions: (_p1, p2) => [out(p2)],
    check: ['arp'],
  },
  {
    name: 'recirc-id, dp-hash, ct state/zone/mark, skb-mark',
    key: (p1) => ({
      ...tcpBase(p1, 81),
      recircId: 7,
      dpHash: 5,
      ctState: ['new', 'tracked'],
      ctZone: 3,
      ctMark: 9,
      skbMark: 11,
    }),
    mask: {
      ...tcpMask,
      recircId: 0xffffffff,
      dpHash: 0xffffffff,
      ctState: [0xff],
      ctZone: 0xffff,
      ctMark: 0xffffffff,
      skbMark: 0xffffffff,
    },
    actions: (_p1, p2) => [out(p2)],
    check: ['recircId', 'dpHash', 'ctState', 'ctZone', 'ctMark', 'skbMark'],
  },
  {
    name: 'tunnel key match',
    key: (p1) => ({
      ...tcpBase(p1, 82),
      tunnel: { id: 42n, ipv4Src: 0xc0a80001, ipv4Dst: 0xc0a80002, ttl: 64 }, // the kernel omits tos 0 in replies
    }),
    mask: {
      ...tcpMask,
      tunnel: {
        id: 0xffffffffffffffffn,
        ipv4Src: 0xffffffff,
        ipv4Dst: 0xffffffff,
        tos: 0xff,
        ttl: 0xff,
      },
    },
    actions: (_p1, p2) => [out(p2)],
    check: ['tunnel'],
  },
  {
    name: 'sample and clone with nested actions, check_pkt_len, trunc',
    key: (p1) => tcpBase(p1, 83),
    mask: tcpMask,
    actions: (p1, p2) => [
      { type: 'sample', value: { probability: 0x7fffffff, actions: [out(p2)] } },
      { type: 'clone', value: [out(p1), out(p2)] },
      {
        type: 'checkPktLen',
        value: { pktLen: 100, actionsIfGreater: [out(p1)], actionsIfLessEqual: [out(p2)] },
      },
      { type: 'trunc', value: 64 },
      out(p2),
    ],
    check: [],
  },
  {
    name: '802.1Q key (vlan + encap) with pop_vlan, push_vlan',
    key: (p1) => ({
      inPort: p1,
      ethernet: eth,
      vlan: 0x1000 | 10, // VLAN_CFI (tag present) | VID 10
      ethertype: 0x8100,
      encap: {
        ethertype: 0x0800,
        ipv4: { ...ipv4, ipv4Proto: 6 },
        tcp: { tcpSrc: 7, tcpDst: 86 },
        tcpFlags: 0,
      },
    }),
    mask: {
      inPort: 0xffffffff,
      ethernet: ethMask,
      vlan: 0xffff,
      ethertype: 0xffff,
      encap: { ethertype: 0xffff, ipv4: ipv4Mask, tcp: { tcpSrc: 0, tcpDst: 0xffff }, tcpFlags: 0 },
    },
    actions: (p1, p2) => [
      { type: 'popVlan', value: true },
      out(p1),
      { type: 'pushVlan', value: { vlanTpid: 0x8100, vlanTci: 0x1000 | 20 } },
      out(p2),
    ],
    check: ['vlan', 'ethertype', 'encap'],
  },
  {
    name: 'set (ethernet, tunnel) and set_masked (ipv4 source, tcp destination) between outputs',
    key: (p1) => tcpBase(p1, 85),
    mask: tcpMask,
    actions: (p1, p2) => [
      {
        type: 'set',
        value: { ethernet: { ethSrc: mac('02:00:00:00:00:aa'), ethDst: mac('02:00:00:00:00:bb') } },
      },
      out(p1),
      {
        type: 'setMasked',
        value: {
          ipv4: {
            value: {
              ipv4Src: 0x0a0000fe,
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
      {
        type: 'setMasked',
        value: { tcp: { value: { tcpSrc: 0, tcpDst: 8080 }, mask: { tcpSrc: 0, tcpDst: 0xffff } } },
      },
      { type: 'set', value: { tunnel: { id: 42n, ipv4Dst: 0xc0a80002, ttl: 64 } } },
      out(p2),
    ],
    check: [],
  },
  {
    name: 'ct, recirc, hash, userspace',
    key: (p1) => tcpBase(p1, 84),
    mask: tcpMask,
    actions: (_p1, p2, pid) => [
      { type: 'userspace', value: { pid, userdata: Uint8Array.from([1, 2, 3, 4]) } },
      { type: 'hash', value: { hashAlg: 0, hashBasis: 17 } },
      { type: 'ct', value: { commit: true, zone: 5 } },
      { type: 'recirc', value: 3 },
      out(p2),
    ],
    check: [],
  },
];

test(
  'flow key and action breadth: installed and read back unchanged',
  { skip, timeout: 120_000 },
  (t) =>
    withDatapath(DP, ['ynlbrdp1', 'ynlbrdp2'], async ({ sock, flows, h, ports }) => {
      const [p1, p2] = ports as [number, number];
      for (const c of cases) {
        await t.test(c.name, async () => {
          const key = c.key(p1);
          const actions = c.actions(p1, p2, sock.portId);
          await flows.new({ ...h, key, mask: c.mask, actions });
          const got = await flows.get({ ...h, key });
          assert.deepEqual(norm(got.actions), norm(actions));
          for (const f of c.check) {
            assert.deepEqual(norm(got.key?.[f]), norm(key[f]), String(f));
          }
        });
      }
      await t.test(
        'all of them: @ynl-ts/ovs prints the dump as ovs-dpctl dump-flows does',
        async () => {
          const { ours, theirs } = await dumpTexts(flows, h, DP);
          assert.equal(ours.length, cases.length);
          assert.deepEqual(ours, theirs);
        },
      );
    }),
);

/** Comparable form: byte arrays (Buffer views or not) as hex, bigints tagged. */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}
