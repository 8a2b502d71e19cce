// A user's view: `npm pack` the runtime and the families, install the tarballs
// into a fresh project (the native addon builds on install), typecheck a small
// program against the published types and run it against the host kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
  });

test(
  'packed packages install into a fresh project, typecheck and run',
  { timeout: 300_000 },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'ynl-consumer-'));
    try {
      const packs = JSON.parse(
        npm(
          ['pack', '--json', '--pack-destination', dir, '-w', 'runtime', '-w', 'generated'],
          repoRoot,
        ),
      ) as { filename: string; files: { path: string }[] }[];
      const tarballs = packs.map((p) => join(dir, p.filename));
      const runtimeFiles = packs
        .find((p) => p.filename.includes('runtime'))!
        .files.map((f) => f.path);
      assert.ok(runtimeFiles.includes('native/netlink.c') && runtimeFiles.includes('binding.gyp'));
      assert.ok(
        !runtimeFiles.some((f) => f.startsWith('build/')),
        'no prebuilt binaries are shipped',
      );

      const app = join(dir, 'app');
      execFileSync('mkdir', ['-p', app]);
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'app', private: true, type: 'module' }),
      );
      npm(['install', ...tarballs], app);
      writeFileSync(
        join(app, 'main.ts'),
        [
          "import { GenlSocket, NetlinkError } from '@ynl-ts/runtime';",
          "import { NlctrlClient } from '@ynl-ts/families/nlctrl';",
          "import { OvsDatapathClient, UserFeatures, type Datapath } from '@ynl-ts/families/ovs_datapath';",
          'const sock = await GenlSocket.open();',
          'const ctrl = await NlctrlClient.open(sock);',
          "const f = await ctrl.getfamily({ familyName: 'nlctrl' });",
          'const id: number | undefined = f.familyId;',
          "const dp: Datapath = { name: 'x', userFeatures: ['vportPids'] };",
          'let ovs = "present";',
          'try { await OvsDatapathClient.open(sock); } catch (e) { if (e instanceof NetlinkError) ovs = e.code; else throw e; }',
          'console.log(JSON.stringify({ id, ovs, features: UserFeatures.vportPids, dp: dp.name }));',
          'sock.close();',
        ].join('\n'),
      );
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            outDir: 'out',
            typeRoots: [join(repoRoot, 'node_modules', '@types')],
            types: ['node'],
          },
          files: ['main.ts'],
        }),
      );
      execFileSync(
        process.execPath,
        [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app],
        {
          encoding: 'utf8',
        },
      );
      const out = JSON.parse(
        execFileSync(process.execPath, [join(app, 'out', 'main.js')], { encoding: 'utf8' }),
      ) as {
        id: number;
        ovs: string;
        features: number;
      };
      assert.deepEqual(out, { id: 16, ovs: 'ENOENT', features: 2, dp: 'x' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
