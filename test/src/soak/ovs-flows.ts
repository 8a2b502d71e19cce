#!/usr/bin/env node
// npm run soak:ovs (in the VM: test/vm/run-in-vm.sh KERNEL node --expose-gc test/dist/soak/ovs-flows.js)
//   [--ops N] [--concurrency C] [--samples S]
// Soak of the OVS datapath: N (default 100,000) ovs_flow operations on one
// GenlSocket, C (default 64) in flight. Each worker cycles over its own flows:
// new, get (the reply must carry the key back), del. RSS is sampled S times
// (default 20) and must stay flat; at the end nothing is pending on the socket
// and the datapath holds no flows. Needs root and the openvswitch module.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GenlSocket } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { OvsFlowClient, type KeyAttrs } from '@ynl-ts/families/ovs_flow';
import { RssSampler } from './rss.js';

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '64' },
    samples: { type: 'string', default: '20' },
  },
});
const N = Number(values.ops);
const C = Number(values.concurrency);
const SAMPLES = Number(values.samples);
for (const [k, v] of [
  ['ops', N],
  ['concurrency', C],
  ['samples', SAMPLES],
] as const)
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`soak ovs: --${k} must be a positive integer`);
    process.exit(2);
  }
if (!existsSync('/sys/module/openvswitch')) {
  console.error(
    'soak ovs: the openvswitch module is not loaded: run it in the VM (npm run soak:ovs)',
  );
  process.exit(2);
}

const DP = 'ynlsoak0';
const sock = await GenlSocket.open({ rcvbuf: 8 << 20 });
const dp = await OvsDatapathClient.open(sock);
await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
let exit: number;
try {
  await dp.new({ header: { dpIfindex: 0 }, name: DP, upcallPid: sock.portId });
  const dpIfindex = (await dp.get({ header: { dpIfindex: 0 }, name: DP })).header.dpIfindex;
  const h = { header: { dpIfindex } };
  const vp = await OvsVportClient.open(sock);
  await vp.new({ ...h, name: 'ynlsoakp', type: 'internal', upcallPid: [sock.portId] });
  const port = (await vp.get({ ...h, name: 'ynlsoakp' })).portNo!;
  const flows = await OvsFlowClient.open(sock);
  const eth = {
    ethSrc: Uint8Array.from([2, 0, 0, 0, 0, 1]),
    ethDst: Uint8Array.from([2, 0, 0, 0, 0, 2]),
  };
  // flow i: an exact-match UDP flow, distinct per i
  const key = (i: number): KeyAttrs => ({
    inPort: port,
    ethernet: eth,
    ethertype: 0x0800,
    ipv4: {
      ipv4Src: 0x0a000000 + (i >>> 16),
      ipv4Dst: 0x0b000000 + (i & 0xffff),
      ipv4Proto: 17,
      ipv4Tos: 0,
      ipv4Ttl: 64,
      ipv4Frag: 'none',
    },
    udp: { udpSrc: 1000 + (i % 50_000), udpDst: 53 },
  });
  const actions = [{ type: 'output', value: port }] as const;

  const rss = new RssSampler('soak ovs');
  const every = Math.max(1, Math.floor(N / SAMPLES));
  const counts = { new: 0, get: 0, del: 0, errors: 0 };
  console.log(
    `soak ovs: ${N} flow operations (new, get, del cycles), ${C} in flight, kernel ${process.env['YNL_VM_KERNEL_RELEASE'] ?? 'host'}`,
  );
  rss.sample(0);
  let ops = 0; // started
  let finished = 0;
  let cycle = 0;
  const step = async (what: keyof typeof counts, fn: () => Promise<unknown>): Promise<void> => {
    if (ops >= N) return;
    ops++;
    try {
      await fn();
      counts[what]++;
    } catch (e) {
      counts.errors++;
      if (counts.errors <= 5) console.error(`soak ovs: ${what}: ${String(e)}`);
    }
    // by completions: every count is reached exactly once
    if (++finished % every === 0) rss.sample(finished, `pending ${sock.pending}`);
  };
  const worker = async (): Promise<void> => {
    while (ops < N) {
      const i = cycle++;
      const k = key(i);
      await step('new', () => flows.new({ ...h, key: k, actions }));
      await step('get', async () => {
        const f = await flows.get({ ...h, key: k });
        if (f.key?.udp?.udpSrc !== k.udp!.udpSrc)
          throw new Error(`flow ${i}: get gave another key`);
      });
      await step('del', () => flows.del({ ...h, key: k }));
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const pending = sock.pending;
  let left = 0;
  for await (const f of flows.dump(h)) if (f.key !== undefined) left++;
  // a cycle cut short by the operation count leaves its flow: count only those
  const unfinished = counts.new - counts.del;
  const v = rss.verdict();
  console.log(
    `soak ovs: ${ops} operations in ${seconds.toFixed(1)} s (${Math.round(ops / seconds)}/s): ` +
      `${counts.new} new, ${counts.get} get, ${counts.del} del, ${counts.errors} errors; ` +
      `${left} flows left in the datapath (${unfinished} cycles cut short by the count)`,
  );
  console.log(
    `soak ovs: RSS first ${v.first.rssMiB.toFixed(1)} MiB (at ${v.first.ops}) last ${v.last.rssMiB.toFixed(1)} MiB ` +
      `(at ${v.last.ops}), slope ${v.slopeMiBPer100k.toFixed(3)} MiB/100k operations: ${v.flat ? 'flat' : 'GROWING'}; ` +
      `pending at the end: ${pending}`,
  );
  exit = v.flat && pending === 0 && counts.errors === 0 && left === unfinished ? 0 : 1;
} finally {
  await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
  sock.close();
}
process.exit(exit);
