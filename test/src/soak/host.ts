#!/usr/bin/env node
// npm run soak -- [--requests N] [--concurrency C] [--samples S]
// Soak on the host kernel: N (default 1,000,000) mixed requests on one
// GenlSocket, C (default 64) in flight: nlctrl getfamily do-requests, nlctrl
// getfamily dumps (every family) and netdev dev-get dumps, every reply decoded
// by the generated clients. RSS is sampled S times (default 20) and must stay
// flat; at the end the socket must have nothing pending. Exits 1 otherwise.
import { parseArgs } from 'node:util';
import { GenlSocket } from '@ynl-ts/runtime';
import { NlctrlClient } from '@ynl-ts/families/nlctrl';
import { NetdevClient } from '@ynl-ts/families/netdev';
import { RssSampler } from './rss.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '64' },
    samples: { type: 'string', default: '20' },
  },
});
const N = Number(values.requests);
const C = Number(values.concurrency);
const SAMPLES = Number(values.samples);
for (const [k, v] of [
  ['requests', N],
  ['concurrency', C],
  ['samples', SAMPLES],
] as const)
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`soak: --${k} must be a positive integer`);
    process.exit(2);
  }

const sock = await GenlSocket.open();
const ctrl = await NlctrlClient.open(sock);
const netdev = await NetdevClient.open(sock);
const names = ['nlctrl', 'netdev', 'ethtool', 'tcp_metrics', 'mptcp_pm'];
const counts = { getfamily: 0, ctrlDump: 0, netdevDump: 0, dumpedMessages: 0, errors: 0 };
const rss = new RssSampler('soak host');
const every = Math.max(1, Math.floor(N / SAMPLES));
console.log(
  `soak host: ${N} requests, ${C} in flight: 90% nlctrl getfamily, 5% nlctrl getfamily dump, 5% netdev dev-get dump`,
);
rss.sample(0);

let next = 0;
let done = 0;
const one = async (i: number): Promise<void> => {
  const k = i % 20;
  if (k === 7) {
    counts.ctrlDump++;
    let n = 0;
    for await (const f of ctrl.getfamilyDump()) if (f.familyName !== undefined) n++;
    if (n < 2) throw new Error(`nlctrl dump gave ${n} families`);
    counts.dumpedMessages += n;
  } else if (k === 13) {
    counts.netdevDump++;
    for await (const d of netdev.devDump()) if (d.ifindex !== undefined) counts.dumpedMessages++;
  } else {
    counts.getfamily++;
    const name = names[i % names.length]!;
    const f = await ctrl.getfamily({ familyName: name });
    if (f.familyName !== name) throw new Error(`asked for ${name}, got ${f.familyName}`);
  }
};
const worker = async (): Promise<void> => {
  while (next < N) {
    const i = next++;
    try {
      await one(i);
    } catch (e) {
      counts.errors++;
      if (counts.errors <= 5) console.error(`soak host: request ${i}: ${String(e)}`);
    }
    done++;
    if (done % every === 0) rss.sample(done, `pending ${sock.pending}`);
  }
};
const t0 = performance.now();
await Promise.all(Array.from({ length: C }, worker));
const seconds = (performance.now() - t0) / 1000;
const pending = sock.pending;
const stats = sock.stats;
sock.close();
const v = rss.verdict();
console.log(
  `soak host: ${done} requests in ${seconds.toFixed(1)} s (${Math.round(done / seconds)}/s): ` +
    `${counts.getfamily} getfamily, ${counts.ctrlDump} nlctrl dumps, ${counts.netdevDump} netdev dumps ` +
    `(${counts.dumpedMessages} dumped messages), ${counts.errors} errors; ${stats.sendCalls} sendmsg calls`,
);
console.log(
  `soak host: RSS first ${v.first.rssMiB.toFixed(1)} MiB (at ${v.first.ops}) last ${v.last.rssMiB.toFixed(1)} MiB ` +
    `(at ${v.last.ops}), slope ${v.slopeMiBPer100k.toFixed(3)} MiB/100k requests: ${v.flat ? 'flat' : 'GROWING'}; ` +
    `pending at the end: ${pending}`,
);
process.exit(v.flat && pending === 0 && counts.errors === 0 ? 0 : 1);
