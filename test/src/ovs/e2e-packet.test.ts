// ovs_packet execute through the generated client: a frame with an output
// action leaves a veth port of the datapath and arrives on the peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { GenlSocket } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { OvsPacketClient } from '@ynl-ts/families/ovs_packet';
import type { ActionAttrsEntry, KeyAttrs } from '@ynl-ts/families/ovs_flow';
import { ovsSkipReason, run, runQuiet } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynlpkt0';

/** dst 02:..:02, src 02:..:01, ethertype 0x88b5 (local experimental), then `text`. */
function testFrame(text: string): Uint8Array {
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5, ...Buffer.from(text)]);
}

/** The flow key of a test frame entering on port `inPort`. */
function frameKey(frame: Uint8Array, inPort: number): KeyAttrs {
  return {
    inPort,
    ethernet: { ethSrc: frame.subarray(6, 12), ethDst: frame.subarray(0, 6) },
    ethertype: 0x88b5,
  };
}

test(
  'execute: a frame sent with an output action arrives on the veth peer',
  { skip, timeout: 60_000 },
  async () => {
    const sock = await GenlSocket.open();
    runQuiet('ip', ['link', 'del', 'ynlpkta']);
    run('ip', ['link', 'add', 'ynlpkta', 'type', 'veth', 'peer', 'name', 'ynlpktb']);
    const dp = await OvsDatapathClient.open(sock);
    try {
      for (const d of ['ynlpkta', 'ynlpktb']) {
        run('sysctl', ['-qw', `net.ipv6.conf.${d}.disable_ipv6=1`]);
        run('ip', ['link', 'set', d, 'up']);
      }
      await dp.new({ header: { dpIfindex: 0 }, name: DP, upcallPid: sock.portId });
      const dpIfindex = (await dp.get({ header: { dpIfindex: 0 }, name: DP })).header.dpIfindex;
      const vp = await OvsVportClient.open(sock);
      await vp.new({
        header: { dpIfindex },
        name: 'ynlpkta',
        type: 'netdev',
        upcallPid: [sock.portId],
      });
      const port = (await vp.get({ header: { dpIfindex }, name: 'ynlpkta' })).portNo!;

      // Listen on the peer with a raw AF_PACKET socket (python3 stdlib) for our ethertype.
      const py = `import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW,socket.htons(0x88b5))\ns.bind(("ynlpktb",0))\ns.settimeout(15)\nprint("ready",flush=True)\nprint(s.recv(2048).hex(),flush=True)\n`;
      const listener = spawn('/usr/bin/python3', ['-c', py]);
      let out = '';
      listener.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number>((r) => listener.on('exit', (c) => r(c ?? -1)));
      while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));

      const frame = testFrame('ynl-ts execute test...........................');
      const pk = await OvsPacketClient.open(sock);
      // key and actions are ovs_flow's attribute sets (override nested-from), typed
      await pk.execute({
        header: { dpIfindex },
        packet: frame,
        key: frameKey(frame, 0),
        actions: [{ type: 'output', value: port }],
      });
      assert.equal(await exited, 0, `listener: ${out}`);
      assert.equal(out.trim().split('\n').pop(), Buffer.from(frame).toString('hex'));
    } finally {
      await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
      runQuiet('ip', ['link', 'del', 'ynlpkta']);
      sock.close();
    }
  },
);

test(
  'execute with a userspace action: the ACTION upcall decodes key, actions and userdata',
  { skip, timeout: 60_000 },
  async () => {
    const sock = await GenlSocket.open();
    const up = await GenlSocket.open();
    const dp = await OvsDatapathClient.open(sock);
    try {
      await dp.new({ header: { dpIfindex: 0 }, name: DP, upcallPid: up.portId });
      const dpIfindex = (await dp.get({ header: { dpIfindex: 0 }, name: DP })).header.dpIfindex;
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 20_000);
      const events = (await OvsPacketClient.open(up)).events({ signal: ac.signal });
      const first = events.next();
      const frame = testFrame('ynl-ts action upcall.......................');
      const cookie = Uint8Array.from([0xc0, 0x01, 0xe0, 1, 2, 3, 4, 5]);
      const actions: ActionAttrsEntry[] = [
        { type: 'userspace', value: { pid: up.portId, userdata: cookie, actions: true } },
      ];
      const pk = await OvsPacketClient.open(sock);
      await pk.execute({ header: { dpIfindex }, packet: frame, key: frameKey(frame, 0), actions });
      const got = await first;
      clearTimeout(timer);
      await events.return(undefined);
      assert.ok(!got.done, 'an upcall arrived');
      assert.equal(got.value.name, 'action');
      assert.equal(got.value.cmd, 2, 'OVS_PACKET_CMD_ACTION');
      const a = got.value.attrs as {
        packet?: Uint8Array;
        key?: KeyAttrs;
        actions?: readonly ActionAttrsEntry[];
        userdata?: Uint8Array;
      };
      assert.deepEqual(Buffer.from(a.packet!), Buffer.from(frame));
      assert.equal(a.key?.ethertype, 0x88b5);
      assert.deepEqual(Buffer.from(a.key!.ethernet!.ethDst), Buffer.from(frame.subarray(0, 6)));
      assert.deepEqual(Buffer.from(a.userdata!), Buffer.from(cookie), 'userdata is the cookie');
      // OVS_USERSPACE_ATTR_ACTIONS: the upcall carries the actions, decoded as ovs_flow's
      const ua = a.actions?.[0];
      assert.equal(ua?.type, 'userspace', JSON.stringify(a.actions));
      const v = ua.value as { pid?: number; userdata?: Uint8Array; actions?: boolean };
      assert.equal(v.pid, up.portId);
      assert.deepEqual(Buffer.from(v.userdata!), Buffer.from(cookie));
    } finally {
      await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
      sock.close();
      up.close();
    }
  },
);

test(
  'a userspace action with an egress tunnel port: the ACTION upcall carries the egress tunnel key',
  { skip, timeout: 60_000 },
  async () => {
    const sock = await GenlSocket.open();
    const up = await GenlSocket.open();
    const dp = await OvsDatapathClient.open(sock);
    runQuiet('ip', ['link', 'del', 'ynlpkta']);
    try {
      // a route towards the tunnel's remote end, so that the kernel can fill
      // in the egress tunnel's source address and ports
      run('ip', ['link', 'add', 'ynlpkta', 'type', 'veth', 'peer', 'name', 'ynlpktb']);
      run('ip', ['addr', 'add', '10.9.0.1/24', 'dev', 'ynlpkta']);
      for (const d of ['ynlpkta', 'ynlpktb']) run('ip', ['link', 'set', d, 'up']);
      await dp.new({ header: { dpIfindex: 0 }, name: DP, upcallPid: up.portId });
      const dpIfindex = (await dp.get({ header: { dpIfindex: 0 }, name: DP })).header.dpIfindex;
      const vp = await OvsVportClient.open(sock);
      const h = { header: { dpIfindex } };
      await vp.new({
        ...h,
        name: 'ynlpktx',
        type: 'vxlan',
        upcallPid: [up.portId],
        options: { dstPort: 4789 },
      });
      const tunPort = (await vp.get({ ...h, name: 'ynlpktx' })).portNo!;
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 20_000);
      const events = (await OvsPacketClient.open(up)).events({ signal: ac.signal });
      const first = events.next();
      const frame = testFrame('ynl-ts egress tunnel key...................');
      const pk = await OvsPacketClient.open(sock);
      await pk.execute({
        ...h,
        packet: frame,
        key: frameKey(frame, 0),
        actions: [
          { type: 'set', value: { tunnel: { id: 42n, ipv4Dst: 0x0a090002, ttl: 64 } } },
          { type: 'userspace', value: { pid: up.portId, egressTunPort: tunPort } },
        ],
      });
      const got = await first;
      clearTimeout(timer);
      await events.return(undefined);
      assert.ok(!got.done, 'an upcall arrived');
      assert.equal(got.value.name, 'action');
      const a = got.value.attrs as { key?: KeyAttrs; egressTunKey?: KeyAttrs['tunnel'] };
      assert.equal(a.key?.ethertype, 0x88b5);
      const t = a.egressTunKey;
      assert.ok(t, `an egress tunnel key: ${JSON.stringify(Object.keys(got.value.attrs))}`);
      assert.equal(t.id, 42n);
      assert.equal(t.ipv4Dst, 0x0a090002);
      assert.equal(t.ipv4Src, 0x0a090001, 'the source the route to 10.9.0.2 gives');
      assert.equal(t.tpDst, 4789, "the vxlan port's UDP port");
      assert.equal(t.ttl, 64);
    } finally {
      await dp.del({ header: { dpIfindex: 0 }, name: DP }).catch(() => undefined);
      runQuiet('ip', ['link', 'del', 'ynlpkta']);
      sock.close();
      up.close();
    }
  },
);
