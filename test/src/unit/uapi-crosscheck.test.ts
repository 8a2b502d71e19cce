// Cross-checks the OVS families' model (vendored specs + specs/overrides, as
// the generator loads them) against <linux/openvswitch.h> of Linux 6.1 and
// 6.12 (vendored in test/uapi/linux-<version>/), compiled with gcc: every enum value, attribute and command number, family version,
// struct size and member offset. Accepted differences are listed, each with a
// reason, in test/uapi/known-mismatches.json; anything new fails, and so does
// a listed mismatch that no longer occurs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadFamily } from '@ynl-ts/codegen';
import { compareModel, type Mismatch } from './uapi-compare.js';
import { availableHeaders, dumpUapi, haveCompiler, type Uapi } from './uapi-dump.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Spec files under specs/: the vendored OVS specs, and ours for the families the kernel ships none for. */
const FAMILIES = [
  'ovs_datapath',
  'ovs_vport',
  'ovs_flow',
  'ovs_packet',
  'extra/ovs_meter',
  'extra/ovs_ct_limit',
] as const;
const KNOWN_FILE = join(repoRoot, 'test', 'uapi', 'known-mismatches.json');

interface KnownMismatch {
  readonly id: string;
  /** Header versions (6.1, 6.12) on which it occurs. */
  readonly headers: readonly string[];
  readonly reason: string;
}

function readKnown(): KnownMismatch[] {
  const json: unknown = JSON.parse(readFileSync(KNOWN_FILE, 'utf8'));
  assert.ok(
    typeof json === 'object' &&
      json !== null &&
      'mismatches' in json &&
      Array.isArray(json.mismatches),
  );
  const list: unknown[] = json.mismatches;
  return list.map((e, i) => {
    assert.ok(typeof e === 'object' && e !== null, `mismatches[${i}] is not an object`);
    const r = e as Record<string, unknown>;
    assert.ok(typeof r['id'] === 'string' && r['id'] !== '', `mismatches[${i}].id`);
    assert.ok(
      typeof r['reason'] === 'string' && r['reason'].trim() !== '',
      `mismatches[${i}] (${r['id']}) needs a reason`,
    );
    const headers = r['headers'];
    assert.ok(
      Array.isArray(headers) && headers.length > 0 && headers.every((h) => typeof h === 'string'),
      `mismatches[${i}].headers`,
    );
    return { id: r['id'], headers: headers as string[], reason: r['reason'] };
  });
}

const headers = availableHeaders();

describe('OVS uapi cross-check', () => {
  const dumps = new Map<string, Uapi>();
  const uapiOf = (version: string): Uapi => {
    let u = dumps.get(version);
    if (!u) {
      u = dumpUapi(headers.find((h) => h.version === version)!);
      dumps.set(version, u);
    }
    return u;
  };

  test('the 6.1 and 6.12 headers are vendored and gcc is there to compile them', () => {
    const versions = headers.map((h) => h.version);
    assert.deepEqual(versions, ['6.1', '6.12']);
    // The native addon needs a C compiler too; without one nothing below can run.
    assert.ok(haveCompiler(), 'gcc is not installed (the README needs a C compiler for npm ci)');
  });

  test('known-mismatches.json is well-formed and has no duplicates', () => {
    const ids = readKnown().map((k) => k.id);
    assert.deepEqual(ids, [...new Set(ids)]);
  });

  for (const h of headers) {
    test(`the dump of ${h.version} (${h.origin}) is sane`, () => {
      const u = uapiOf(h.version);
      assert.equal(u.structs.get('ovs_header')?.size, 4);
      assert.equal(u.structs.get('ovs_dp_stats')?.size, 32);
      assert.equal(u.structs.get('ovs_key_ipv6')?.members.get('ipv6_label')?.offset, 32);
      assert.equal(u.constants.get('OVS_DATAPATH_VERSION'), 2);
      assert.equal(u.constants.get('OVS_DP_F_VPORT_PIDS'), 2);
      assert.equal(u.constants.get('OVS_KEY_ATTR_ENCAP'), 1);
      assert.equal(u.constants.get('OVS_FLOW_CMD_GET'), 3);
      // enum members count up from UNSPEC = 0 with no gaps in the attribute enums
      const keyAttrs = u.enums.find((e) => e.tag === 'ovs_key_attr')!;
      assert.deepEqual(
        keyAttrs.members.map((m) => u.constants.get(m)),
        keyAttrs.members.map((_, i) => i),
      );
      // kernel-only (#ifdef __KERNEL__) symbols are not part of the uapi
      assert.equal(u.constants.has('OVS_ACTION_ATTR_SET_TO_MASKED'), false);
      assert.equal(u.structs.has('sample_arg'), false);
      if (h.version === '6.12') assert.ok(u.constants.has('OVS_ACTION_ATTR_PSAMPLE'));
    });
  }

  for (const h of headers) {
    test(`specs + overrides agree with linux/openvswitch.h ${h.version}, up to known-mismatches.json`, () => {
      const uapi = uapiOf(h.version);
      const found: Mismatch[] = [];
      for (const fam of FAMILIES) {
        const spec = join(repoRoot, 'specs', `${fam}.yaml`);
        assert.ok(existsSync(spec), `${spec} is missing`);
        found.push(...compareModel(loadFamily(spec), uapi));
      }
      const expected = readKnown().filter((k) => k.headers.includes(h.version));
      const unexpected = found.filter((f) => !expected.some((k) => k.id === f.id));
      const stale = expected.filter((k) => !found.some((f) => f.id === k.id));
      const lines = [
        ...unexpected.map((m) => `  new mismatch ${m.id}: ${m.detail}`),
        ...stale.map(
          (k) => `  listed but no longer seen: ${k.id} (fix: remove it from known-mismatches.json)`,
        ),
      ];
      assert.equal(
        lines.length,
        0,
        `linux/openvswitch.h ${h.version} (${h.path}):\n${lines.join('\n')}`,
      );
    });
  }
});
