// Shared by the rtnetlink tests of the netns layer: iproute2 as the
// independent peer (`ip -j …` parsed), and names unique to this process.
import { execFileSync, spawnSync } from 'node:child_process';
import { isIP } from 'node:net';

/** A name prefix unique to this test process (interface names are at most 15 bytes). */
export const tag = `r${process.pid % 100000}`;

/** Run `ip …`; throws with its stderr when it fails. */
export function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Run `ip -j …` and parse its JSON. */
export function ipJson<T = Record<string, unknown>[]>(...args: string[]): T {
  const out = execFileSync('ip', ['-j', ...args], { encoding: 'utf8' });
  return JSON.parse(out === '' ? '[]' : out) as T;
}

/** `ip -batch` of the lines (with -force: a failing line does not stop the rest). */
export function ipBatch(lines: readonly string[], force = false): void {
  const r = spawnSync('ip', [...(force ? ['-force'] : []), '-batch', '-'], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0 && !force) throw new Error(`ip -batch failed: ${r.stderr.trim()}`);
}

/** A veth pair `name` / `${name}p`, `name` up (`peerUp`: the peer too, for carrier); returns name's ifindex. */
export function veth(name: string, peerUp = false): number {
  ip('link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  ip('link', 'set', name, 'up');
  if (peerUp) ip('link', 'set', `${name}p`, 'up');
  return ipJson<{ ifindex: number }[]>('link', 'show', 'dev', name)[0]!.ifindex;
}

/** `aa:bb:…` as `ip` prints a link-layer address. */
export function mac(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** IF_OPER_* (RFC 2863 operational states) as `ip` names them. */
export const operstates = [
  'UNKNOWN',
  'NOTPRESENT',
  'DOWN',
  'LOWERLAYERDOWN',
  'TESTING',
  'DORMANT',
  'UP',
] as const;

/** An IPv4 or IPv6 address in the text form ip prints. */
export function text(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // the canonical form, as ip prints it
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** An IPv4 or IPv6 address from its text form. */
export function bytes(addr: string): Uint8Array {
  if (isIP(addr) === 4) return Uint8Array.from(addr.split('.').map(Number));
  const full = new URL(`http://[${addr}]`).hostname.slice(1, -1);
  const [head, tail = ''] = full.split('::');
  const h = head === '' ? [] : head!.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = full.includes('::')
    ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
    : h;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 255;
  });
  return out;
}
