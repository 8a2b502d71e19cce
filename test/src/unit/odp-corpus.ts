// The corpus of Open vSwitch flow texts (ODP syntax) the @ynl-ts/ovs tests
// share: lines ovs-dpctl printed (test/fixtures/ovs/dpctl-dump.txt), lines
// that exercise every attribute and action we read and print
// (test/fixtures/ovs/flows.txt), and flows for the kernel (every flow the
// other OVS tests install, written as text), which the VM suite installs and
// reads back through ovs-dpctl.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'ovs');
const lines = (file: string): string[] =>
  readFileSync(join(fixtures, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));

/** Lines `ovs-dpctl dump-flows` (3.1, on 6.12) printed, with and without -m / --names. */
export const dpctlDumpLines: readonly string[] = lines('dpctl-dump.txt');
/** The ports of the datapath those lines came from (names appear with -m / --names). */
export const dpctlDumpPorts: ReadonlyMap<string, number> = new Map([
  ['xdp0', 0],
  ['xa', 1],
  ['xb', 2],
]);
/** Canonical lines covering every key attribute, mask form and action the text has. */
export const syntaxLines: readonly string[] = lines('flows.txt');

/** A flow for the kernel: key and actions as ovs-dpctl add-flow takes them. */
export interface KernelFlow {
  readonly name: string;
  readonly key: string;
  readonly actions: string;
  /**
   * The key as ovs-dpctl dump-flows shows it when the kernel changes what it
   * was given (beyond leaving out wildcarded attributes, see {@link printedKey}).
   */
  readonly dumped?: string;
  /** Kernels that accept the flow, when not all (Linux 6.12 has explicit drop and psample). */
  readonly kernels?: readonly string[];
  /**
   * ovs-dpctl 3.1 misprints the actions: it gives the kernel's numbers of
   * dec_ttl, drop and psample (23-25) to its userspace-only tnl_push, tnl_pop
   * and drop, so they show as those (or as bad lengths).
   */
  readonly ovsMisreads?: string;
}

const eth = 'eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)';
const ip4 = (proto: number, more = '') =>
  `eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=${proto}${more},frag=no)`;
const tcp = (dst: number, src = 1234) => `${ip4(6)},tcp(src=${src},dst=${dst}),tcp_flags(0/0)`;
const noFlags = (key: string): string => key.replace(',tcp_flags(0/0)', '').replace(',tcp()', '');

/**
 * Every flow the OVS tests install (e2e-flow, e2e-flow-breadth, e2e-flow-10k,
 * e2e-flow-check) as text, and more that ovs-dpctl makes; ports 1 and 2 are
 * the datapath's first two ports.
 */
export const kernelFlows: readonly KernelFlow[] = [
  {
    name: 'e2e-flow: IPv4/TCP, vlan push/pop between outputs',
    key: `in_port(1),${eth},${tcp(80)}`,
    actions: '2,push_vlan(vid=5,pcp=0),2,pop_vlan,1',
  },
  {
    name: 'e2e-flow: by UFID',
    key: `ufid:01020304-0506-0708-090a-0b0c0d0e0f10,in_port(1),${eth},${tcp(443)}`,
    actions: '2',
  },
  {
    name: 'e2e-flow: made by ovs-dpctl (IPv4/UDP)',
    key: 'in_port(1),eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b),eth_type(0x0800),ipv4(src=10.1.0.1,dst=10.1.0.2,proto=17,frag=no),udp(src=53,dst=5353)',
    actions: '2,1',
  },
  {
    name: 'breadth: IPv6/UDP',
    key: `in_port(1),${eth},eth_type(0x86dd),ipv6(src=fd00::1,dst=fd00::2,proto=17,frag=no),udp(src=53,dst=5353)`,
    actions: '2',
  },
  {
    name: 'breadth: ICMP',
    key: `in_port(1),${eth},${ip4(1)},icmp(type=8,code=0)`,
    actions: '2',
  },
  {
    name: 'breadth: ARP (the padded key)',
    key: `in_port(1),${eth},eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=02:00:00:00:00:01,tha=00:00:00:00:00:00)`,
    // the kernel keeps the ARP opcode in 8 bits (its key's ip.proto): the mask comes back as 0xff
    dumped: `in_port(1),${eth},eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1/0xff,sha=02:00:00:00:00:01,tha=00:00:00:00:00:00)`,
    actions: '2',
  },
  {
    name: 'breadth: recirc_id, dp_hash, ct state/zone/mark, skb_mark',
    key: `recirc_id(0x7),dp_hash(0x5),in_port(1),skb_mark(0xb),ct_state(+new-est-rel-rpl-inv+trk-snat-dnat),ct_zone(0x3),ct_mark(0x9),${eth},${tcp(81, 1000)}`,
    actions: '2',
  },
  {
    name: 'breadth: tunnel key match',
    key: `tunnel(tun_id=0x2a,src=192.168.0.1,dst=192.168.0.2,ttl=64,flags(+key)),in_port(1),${eth},${tcp(82, 1000)}`,
    actions: '2',
  },
  {
    name: 'breadth: sample, clone, check_pkt_len, trunc',
    key: `in_port(1),${eth},${tcp(83, 1000)}`,
    actions:
      'sample(sample=50.0%,actions(2)),clone(1,2),check_pkt_len(size=100,gt(1),le(2)),trunc(64),2',
  },
  {
    name: 'breadth: 802.1Q key with pop_vlan, push_vlan',
    key: `in_port(1),${eth},eth_type(0x8100),vlan(vid=10),encap(${ip4(6)},tcp(dst=86),tcp_flags(0/0))`,
    actions: 'pop_vlan,1,push_vlan(vid=20,pcp=0),2',
  },
  {
    name: 'breadth: set (ethernet, tunnel) and masked set (ipv4 source, tcp destination)',
    key: `in_port(1),${eth},${tcp(85, 1000)}`,
    actions:
      'set(eth(src=02:00:00:00:00:aa,dst=02:00:00:00:00:bb)),1,set(ipv4(src=10.0.0.254)),set(tcp(dst=8080)),set(tunnel(tun_id=0x2a,dst=192.168.0.2,ttl=64,flags(key))),2',
  },
  {
    name: 'breadth: userspace, hash, ct, recirc',
    key: `in_port(1),${eth},${tcp(84, 1000)}`,
    actions: 'userspace(pid=4242,userdata(01020304)),hash(l4(17)),ct(commit,zone=5),recirc(0x3),2',
  },
  {
    name: '10k: IPv4/UDP with a wildcarded ethernet header',
    key: 'in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.0,dst=11.0.0.0,proto=17,frag=no),udp(src=1000,dst=53)',
    actions: '1',
  },
  {
    name: 'check: a later IPv4 fragment (exact key), no actions',
    key: `in_port(1),${eth},eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=later)`,
    actions: 'drop',
  },
  {
    name: 'check: an ethertype mask without an ethertype key',
    key: `in_port(1),${eth},eth_type(0/0xffff)`,
    actions: 'drop',
  },
  {
    name: 'ovs-dpctl: conntrack original tuple',
    key: 'in_port(1),ct_state(-new+est),ct_tuple4(src=1.1.1.1,dst=2.2.2.2,proto=6,tp_src=10,tp_dst=20),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),tcp_flags(0/0)',
    actions: '1',
  },
  {
    name: 'ovs-dpctl: masks on IPv6, ethernet, dp_hash, skb_mark; neighbour discovery',
    key: 'recirc_id(0x5),dp_hash(0x7/0xf),skb_priority(0x1),in_port(1),skb_mark(0x3/0xff),eth(src=02:00:00:00:00:01/ff:ff:ff:00:00:00),eth_type(0x86dd),ipv6(src=fd00::1/ffff::,dst=fd00::2,label=0x12345,proto=58,tclass=0x10/0xf0,hlimit=64,frag=first),icmpv6(type=135,code=0),nd(target=fd00::9,sll=00:11:22:33:44:55)',
    actions: 'clone(1,2),check_pkt_len(size=200,gt(1),le(2)),trunc(100),2',
  },
  {
    name: 'ovs-dpctl: MPLS',
    key: 'in_port(1),eth(),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)',
    actions: 'pop_mpls(eth_type=0x800),1',
  },
  {
    name: 'ovs-dpctl: IPv4/TCP with masks and tcp flags',
    key: 'in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,dst=10.0.0.2,proto=6,tos=0/0xfc,ttl=64,frag=no),tcp(src=1,dst=2),tcp_flags(syn)',
    actions: '2,set(ipv4(src=1.2.3.4)),sample(sample=50.0%,actions(1))',
  },
  {
    name: 'ovs-dpctl: a tunnel with flags, set(tunnel)',
    key: 'tunnel(tun_id=0x2a,src=192.168.0.1,dst=192.168.0.2,tos=0x4,ttl=64,tp_dst=4789,flags(+df-csum+key)),in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)',
    actions: 'set(tunnel(tun_id=0x5,dst=1.1.1.1,ttl=64,tp_dst=4789,flags(df|key))),1',
  },
  {
    name: 'ovs-dpctl: 802.1Q with masked inner TCP flags',
    key: 'in_port(1),eth(src=00:00:00:00:00:01),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=1.1.1.1,proto=6,frag=no),tcp(dst=80),tcp_flags(+syn-ack))',
    actions: 'pop_vlan,1',
  },
  {
    name: 'ovs-dpctl: an unknown ethertype; no ethertype at all',
    key: 'in_port(1),eth(src=00:00:00:00:00:09),eth_type(0x1234)',
    actions: '1',
  },
  {
    name: 'conntrack actions: ct with NAT range, mark and label, ct_clear, meter',
    key: `in_port(2),${eth},${tcp(90)}`,
    actions:
      'ct(commit,zone=5,mark=0x1/0xff,label=0x1/0xff,nat(src=10.0.0.1-10.0.0.5:100-200,persistent,random)),ct(zone=3,nat),ct_clear,meter(3),1',
  },
  {
    name: 'userspace with actions and tunnel_out_port, recirc',
    key: `in_port(2),${eth},${tcp(91)}`,
    actions: 'userspace(pid=7,userdata(0a0b),actions,tunnel_out_port=2),recirc(0x10),1',
  },
  {
    name: 'hash sym_l4 (Linux 6.12)',
    key: `in_port(2),${eth},${tcp(95)}`,
    actions: 'hash(sym_l4(9)),1',
    kernels: ['6.12'],
  },
  {
    name: 'MPLS push and a masked set of ipv4 tos and ttl',
    key: `in_port(2),${eth},${tcp(92)}`,
    actions:
      'set(ipv4(tos=0x4/0xfc,ttl=9)),push_mpls(label=1000,tc=0,ttl=255,bos=1,eth_type=0x8847),1',
  },
  {
    name: 'dec_ttl',
    key: `in_port(2),${eth},${tcp(93)}`,
    actions: 'dec_ttl(le_1(drop)),1',
    ovsMisreads: 'tnl_push(',
  },
  {
    name: 'explicit drop and psample (Linux 6.12)',
    key: `in_port(2),${eth},${tcp(94)}`,
    actions: 'psample(group=7,cookie=0x1020304),1,drop',
    ovsMisreads: 'tnl_pop(',
    kernels: ['6.12'],
  },
];

/** The key as we print it back from its own text (wildcarded tcp_flags(0/0) and tcp() left out). */
export const printedKey = (f: KernelFlow): string =>
  noFlags(f.key.replace(/^ufid:[0-9a-f-]+,/, ''));

/** The key a kernel flow shows in ovs-dpctl dump-flows (after the kernel's own mask changes). */
export const dumpedKey = (f: KernelFlow): string => f.dumped ?? printedKey(f);
