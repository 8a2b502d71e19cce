// rtnetlink multicast on the host kernel in this private network namespace:
// while `ip` changes things, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and
// RTNLGRP_IPV4_ROUTE notifications arrive decoded by message type through
// the clients' notifications(), and as raw messages through
// RtnlSocket.subscribe(group numbers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtnlSocket, readRawMessage } from '@ynl-ts/runtime';
import { RtLinkClient, linkAttrsSet, ifinfomsgStruct } from '@ynl-ts/families/rt-link';
import { RtAddrClient } from '@ynl-ts/families/rt-addr';
import { RtRouteClient } from '@ynl-ts/families/rt-route';
import { ip, tag, veth } from './rtnl-helpers.js';

/** Collect notifications until `done` says the expected ones are in. */
async function collect<T>(
  it: AsyncGenerator<T>,
  done: (seen: readonly T[]) => boolean,
): Promise<T[]> {
  const seen: T[] = [];
  for await (const n of it) {
    seen.push(n);
    if (done(seen)) break;
  }
  return seen;
}

test(
  'RTNLGRP_LINK: newlink and dellink notifications, decoded, while ip adds and deletes a bridge',
  { timeout: 30_000 },
  async () => {
    const sock = RtnlSocket.openSync();
    const br = `${tag}n1`;
    try {
      const links = new RtLinkClient(sock);
      const it = links.notifications({ groups: ['rtnlgrp-link'] });
      const got = collect(it, (s) => s.some((n) => n.name === 'dellink'));
      // the groups are joined by the first next(), which collect() has made
      await new Promise((r) => setImmediate(r));
      ip('link', 'add', br, 'type', 'bridge');
      ip('link', 'set', br, 'mtu', '1400');
      ip('link', 'del', br);
      const seen = (await got).filter((n) => (n.attrs as { ifname?: string }).ifname === br);
      const first = seen[0]!;
      assert.equal(first.name, 'newlink-ntf');
      assert.equal(first.cmd, 16);
      assert.equal(first.group, 'rtnlgrp-link');
      assert.ok(
        seen.some((n) => n.name === 'newlink-ntf' && (n.attrs as { mtu?: number }).mtu === 1400),
      );
      const last = seen.at(-1)!;
      assert.equal(last.name, 'dellink');
      assert.equal(last.cmd, 17);
    } finally {
      sock.close();
      try {
        ip('link', 'del', br);
      } catch {
        // deleted by the test
      }
    }
  },
);

test(
  'RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV4_ROUTE: address and route notifications, decoded',
  { timeout: 30_000 },
  async () => {
    const sock = RtnlSocket.openSync();
    const dev = `${tag}n2`;
    try {
      veth(dev, true);
      const addrs = collect(
        new RtAddrClient(sock).notifications({ groups: ['rtnlgrp-ipv4-ifaddr'] }),
        (s) => s.some((n) => n.name === 'deladdr'),
      );
      const routes = collect(
        new RtRouteClient(sock).notifications({ groups: ['rtnlgrp-ipv4-route'] }),
        (s) =>
          s.some((n) => n.name === 'delroute-ntf' && (n.attrs as { table?: number }).table === 100),
      );
      await new Promise((r) => setImmediate(r));
      ip('addr', 'add', '10.77.0.1/24', 'dev', dev);
      ip('route', 'add', '10.78.0.0/24', 'via', '10.77.0.2', 'table', '100');
      ip('route', 'del', '10.78.0.0/24', 'table', '100');
      ip('addr', 'del', '10.77.0.1/24', 'dev', dev);
      const a = await addrs;
      assert.deepEqual(
        a.map((n) => [n.name, n.group, [...(n.attrs as { local: Uint8Array }).local].join('.')]),
        [
          ['newaddr', 'rtnlgrp-ipv4-ifaddr', '10.77.0.1'],
          ['deladdr', 'rtnlgrp-ipv4-ifaddr', '10.77.0.1'],
        ],
      );
      const r = (await routes).filter((n) => (n.attrs as { table?: number }).table === 100);
      assert.deepEqual(
        r.map((n) => {
          const at = n.attrs as { dst: Uint8Array; gateway: Uint8Array };
          return [n.name, n.cmd, [...at.dst].join('.'), [...at.gateway].join('.')];
        }),
        [
          ['newroute-ntf', 24, '10.78.0.0', '10.77.0.2'],
          ['delroute-ntf', 25, '10.78.0.0', '10.77.0.2'],
        ],
      );
    } finally {
      sock.close();
      ip('link', 'del', dev);
    }
  },
);

test(
  'RtnlSocket.subscribe by group number: RTM_NEWLINK messages on RTNLGRP_LINK (1)',
  { timeout: 30_000 },
  async () => {
    const sock = RtnlSocket.openSync();
    const br = `${tag}n3`;
    try {
      const sub = sock.subscribe([1]);
      assert.deepEqual(sub.groups, [1]);
      ip('link', 'add', br, 'type', 'bridge');
      let found = false;
      for await (const msg of sub) {
        assert.equal(msg.group, 1);
        if (msg.type !== 16) continue;
        const l = readRawMessage(msg, linkAttrsSet, ifinfomsgStruct);
        if (l.ifname === br) {
          found = true;
          break;
        }
      }
      assert.ok(found);
    } finally {
      sock.close();
      ip('link', 'del', br);
    }
  },
);
