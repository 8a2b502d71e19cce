// Section 1, the codec without a kernel: encode and decode of realistic
// messages on one core, against a hand-written straight-line encoder/decoder
// for the same ovs_flow message (the JS ceiling) and Buffer.copy of its bytes
// (the memory ceiling); bytes allocated per decoded flow.
import assert from 'node:assert/strict';
import {
  GenlSocket,
  genlRequest,
  readGenlMessage,
  splitMessages,
  type AttrSet,
  type NlMessage,
  type StructDef,
} from '@ynl-ts/runtime';
import * as ovsFlow from '@ynl-ts/families/ovs_flow';
import * as ovsVport from '@ynl-ts/families/ovs_vport';
import * as nlctrl from '@ynl-ts/families/nlctrl';
import { flow, handDecode, handEncode, type FlowMsg } from './flow-message.js';
import { keep, rate, ratePair } from './measure.js';
import { row, type Row } from './report.js';

const FAMILY_ID = 0x20;

function encoder<T>(set: AttrSet<T>, fixed: StructDef | undefined, cmd: number, version: number) {
  return (attrs: T): Uint8Array =>
    genlRequest({
      familyId: FAMILY_ID,
      cmd,
      version,
      set,
      attrs,
      ...(fixed ? { fixedHeader: fixed } : {}),
    }).bytes;
}

/** Bytes retained per decoded object, from heap deltas over many (needs --expose-gc). */
function bytesPerDecode(decode: () => unknown, n = 20_000): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return undefined;
  const keepAll: unknown[] = new Array(n);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) keepAll[i] = decode();
  gc();
  const after = process.memoryUsage().heapUsed;
  keep(keepAll);
  return (after - before) / n;
}

export async function codecBench(roundMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  const S = 'codec';

  // ---- ovs_flow dump reply ----
  const flowSet = ovsFlow.ops.get.replySet!;
  const flowFixed = ovsFlow.family.fixedHeader;
  const encodeFlow = encoder(flowSet, flowFixed, ovsFlow.ops.new.cmd, ovsFlow.family.version);
  // The generated codec and the hand-written pair must agree byte for byte and value for value.
  const bytes = encodeFlow(flow);
  const hand = handEncode(flow, FAMILY_ID);
  assert.deepEqual(Buffer.from(hand).toString('hex'), Buffer.from(bytes).toString('hex'));
  const msg: NlMessage = splitMessages(bytes)[0]!;
  const decodeFlow = (): FlowMsg => readGenlMessage(msg, flowSet, flowFixed).attrs;
  assert.deepEqual(handDecode(bytes, 0), decodeFlow());
  assert.deepEqual(decodeFlow(), flow);

  const copyDst = Buffer.alloc(bytes.length);
  const copySrc = Buffer.from(bytes);
  const copy = rate(() => copySrc.copy(copyDst), roundMs);
  const decPair = ratePair(
    () => keep(decodeFlow()),
    () => keep(handDecode(bytes, 0)),
    roundMs,
  );
  const encPair = ratePair(
    () => keep(encodeFlow(flow)),
    () => keep(handEncode(flow, FAMILY_ID)),
    roundMs,
  );
  const [dec, handDec, enc, handEnc] = [
    decPair.value,
    decPair.baseline,
    encPair.value,
    encPair.baseline,
  ];
  const size = `${bytes.length}-byte ovs_flow message`;
  rows.push(
    row({
      section: S,
      name: `ovs_flow decode vs hand-written (${bytes.length} B: key+mask+actions+stats)`,
      value: dec.perSec,
      unit: 'msg/s',
      baseline: 'hand-written',
      baselineValue: handDec.perSec,
      ratio: decPair.ratio,
      target: '>= 0.95x hand-written',
      met: decPair.ratio >= 0.95,
      note: `${dec.ns.toFixed(0)} ns/msg (hand-written ${handDec.ns.toFixed(0)} ns); ratio: median of 7 alternated round pairs`,
    }),
    row({
      section: S,
      name: `ovs_flow encode vs hand-written (${bytes.length} B, with key/mask checks, copied out)`,
      value: enc.perSec,
      unit: 'msg/s',
      baseline: 'hand-written',
      baselineValue: handEnc.perSec,
      ratio: encPair.ratio,
      target: '>= 0.8x hand-written',
      met: encPair.ratio >= 0.8,
      note: `${enc.ns.toFixed(0)} ns/msg (hand-written ${handEnc.ns.toFixed(0)} ns); ratio: median of 7 alternated round pairs`,
    }),
    row({
      section: S,
      name: `Buffer.copy of the ${size}`,
      value: copy.perSec,
      unit: 'msg/s',
      baseline: 'our decode',
      baselineValue: dec.perSec,
      note: 'the memory ceiling: no parsing at all',
    }),
  );
  const perFlow = bytesPerDecode(decodeFlow);
  const perFlowHand = bytesPerDecode(() => handDecode(bytes, 0));
  if (perFlow !== undefined && perFlowHand !== undefined) {
    rows.push(
      row({
        section: S,
        name: 'heap bytes retained per decoded ovs_flow',
        value: perFlow,
        unit: 'B/msg',
        baseline: 'hand-written',
        baselineValue: perFlowHand,
      }),
    );
  }

  // ---- ovs_vport get reply ----
  const vportSet = ovsVport.ops.get.replySet!;
  const vportFixed = ovsVport.family.fixedHeader;
  const vport: ovsVport.Vport & { header: ovsVport.OvsHeader } = {
    header: { dpIfindex: 7 },
    portNo: 3,
    type: 'netdev',
    name: 'veth-bench0',
    upcallPid: [1234, 1235],
    stats: {
      rxPackets: 1n,
      txPackets: 2n,
      rxBytes: 3n,
      txBytes: 4n,
      rxErrors: 0n,
      txErrors: 0n,
      rxDropped: 0n,
      txDropped: 0n,
    },
    ifindex: 12,
    netnsid: 0,
  };
  const encodeVport = encoder(vportSet, vportFixed, ovsVport.ops.get.cmd, ovsVport.family.version);
  const vbytes = encodeVport(vport);
  const vmsg = splitMessages(vbytes)[0]!;
  assert.deepEqual(readGenlMessage(vmsg, vportSet, vportFixed).attrs, vport);
  const vdec = rate(() => keep(readGenlMessage(vmsg, vportSet, vportFixed).attrs), roundMs);
  const venc = rate(() => keep(encodeVport(vport)), roundMs);
  rows.push(
    row({
      section: S,
      name: `ovs_vport get reply decode (${vbytes.length} B)`,
      value: vdec.perSec,
      unit: 'msg/s',
      note: `${vdec.ns.toFixed(0)} ns/msg`,
    }),
    row({
      section: S,
      name: `ovs_vport get reply encode (${vbytes.length} B)`,
      value: venc.perSec,
      unit: 'msg/s',
      note: `${venc.ns.toFixed(0)} ns/msg`,
    }),
  );

  // ---- nlctrl getfamily reply: real bytes from the host kernel ----
  const sock = await GenlSocket.open();
  try {
    const fam = await sock.resolveFamily('nlctrl');
    const reply = await sock.request(
      genlRequest({
        familyId: fam.id,
        cmd: nlctrl.ops.getfamily.cmd,
        version: nlctrl.family.version,
        set: nlctrl.ops.getfamily.requestSet,
        attrs: { familyName: 'nlctrl' },
      }),
    );
    assert.ok(reply !== undefined, 'nlctrl answered');
    // A standalone copy of just this message, as a decoder would see it.
    const one = reply.buffer.slice(reply.offset, reply.offset + reply.len);
    const cmsg = splitMessages(one)[0]!;
    const cset = nlctrl.ops.getfamily.replySet!;
    const decoded = readGenlMessage(cmsg, cset).attrs;
    assert.equal(decoded.familyName, 'nlctrl');
    const cdec = rate(() => keep(readGenlMessage(cmsg, cset).attrs), roundMs);
    rows.push(
      row({
        section: S,
        name: `nlctrl getfamily reply decode (${one.length} B, from the kernel)`,
        value: cdec.perSec,
        unit: 'msg/s',
        note: `${cdec.ns.toFixed(0)} ns/msg; ${decoded.ops?.length ?? 0} ops, ${decoded.mcastGroups?.length ?? 0} groups`,
      }),
    );
  } finally {
    sock.close();
  }
  return rows;
}
