// Shared by the rtnetlink tests of the netns layer: iproute2 as the
// independent peer (`ip -j …` parsed), and names unique to this process.
import { execFileSync, spawnSync } from 'node:child_process';

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

/** An IPv4 address (the u32 as the codec decodes a big-endian ipv4 attribute) in dotted form. */
export function ipv4(v: number | Uint8Array | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return [...v].join('.');
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
