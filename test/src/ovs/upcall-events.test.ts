// MISS upcalls through the generated ovs_packet client: a frame sent into a
// veth port of a datapath with no flows reaches the vport's upcall PID (our
// socket's port) and is decoded, key included; with per-CPU dispatch on, it
// reaches the datapath's per-CPU PIDs instead of the vport's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { GenlSocket } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { OvsPacketClient } from '@ynl-ts/families/ovs_packet';
import type { KeyAttrs } from '@ynl-ts/families/ovs_flow';
import { ovsSkipReason, run, runQuiet } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynlupc0';
const A = 'ynlupca';
const B = 'ynlupcb';

/** Sends one Ethernet frame out of `dev` with a raw AF_PACKET socket (python3 stdlib). */
function sendFrame(dev: string, frame: Uint8Array): void {
  const py = `import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\ns.bind((sys.argv[1],0))\ns.send(bytes.fromhex(sys.argv[2]))\n`;
  run('/usr/bin/python3', ['-c', py, dev, Buffer.from(frame).toString('hex')]);
}

type Mode = 'vport' | 'per-cpu';

for (const mode of ['vport', 'per-cpu'] as const) {
  test(
    mode === 'vport'
      ? 'a frame with no matching flow arrives as a decoded MISS upcall on the vport upcall PID'
      : 'with per-CPU dispatch, the MISS upcall arrives on the per-CPU PID, not the vport PID',
    { skip, timeout: 60_000 },
    () => missUpcall(mode),
  );
}

async function missUpcall(mode: Mode): Promise<void> {
  const ctl = await GenlSocket.open();
  const up = await GenlSocket.open();
  // per-cpu: the vport's PID is a decoy socket that must receive nothing.
  const decoy = await GenlSocket.open();
  runQuiet('ip', ['link', 'del', A]);
  try {
    const dp = await OvsDatapathClient.open(ctl);
    await dp.new({ header: { dpIfindex: 0 }, name: DP, upcallPid: up.portId });
    const dpIfindex = (await dp.get({ header: { dpIfindex: 0 }, name: DP })).header.dpIfindex;
    run('ip', ['link', 'add', A, 'type', 'veth', 'peer', 'name', B]);
    for (const d of [A, B]) {
      run('sysctl', ['-qw', `net.ipv6.conf.${d}.disable_ipv6=1`]); // no stray IPv6 traffic
      run('ip', ['link', 'set', d, 'up']);
    }
    if (mode === 'per-cpu') {
      await dp.set({
        header: { dpIfindex },
        name: DP,
        userFeatures: ['unaligned', 'vportPids', 'dispatchUpcallPerCpu'],
        perCpuPids: cpus().map(() => up.portId),
      });
    }
    const vportPid = mode === 'per-cpu' ? decoy.portId : up.portId;
    const vports = await OvsVportClient.open(ctl);
    await vports.new({ header: { dpIfindex }, name: A, type: 'netdev', upcallPid: [vportPid] });
    const port = (await vports.get({ header: { dpIfindex }, name: A })).portNo;

    const packets = await OvsPacketClient.open(up);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 20_000);
    const events = packets.events({ signal: ac.signal });
    const first = events.next(); // subscribed before the frame is sent
    const decoyEvents = (await OvsPacketClient.open(decoy)).events({ signal: ac.signal });
    const decoyFirst = decoyEvents.next().then(
      (r) => (r.done ? 'ended' : `got ${r.value.name}`),
      () => 'aborted',
    );
    // dst 02:..:02, src 02:..:01, ethertype 0x88b5 (local experimental), payload
    const frame = Uint8Array.from([
      2,
      0,
      0,
      0,
      0,
      2,
      2,
      0,
      0,
      0,
      0,
      1,
      0x88,
      0xb5,
      ...Buffer.from('ynl-ts upcall test......................'),
    ]);
    sendFrame(B, frame);
    let got = await first;
    // skip anything else that raced in; find our frame
    while (
      !got.done &&
      !(got.value.attrs instanceof Uint8Array) &&
      !Buffer.from((got.value.attrs as { packet?: Uint8Array }).packet ?? []).equals(
        Buffer.from(frame),
      )
    ) {
      got = await events.next();
    }
    clearTimeout(timer);
    await events.return(undefined);
    assert.ok(!got.done);
    const ev = got.value;
    assert.equal(ev.name, 'miss');
    assert.equal(ev.cmd, 1, 'OVS_PACKET_CMD_MISS');
    assert.ok(!(ev.attrs instanceof Uint8Array));
    const attrs = ev.attrs as {
      header: { dpIfindex: number };
      packet?: Uint8Array;
      key?: KeyAttrs;
    };
    assert.equal(attrs.header.dpIfindex, dpIfindex);
    assert.ok(attrs.packet && Buffer.from(attrs.packet).equals(frame), 'the frame as sent');
    // The key decodes as ovs_flow's key-attrs (override nested-from).
    const key = attrs.key!;
    assert.equal(key.inPort, port);
    assert.deepEqual(
      [
        Buffer.from(key.ethernet!.ethSrc).toString('hex'),
        Buffer.from(key.ethernet!.ethDst).toString('hex'),
      ],
      ['020000000001', '020000000002'],
    );
    assert.equal(key.ethertype, 0x88b5);
    // The decoy (the vport's PID in per-cpu mode) sees nothing within 300 ms.
    const quiet = await Promise.race([
      decoyFirst,
      new Promise((r) => setTimeout(() => r('nothing'), 300)),
    ]);
    ac.abort();
    assert.equal(quiet, 'nothing', 'nothing reached the decoy socket');
    if (mode === 'per-cpu') {
      const d = await dp.get({ header: { dpIfindex: 0 }, name: DP });
      assert.ok(d.userFeatures?.includes('dispatchUpcallPerCpu'), String(d.userFeatures));
    }
  } finally {
    try {
      const dp = await OvsDatapathClient.open(ctl);
      await dp.del({ header: { dpIfindex: 0 }, name: DP });
    } catch {
      // not created
    }
    runQuiet('ip', ['link', 'del', A]);
    ctl.close();
    up.close();
    decoy.close();
  }
}
