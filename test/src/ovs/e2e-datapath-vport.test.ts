// ovs_datapath and ovs_vport end to end through the generated clients, with
// ovs-dpctl as the independent peer. Runs in the VM (npm run test:ovs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { GenlSocket, NetlinkError } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { ovsSkipReason, run, runQuiet, vmKernel } from './vm.js';

const skip = ovsSkipReason();
const hdr0 = { header: { dpIfindex: 0 } } as const;

/** Runs `fn` with a fresh socket and clients; deletes the datapaths named in `dps` afterwards, whatever happens. */
async function withClients(
  dps: readonly string[],
  fn: (c: { sock: GenlSocket; dp: OvsDatapathClient; vp: OvsVportClient }) => Promise<void>,
): Promise<void> {
  const sock = await GenlSocket.open();
  try {
    const dp = await OvsDatapathClient.open(sock);
    const vp = await OvsVportClient.open(sock);
    for (const name of dps) await dp.del({ ...hdr0, name }).catch(() => undefined);
    await fn({ sock, dp, vp });
  } finally {
    const dp = await OvsDatapathClient.open(sock).catch(() => undefined);
    for (const name of dps) await dp?.del({ ...hdr0, name }).catch(() => undefined);
    sock.close();
  }
}

async function expectCode(p: Promise<unknown>, codes: readonly string[]): Promise<NetlinkError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof NetlinkError, `expected a NetlinkError, got ${String(e)}`);
    assert.ok(codes.includes(e.code), `code ${e.code}, expected one of ${codes.join('/')}`);
    return e;
  }
  assert.fail(`expected ${codes.join('/')}`);
}

test(
  'datapath: new with user features, get, dump, set, duplicate, missing, del',
  { skip },
  async () => {
    await withClients(['ynle2e0'], async ({ sock, dp }) => {
      await dp.new({
        ...hdr0,
        name: 'ynle2e0',
        upcallPid: sock.portId,
        userFeatures: ['unaligned', 'vportPids'],
      });
      const got = await dp.get({ ...hdr0, name: 'ynle2e0' });
      assert.equal(got.name, 'ynle2e0');
      assert.ok(got.header.dpIfindex > 0);
      assert.equal(
        got.header.dpIfindex,
        Number(readFileSync('/sys/class/net/ynle2e0/ifindex', 'utf8')),
      );
      assert.deepEqual(got.stats, { nHit: 0n, nMissed: 0n, nLost: 0n, nFlows: 0n });
      assert.equal(typeof got.megaflowStats?.nMaskHit, 'bigint');
      assert.ok(
        got.userFeatures?.includes('unaligned') && got.userFeatures.includes('vportPids'),
        String(got.userFeatures),
      );

      // Per-CPU upcall dispatch: the feature and one PID per CPU.
      await dp.set({
        ...hdr0,
        name: 'ynle2e0',
        userFeatures: ['unaligned', 'vportPids', 'dispatchUpcallPerCpu'],
        perCpuPids: [sock.portId],
      });
      const after = await dp.get({ ...hdr0, name: 'ynle2e0' });
      assert.ok(after.userFeatures?.includes('dispatchUpcallPerCpu'), String(after.userFeatures));
      assert.deepEqual(after.perCpuPids?.slice(0, 1), [sock.portId]);

      const names: string[] = [];
      for await (const d of dp.dump(hdr0)) if (d.name) names.push(d.name);
      assert.ok(names.includes('ynle2e0'));

      const dup = await expectCode(dp.new({ ...hdr0, name: 'ynle2e0', upcallPid: 0 }), ['EEXIST']);
      assert.equal(dup.errno, 17);
      const missing = await expectCode(dp.get({ ...hdr0, name: 'ynl-no-such-dp' }), [
        'ENODEV',
        'ENOENT',
      ]);
      // OVS sets no extended-ACK text on these errors: the message is strerror's.
      assert.equal(missing.extack?.message, undefined);
      await dp.del({ ...hdr0, name: 'ynle2e0' });
      await expectCode(dp.get({ ...hdr0, name: 'ynle2e0' }), ['ENODEV', 'ENOENT']);
    });
  },
);

test(
  'vports: internal, netdev (veth), vxlan and geneve with dst-port, gre; get/dump/set/del; ovs-dpctl agrees',
  { skip },
  async () => {
    runQuiet('ip', ['link', 'del', 'ynle2ea']);
    run('ip', ['link', 'add', 'ynle2ea', 'type', 'veth', 'peer', 'name', 'ynle2eb']);
    try {
      await withClients(['ynle2e1'], async ({ sock, dp, vp }) => {
        await dp.new({ ...hdr0, name: 'ynle2e1', upcallPid: sock.portId });
        const dpIfindex = (await dp.get({ ...hdr0, name: 'ynle2e1' })).header.dpIfindex;
        const h = { header: { dpIfindex } };
        const made: {
          name: string;
          type: 'internal' | 'netdev' | 'vxlan' | 'geneve' | 'gre';
          port?: number;
        }[] = [
          { name: 'ynle2ei', type: 'internal' },
          { name: 'ynle2ea', type: 'netdev' },
          { name: 'ynle2ex', type: 'vxlan', port: 4799 },
          { name: 'ynle2eg', type: 'geneve', port: 6099 },
          { name: 'ynle2er', type: 'gre' },
        ];
        const skipped: string[] = [];
        for (const v of made) {
          try {
            await vp.new({
              ...h,
              name: v.name,
              type: v.type,
              upcallPid: [sock.portId],
              ...(v.port !== undefined ? { options: { dstPort: v.port } } : {}),
            });
          } catch (e) {
            // A kernel without the tunnel's vport module says EAFNOSUPPORT; report it, don't hide it.
            if (e instanceof NetlinkError && e.code === 'EAFNOSUPPORT')
              skipped.push(`${v.type}: ${e.message}`);
            else throw e;
          }
        }
        assert.deepEqual(skipped, [], 'all vport types are supported on both Debian kernels');
        const dumped = new Map<string, Awaited<ReturnType<OvsVportClient['get']>>>();
        for await (const v of vp.dump(h)) if (v.name) dumped.set(v.name, v);
        assert.equal(dumped.get('ynle2e1')?.portNo, 0, 'the local port');
        assert.equal(dumped.get('ynle2e1')?.type, 'internal');
        for (const v of made) {
          const got = dumped.get(v.name);
          assert.ok(got, `${v.name} in the dump`);
          assert.equal(got.type, v.type);
          assert.deepEqual(got.upcallPid, [sock.portId]);
          assert.equal(typeof got.stats?.rxPackets, 'bigint');
          if (v.port !== undefined) assert.equal(got.options?.dstPort, v.port);
          if (existsSync(`/sys/class/net/${v.name}/ifindex`)) {
            assert.equal(
              got.ifindex,
              Number(readFileSync(`/sys/class/net/${v.name}/ifindex`, 'utf8')),
              v.name,
            );
          }
          if (vmKernel === '6.12') assert.ok(got.upcallStats, `${v.name}: upcall-stats (6.12)`);
          if (vmKernel === '6.1')
            assert.equal(got.upcallStats, undefined, 'no upcall-stats on 6.1');
        }
        // ovs-dpctl, an independent peer, sees the same ports.
        const show = run('ovs-dpctl', ['show', 'system@ynle2e1']);
        for (const v of made) {
          const port = dumped.get(v.name)!.portNo!;
          assert.match(show, new RegExp(`port ${port}: ${v.name}(\\s|$| \\()`), show);
        }
        // set: a vport's upcall PIDs, as many as the kernel has CPUs (nr_cpu_ids);
        // one more is EINVAL (a limit Debian's 6.1 and 6.12 kernels both enforce).
        const pids = cpus().map((_, i) => sock.portId + 1 + i);
        await vp.set({ ...h, name: 'ynle2ei', upcallPid: pids });
        // Without the vport-pids user feature the kernel reports only the first.
        assert.deepEqual((await vp.get({ ...h, name: 'ynle2ei' })).upcallPid, pids.slice(0, 1));
        await dp.set({ ...h, name: 'ynle2e1', userFeatures: ['vportPids'] });
        assert.deepEqual((await vp.get({ ...h, name: 'ynle2ei' })).upcallPid, pids);
        await expectCode(vp.set({ ...h, name: 'ynle2ei', upcallPid: [...pids, sock.portId] }), [
          'EINVAL',
        ]);
        for (const v of made) await vp.del({ ...h, name: v.name });
        await expectCode(vp.get({ ...h, name: 'ynle2ei' }), ['ENODEV', 'ENOENT']);
      });
    } finally {
      runQuiet('ip', ['link', 'del', 'ynle2ea']);
    }
  },
);

test(
  'objects made by ovs-dpctl decode through our dumps; notifications of its changes arrive decoded',
  { skip, timeout: 60_000 },
  async () => {
    await withClients(['ynle2e2'], async ({ dp, vp }) => {
      const listener = await GenlSocket.open();
      try {
        const dpl = await OvsDatapathClient.open(listener);
        const vpl = await OvsVportClient.open(listener);
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), 30_000);
        const dpNtf = dpl.notifications({ signal: ac.signal });
        const vpNtf = vpl.notifications({ signal: ac.signal });
        const firstDp = dpNtf.next();
        const firstVp = vpNtf.next();
        await new Promise((r) => setTimeout(r, 100)); // the subscriptions join on first next()
        run('ovs-dpctl', ['add-dp', 'ynle2e2']);
        run('ovs-dpctl', ['add-if', 'ynle2e2', 'ynle2ej,type=internal']);
        const d = await firstDp;
        assert.ok(!d.done);
        assert.equal(d.value.name, 'new-ntf');
        assert.equal((d.value.attrs as { name?: string }).name, 'ynle2e2');
        // vport notifications: the datapath's local port first, then ours
        const seen: string[] = [];
        let v = await firstVp;
        while (!v.done) {
          const a = v.value.attrs as { name?: string };
          seen.push(`${v.value.name}:${a.name ?? '?'}`);
          if (a.name === 'ynle2ej') break;
          v = await vpNtf.next();
        }
        assert.ok(seen.includes('new-ntf:ynle2ej'), seen.join(' '));
        clearTimeout(timer);
        await dpNtf.return(undefined);
        await vpNtf.return(undefined);

        const dpIfindex = (await dp.get({ ...hdr0, name: 'ynle2e2' })).header.dpIfindex;
        const ports = new Map<string, number>();
        for await (const p of vp.dump({ header: { dpIfindex } })) ports.set(p.name!, p.portNo!);
        assert.deepEqual([...ports.keys()].sort(), ['ynle2e2', 'ynle2ej']);
        const show = run('ovs-dpctl', ['show', 'system@ynle2e2']);
        assert.match(show, new RegExp(`port ${ports.get('ynle2ej')}: ynle2ej \\(internal\\)`));
      } finally {
        listener.close();
        runQuiet('ovs-dpctl', ['del-dp', 'ynle2e2']);
      }
    });
  },
);
