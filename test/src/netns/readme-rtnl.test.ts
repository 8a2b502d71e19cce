// The README's rtnetlink examples cannot rot: it typechecks as a strict
// program (with the README's other examples, in test/src/ovs) and runs here,
// in this private network namespace, creating, addressing and deleting its
// bridge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { codeBlocks, runBlock, typecheck } from '../doc-blocks.js';

const blocks = codeBlocks('README.md', 'ts').filter((b) => b.code.includes('RtnlSocket'));

test('the README rtnetlink examples typecheck and run', { timeout: 120_000 }, async () => {
  assert.equal(
    blocks.length,
    2,
    'README has two rtnetlink examples (links and addresses, sub-messages)',
  );
  assert.deepEqual(typecheck(blocks), []);
  const expected = [
    ['br-demo 192.0.2.1 24\n', 'br-demo'],
    ['42 4789\n', 'vx-demo'],
  ] as const;
  for (const [i, [stdout, link]] of expected.entries()) {
    const r = await runBlock(blocks[i]!, { timeout: 60_000 }).done;
    assert.equal(r.status, 0, `README.md:${blocks[i]!.line}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, stdout);
    const left = execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' });
    assert.ok(!left.includes(link), `the example deleted its ${link}`);
  }
});
