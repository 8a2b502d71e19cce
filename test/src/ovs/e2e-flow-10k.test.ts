// 10,000 flows installed through the generated client (many requests in
// flight, batched into few sendmsg calls) and dumped: the dump matches
// `ovs-dpctl dump-flows` flow for flow, text for text (@ynl-ts/ovs). Runs in the VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { FlowAttrs, KeyAttrs } from '@ynl-ts/families/ovs_flow';
import { formatFlow, monotonicMs } from '@ynl-ts/ovs';
import { flowLines, ovsSkipReason, withDatapath } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynl10k0';
const N = 10_000;

test(
  `${N} flows: install, dump, and the same set in ovs-dpctl dump-flows`,
  { skip, timeout: 300_000 },
  (t) =>
    withDatapath(
      DP,
      ['ynl10kp'],
      async ({ sock, flows, h, ports }) => {
        const port = ports[0]!;
        const key = (i: number): KeyAttrs => ({
          inPort: port,
          ethernet: {
            ethSrc: Uint8Array.from([2, 0, 0, 0, 0, 1]),
            ethDst: Uint8Array.from([2, 0, 0, 0, 0, 2]),
          },
          ethertype: 0x0800,
          ipv4: {
            ipv4Src: 0x0a000000 + (i >> 8),
            ipv4Dst: 0x0b000000 + (i & 0xff),
            ipv4Proto: 17,
            ipv4Tos: 0,
            ipv4Ttl: 64,
            ipv4Frag: 'none',
          },
          udp: { udpSrc: 1000 + (i % 50000), udpDst: 53 },
        });
        const mask: KeyAttrs = {
          inPort: 0xffffffff,
          ethertype: 0xffff,
          ipv4: {
            ipv4Src: 0xffffffff,
            ipv4Dst: 0xffffffff,
            ipv4Proto: 0xff,
            ipv4Tos: 0,
            ipv4Ttl: 0,
            ipv4Frag: 0xff,
          },
          udp: { udpSrc: 0xffff, udpDst: 0xffff },
        };
        const t0 = performance.now();
        const batch = 256;
        for (let i = 0; i < N; i += batch) {
          const ps: Promise<void>[] = [];
          for (let j = i; j < Math.min(N, i + batch); j++) {
            ps.push(
              flows.new({ ...h, key: key(j), mask, actions: [{ type: 'output', value: port }] }),
            );
          }
          await Promise.all(ps);
        }
        const t1 = performance.now();
        const ours = new Set<string>();
        const dumped: FlowAttrs[] = [];
        for await (const f of flows.dump(h)) {
          const k = f.key!;
          ours.add(`${k.ipv4!.ipv4Src >>> 0}/${k.ipv4!.ipv4Dst >>> 0}/${k.udp!.udpSrc}`);
          dumped.push(f);
        }
        const t2 = performance.now();
        t.diagnostic(
          `install ${Math.round(N / ((t1 - t0) / 1000))} flows/s, dump ${Math.round(N / ((t2 - t1) / 1000))} flows/s (TCG VM; ${sock.stats.sendCalls} sendmsg calls for ${sock.stats.messagesSent} messages)`,
        );
        assert.equal(ours.size, N);
        // the same flows, line for line, in ovs-dpctl's text and in ours (@ynl-ts/ovs)
        const text = execFileSync('ovs-dpctl', ['dump-flows', `system@${DP}`], {
          encoding: 'utf8',
          maxBuffer: 64 << 20,
        });
        const now = monotonicMs();
        const mine = flowLines(dumped.map((f) => formatFlow(f, { stats: true, now })).join('\n'));
        const theirs = flowLines(text);
        assert.equal(theirs.length, N, 'ovs-dpctl shows every flow');
        assert.deepEqual(
          mine.filter((l, i) => l !== theirs[i]).slice(0, 3),
          [],
          'ynl-ts prints each flow as ovs-dpctl does',
        );
      },
      { rcvbuf: 8 << 20 },
    ),
);
