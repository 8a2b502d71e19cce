// RtnlSocket on the host kernel (read-only: nothing here changes the host's
// network): its options, a raw request by message type, the generated rt-link
// client on it, a client of the wrong protocol, groups by number, and the
// request-flag options on a generic netlink client (they reach the kernel:
// netdev answers an unknown flag combination the same, so the flags are read
// back from the encoded request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  GenlSocket,
  NETLINK_ROUTE,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RawFamilyClient,
  RtnlSocket,
  YnlError,
  readHeader,
  readRawMessage,
  type OpDef,
} from '@ynl-ts/runtime';
import {
  RtLinkClient,
  family as rtLinkFamily,
  ifinfomsgStruct,
  linkAttrsSet,
  ops as rtLinkOps,
} from '@ynl-ts/families/rt-link';

const NETLINK_XFRM = 6;

test('RtnlSocket: NETLINK_ROUTE by default, strict checking on; protocol checked', () => {
  const sock = RtnlSocket.openSync();
  try {
    assert.equal(sock.protocol, NETLINK_ROUTE);
    assert.ok(sock.portId > 0);
  } finally {
    sock.close();
  }
  assert.throws(() => RtnlSocket.openSync({ protocol: 16 }), RangeError, 'NETLINK_GENERIC');
  assert.throws(() => RtnlSocket.openSync({ protocol: 32 }), RangeError);
  assert.throws(
    () => RtnlSocket.openSync({ protocol: '0' as unknown as number }),
    (e: unknown) => e instanceof TypeError && e.message.includes('protocol'),
  );
  const xfrm = RtnlSocket.openSync({ protocol: NETLINK_XFRM });
  try {
    assert.equal(xfrm.protocol, NETLINK_XFRM);
    assert.throws(
      () => new RtLinkClient(xfrm),
      (e: unknown) => e instanceof YnlError && /rt-link speaks netlink protocol 0/.test(e.message),
    );
  } finally {
    xfrm.close();
  }
});

test('RtnlSocket: a raw RTM_GETLINK for lo by message type and fixed header; the client agrees', async () => {
  const sock = await RtnlSocket.open();
  try {
    const msg = await sock.request({
      type: 18, // RTM_GETLINK
      set: linkAttrsSet,
      attrs: { header: { ifiIndex: 1 } },
      fixedHeader: ifinfomsgStruct,
    });
    assert.ok(msg);
    assert.equal(msg.type, 16, 'answered with RTM_NEWLINK');
    const lo = readRawMessage(msg, linkAttrsSet, ifinfomsgStruct);
    assert.equal(lo.ifname, 'lo');
    const viaClient = await RtLinkClient.open(sock).getlink({ header: { ifiIndex: 1 } });
    assert.equal(viaClient.ifname, 'lo');
    assert.equal(viaClient.mtu, lo.mtu);
    const ipLo = JSON.parse(
      execFileSync('ip', ['-j', 'link', 'show', 'dev', 'lo'], { encoding: 'utf8' }),
    ) as { mtu: number; ifindex: number }[];
    assert.equal(viaClient.mtu, ipLo[0]!.mtu);
  } finally {
    sock.close();
  }
});

test('RtnlSocket.subscribe takes group numbers >= 1', () => {
  const sock = RtnlSocket.openSync();
  try {
    assert.throws(() => sock.subscribe([0]), RangeError);
    assert.throws(() => sock.subscribe([1.5]), RangeError);
    const sub = sock.subscribe([1, 5]);
    assert.deepEqual(sub.groups, [1, 5]);
    sub.close();
  } finally {
    sock.close();
  }
});

/** A client that shows what it would send. */
class Probe extends RawFamilyClient {
  static override readonly familyDef = rtLinkFamily;
  flagsOf(opts: Parameters<RawFamilyClient['encodeOp']>[2]): number {
    const r = this.encodeOp(rtLinkOps.newlink as OpDef, { header: {} }, opts);
    return readHeader(r.bytes, 0, r.bytes.length).flags;
  }
}

test('request options create, excl, replace, append set NLM_F_CREATE/EXCL/REPLACE/APPEND, with flags', () => {
  const sock = RtnlSocket.openSync();
  try {
    const p = new Probe(sock);
    assert.equal(p.flagsOf({ create: true }) & 0xf00, NLM_F_CREATE);
    assert.equal(p.flagsOf({ create: true, excl: true }) & 0xf00, NLM_F_CREATE | NLM_F_EXCL);
    assert.equal(p.flagsOf({ replace: true }) & 0xf00, NLM_F_REPLACE);
    assert.equal(
      p.flagsOf({ append: true, flags: NLM_F_CREATE }) & 0xf00,
      NLM_F_APPEND | NLM_F_CREATE,
    );
    assert.equal(p.flagsOf({}) & 0xf00, 0);
    assert.throws(() => p.flagsOf({ flags: 0x10000 }), RangeError);
  } finally {
    sock.close();
  }
});

test('a generic netlink socket still refuses nothing it used to: GenlSocket shares the core', async () => {
  const sock = await GenlSocket.open();
  try {
    const fam = await sock.resolveFamily('nlctrl');
    assert.equal(fam.id, 16);
  } finally {
    sock.close();
  }
});
