// Every kind of spec and override error: exact message and position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFamily, SpecErrors } from '@ynl-ts/codegen';
import { repoRoot } from './spec-util.js';

const schemasDir = join(repoRoot, 'specs', 'schemas');
const base = (body: string): string => `name: demo\ndoc: Demo.\n${body}`;
const noOps = 'operations:\n  list: []\n';

/** Loads a spec from text and returns the formatted error lines. */
function errorsOf(name: string, text: string, overridesDir: string | null = null): string[] {
  try {
    loadFamily(`bad/${name}.yaml`, { text, schemasDir, overridesDir });
  } catch (e) {
    assert.ok(e instanceof SpecErrors, `expected SpecErrors, got ${String(e)}`);
    return e.errors.map((x) => x.format());
  }
  assert.fail(`bad/${name}.yaml loaded without errors`);
}

test('YAML syntax errors name the line', () => {
  const [e, ...rest] = errorsOf('syntax', 'name: demo\ndoc: [unclosed\n');
  assert.equal(rest.length, 0);
  assert.match(
    e!,
    /^bad\/syntax\.yaml:3:1: Flow sequence in block collection must be sufficiently indented/,
  );
});

test('schema: unknown property, missing property, bad enum value, with positions', () => {
  assert.deepEqual(
    errorsOf(
      'unknown',
      base(
        `attribute-sets:\n  - name: main\n    colour: red\n    attributes:\n      - name: a\n        type: u32\n${noOps}`,
      ),
    ),
    ["bad/unknown.yaml:5:5: attribute-sets[0]: unknown property 'colour'"],
  );
  assert.deepEqual(errorsOf('missing', `name: demo\nattribute-sets: []\n${noOps}`), [
    "bad/missing.yaml:1:1: missing required property 'doc'",
  ]);
  const [t] = errorsOf(
    'type',
    base(
      `attribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: u33\n${noOps}`,
    ),
  );
  assert.match(
    t!,
    /^bad\/type\.yaml:7:9: attribute-sets\[0\]\.attributes\[0\]\.type: must be one of: unused, pad, flag, .* \(is "u33"\)$/,
  );
});

test('references to undefined sets, enums and attributes; all errors of a file at once', () => {
  const text = base(
    'attribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: nest\n        nested-attributes: nowhere\n' +
      '      - name: b\n        type: u32\n        enum: no-enum\n' +
      'operations:\n  list:\n    - name: get\n      doc: G.\n      attribute-set: missing-set\n      do:\n        request:\n          attributes: [a]\n' +
      '    - name: set\n      doc: S.\n      attribute-set: main\n      do:\n        request:\n          attributes: [a, zzz]\n',
  );
  assert.deepEqual(errorsOf('refs', text), [
    "bad/refs.yaml:8:9: attribute-sets[0].attributes[0].nested-attributes: attribute set 'nowhere' is not defined",
    "bad/refs.yaml:11:9: attribute-sets[0].attributes[1].enum: enum 'no-enum' is not defined",
    "bad/refs.yaml:16:7: operations.list[0].attribute-set: attribute set 'missing-set' is not defined",
    "bad/refs.yaml:25:27: operations.list[1].do.request.attributes[1]: 'zzz' is not an attribute of 'main'",
  ]);
});

test('duplicate enum and attribute values', () => {
  const text = base(
    'definitions:\n  - name: colours\n    type: enum\n    entries:\n      - red\n      - name: green\n        value: 0\n' +
      'attribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: u32\n      - name: b\n        type: u32\n        value: 1\n' +
      noOps,
  );
  assert.deepEqual(errorsOf('dup', text), [
    "bad/dup.yaml:9:9: definitions[0].entries[1]: value 0 of 'green' is already used by 'red'",
    "bad/dup.yaml:17:9: attribute-sets[0].attributes[1]: value 1 of 'b' is already used by 'a'",
  ]);
});

test('subset-of lists an attribute the parent lacks', () => {
  const text = base(
    'attribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: u32\n  - name: sub\n    subset-of: main\n    attributes:\n      - name: b\n' +
      noOps,
  );
  assert.deepEqual(errorsOf('subset', text), [
    "bad/subset.yaml:11:9: attribute-sets[1].attributes[0].name: 'b' is not an attribute of 'main', which this set is a subset of",
  ]);
});

test('names that collide as TypeScript identifiers', () => {
  const text = base(
    'attribute-sets:\n  - name: main\n    attributes:\n      - name: foo-bar\n        type: u32\n      - name: foo--bar\n        type: u32\n' +
      noOps,
  );
  assert.deepEqual(errorsOf('collide', text), [
    "bad/collide.yaml:8:9: attribute-sets[0].attributes[1].name: attribute 'foo--bar' becomes the TypeScript name 'fooBar', already used by attribute 'foo-bar'",
  ]);
});

test('checks naming an undefined constant', () => {
  const text = base(
    'attribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: u32\n        checks:\n          max: no-such-const\n' +
      noOps,
  );
  assert.deepEqual(errorsOf('checks', text), [
    "bad/checks.yaml:9:11: attribute-sets[0].attributes[0].checks.max: 'no-such-const' is neither a number, a defined constant nor a type limit like u32-max",
  ]);
});

const legacy = (body: string): string =>
  `name: demo\nprotocol: genetlink-legacy\ndoc: Demo.\n${body}`;

test('structs: undefined struct/fixed-header references, bad len, top-level name clash', () => {
  const text = legacy(
    'definitions:\n  - name: hdr\n    type: struct\n    members:\n      - name: raw\n        type: binary\n        len: no-such-len\n' +
      '  - name: hdr\n    type: enum\n    entries: [a]\n' +
      'attribute-sets:\n  - name: main\n    attributes:\n      - name: s\n        type: binary\n        struct: nope\n' +
      'operations:\n  fixed-header: missing-hdr\n  list: []\n',
  );
  assert.deepEqual(errorsOf('structs', text), [
    "bad/structs.yaml:5:5: definitions[0].name: struct 'hdr' has size 0",
    `bad/structs.yaml:10:9: definitions[0].members[0].len: binary member 'raw' has a 'len' that is not a positive size ("no-such-len")`,
    "bad/structs.yaml:11:5: definitions[1].name: definition 'hdr' is defined twice",
    "bad/structs.yaml:19:9: attribute-sets[0].attributes[0].struct: struct 'nope' is not defined",
    "bad/structs.yaml:21:3: operations.fixed-header: struct 'missing-hdr' is not defined",
  ]);
});

test('overrides: bad target, wrong family, missing reason, and a patch that breaks the schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-ovr-'));
  const spec = base(
    'attribute-sets:\n  - name: main\n    attributes:\n      - name: a\n        type: u32\n' +
      noOps,
  );
  const write = (body: string): void => writeFileSync(join(dir, 'demo.yaml'), body);
  const ovr = join(dir, 'demo.yaml');

  write(
    'family: demo\npatches:\n  - target: attribute-sets[nope].attributes\n    append: { name: b, type: u32 }\n    reason: r\n',
  );
  assert.deepEqual(errorsOf('o1', spec, dir), [
    `${ovr}:3:5: patches[0].target: target 'attribute-sets[nope].attributes' does not exist in the spec (no element named 'nope')`,
  ]);
  write('family: other\npatches: []\n');
  assert.deepEqual(errorsOf('o2', spec, dir), [
    `${ovr}:1:1: family: names family 'other', expected 'demo'`,
  ]);
  write(
    'family: demo\npatches:\n  - target: attribute-sets[main]\n    set: { name: x }\n' +
      '  - target: 3\n    reason: r\n    bogus: 1\n' +
      '  - target: attribute-sets[main]\n    set: { name: x }\n    append: 1\n    reason: two\n',
  );
  assert.deepEqual(errorsOf('o3', spec, dir), [
    `${ovr}:3:5: patches[0]: invalid override: missing required property 'reason'`,
    `${ovr}:7:5: patches[1]: invalid override: unknown property 'bogus'`,
    `${ovr}:5:5: patches[1].target: invalid override: must be of type string (is 3)`,
    `${ovr}:5:5: patches[1]: invalid override: needs one operation: set, insert-before with value, append, extend or remove`,
    `${ovr}:8:5: patches[2]: invalid override: more than one operation in one patch (use separate patches)`,
  ]);
  write(
    'family: demo\npatches:\n  - target: attribute-sets[main].attributes\n    append: { name: b, type: u99 }\n    reason: adds b\n',
  );
  assert.deepEqual(errorsOf('o4', spec, dir), [
    `${ovr}:4:24: attribute-sets[0].attributes[1].type: must be one of: unused, pad, flag, binary, uint, sint, u8, u16, u32, u64, s8, s16, s32, s64, string, nest, indexed-array, nest-type-value (is "u99")`,
  ]);
});

test('overrides: match rules name attributes and integer fields of the key set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-match-'));
  const ovr = join(dir, 'demo.yaml');
  const spec = legacy(
    'definitions:\n  - name: st\n    type: struct\n    members:\n      - name: p\n        type: u8\n      - name: q\n        type: binary\n        len: 4\n' +
      'attribute-sets:\n  - name: main\n    attributes:\n      - name: k\n        type: nest\n        nested-attributes: keys\n' +
      '      - name: m\n        type: nest\n        nested-attributes: keys\n      - name: n\n        type: u32\n' +
      '  - name: keys\n    attributes:\n      - name: x\n        type: u16\n      - name: s\n        type: binary\n        struct: st\n' +
      noOps,
  );
  writeFileSync(
    ovr,
    'family: demo\npatches:\n  - target: attribute-sets[main]\n    extend:\n      match:\n' +
      '        key: k\n        mask: n\n        gated: [s, nope]\n' +
      '        rules:\n          - when: { x: [1], s.zz: [2] }\n            expect: [s]\n            exact: [s.q]\n' +
      '    reason: r\n  - target: attribute-sets[keys].attributes[x]\n    extend: { match: { key: a, mask: b, gated: [], rules: [] } }\n    reason: r\n',
  );
  assert.deepEqual(errorsOf('m1', spec, dir), [
    `${ovr}:15:5: patches[1].extend.match: 'match' applies to an attribute set (attribute-sets[name]), not to 'attribute-sets[keys].attributes[x]'`,
  ]);
  writeFileSync(
    ovr,
    'family: demo\npatches:\n  - target: attribute-sets[main]\n    extend:\n      match:\n' +
      '        key: k\n        mask: n\n        gated: [s, nope]\n' +
      '        rules:\n          - when: { x: [1], s.zz: [2] }\n            expect: [s]\n            exact: [s.q]\n    reason: r\n',
  );
  assert.deepEqual(errorsOf('m2', spec, dir), [
    `${ovr}:7:9: attribute-sets[0].match.mask: 'n' is not a nested attribute of 'main'`,
  ]);
  writeFileSync(
    ovr,
    'family: demo\npatches:\n  - target: attribute-sets[main]\n    extend:\n      match:\n' +
      '        key: k\n        mask: m\n        gated: [s, nope]\n' +
      '        rules:\n          - when: { x: [1], s.zz: [2] }\n            expect: [s]\n            exact: [s.q]\n    reason: r\n',
  );
  assert.deepEqual(errorsOf('m3', spec, dir), [
    `${ovr}:8:20: attribute-sets[0].match.gated[1]: 'nope' is not an attribute of 'keys'`,
    `${ovr}:10:29: attribute-sets[0].match.rules[0].when.s.zz: 's.zz': 'zz' is not a member of struct 'st'`,
    `${ovr}:12:21: attribute-sets[0].match.rules[0].exact[0]: 's.q' is binary; \`exact\` needs a u8, u16 or u32`,
  ]);
});

// Six nested levels of nine aliases stand for 9^6 = 531,441 strings: the
// loader used to expand them all (half a minute, gigabytes) and the schema
// error then printed the whole value. The expansion is capped per file.
test('a YAML alias bomb fails at the alias with a short message, expanding nothing', () => {
  const levels = ['  - &l0 x'];
  for (let i = 1; i <= 6; i++)
    levels.push(`  - &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  const text = `name: demo\nbomb:\n${levels.join('\n')}\ndoc: *l6\n${noOps}`;
  // nodes are counted where aliases expand: the budget runs out in the list of l4
  assert.deepEqual(errorsOf('bomb', text), [
    'bad/bomb.yaml:7:30: bomb[4][4]: alias *l3 expands to more than 10000 nodes (the limit of a file, against alias bombs)',
  ]);
  // the same within the limit (9^3 = 729 strings) is expanded as written
  const small = `name: demo\nbomb:\n${levels.slice(0, 4).join('\n')}\ndoc: *l3\nattribute-sets: []\n${noOps}`;
  assert.deepEqual(errorsOf('small', small), [
    "bad/small.yaml:2:1: unknown property 'bomb'",
    'bad/small.yaml:6:9: doc: must be of type string (is [[["x","x","x","x","x","x","x","x","x"],["x","x","x","x",...)',
  ]);
});

test('a schema error shows a large value cut short', () => {
  const big = Array.from({ length: 500 }, (_, i) => `v${i}`).join(', ');
  assert.deepEqual(errorsOf('big', `name: demo\ndoc: [${big}]\nattribute-sets: []\n${noOps}`), [
    'bad/big.yaml:2:6: doc: must be of type string (is ["v0","v1","v2","v3","v4","v5","v6","v7","v8","v9","v10",...)',
  ]);
});

test('sub-message selectors: in the set or an enclosing one, a single string or integer', () => {
  const text =
    'name: demo\ndoc: Demo.\nprotocol: netlink-raw\nprotonum: 0\nattribute-sets:\n' +
    '  - name: main\n    attributes:\n      - name: kind\n        type: string\n' +
    '      - name: inner\n        type: nest\n        nested-attributes: inner\n' +
    // `data` takes the enclosing set's `kind` (as tc stats2.app); `other` names a stranger's attribute
    '  - name: inner\n    attributes:\n' +
    '      - name: data\n        type: sub-message\n        sub-message: msg\n        selector: kind\n' +
    '      - name: other\n        type: sub-message\n        sub-message: msg\n        selector: flavour\n' +
    '  - name: lonely\n    attributes:\n      - name: flavour\n        type: string\n' +
    '      - name: nested\n        type: nest\n        nested-attributes: lonely\n' +
    '      - name: bad\n        type: sub-message\n        sub-message: msg\n        selector: nested\n' +
    '  - name: fmt\n    attributes:\n      - name: x\n        type: u32\n' +
    'sub-messages:\n  - name: msg\n    formats:\n      - value: a\n        attribute-set: fmt\n' +
    noOps;
  assert.deepEqual(errorsOf('sm', text), [
    "bad/sm.yaml:22:9: attribute-sets[1].attributes[1].selector: selector 'flavour' is not an attribute of 'inner' nor of a set enclosing it",
    "bad/sm.yaml:33:9: attribute-sets[2].attributes[2].selector: selector 'nested' must be a single string or integer attribute, not nest",
  ]);
});
