// docs/getting-started.md cannot rot: its `sh` blocks run as shell commands
// and its `ts` blocks, in order, typecheck and run as one program against the
// VM's datapath; the output shows each step worked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { codeBlocks, runBlock, typecheck, type CodeBlock } from '../doc-blocks.js';
import { ovsSkipReason, runQuiet } from './vm.js';

const skip = ovsSkipReason();
const DOC = 'docs/getting-started.md';

test('the guide typechecks as one strict program', () => {
  const program: CodeBlock = {
    doc: DOC,
    line: codeBlocks(DOC, 'ts')[0]!.line,
    lang: 'ts',
    code: codeBlocks(DOC, 'ts')
      .map((b) => b.code)
      .join(''),
  };
  assert.deepEqual(typecheck([program]), []);
});

test(
  'the guide runs: datapath, ports, typed and text flows, a frame through, a notification, cleanup',
  { skip, timeout: 400_000 },
  async () => {
    const sh = codeBlocks(DOC, 'sh');
    assert.equal(sh.length, 2, 'a setup and a cleanup block');
    const ts = codeBlocks(DOC, 'ts');
    runQuiet('ip', ['link', 'del', 'gsa0']);
    runQuiet('ip', ['link', 'del', 'gsb0']);
    execFileSync('sh', ['-ec', sh[0]!.code]);
    try {
      const r = await runBlock(
        { doc: DOC, line: ts[0]!.line, lang: 'ts', code: ts.map((b) => b.code).join('') },
        // /usr/bin first: in the VM a pyenv shim on PATH costs seconds per python3 start
        {
          timeout: 300_000,
          env: { PATH: `/usr/bin:/bin:/usr/sbin:/sbin:${process.env['PATH'] ?? ''}` },
        },
      ).done;
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const out = r.stdout.split('\n');
      const ports = /^datapath gs0: ports gsa0=(\d+) gsb0=(\d+)$/.exec(out[0]!);
      assert.ok(ports, r.stdout);
      const [a, b] = [ports[1], ports[2]];
      const dumped = out
        .filter((l) => l.includes('actions:'))
        .slice(0, 2)
        .sort();
      assert.equal(dumped.length, 2, r.stdout);
      assert.match(
        dumped.join('\n'),
        new RegExp(
          `in_port\\(${a}\\),.*eth\\(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b\\),eth_type\\(0x88b5\\).*actions:${b}`,
        ),
      );
      assert.match(
        dumped.join('\n'),
        new RegExp(
          `in_port\\(${b}\\),.*eth\\(src=02:00:00:00:00:0b,dst=02:00:00:00:00:0a\\),eth_type\\(0x88b5\\).*actions:${a}`,
        ),
      );
      assert.ok(out.includes('A→B flow: 3 packets, 180 bytes'), r.stdout);
      assert.match(r.stdout, new RegExp(`^deleted: .*in_port\\(${b}\\).*actions:${a}$`, 'm'));
      assert.equal(out.at(-2), 'done');
    } finally {
      execFileSync('sh', ['-c', sh[1]!.code]);
    }
  },
);
