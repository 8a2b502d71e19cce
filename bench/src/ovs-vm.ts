// Section 3, inside the OVS VM (bench/src/ovs-host.ts starts it): install N
// flows through the generated client (many requests in flight, batched into
// few sendmsg calls) and dump them, sampling RSS while the dump streams; then
// ovs-dpctl, in the same VM, does the same work: `add-flows FILE` with the
// same N flows and `dump-flows`. Prints one line `BENCH-OVS {json}`.
import { execFileSync } from 'node:child_process';
import { openSync, writeFileSync, closeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { GenlSocket } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { OvsFlowClient, type KeyAttrs } from '@ynl-ts/families/ovs_flow';

const N = Number(process.argv[2] ?? 100_000);
const DP = 'ynlbench0';
const WINDOW = 512; // requests in flight

const ip = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const src = (i: number): number => 0x0a000000 + (i >> 8);
const dst = (i: number): number => 0x0b000000 + (i & 0xff);
const sport = (i: number): number => 1000 + (i % 50_000);

async function main(): Promise<void> {
  const sock = await GenlSocket.open({ rcvbuf: 8 << 20 });
  const dp = await OvsDatapathClient.open(sock);
  await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
  try {
    await dp.new({ header: { dpIfindex: 0 }, name: DP, upcallPid: sock.portId });
    const dpIfindex = (await dp.get({ header: { dpIfindex: 0 }, name: DP })).header.dpIfindex;
    const h = { header: { dpIfindex } };
    const vp = await OvsVportClient.open(sock);
    await vp.new({ ...h, name: 'ynlbenchp', type: 'internal', upcallPid: [sock.portId] });
    const port = (await vp.get({ ...h, name: 'ynlbenchp' })).portNo!;
    const flows = await OvsFlowClient.open(sock);
    const eth = {
      ethSrc: Uint8Array.from([2, 0, 0, 0, 0, 1]),
      ethDst: Uint8Array.from([2, 0, 0, 0, 0, 2]),
    };
    // Exact-match flows (no mask), as ovs-dpctl installs them from the same text.
    const key = (i: number): KeyAttrs => ({
      inPort: port,
      ethernet: eth,
      ethertype: 0x0800,
      ipv4: {
        ipv4Src: src(i),
        ipv4Dst: dst(i),
        ipv4Proto: 17,
        ipv4Tos: 0,
        ipv4Ttl: 64,
        ipv4Frag: 'none',
      },
      udp: { udpSrc: sport(i), udpDst: 53 },
    });
    const actions = [{ type: 'output', value: port }] as const;

    // ---- ours: install with WINDOW requests in flight ----
    const sent0 = sock.stats.sendCalls;
    const t0 = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < N) {
        const i = next++;
        await flows.new({ ...h, key: key(i), actions });
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
    const installMs = performance.now() - t0;
    const sendCalls = sock.stats.sendCalls - sent0;

    // ---- ours: dump, sampling RSS ----
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    let count = 0;
    const t1 = performance.now();
    for await (const f of flows.dump(h)) {
      if (f.key?.udp !== undefined) count++;
      if ((count & 1023) === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
    }
    const dumpMs = performance.now() - t1;
    if (count !== N) throw new Error(`dumped ${count} flows, installed ${N}`);
    await flows.del(h); // all flows

    // ---- ovs-dpctl: the same flows from a file, then dump-flows ----
    const file = '/tmp/ynl-bench-flows.txt';
    const lines: string[] = [];
    for (let i = 0; i < N; i++) {
      lines.push(
        `in_port(${port}),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),` +
          `ipv4(src=${ip(src(i))},dst=${ip(dst(i))},proto=17,tos=0,ttl=64,frag=no),udp(src=${sport(i)},dst=53) ${port}`,
      );
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const t2 = performance.now();
    execFileSync('ovs-dpctl', ['add-flows', `system@${DP}`, file], { stdio: 'inherit' });
    const dpctlInstallMs = performance.now() - t2;
    const devnull = openSync('/dev/null', 'w');
    const t3 = performance.now();
    execFileSync('ovs-dpctl', ['dump-flows', `system@${DP}`], {
      stdio: ['ignore', devnull, 'inherit'],
    });
    const dpctlDumpMs = performance.now() - t3;
    closeSync(devnull);
    const dpctlCount = Number(
      execFileSync('sh', ['-c', `ovs-dpctl dump-flows system@${DP} | wc -l`], { encoding: 'utf8' }),
    );
    if (dpctlCount !== N) throw new Error(`ovs-dpctl installed ${dpctlCount} flows, expected ${N}`);

    console.log(
      'BENCH-OVS ' +
        JSON.stringify({
          n: N,
          window: WINDOW,
          installPerSec: N / (installMs / 1000),
          dumpPerSec: N / (dumpMs / 1000),
          sendCalls,
          rssBeforeMiB: rssBefore / 2 ** 20,
          rssGrowthMiB: (rssMax - rssBefore) / 2 ** 20,
          dpctlInstallPerSec: N / (dpctlInstallMs / 1000),
          dpctlDumpPerSec: N / (dpctlDumpMs / 1000),
        }),
    );
  } finally {
    await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
    sock.close();
  }
}

await main();
