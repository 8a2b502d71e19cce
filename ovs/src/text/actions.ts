/**
 * Datapath actions in the ODP syntax (`2,set(ipv4(src=1.2.3.4)),ct(commit)`):
 * each `OVS_ACTION_ATTR_*` printed as `ovs-dpctl dump-flows` prints it and
 * read back into the generated `ActionAttrsEntry` list.
 * @module
 */
import type {
  ActionAttrsEntry,
  CheckPktLenAttrs,
  CtAttrs,
  KeyAttrs,
  NatAttrs,
  OvsActionHash,
  OvsActionPushVlan,
  PsampleAttrs,
  SampleAttrs,
  UserspaceAttrs,
} from '@ynl-ts/families/ovs_flow';
import type { FormatOptions, Obj, ParseOptions } from './codec.js';
import {
  formatKeyAttr,
  formatLse,
  formatVlanTci,
  maskIsExact,
  mplsLayout,
  parseKeyAttr,
} from './key.js';
import { formatPushNsh, parsePushNsh } from './nsh.js';
import { Scanner } from './scan.js';
import {
  formatEth,
  formatHexBytes,
  formatHexNumber,
  formatIp,
  formatIp6,
  hexAlt,
  readEth,
  readHexBytes,
  readHexNumber,
  readIpv4,
  readIpv6,
  readUint,
} from './values.js';

type Entry = ActionAttrsEntry;

/** C's `%.Nf`: the double's exact decimal value, rounded half to even. */
export function printfFixed(x: number, digits: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const exact = Math.abs(x).toFixed(100 > digits + 60 ? digits + 60 : 100);
  const [int, frac = ''] = exact.split('.');
  let keep = BigInt(int! + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const half = '5' + '0'.repeat(rest.length - 1);
  if (rest > half || (rest === half && keep % 2n === 1n)) keep += 1n;
  const s = keep.toString().padStart(digits + 1, '0');
  const out = digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return neg && /[1-9]/.test(out) ? '-' + out : out;
}

// ---- formatting -------------------------------------------------------------------

const le32 = (b: Uint8Array, off: number): number =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);

/** OVS `format_u128`: 16 host-order (little-endian) bytes printed as one hex number. */
const u128 = (b: Uint8Array): string => formatHexNumber(Uint8Array.from(b).reverse());

function formatUserspace(u: UserspaceAttrs, o: FormatOptions): string {
  let s = `userspace(pid=${u.pid ?? 0}`;
  if (u.userdata) s += `,userdata(${formatHexBytes(u.userdata)})`;
  if (u.actions) s += ',actions';
  if (u.egressTunPort !== undefined) s += `,tunnel_out_port=${port(u.egressTunPort, o)}`;
  return s + ')';
}

function formatNat(n: NatAttrs): string {
  if (!n.src && !n.dst) {
    const opts =
      n.ipMin ||
      n.ipMax ||
      n.protoMin ||
      n.protoMax ||
      n.persistent ||
      n.protoHash ||
      n.protoRandom;
    return opts ? 'nat(error: options allowed only with "src" or "dst")' : 'nat';
  }
  if (n.src && n.dst) return 'nat(error: Only one of "src" or "dst" may be present.)';
  const parts: string[] = [n.src ? 'src' : 'dst'];
  if (n.ipMin) {
    const v6 = n.ipMin.length === 16;
    const ip = (b: Uint8Array): string =>
      v6 ? (n.protoMin ? `[${formatIp6(b)}]` : formatIp6(b)) : formatIp(ip4(b));
    let range = ip(n.ipMin);
    if (
      n.ipMax &&
      n.ipMax.some((b) => b !== 0) &&
      !Buffer.from(n.ipMax).equals(Buffer.from(n.ipMin))
    ) {
      range += '-' + ip(n.ipMax);
    }
    if (n.protoMin) {
      range += `:${n.protoMin}`;
      if (n.protoMax && n.protoMax !== n.protoMin) range += `-${n.protoMax}`;
    }
    parts[0] += '=' + range;
  }
  if (n.persistent) parts.push('persistent');
  if (n.protoHash) parts.push('hash');
  if (n.protoRandom) parts.push('random');
  return `nat(${parts.join(',')})`;
}
const ip4 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);

function formatCt(c: CtAttrs): string {
  const parts: string[] = [];
  if (c.commit) parts.push('commit');
  if (c.forceCommit) parts.push('force_commit');
  if (c.zone) parts.push(`zone=${c.zone}`);
  if (c.mark && c.mark.length >= 8)
    parts.push(`mark=${hexAlt(le32(c.mark, 0))}/${hexAlt(le32(c.mark, 4))}`);
  if (c.labels && c.labels.length >= 32) {
    const mask = c.labels.subarray(16, 32);
    parts.push(
      `label=${u128(c.labels.subarray(0, 16))}${mask.every((b) => b === 0xff) ? '' : '/' + u128(mask)}`,
    );
  }
  if (c.helper !== undefined) parts.push(`helper=${c.helper}`);
  if (c.timeout !== undefined) parts.push(`timeout=${c.timeout}`);
  if (c.nat) parts.push(formatNat(c.nat));
  return parts.length ? `ct(${parts.join(',')})` : 'ct';
}

function formatHash(h: OvsActionHash): string {
  if (h.hashAlg === 0) return `hash(l4(${h.hashBasis}))`;
  if (h.hashAlg === 1) return `hash(sym_l4(${h.hashBasis}))`;
  return `hash(Unknown hash algorithm(${h.hashAlg}))`;
}

function formatPushVlan(v: OvsActionPushVlan): string {
  const tpid = v.vlanTpid === 0x8100 ? '' : `tpid=0x${v.vlanTpid.toString(16).padStart(4, '0')},`;
  return `push_vlan(${tpid}${formatVlanTci(v.vlanTci, 0xffff, false)})`;
}

function formatCheckPktLen(c: CheckPktLenAttrs, o: FormatOptions): string {
  if (!c.actionsIfGreater || !c.actionsIfLessEqual) return 'check_pkt_len(error)';
  return `check_pkt_len(size=${c.pktLen ?? 0},gt(${formatActions(c.actionsIfGreater, o)}),le(${formatActions(c.actionsIfLessEqual, o)}))`;
}

function formatPsample(p: PsampleAttrs): string {
  const parts: string[] = [];
  if (p.group !== undefined) parts.push(`group=${p.group}`);
  if (p.cookie) parts.push(`cookie=${formatHexNumber(p.cookie)}`);
  return `psample(${parts.join(',')})`;
}

const port = (p: number, o: FormatOptions): string => o.portNames?.get(p) ?? String(p);

function formatAction(a: Entry, o: FormatOptions): string {
  switch (a.type) {
    case 'output':
      return port(a.value, o);
    case 'userspace':
      return formatUserspace(a.value, o);
    case 'set': {
      const [attr, value] = Object.entries(a.value).find(([, v]) => v !== undefined) ?? [
        '',
        undefined,
      ];
      return attr ? `set(${formatKeyAttr(attr, value, undefined, { verbose: true })})` : 'set()';
    }
    case 'setMasked': {
      const [attr, mv] = Object.entries(a.value).find(([, v]) => v !== undefined) ?? [
        '',
        undefined,
      ];
      const m = mv as { value: unknown; mask: unknown } | undefined;
      return m ? `set(${formatKeyAttr(attr, m.value, m.mask, {})})` : 'set()';
    }
    case 'pushVlan':
      return formatPushVlan(a.value);
    case 'popVlan':
      return 'pop_vlan';
    case 'sample': {
      const p = a.value.probability ?? 0;
      return `sample(sample=${printfFixed((100 * p) / 4294967295, 1)}%,actions(${formatActions(a.value.actions ?? [], o)}))`;
    }
    case 'recirc':
      return `recirc(${hexAlt(a.value)})`;
    case 'hash':
      return formatHash(a.value);
    case 'pushMpls':
      return `push_mpls(${formatLse(a.value.mplsLse)},eth_type=0x${a.value.mplsEthertype.toString(16)})`;
    case 'popMpls':
      return `pop_mpls(eth_type=0x${a.value.toString(16)})`;
    case 'ct':
      return formatCt(a.value);
    case 'trunc':
      return `trunc(${a.value})`;
    case 'pushEth':
      return `push_eth(src=${formatEth(a.value.subarray(0, 6))},dst=${formatEth(a.value.subarray(6, 12))})`;
    case 'popEth':
      return 'pop_eth';
    case 'ctClear':
      return 'ct_clear';
    case 'pushNsh':
      return formatPushNsh(a.value);
    case 'popNsh':
      return 'pop_nsh()';
    case 'meter':
      return `meter(${a.value})`;
    case 'clone':
      return `clone(${formatActions(a.value, o)})`;
    case 'checkPktLen':
      return formatCheckPktLen(a.value, o);
    case 'addMpls':
      return `add_mpls(${formatLse(a.value.mplsLse)},eth_type=0x${a.value.mplsEthertype.toString(16)})`;
    case 'decTtl':
      return `dec_ttl(le_1(${formatActions(a.value.action ?? [], o)}))`;
    case 'drop':
      return 'drop';
    case 'psample':
      return formatPsample(a.value);
    default: {
      const bytes = a.value;
      return (
        `action${a.type}` +
        (bytes.length ? `(${formatHexBytes(bytes).replace(/(..)(?=.)/g, '$1 ')})` : '')
      );
    }
  }
}

/**
 * The text of an action list as `ovs-dpctl dump-flows` prints it after
 * `actions:`; an empty list is `drop`.
 */
export function formatActions(actions: readonly Entry[], o: FormatOptions = {}): string {
  return actions.length ? actions.map((a) => formatAction(a, o)).join(',') : 'drop';
}

// ---- parsing ----------------------------------------------------------------------

function parseUserspace(sc: Scanner): UserspaceAttrs {
  sc.expect('pid=', `'pid='`);
  const u: { -readonly [K in keyof UserspaceAttrs]: UserspaceAttrs[K] } = {
    pid: readUint(sc, 32, 'a port id'),
  };
  if (sc.eat(',userdata(')) {
    u.userdata = readHexBytes(sc, 'userdata hex');
    sc.expect(')');
  }
  if (sc.eat(',actions')) u.actions = true;
  if (sc.eat(',tunnel_out_port=')) u.egressTunPort = readUint(sc, 32, 'a port number');
  sc.expect(')', `',userdata(', ',actions', ',tunnel_out_port=' or ')'`);
  return u;
}

function parseSet(sc: Scanner, o: ParseOptions): Entry {
  const r = parseKeyAttr(sc, o);
  sc.expect(')');
  // OVS sends a set that changes every bit as a plain set, anything less as a
  // masked set; a tunnel cannot be masked
  if (r.attr === 'tunnel' || maskIsExact(r.attr, r.mask))
    return { type: 'set', value: { [r.attr]: r.key } as KeyAttrs };
  return { type: 'setMasked', value: { [r.attr]: { value: r.key, mask: r.mask } } };
}

function parsePushVlan(sc: Scanner): OvsActionPushVlan {
  const f: Record<string, number> = { tpid: 0x8100, vid: 0, pcp: 0, cfi: 1 };
  const bits: Record<string, number> = { tpid: 16, vid: 12, pcp: 3, cfi: 1 };
  do {
    const at = sc.pos;
    const name = sc.word();
    if (!(name in bits) || !sc.eat('=')) throw sc.error(`tpid=, vid=, pcp= or cfi=`, at);
    f[name] = readUint(sc, bits[name]!, name);
  } while (sc.eat(','));
  sc.expect(')', `',' or ')'`);
  return {
    vlanTpid: f['tpid']!,
    vlanTci: (f['vid']! | (f['pcp']! << 13) | (f['cfi'] ? 0x1000 : 0)) >>> 0,
  };
}

function parseSample(sc: Scanner, o: ParseOptions): SampleAttrs {
  sc.expect('sample=', `'sample='`);
  const at = sc.pos;
  const pct = Number(sc.match(/[0-9]+(?:\.[0-9]*)?|\.[0-9]+/, 'a percentage')[0]);
  if (!(pct <= 100)) throw sc.error('a percentage from 0 to 100', at);
  sc.expect('%,actions(', `'%,actions('`);
  const p = Math.floor(4294967295 * (pct / 100) + 0.5);
  const actions = parseActionList(sc, o);
  sc.expect('))');
  return { probability: Math.min(Math.max(p, 0), 4294967295), actions };
}

function parseLse(sc: Scanner): { lse: number; ethertype: number } {
  let lse = 0;
  for (const [i, [name, bits, shift]] of mplsLayout.entries()) {
    sc.expect(`${i ? ',' : ''}${name}=`);
    lse = (lse + readUint(sc, bits, `${name} (${bits} bits)`) * 2 ** shift) >>> 0;
  }
  sc.expect(',eth_type=');
  const ethertype = readUint(sc, 16, 'an ethertype');
  sc.expect(')');
  return { lse, ethertype };
}

function parseNatRange(sc: Scanner, n: Obj): void {
  const v6 = sc.peek() === '[' || !/^\d+\.\d+\.\d+\.\d+/.test(sc.text.slice(sc.pos));
  const addr = (): Uint8Array => {
    if (!v6) {
      const v = readIpv4(sc);
      return Uint8Array.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
    }
    const bracket = sc.eat('[');
    const a = readIpv6(sc);
    if (bracket) sc.expect(']');
    return a;
  };
  n['ipMin'] = addr();
  if (sc.eat('-')) n['ipMax'] = addr();
  if (sc.eat(':')) {
    n['protoMin'] = readUint(sc, 16, 'a port');
    if (sc.eat('-')) n['protoMax'] = readUint(sc, 16, 'a port');
  }
}

function parseNat(sc: Scanner): NatAttrs {
  const n: Obj = {};
  if (!sc.eat('(')) return n;
  const flags: Obj = {};
  while (!sc.eat(')')) {
    sc.skipDelimiters();
    const at = sc.pos;
    const w = sc.word();
    if (w === 'src' || w === 'dst') {
      if (n['src'] || n['dst']) throw sc.error('one of src or dst', at);
      n[w] = true;
      if (sc.eat('=')) parseNatRange(sc, n);
    } else if (w === 'persistent' || w === 'hash' || w === 'random') {
      flags[{ persistent: 'persistent', hash: 'protoHash', random: 'protoRandom' }[w]] = true;
    } else {
      throw sc.error('src, dst, persistent, hash, random or )', at);
    }
  }
  if (flags['protoHash'] && flags['protoRandom'])
    throw sc.error('hash or random, not both', sc.pos - 1);
  return { ...n, ...flags } as NatAttrs;
}

function parseCt(sc: Scanner): CtAttrs {
  if (!sc.eat('(')) return {};
  const c: Obj = {};
  let mark: [number, number] | undefined;
  let label: [Uint8Array, Uint8Array] | undefined;
  while (!sc.eat(')')) {
    sc.skipDelimiters();
    const at = sc.pos;
    const w = sc.word();
    if (w === 'commit' || w === 'force_commit') c[w === 'commit' ? 'commit' : 'forceCommit'] = true;
    else if (w === 'zone' && sc.eat('=')) c['zone'] = readUint(sc, 16, 'a zone');
    else if (w === 'mark' && sc.eat('=')) {
      const hex = () =>
        Number.parseInt(sc.match(/(?:0[xX])?([0-9a-fA-F]{1,8})/, 'a hex mark')[1]!, 16);
      const v = hex();
      mark = [v, sc.eat('/') ? hex() : 0xffffffff];
    } else if (w === 'label' && sc.eat('=')) {
      const v = readHexNumber(sc, 16, 'a 128-bit label');
      const m = sc.eat('/')
        ? readHexNumber(sc, 16, 'a 128-bit label mask')
        : new Uint8Array(16).fill(0xff);
      label = [v.reverse(), m.reverse()];
    } else if ((w === 'helper' || w === 'timeout') && sc.eat('=')) {
      const name = sc.until(', \t\r\n)');
      if (!name || name.length > (w === 'helper' ? 15 : 31)) throw sc.error(`a ${w} name`, at);
      c[w] = name;
    } else if (w === 'nat') c['nat'] = parseNat(sc);
    else
      throw sc.error('commit, force_commit, zone=, mark=, label=, helper=, timeout=, nat or )', at);
  }
  if (c['commit'] && c['forceCommit'])
    throw sc.error('commit or force_commit, not both', sc.pos - 1);
  // the order OVS puts them on the wire
  const out: Obj = {};
  if (c['commit']) out['commit'] = true;
  if (c['forceCommit']) out['forceCommit'] = true;
  if (c['zone']) out['zone'] = c['zone'];
  if (mark && mark[1]) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, mark[0], true);
    new DataView(b.buffer).setUint32(4, mark[1], true);
    out['mark'] = b;
  }
  if (label && label[1].some((x) => x !== 0))
    out['labels'] = Uint8Array.from([...label[0], ...label[1]]);
  for (const k of ['helper', 'timeout', 'nat']) if (c[k] !== undefined) out[k] = c[k];
  return out as CtAttrs;
}

function parseCheckPktLen(sc: Scanner, o: ParseOptions): CheckPktLenAttrs {
  sc.expect('size=', `'size='`);
  const pktLen = readUint(sc, 16, 'a packet length');
  sc.expect(',gt(');
  const gt = parseActionList(sc, o);
  sc.expect('),le(');
  const le = parseActionList(sc, o);
  sc.expect('))');
  return { pktLen, actionsIfGreater: gt, actionsIfLessEqual: le };
}

function parsePsample(sc: Scanner): PsampleAttrs {
  const p: Obj = {};
  while (!sc.eat(')')) {
    sc.skipDelimiters();
    const at = sc.pos;
    if (p['group'] === undefined && sc.eat('group=')) p['group'] = readUint(sc, 32, 'a group');
    else if (p['cookie'] === undefined && sc.eat('cookie=0x')) {
      // printed as one number (no leading zero digit): pad to whole bytes
      const hex = sc.match(/[0-9a-fA-F]{1,32}/, 'cookie hex digits')[0];
      p['cookie'] = Uint8Array.from(Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex'));
    } else throw sc.error(`'group=', 'cookie=0x' or ')'`, at);
  }
  if (p['group'] === undefined) throw sc.error(`'group='`, sc.pos - 1);
  return p as PsampleAttrs;
}

/** Arguments in parentheses after a word: `(N)`. */
function parenUint(sc: Scanner, bits: number, what: string): number {
  sc.expect('(');
  const v = readUint(sc, bits, what);
  sc.expect(')');
  return v;
}

const actionNames =
  'a port, output names, userspace(, set(, push_vlan(, pop_vlan, sample(, recirc(, hash(, push_mpls(, pop_mpls(, ' +
  'ct, trunc(, push_eth(, pop_eth, ct_clear, push_nsh(, pop_nsh(), meter(, clone(, check_pkt_len(, add_mpls(, ' +
  'dec_ttl(, drop, psample(';

function parseAction(sc: Scanner, o: ParseOptions): Entry | undefined {
  const at = sc.pos;
  if (/[0-9]/.test(sc.peek())) return { type: 'output', value: readUint(sc, 32, 'a port number') };
  const w = sc.word();
  switch (w) {
    case 'userspace':
      sc.expect('(');
      return { type: 'userspace', value: parseUserspace(sc) };
    case 'set':
      sc.expect('(');
      return parseSet(sc, o);
    case 'push_vlan':
      sc.expect('(');
      return { type: 'pushVlan', value: parsePushVlan(sc) };
    case 'pop_vlan':
      return { type: 'popVlan', value: true };
    case 'sample':
      sc.expect('(');
      return { type: 'sample', value: parseSample(sc, o) };
    case 'recirc':
      return { type: 'recirc', value: parenUint(sc, 32, 'a recirculation id') };
    case 'hash': {
      sc.expect('(');
      const alg = sc.word();
      if (alg !== 'l4' && alg !== 'sym_l4') throw sc.error('l4( or sym_l4(', sc.pos - alg.length);
      const hashBasis = parenUint(sc, 32, 'a hash basis');
      sc.expect(')');
      return { type: 'hash', value: { hashAlg: alg === 'l4' ? 0 : 1, hashBasis } };
    }
    case 'push_mpls':
    case 'add_mpls': {
      sc.expect('(');
      const r = parseLse(sc);
      if (w === 'push_mpls')
        return { type: 'pushMpls', value: { mplsLse: r.lse, mplsEthertype: r.ethertype } };
      return {
        type: 'addMpls',
        value: { mplsLse: r.lse, mplsEthertype: r.ethertype, tunFlags: 0 },
      };
    }
    case 'pop_mpls': {
      sc.expect('(eth_type=', `'(eth_type='`);
      const v = readUint(sc, 16, 'an ethertype');
      sc.expect(')');
      return { type: 'popMpls', value: v };
    }
    case 'ct':
      return { type: 'ct', value: parseCt(sc) };
    case 'trunc':
      return { type: 'trunc', value: parenUint(sc, 32, 'a length') };
    case 'push_eth': {
      sc.expect('(src=', `'(src='`);
      const src = readEth(sc);
      sc.expect(',dst=');
      const dst = readEth(sc);
      sc.expect(')');
      return { type: 'pushEth', value: Uint8Array.from([...src, ...dst]) };
    }
    case 'pop_eth':
      return { type: 'popEth', value: true };
    case 'ct_clear':
      return { type: 'ctClear', value: true };
    case 'push_nsh':
      sc.expect('(');
      return { type: 'pushNsh', value: parsePushNsh(sc) };
    case 'pop_nsh':
      sc.expect('()');
      return { type: 'popNsh', value: true };
    case 'meter':
      return { type: 'meter', value: parenUint(sc, 32, 'a meter id') };
    case 'clone': {
      sc.expect('(');
      const list = parseActionList(sc, o);
      sc.expect(')');
      return { type: 'clone', value: list };
    }
    case 'check_pkt_len':
      sc.expect('(');
      return { type: 'checkPktLen', value: parseCheckPktLen(sc, o) };
    case 'dec_ttl': {
      sc.expect('(le_1(', `'(le_1('`);
      const list = parseActionList(sc, o);
      sc.expect('))');
      return { type: 'decTtl', value: { action: list } };
    }
    case 'drop':
      return { type: 'drop', value: 0 };
    case 'psample':
      sc.expect('(');
      return { type: 'psample', value: parsePsample(sc) };
  }
  sc.pos = at;
  const name = sc.until(', \t\r\n)');
  const p = o.ports?.get(name);
  if (p !== undefined) return { type: 'output', value: p };
  throw sc.error(`an action (${actionNames})`, at);
}

/**
 * Reads actions separated by ODP delimiters up to (not including) `)` or
 * the end; `drop` alone is the empty list.
 */
function parseActionList(sc: Scanner, o: ParseOptions): Entry[] {
  const out: Entry[] = [];
  for (;;) {
    sc.skipDelimiters();
    if (sc.atEnd() || sc.peek() === ')') break;
    const a = parseAction(sc, o)!;
    out.push(a);
    if (!sc.atEnd() && !', \t\r\n)'.includes(sc.peek()))
      throw sc.error(`',' or the end of the action`);
  }
  // `drop` on its own means no actions (OVS prints an empty list so); the
  // explicit drop action of Linux 6.12+ is kept only inside a longer list
  return out.length === 1 && out[0]!.type === 'drop' ? [] : out;
}

/** Parses actions as `ovs-dpctl add-flow` takes them (`1,set(...),ct(commit)`; `drop`). */
export function parseActions(text: string, o: ParseOptions = {}): ActionAttrsEntry[] {
  const sc = new Scanner(text);
  return readActions(sc, o);
}

/** Reads an action list to the end of the text. */
export function readActions(sc: Scanner, o: ParseOptions): ActionAttrsEntry[] {
  const list = parseActionList(sc, o);
  if (!sc.atEnd()) throw sc.error('an action or the end of the actions');
  return list;
}
