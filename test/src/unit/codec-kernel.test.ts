// Decode real kernel messages captured on this host. A tiny stdlib python
// script (the capture tool, independent of this codebase) sends a request the
// codec encoded and prints the datagrams the kernel answered; the codec must
// decode them to what iproute2's `genl` (an independent netlink decoder)
// reports for the same kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  AttrSet,
  CTRL_CMD_GETFAMILY,
  CTRL_CMD_GETPOLICY,
  Cursor,
  EnumDef,
  GENL_ID_CTRL,
  Kind,
  forEachAttr,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  Writer,
  locateAttr,
  readDoneMessage,
  readErrorMessage,
  readGenlMessage,
  splitMessages,
  writeGenlMessage,
  type NlMessage,
} from '@ynl-ts/runtime';

const PYTHON = '/usr/bin/python3';
const GENL = '/usr/sbin/genl';
const skip =
  !existsSync(PYTHON) || !existsSync(GENL) ? 'needs /usr/bin/python3 and /usr/sbin/genl' : false;

// Sends one request (hex in argv[1]) on a NETLINK_GENERIC socket with the
// SOL_NETLINK options in argv[2:], prints each received datagram as hex until
// a datagram holds NLMSG_ERROR, NLMSG_DONE or a message without NLM_F_MULTI.
const CAPTURE = `
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.bind((0, 0))
for o in sys.argv[2:]:
    s.setsockopt(270, int(o), 1)
s.settimeout(5)
s.send(bytes.fromhex(sys.argv[1]))
while True:
    d = s.recv(1 << 20)
    print(d.hex(), flush=True)
    off, last = 0, False
    while off + 16 <= len(d):
        ln, t, f = struct.unpack_from('=IHH', d, off)
        last = last or t in (2, 3) or not (f & 2)
        off += max((ln + 3) & ~3, 16)
    if last:
        break
`;

function capture(request: Uint8Array, sockopts: number[] = []): Uint8Array[] {
  const out = execFileSync(
    PYTHON,
    ['-c', CAPTURE, Buffer.from(request).toString('hex'), ...sockopts.map(String)],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  return out
    .trim()
    .split('\n')
    .map((h) => new Uint8Array(Buffer.from(h, 'hex')));
}

// A small nlctrl layout written for this test (after Documentation/netlink/specs/nlctrl.yaml).
const attrType = new EnumDef('attr-type', {
  INVALID: 0,
  FLAG: 1,
  U8: 2,
  U16: 3,
  U32: 4,
  U64: 5,
  S8: 6,
  S16: 7,
  S32: 8,
  S64: 9,
  BINARY: 10,
  STRING: 11,
  NUL_STRING: 12,
  NESTED: 13,
  NESTED_ARRAY: 14,
  BITFIELD32: 15,
  SINT: 16,
  UINT: 17,
});
const opAttrs = new AttrSet('op-attrs', () => [
  { name: 'id', type: 1, kind: Kind.U32 },
  { name: 'flags', type: 2, kind: Kind.U32 },
]);
const mcastGroupAttrs = new AttrSet('mcast-group-attrs', () => [
  { name: 'name', type: 1, kind: Kind.String },
  { name: 'id', type: 2, kind: Kind.U32 },
]);
const policyAttrs = new AttrSet('policy-attrs', () => [
  { name: 'type', type: 1, kind: Kind.U32, enum: attrType },
  { name: 'minValueS', type: 2, kind: Kind.S64 },
  { name: 'maxValueS', type: 3, kind: Kind.S64 },
  { name: 'minValueU', type: 4, kind: Kind.U64 },
  { name: 'maxValueU', type: 5, kind: Kind.U64 },
  { name: 'minLength', type: 6, kind: Kind.U32 },
  { name: 'maxLength', type: 7, kind: Kind.U32 },
  { name: 'policyIdx', type: 8, kind: Kind.U32 },
  { name: 'policyMaxtype', type: 9, kind: Kind.U32 },
  { name: 'bitfield32Mask', type: 10, kind: Kind.U32 },
  { name: 'pad', type: 11, kind: Kind.Pad },
  { name: 'mask', type: 12, kind: Kind.U64 },
]);
const opPolicyAttrs = new AttrSet('op-policy-attrs', () => [
  { name: 'do', type: 1, kind: Kind.U32 },
  { name: 'dump', type: 2, kind: Kind.U32 },
]);
interface Ctrl {
  familyId?: number;
  familyName?: string;
  version?: number;
  hdrsize?: number;
  maxattr?: number;
  ops?: { id?: number; flags?: number }[];
  mcastGroups?: { name?: string; id?: number }[];
  policy?: {
    policyId: number;
    attrId: number;
    type?: string | number;
    maxLength?: number;
    minValueU?: bigint;
    maxValueU?: bigint;
  }[];
  opPolicy?: { cmd: number; do?: number; dump?: number }[];
}
const ctrlAttrs = new AttrSet<Ctrl>('ctrl-attrs', () => [
  { name: 'familyId', type: 1, kind: Kind.U16 },
  { name: 'familyName', type: 2, kind: Kind.String },
  { name: 'version', type: 3, kind: Kind.U32 },
  { name: 'hdrsize', type: 4, kind: Kind.U32 },
  { name: 'maxattr', type: 5, kind: Kind.U32 },
  { name: 'ops', type: 6, kind: Kind.IndexedArray, sub: Kind.Nest, nested: opAttrs },
  {
    name: 'mcastGroups',
    type: 7,
    kind: Kind.IndexedArray,
    sub: Kind.Nest,
    nested: mcastGroupAttrs,
  },
  {
    name: 'policy',
    type: 8,
    kind: Kind.NestTypeValue,
    typeValue: ['policyId', 'attrId'],
    nested: policyAttrs,
  },
  {
    name: 'opPolicy',
    type: 9,
    kind: Kind.NestTypeValue,
    typeValue: ['cmd'],
    nested: opPolicyAttrs,
  },
  { name: 'op', type: 10, kind: Kind.U32 },
]);
// The same set with the family id as raw bytes, to send a malformed one.
const rawCtrl = new AttrSet('raw-ctrl', () => [{ name: 'familyId', type: 1, kind: Kind.Binary }]);

function request(
  cmd: number,
  flags: number,
  set: AttrSet,
  attrs: unknown,
  seq: number,
): Uint8Array {
  const w = new Writer();
  writeGenlMessage(
    w,
    { familyId: GENL_ID_CTRL, cmd, version: 1, flags: NLM_F_REQUEST | flags, seq },
    set,
    attrs,
  );
  return w.bytes();
}

interface GenlFamily {
  name: string;
  id: number;
  version: number;
  hdrsize: number;
  maxattr: number;
  ops: { id: number; flags: number }[];
  groups: { id: number; name: string }[];
}

/** Parse `genl ctrl list` (iproute2) output. */
function genlList(args: string[]): GenlFamily[] {
  const text = execFileSync(GENL, args, { encoding: 'utf8' });
  const out: GenlFamily[] = [];
  for (const block of text.split(/\n(?=Name: )/)) {
    const m =
      /Name: (\S+)\s+ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/.exec(
        block,
      );
    if (!m) continue;
    const [commands = '', multicast = ''] = block.split('multicast groups:');
    // `genl ctrl list` prints capabilities for some families only; -1 = not shown
    const ops = [
      ...commands.matchAll(
        /#\d+:\s+ID-0x([0-9a-f]+)[ \t]*(?:\n\s*Capabilities \(0x([0-9a-f]+)\))?/g,
      ),
    ].map((o) => ({
      id: parseInt(o[1]!, 16),
      flags: o[2] === undefined ? -1 : parseInt(o[2], 16),
    }));
    const groups = [...multicast.matchAll(/ID-0x([0-9a-f]+)\s+name: (\S+)/g)].map((g) => ({
      id: parseInt(g[1]!, 16),
      name: g[2]!,
    }));
    out.push({
      name: m[1]!,
      id: parseInt(m[2]!, 16),
      version: parseInt(m[3]!, 16),
      hdrsize: +m[4]!,
      maxattr: +m[5]!,
      ops,
      groups,
    });
  }
  return out;
}

function asFamily(a: Ctrl): GenlFamily {
  return {
    name: a.familyName!,
    id: a.familyId!,
    version: a.version!,
    hdrsize: a.hdrsize!,
    maxattr: a.maxattr!,
    ops: (a.ops ?? []).map((o) => ({ id: o.id!, flags: o.flags ?? 0 })),
    groups: (a.mcastGroups ?? []).map((g) => ({ id: g.id!, name: g.name! })),
  };
}

test(
  'CTRL_CMD_GETFAMILY nlctrl: the kernel reply decodes to what `genl ctrl get` shows',
  { skip },
  () => {
    const req = request(CTRL_CMD_GETFAMILY, 0, ctrlAttrs, { familyName: 'nlctrl' }, 4242);
    const datagrams = capture(req);
    assert.equal(datagrams.length, 1);
    const msgs = splitMessages(datagrams[0]!);
    assert.equal(msgs.length, 1);
    const msg = msgs[0]!;
    assert.equal(msg.type, GENL_ID_CTRL);
    assert.equal(msg.seq, 4242);
    const reply = readGenlMessage(msg, ctrlAttrs);
    assert.equal(reply.cmd, 1, 'CTRL_CMD_NEWFAMILY');
    const [expected] = genlList(['ctrl', 'get', 'name', 'nlctrl']);
    assert.ok(expected, 'genl printed nlctrl');
    assert.deepEqual(asFamily(reply.attrs), expected);
    assert.equal(reply.attrs.familyName, 'nlctrl');
    assert.equal(reply.attrs.familyId, 0x10);
    assert.equal(reply.attrs.version, expected.version);
    // Re-encoding the decoded reply gives the kernel's attributes, each of the
    // kernel's length, and decodes to the same value. The bytes differ in order
    // (we write spec order; the kernel sends the name before the id, a group's
    // id before its name) and in two conventions: the kernel numbers
    // indexed-array elements (ops, groups) from 1 where YNL numbers them from
    // 0, and nlctrl predates NLA_F_NESTED so it sends its nests without the bit
    // that we set.
    const w = new Writer();
    const h = {
      familyId: msg.type,
      cmd: reply.cmd,
      version: reply.version,
      flags: msg.flags,
      seq: msg.seq,
      portId: msg.portId,
    };
    writeGenlMessage(w, h, ctrlAttrs, reply.attrs);
    const ours = w.bytes();
    const kernel = datagrams[0]!.slice(0, msg.len);
    assert.equal(ours.length, kernel.length);
    assert.deepEqual(ours.subarray(0, 20), kernel.subarray(0, 20), 'nlmsghdr + genlmsghdr');
    /** Top-level attribute lengths of a message, by type. */
    const lengths = (m: Uint8Array): Map<number, number> => {
      const out = new Map<number, number>();
      forEachAttr(new Cursor(m), 20, m.length, (type, _f, _poff, plen) => {
        assert.ok(!out.has(type), `attribute ${type} once`);
        out.set(type, plen);
      });
      return out;
    };
    assert.deepEqual(lengths(ours), lengths(kernel));
    assert.deepEqual(readGenlMessage(splitMessages(ours)[0]!, ctrlAttrs).attrs, reply.attrs);
  },
);

test(
  'CTRL_CMD_GETFAMILY dump: every family decodes to what `genl ctrl list` shows',
  { skip },
  () => {
    const req = request(CTRL_CMD_GETFAMILY, NLM_F_DUMP, ctrlAttrs, {}, 77);
    const msgs: NlMessage[] = capture(req).flatMap((d) => splitMessages(d));
    const done = msgs.filter((m) => m.type === NLMSG_DONE);
    assert.equal(done.length, 1);
    assert.deepEqual(readDoneMessage(done[0]!), { error: 0, extack: {} });
    const families = msgs
      .filter((m) => m.type === GENL_ID_CTRL)
      .map((m) => asFamily(readGenlMessage(m, ctrlAttrs).attrs));
    const expected = genlList(['ctrl', 'list']);
    // where genl did not print an op's capabilities, compare only its id
    const shown = new Map(expected.map((f) => [f.name, f]));
    for (const f of families) {
      const e = shown.get(f.name);
      f.ops.forEach((o, i) => {
        if (e?.ops[i]?.flags === -1) o.flags = -1;
      });
    }
    assert.ok(
      expected.some((f) => f.ops.some((o) => o.flags !== -1)),
      'some capabilities are compared',
    );
    assert.ok(expected.length >= 2);
    const byName = (a: GenlFamily, b: GenlFamily): number => a.name.localeCompare(b.name);
    assert.deepEqual(families.sort(byName), expected.sort(byName));
  },
);

test('CTRL_CMD_GETPOLICY dump: nest-type-value policies match `genl ctrl policy`', { skip }, () => {
  const req = request(CTRL_CMD_GETPOLICY, NLM_F_DUMP, ctrlAttrs, { familyName: 'nlctrl' }, 78);
  const msgs = capture(req)
    .flatMap((d) => splitMessages(d))
    .filter((m) => m.type === GENL_ID_CTRL);
  const policies: string[] = [];
  const opPolicies: string[] = [];
  for (const m of msgs) {
    const a = readGenlMessage(m, ctrlAttrs).attrs;
    assert.equal(a.familyId, 0x10);
    for (const p of a.policy ?? []) {
      let line = `policy[${p.policyId}]:attr[${p.attrId}]: type=${String(p.type)}`;
      if (p.minValueU !== undefined) line += ` range:[${p.minValueU},${p.maxValueU}]`;
      if (p.maxLength !== undefined) line += ` max len:${p.maxLength}`;
      policies.push(line);
    }
    for (const o of a.opPolicy ?? [])
      opPolicies.push(`op ${o.cmd} do=${o.do ?? '-'} dump=${o.dump ?? '-'}`);
  }
  const text = execFileSync(GENL, ['ctrl', 'policy', 'name', 'nlctrl'], { encoding: 'utf8' });
  const expected = [...text.matchAll(/(policy\[\d+\]:attr\[\d+\]: type=.*?)\s*$/gm)].map(
    (m) => m[1]!,
  );
  assert.ok(expected.length >= 3, text);
  assert.deepEqual(policies.sort(), expected.sort());
  assert.ok(opPolicies.includes('op 3 do=0 dump=0'), opPolicies.join(', '));
});

test(
  'NLMSG_ERROR from the kernel: -ENOENT, echoed request with and without NETLINK_CAP_ACK',
  { skip },
  () => {
    const req = request(CTRL_CMD_GETFAMILY, 0, ctrlAttrs, { familyName: 'no-such-family' }, 99);
    for (const capped of [false, true]) {
      const [dgram] = capture(req, capped ? [NETLINK_CAP_ACK] : []);
      const [msg] = splitMessages(dgram!);
      assert.equal(msg!.type, NLMSG_ERROR);
      const err = readErrorMessage(msg!);
      assert.equal(err.error, -2);
      assert.equal(err.capped, capped);
      assert.deepEqual(err.request, {
        len: req.length,
        type: GENL_ID_CTRL,
        flags: NLM_F_REQUEST,
        seq: 99,
        portId: 0,
      });
      assert.equal(msg!.len, 16 + 4 + (capped ? 16 : req.length));
    }
  },
);

test('extended ACK from the kernel: message, offset -> attribute path, policy', { skip }, () => {
  // CTRL_ATTR_FAMILY_ID is a u16; send 1 byte
  const req = request(CTRL_CMD_GETFAMILY, 0, rawCtrl, { familyId: new Uint8Array([1]) }, 100);
  for (const capped of [false, true]) {
    const opts = capped ? [NETLINK_EXT_ACK, NETLINK_CAP_ACK] : [NETLINK_EXT_ACK];
    const [dgram] = capture(req, opts);
    const err = readErrorMessage(splitMessages(dgram!)[0]!);
    assert.equal(err.error, -34, 'ERANGE');
    assert.equal(err.capped, capped);
    assert.equal(err.extack.message, 'Attribute failed policy validation');
    assert.equal(err.extack.offset, 20, 'the first attribute after nlmsghdr + genlmsghdr');
    assert.deepEqual(locateAttr(req, err.extack.offset!, ctrlAttrs), {
      path: 'familyId',
      exact: true,
      set: ctrlAttrs,
    });
    assert.equal(err.extack.policy?.type, attrType.valueOf('U16'));
    assert.equal(err.extack.policy?.maxValue, 0xffffn);
  }
});
