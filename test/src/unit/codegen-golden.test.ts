// Golden files of the generated OVS families: any change to the emitter, the
// model or the overrides shows up here as a reviewable diff.
// UPDATE_GOLDEN=1 node test/run.mjs unit   rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePackage } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

/** Spec paths under specs/ (extra/: ours, for families the kernel ships no spec for). */
const families = [
  'ovs_datapath',
  'ovs_vport',
  'ovs_flow',
  'ovs_packet',
  'extra/ovs_meter',
  'extra/ovs_ct_limit',
];
const moduleOf = (f: string): string => f.slice(f.lastIndexOf('/') + 1);

test('generated OVS families match test/golden byte for byte', async () => {
  const files = await generatePackage({
    specs: families.map((f) => join(repoRoot, 'specs', `${f}.yaml`)),
    relativeTo: repoRoot,
  });
  for (const f of families) {
    const text = files.find((x) => x.path === `src/${moduleOf(f)}.ts`)?.text;
    assert.ok(text, `no output for ${f}`);
    const golden = join(repoRoot, 'test', 'golden', `${moduleOf(f)}.ts`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    assert.equal(
      text,
      readFileSync(golden, 'utf8'),
      `${f}: run UPDATE_GOLDEN=1 to accept the change`,
    );
  }
});

/**
 * netlink-raw families: typed clients over RawFamilyClient (rt-addr, rt-rule);
 * sub-messages as unions and SubMessageDef layouts (rt-link, tc).
 */
const rawFamilies = ['rt-addr', 'rt-rule', 'rt-link', 'tc'];

test('generated netlink-raw families match test/golden byte for byte', async () => {
  const files = await generatePackage({
    specs: rawFamilies.map((f) => join(repoRoot, 'specs', `${f}.yaml`)),
    relativeTo: repoRoot,
  });
  for (const f of rawFamilies) {
    const text = files.find((x) => x.path === `src/${f}.ts`)?.text;
    assert.ok(text, `no output for ${f}`);
    const golden = join(repoRoot, 'test', 'golden', `${f}.ts`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    assert.equal(
      text,
      readFileSync(golden, 'utf8'),
      `${f}: run UPDATE_GOLDEN=1 to accept the change`,
    );
  }
});

test('netlink-raw clients: RawFamilyClient, groups by number, Partial request headers', () => {
  const addr = readFileSync(join(repoRoot, 'test', 'golden', 'rt-addr.ts'), 'utf8');
  assert.match(addr, /export class RtAddrClient extends RawFamilyClient \{/);
  assert.match(addr, /protocol: 0,/);
  assert.match(addr, /\{ name: 'rtnlgrp-ipv4-ifaddr', value: 5 \}/);
  // RTM_NEWADDR and RTM_DELADDR decode as notifications (the spec has no notification ops)
  assert.match(addr, /20: \{ name: 'newaddr', set: addrAttrsSet \}/);
  assert.match(addr, /21: \{ name: 'deladdr', set: addrAttrsSet \}/);
  // request fixed headers are optional and Partial (absent members are zeros); replies are complete
  assert.match(
    addr,
    /export type GetaddrDumpRequest = \{ readonly header\?: Partial<Ifaddrmsg> \};/,
  );
  assert.match(addr, /getaddrDump\(\s+req: GetaddrDumpRequest = \{\},/);
  assert.match(addr, /export type GetaddrDumpReply = [^;]*> & \{ readonly header: Ifaddrmsg \};/);
});

test('sub-messages: a union discriminated on the selector, a type for any format, SubMessageDef layouts', () => {
  const link = readFileSync(join(repoRoot, 'test', 'golden', 'rt-link.ts'), 'utf8');
  assert.match(
    link,
    /export type LinkinfoAttrs = LinkinfoAttrsBase & LinkinfoAttrsByKind & LinkinfoAttrsBySlaveKind;/,
  );
  assert.match(link, /\| \{ readonly kind: 'bridge'; readonly data\?: LinkinfoBridgeAttrs \}\n/);
  assert.match(link, /\| \{ readonly kind\?: string; readonly data\?: Uint8Array \};\n/);
  assert.match(link, /subMessage: linkinfoDataMsgFormats,\n\s+selector: 'kind',/);
  assert.match(link, /\{ value: 'bridge', attrs: linkinfoBridgeAttrsSet \},/);
  const tc = readFileSync(join(repoRoot, 'test', 'golden', 'tc.ts'), 'utf8');
  // options and xstats share the selector `kind`: one union member per kind carries both
  assert.match(
    tc,
    /\| \{ readonly kind: 'cake'; readonly options\?: CakeAttrs; readonly xstats\?: CakeStatsAttrs \}\n/,
  );
  // a kind with options but no xstats format: its xstats stay raw bytes
  assert.match(
    tc,
    /\| \{ readonly kind: 'tbf'; readonly options\?: TbfAttrs; readonly xstats\?: Uint8Array \}\n/,
  );
  // stats2.app is selected by the enclosing set's kind: any format of its sub-message
  assert.match(tc, /readonly app\?: TcaStatsAppMsg;/);
  assert.match(tc, /\| \(NetemAttrs & \{ readonly header: TcNetemQopt \}\)/);
  assert.match(tc, /\{ value: 'netem', header: tcNetemQoptStruct, attrs: netemAttrsSet \},/);
  assert.match(tc, /\{ value: 'bfifo', header: tcFifoQoptStruct \},/);
  assert.match(tc, /\{ value: 'clsact' \},/);
});

test('generation is deterministic (two runs, same bytes)', async () => {
  const specs = families.map((f) => join(repoRoot, 'specs', `${f}.yaml`));
  const a = await generatePackage({ specs, relativeTo: repoRoot });
  const b = await generatePackage({ specs: [...specs].reverse(), relativeTo: repoRoot });
  assert.deepEqual(a, b);
});

test('generated OVS code carries override reasons and C names in TSDoc', () => {
  const flow = readFileSync(join(repoRoot, 'test', 'golden', 'ovs_flow.ts'), 'utf8');
  assert.match(flow, /`OVS_ACTION_ATTR_DROP` \(24\)/);
  assert.match(flow, /`OVS_ACTION_ATTR_PSAMPLE` \(25\)/);
  assert.match(flow, /Override \(specs\/overrides\): the uapi has OVS_ACTION_ATTR_DROP = 24/);
  assert.match(flow, /export type ActionAttrsEntry =/);
  assert.match(flow, /\{ readonly type: 'output'; readonly value: number \}/);
  assert.match(flow, /ordered: true/);
  assert.match(flow, /masked: true/);
  const vport = readFileSync(join(repoRoot, 'test', 'golden', 'ovs_vport.ts'), 'utf8');
  assert.match(vport, /version: 1,/);
});

test('the struct-array extension: a typed array of the struct, a StructArray layout', () => {
  const ct = readFileSync(join(repoRoot, 'test', 'golden', 'ovs_ct_limit.ts'), 'utf8');
  assert.match(ct, /readonly zoneLimit\?: readonly OvsZoneLimit\[\];/);
  assert.match(ct, /kind: Kind\.StructArray, struct: ovsZoneLimitStruct/);
  assert.match(ct, /Override \(specs\/overrides\): conntrack\.c walks/);
});
