// The rtnetlink benchmark's body, run by bench/src/rtnl.ts in a private
// network namespace (`unshare -n`, as root): installs N IPv4 routes (table
// 100, one gateway) through the generated RtRouteClient with many requests
// in flight, then the same routes with `ip -batch`; dumps them decoded and
// with `ip -j route show`; dumps the links (veth pairs made for it) decoded,
// with `ip -j link show`, and with the C baseline (bench/c/rtnl_link_dump.c,
// its binary given as the second argument). Prints one `BENCH-RTNL {json}` line.
import { execFileSync, spawnSync } from 'node:child_process';
import { RtnlSocket } from '@ynl-ts/runtime';
import { RtRouteClient } from '@ynl-ts/families/rt-route';
import { RtLinkClient } from '@ynl-ts/families/rt-link';
import { median } from './measure.js';

const n = Number(process.argv[2] ?? 100_000);
const cBin = process.argv[3];
if (cBin === undefined) throw new Error('usage: rtnl-netns.js N C_BINARY');
const TABLE = 100;
const WINDOW = 1024;
const VETHS = 250;

function ip(args: readonly string[], input?: string): string {
  const r = spawnSync('ip', args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The i-th destination: 20.0.0.0 + i, a /32. */
function dst(i: number): Uint8Array {
  const a = 0x14000000 + i;
  return Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Wall time of `fn`, in seconds. */
async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return seconds(t0);
}

function count(table: number): number {
  return Number(
    execFileSync('sh', ['-c', `ip route show table ${table} | wc -l`], { encoding: 'utf8' }),
  );
}

ip(['link', 'add', 'bn0', 'type', 'veth', 'peer', 'name', 'bn1']);
ip(['link', 'set', 'bn0', 'up']);
ip(['link', 'set', 'bn1', 'up']);
ip(['addr', 'add', '10.0.0.1/24', 'dev', 'bn0']);
const oif = (JSON.parse(ip(['-j', 'link', 'show', 'dev', 'bn0'])) as { ifindex: number }[])[0]!
  .ifindex;

const sock = RtnlSocket.openSync({ maxInFlight: WINDOW, rcvbuf: 64 << 20 });
const routes = new RtRouteClient(sock);
const header = {
  rtmFamily: 2,
  rtmDstLen: 32,
  rtmProtocol: 4,
  rtmType: 'unicast',
} as const;
const gateway = Uint8Array.of(10, 0, 0, 2);

// install: ours, many in flight (requests beyond the window wait in the socket's queue)
const sendBefore = sock.stats.sendCalls;
const oursInstall = await timed(async () => {
  const CHUNK = 8192;
  for (let base = 0; base < n; base += CHUNK) {
    const ps: Promise<void>[] = [];
    for (let i = base; i < Math.min(n, base + CHUNK); i++)
      ps.push(
        routes.newroute(
          { header, table: TABLE, dst: dst(i), gateway, oif },
          { create: true, excl: true },
        ),
      );
    await Promise.all(ps);
  }
});
const sendCalls = sock.stats.sendCalls - sendBefore;
if (count(TABLE) !== n) throw new Error(`installed ${count(TABLE)} routes, expected ${n}`);

// dump: ours (decoded) and ip -j, alternating, three rounds each
const oursDump: number[] = [];
const ipDump: number[] = [];
let dumped = 0;
for (let r = 0; r < 3; r++) {
  oursDump.push(
    await timed(async () => {
      dumped = 0;
      for await (const x of routes.getrouteDump({ header: { rtmFamily: 2, rtmTable: TABLE } }))
        if (x.dst) dumped++;
    }),
  );
  ipDump.push(await timed(() => ip(['-j', 'route', 'show', 'table', String(TABLE)])));
}
if (dumped !== n) throw new Error(`dumped ${dumped} routes, expected ${n}`);

// install: ip -batch of the same routes, into a flushed table
ip(['route', 'flush', 'table', String(TABLE)]);
const lines: string[] = [];
for (let i = 0; i < n; i++)
  lines.push(
    `route add ${[...dst(i)].join('.')}/32 via 10.0.0.2 dev bn0 table ${TABLE} proto static`,
  );
const batch = lines.join('\n') + '\n';
const ipInstall = await timed(() => ip(['-batch', '-'], batch));
if (count(TABLE) !== n)
  throw new Error(`ip -batch installed ${count(TABLE)} routes, expected ${n}`);

// links: VETHS veth pairs, then dumps (decoded) against ip -j link show
const vl: string[] = [];
for (let i = 0; i < VETHS; i++) vl.push(`link add bl${i} type veth peer name bm${i}`);
ip(['-batch', '-'], vl.join('\n') + '\n');
const links = new RtLinkClient(sock);
const ROUND_MS = 300;
const oursLinks: number[] = [];
const ipLinks: number[] = [];
const cLinks: number[] = [];
let linkCount = 0;
let cCount = 0;
for (let r = 0; r < 5; r++) {
  // dumps/s over a round of ROUND_MS, ours and C alike
  let dumps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ROUND_MS) {
    linkCount = 0;
    for await (const l of links.getlinkDump({ header: {} })) if (l.ifname) linkCount++;
    dumps++;
  }
  oursLinks.push(dumps / seconds(t0));
  const c = JSON.parse(execFileSync(cBin, [String(ROUND_MS)], { encoding: 'utf8' })) as {
    dump: number;
    links: number;
  };
  cLinks.push(c.dump);
  cCount = c.links;
  ipLinks.push(1 / (await timed(() => ip(['-j', 'link', 'show']))));
}
if (cCount !== linkCount) throw new Error(`C dumped ${cCount} links, ours ${linkCount}`);
sock.close();

console.log(
  'BENCH-RTNL ' +
    JSON.stringify({
      n,
      window: WINDOW,
      sendCalls,
      installPerSec: n / oursInstall,
      ipInstallPerSec: n / ipInstall,
      dumpPerSec: n / median(oursDump),
      ipDumpPerSec: n / median(ipDump),
      links: linkCount,
      linkDumpsPerSec: median(oursLinks),
      cLinkDumpsPerSec: median(cLinks),
      ipLinkDumpsPerSec: median(ipLinks),
    }),
);
