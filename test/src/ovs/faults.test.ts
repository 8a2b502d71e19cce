// Faults in the OVS datapath (issue 11), in the VM:
// - ENOBUFS on a notification subscription: ovs_flow notifications flood a
//   socket with the smallest receive buffer; its `resync` hook re-dumps the
//   flows and the iteration goes on;
// - `rmmod openvswitch` while a socket has requests in flight and a
//   subscription open: every request settles with a NetlinkError, the
//   subscription ends with a FamilyRemovedError, nothing hangs, the socket
//   goes on. The module is loaded again afterwards.
// (OVS flow dumps never carry NLM_F_DUMP_INTR: ovs_flow_cmd_dump does not
// track a dump sequence, so that fault cannot be provoked here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { FamilyRemovedError, GenlSocket, NetlinkError, type McastMessage } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import type { KeyAttrs } from '@ynl-ts/families/ovs_flow';
import { ovsSkipReason, runQuiet, withDatapath } from './vm.js';

const skip = ovsSkipReason();
const MARK = [2, 0xde, 0xad, 0xbe, 0xef, 1];

function hasMark(m: McastMessage): boolean {
  const b = m.buffer.subarray(m.offset, m.offset + m.len);
  outer: for (let i = 0; i + MARK.length <= b.length; i++) {
    for (let j = 0; j < MARK.length; j++) if (b[i + j] !== MARK[j]) continue outer;
    return true;
  }
  return false;
}

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // the listener reads nothing meanwhile
  }
}

test(
  'ENOBUFS on an ovs_flow subscription: the resync hook re-dumps, the iteration goes on',
  { skip, timeout: 240_000 },
  () =>
    withDatapath('ynlflt0', ['ynlfltp'], async ({ flows, h, ports }) => {
      const port = ports[0]!;
      const key = (i: number, src = [2, 0, 0, 0, 0, 1]): KeyAttrs => ({
        inPort: port,
        ethernet: { ethSrc: Uint8Array.from(src), ethDst: Uint8Array.from([2, 0, 0, 0, 0, 2]) },
        ethertype: 0x0800,
        ipv4: {
          ipv4Src: 0x0a000000 + i,
          ipv4Dst: 0x0b000001,
          ipv4Proto: 17,
          ipv4Tos: 0,
          ipv4Ttl: 64,
          ipv4Frag: 'none',
        },
        udp: { udpSrc: 1000, udpDst: 53 },
      });
      const listener = await GenlSocket.open({ rcvbuf: 1 }); // the kernel's minimum
      try {
        const resyncs: { lost: string; flows: number }[] = [];
        const sub = await listener.subscribe('ovs_flow', ['ovs_flow'], {
          resync: async (lost: { code: string }) => {
            let n = 0;
            for await (const f of flows.dump(h)) n += f.key !== undefined ? 1 : 0;
            resyncs.push({ lost: lost.code, flows: n });
            // after the first resync: one more flow, whose notification must arrive
            if (resyncs.length === 1)
              await flows.new({
                ...h,
                key: key(N, MARK),
                actions: [{ type: 'output', value: port }],
              });
          },
        });
        const N = 400;
        // 400 notifications while the listener reads nothing
        const made = Promise.all(
          Array.from({ length: N }, (_, i) =>
            flows.new({ ...h, key: key(i), actions: [{ type: 'output', value: port }] }),
          ),
        );
        queueMicrotask(() => busyWait(200));
        await made;
        let seen = 0;
        let marked = false;
        for await (const m of sub) {
          seen++;
          if (hasMark(m)) {
            marked = true;
            break;
          }
        }
        assert.ok(resyncs.length >= 1, 'the overflow called resync');
        assert.equal(resyncs[0]!.lost, 'ENOBUFS');
        assert.equal(resyncs[0]!.flows, N, 'the re-dump saw every flow');
        assert.ok(seen < N + 1, `notifications were lost (${seen} seen)`);
        assert.ok(marked, 'a notification after the resync arrived');
      } finally {
        listener.close();
      }
    }),
);

function sh(cmd: string): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn('sh', ['-c', cmd], { stdio: 'inherit' });
    c.on('exit', (code) => resolve(code ?? -1));
  });
}

test(
  'rmmod openvswitch with requests in flight and a subscription open: clear errors, nothing hangs',
  { skip, timeout: 240_000 },
  async () => {
    const sock = await GenlSocket.open();
    try {
      const dp = await OvsDatapathClient.open(sock);
      const sub = await sock.subscribe('ovs_flow', ['ovs_flow']);
      const ended = (async (): Promise<unknown> => {
        try {
          for await (const m of sub) void m;
          return 'ended without error';
        } catch (e) {
          return e;
        }
      })();
      const settled: Promise<unknown>[] = [];
      let exited = false;
      const rm = sh(
        'for m in vport_vxlan vport_geneve vport_gre openvswitch; do ' +
          '[ -d /sys/module/$m ] && rmmod $m; done; [ ! -d /sys/module/openvswitch ]',
      ).then((c) => {
        exited = true;
        return c;
      });
      // requests in flight until rmmod is done, and a few after
      let after = 0;
      while (!exited || after++ < 3) {
        const batch = Array.from({ length: 20 }, () =>
          dp.get({ header: { dpIfindex: 0 }, name: 'ynlrm-none' }).then(
            () => 'ok',
            (e: unknown) => e,
          ),
        );
        settled.push(...batch);
        await Promise.all(batch);
      }
      assert.equal(await rm, 0, 'rmmod openvswitch');
      const results = await Promise.all(settled);
      const codes = new Set<string>();
      for (const r of results) {
        assert.ok(r instanceof NetlinkError, `a NetlinkError, got ${String(r)}`);
        codes.add(r.code);
      }
      // before: no such datapath; after: no such family
      assert.ok(codes.has('ENOENT') || codes.has('ENODEV'), [...codes].join(','));
      const end = await ended;
      assert.ok(end instanceof FamilyRemovedError, `the subscription ended with ${String(end)}`);
      assert.match(end.message, /ovs_flow was unregistered/);
      assert.equal(sock.pending, 0);
      // the removed family left the cache: resolving asks the kernel again
      // (which loads the module again on demand: genl module aliases)
      assert.equal((await sock.resolveFamily('ovs_flow')).name, 'ovs_flow');
      assert.equal((await sock.resolveFamily('nlctrl')).id, 16);
    } finally {
      sock.close();
      runQuiet('modprobe', ['openvswitch']);
      for (const m of ['vport-vxlan', 'vport-geneve', 'vport-gre']) runQuiet('modprobe', [m]);
    }
  },
);
