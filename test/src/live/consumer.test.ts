// A user's view: `npm pack` the runtime and the families, install the tarballs
// into a fresh project (the native addon builds on install), typecheck a small
// program against the published types and run it against the host kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const tscBin = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
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
          "import { EncodeError, GenlSocket, NetlinkError } from '@ynl-ts/runtime';",
          "import { OvsFlowClient, family as flowFamily, type NewRequest } from '@ynl-ts/families/ovs_flow';",
          "import { NlctrlClient } from '@ynl-ts/families/nlctrl';",
          "import { OvsDatapathClient, UserFeatures, type Datapath } from '@ynl-ts/families/ovs_datapath';",
          'const sock = await GenlSocket.open();',
          'const ctrl = await NlctrlClient.open(sock);',
          "const f = await ctrl.getfamily({ familyName: 'nlctrl' });",
          'const id: number | undefined = f.familyId;',
          "const dp: Datapath = { name: 'x', userFeatures: ['vportPids'] };",
          'let ovs = "present";',
          'try { await OvsDatapathClient.open(sock); } catch (e) { if (e instanceof NetlinkError) ovs = e.code; else throw e; }',
          // an untyped caller that leaves out a required attribute: refused before sending
          "const resolved = { id: 0x7fff, name: 'ovs_flow', version: 1, hdrSize: 4, maxAttr: 0, ops: [], mcastGroups: new Map<string, number>() };",
          'const flows = new OvsFlowClient(sock, flowFamily, resolved);',
          "let missing = '';",
          'try { await flows.new(JSON.parse(\'{"header":{"dpIfindex":1},"actions":[]}\') as NewRequest); } catch (e) { if (e instanceof EncodeError) missing = e.path; else throw e; }',
          'console.log(JSON.stringify({ id, ovs, features: UserFeatures.vportPids, dp: dp.name, missing }));',
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
      assert.deepEqual(out, { id: 16, ovs: 'ENOENT', features: 2, dp: 'x', missing: 'key' });

      // Strict mode: a wrong attribute and a missing required one are compile errors.
      writeFileSync(
        join(app, 'misuse.ts'),
        [
          "import type { NewRequest } from '@ynl-ts/families/ovs_flow';",
          "import type { DevGetRequest } from '@ynl-ts/families/netdev';",
          'export const noKey: NewRequest = { header: { dpIfindex: 1 }, actions: [] };',
          'export const wrongAttr: DevGetRequest = { ifindex: 1, xdpFeatures: [] };',
        ].join('\n'),
      );
      const misuse = spawnSync(
        process.execPath,
        [
          tscBin,
          '--ignoreConfig',
          '--noEmit',
          '--strict',
          '--module',
          'NodeNext',
          '--moduleResolution',
          'NodeNext',
          '--target',
          'ES2022',
          '--typeRoots',
          join(repoRoot, 'node_modules', '@types'),
          '--types',
          'node',
          join(app, 'misuse.ts'),
        ],
        { encoding: 'utf8' },
      );
      assert.notEqual(misuse.status, 0, 'misuse.ts must not compile');
      assert.match(
        misuse.stdout,
        /misuse\.ts\(3,14\): error TS2322:[^\n]*\n\s+Property 'key' is missing/,
      );
      assert.match(
        misuse.stdout,
        /misuse\.ts\(4,55\): error TS2353: Object literal may only specify known properties, and 'xdpFeatures' does not exist in type 'DevGetRequest'/,
      );

      // `codegen spec.yaml --out DIR` outside the repository: a package that
      // installs the published runtime and its own build tools, builds with its
      // own `npm run build`, and runs against the host kernel.
      const pkg = join(dir, 'netdev-pkg');
      execFileSync(
        process.execPath,
        [
          join(repoRoot, 'generator', 'bin', 'codegen.js'),
          join(repoRoot, 'specs', 'netdev.yaml'),
          '--out',
          pkg,
        ],
        { encoding: 'utf8', cwd: dir },
      );
      assert.doesNotMatch(
        readFileSync(join(pkg, 'tsconfig.json'), 'utf8') +
          readFileSync(join(pkg, 'package.json'), 'utf8'),
        /\.\.\//,
        'nothing refers outside the package',
      );
      npm(['install', tarballs.find((t) => t.includes('runtime'))!], pkg);
      npm(['run', 'build'], pkg);
      assert.ok(existsSync(join(pkg, 'dist', 'netdev.d.ts')), 'the package builds');
      writeFileSync(
        join(pkg, 'smoke.mjs'),
        [
          "import { GenlSocket } from '@ynl-ts/runtime';",
          "import { NetdevClient } from './dist/netdev.js';",
          'const sock = await GenlSocket.open();',
          'const netdev = await NetdevClient.open(sock);',
          'const devs = [];',
          'for await (const d of netdev.devDump()) devs.push(d.ifindex);',
          'console.log(JSON.stringify(devs));',
          'sock.close();',
        ].join('\n'),
      );
      const ifindexes = JSON.parse(
        execFileSync(process.execPath, [join(pkg, 'smoke.mjs')], { encoding: 'utf8' }),
      ) as number[];
      assert.ok(
        ifindexes.includes(1),
        `netdev dev-get dump lists lo: ${JSON.stringify(ifindexes)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
