// The override extension `struct-array` (specs/overrides/overrides.schema.yaml):
// a binary attribute with `struct:` becomes a packed array of that struct
// (Kind.StructArray); anywhere else it is a positioned spec error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFamily } from '@ynl-ts/codegen';
import { assertSpecError, repoRoot } from './spec-util.js';

const spec = join(repoRoot, 'specs', 'extra', 'ovs_ct_limit.yaml');

test('struct-array: zone-limit is a StructArray of ovs-zone-limit; without overrides a Struct', () => {
  const attr = (overridesDir?: null) =>
    loadFamily(spec, overridesDir === null ? { overridesDir } : {})
      .attrSets.find((s) => s.name === 'ct-limit')!
      .attrs.find((a) => a.name === 'zone-limit')!;
  const withOverride = attr();
  assert.equal(withOverride.kind, 'StructArray');
  assert.equal(withOverride.struct?.name, 'ovs-zone-limit');
  assert.equal(attr(null).kind, 'Struct');
});

/** A copy of ovs_meter.yaml with the schemas and overrides/ovs_meter.yaml of `patch`. */
function tree(patch: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-struct-array-'));
  cpSync(join(repoRoot, 'specs', 'extra', 'ovs_meter.yaml'), join(dir, 'ovs_meter.yaml'));
  cpSync(join(repoRoot, 'specs', 'schemas'), join(dir, 'schemas'), { recursive: true });
  mkdirSync(join(dir, 'overrides'));
  writeFileSync(join(dir, 'overrides', 'ovs_meter.yaml'), `family: ovs_meter\npatches:\n${patch}`);
  return dir;
}

const cases: [string, string, RegExp][] = [
  [
    'on a u32',
    '  - target: attribute-sets[meter].attributes[id]\n    extend: { struct-array: true }\n    reason: test\n',
    /ovs_meter\.yaml:\d+:\d+: attribute-sets\[0\]\.attributes\[0\]\.name: struct-array needs a binary attribute with struct:/,
  ],
  [
    'on a binary without struct',
    '  - target: attribute-sets[meter].attributes[stats]\n    set: { struct: null }\n    reason: test\n  - target: attribute-sets[meter].attributes[stats]\n    extend: { struct-array: true }\n    reason: test\n',
    /attribute-sets\[0\]\.attributes\[2\]\.name: struct-array needs a binary attribute with struct:/,
  ],
  [
    'on a set',
    '  - target: attribute-sets[meter]\n    extend: { struct-array: true }\n    reason: test\n',
    /'struct-array' applies to an attribute \(attribute-sets\[name\]\.attributes\[name\]\), not to 'attribute-sets\[meter\]'/,
  ],
  [
    'not a boolean',
    '  - target: attribute-sets[meter].attributes[stats]\n    extend: { struct-array: 1 }\n    reason: test\n',
    /struct-array/,
  ],
];

for (const [what, patch, msg] of cases) {
  test(`struct-array ${what} is a positioned spec error`, () => {
    assertSpecError(tree, patch, (dir) => loadFamily(join(dir, 'ovs_meter.yaml')), msg);
  });
}
