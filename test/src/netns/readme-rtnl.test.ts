// The README's rtnetlink example cannot rot: it typechecks as a strict
// program (with the README's other examples, in test/src/ovs) and runs here,
// in this private network namespace, creating, addressing and deleting its
// bridge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { codeBlocks, runBlock, typecheck } from '../doc-blocks.js';

const blocks = codeBlocks('README.md', 'ts').filter((b) => b.code.includes('RtnlSocket'));

test('the README rtnetlink example typechecks and runs', { timeout: 120_000 }, async () => {
  assert.equal(blocks.length, 1, 'README has one rtnetlink example');
  assert.deepEqual(typecheck(blocks), []);
  const r = await runBlock(blocks[0]!, { timeout: 60_000 }).done;
  assert.equal(r.status, 0, `README.md:${blocks[0]!.line}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, 'br-demo 192.0.2.1 24\n');
  const left = execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' });
  assert.ok(!left.includes('br-demo'), 'the example deleted its bridge');
});
