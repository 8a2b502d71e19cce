// ovs_packet execute through the generated client: a frame with an output
// action leaves a veth port of the datapath and arrives on the peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { GenlSocket, Writer, encodeSet } from '@ynl-ts/runtime';
import { OvsDatapathClient } from '@ynl-ts/families/ovs_datapath';
import { OvsVportClient } from '@ynl-ts/families/ovs_vport';
import { OvsPacketClient } from '@ynl-ts/families/ovs_packet';
import {
  actionAttrsSet,
  keyAttrsSet,
  type ActionAttrsEntry,
  type KeyAttrs,
} from '@ynl-ts/families/ovs_flow';
import { ovsSkipReason, run, runQuiet } from './vm.js';

const skip = ovsSkipReason();
const DP = 'ynlpkt0';

/** ovs_packet carries ovs_flow's key and actions as nested attributes its spec can only call binary. */
function attrsBytes(
  set: typeof keyAttrsSet | typeof actionAttrsSet,
  value: KeyAttrs | readonly ActionAttrsEntry[],
): Uint8Array {
  const w = new Writer(256);
  encodeSet(w, set, value);
  return w.bytes().slice();
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
        ...Buffer.from('ynl-ts execute test...........................'),
      ]);
      const pk = await OvsPacketClient.open(sock);
      await pk.execute({
        header: { dpIfindex },
        packet: frame,
        key: attrsBytes(keyAttrsSet, {
          inPort: 0,
          ethernet: { ethSrc: frame.subarray(6, 12), ethDst: frame.subarray(0, 6) },
          ethertype: 0x88b5,
        }),
        actions: attrsBytes(actionAttrsSet, [{ type: 'output', value: port }]),
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
