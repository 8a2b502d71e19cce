// The README's TypeScript examples cannot rot: each typechecks as a strict
// program, and in the VM they run in order against the datapath (the first
// creates `dp0`, the second adds a flow from text, dumps it and deletes `dp0`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeBlocks, runBlock, typecheck } from '../doc-blocks.js';
import { ovsSkipReason, runQuiet } from './vm.js';

const skip = ovsSkipReason();
const blocks = codeBlocks('README.md', 'ts');
// the rtnetlink example runs in the host's netns layer (test/src/netns/readme-rtnl.test.ts)
const ovsBlocks = blocks.filter((b) => !b.code.includes('RtnlSocket'));

test('every TypeScript example of the README typechecks', () => {
  assert.ok(blocks.length >= 2, 'README has examples');
  assert.deepEqual(typecheck(blocks), []);
});

test(
  'the README examples run in order against the datapath',
  { skip, timeout: 300_000 },
  async () => {
    runQuiet('ovs-dpctl', ['del-dp', 'dp0']);
    const outputs: string[] = [];
    try {
      for (const b of ovsBlocks) {
        const r = await runBlock(b, { timeout: 120_000 }).done;
        assert.equal(r.status, 0, `README.md:${b.line}: ${r.stdout}${r.stderr}`);
        outputs.push(r.stdout);
      }
    } finally {
      runQuiet('ovs-dpctl', ['del-dp', 'dp0']);
    }
    assert.match(outputs[0]!, /^dp0 0n$/m, 'the new datapath in the dump');
    assert.match(
      outputs[1]!,
      /^in_port\(1\),eth\(\),eth_type\(0x0800\),ipv4\(src=10\.0\.0\.0\/255\.0\.0\.0,proto=17,frag=no\),udp\(dst=53\), packets:0, bytes:0, used:never, actions:2$/m,
      'the flow as ovs-dpctl prints it',
    );
  },
);
