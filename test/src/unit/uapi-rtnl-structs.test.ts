// The rtnetlink families' structs (vendored specs + specs/overrides, as the
// generator loads them) have the size the kernel's uapi gives them: the
// kernel sends sizeof(struct ...) bytes, and a layout that is shorter (a
// spec that leaves out tail padding or later members) decodes the rest as
// extra bytes and sends requests the kernel may reject. Checked with gcc
// against the system's <linux/*.h> (linux-libc-dev), for every spec struct
// whose name is a uapi struct name.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadFamily } from '@ynl-ts/codegen';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FAMILIES = ['rt-link', 'rt-addr', 'rt-route', 'rt-neigh', 'rt-rule', 'tc'] as const;
const HEADERS = [
  'linux/rtnetlink.h',
  'linux/if_link.h',
  'linux/if_addr.h',
  'linux/neighbour.h',
  'linux/fib_rules.h',
  'linux/pkt_sched.h',
  'linux/pkt_cls.h',
  'linux/gen_stats.h',
  'linux/if_bridge.h',
  'linux/tc_act/tc_gact.h',
  'linux/tc_act/tc_mpls.h',
  'linux/tc_act/tc_pedit.h',
  'linux/tc_act/tc_vlan.h',
];

/** Differences that are right, each with why. */
const ACCEPTED: Record<string, string> = {
  rtgenmsg:
    'a fixed header of one byte: the spec counts the 3 bytes of NLMSG_ALIGN padding the attributes start after',
  tc_fq_qd_stats:
    'the struct grew after 6.1 (the vendored spec is newer than the system headers); the kernel sends its own size and the rest decodes as extra bytes',
};

/** sizeof(struct name) for each name the headers define (the others are left out). */
function sizesOf(names: readonly string[]): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-uapi-rtnl-'));
  try {
    const src = join(dir, 'sizes.c');
    const bin = join(dir, 'sizes');
    let left = [...names];
    for (;;) {
      const body = left.map((n) => `  printf("%s %zu\\n", "${n}", sizeof(struct ${n}));`);
      const includes = ['stdio.h', ...HEADERS].map((h) => `#include <${h}>`);
      writeFileSync(
        src,
        `${includes.join('\n')}\nint main(void) {\n${body.join('\n')}\n  return 0;\n}\n`,
      );
      try {
        execFileSync('gcc', ['-o', bin, src], {
          stdio: 'pipe',
          env: { ...process.env, LC_ALL: 'C' },
        });
        break;
      } catch (e) {
        // a name the headers do not define: "invalid application of 'sizeof' to incomplete type 'struct x'"
        const stderr = String((e as { stderr?: unknown }).stderr ?? '');
        const unknown = new Set(
          [...stderr.matchAll(/incomplete type 'struct (\w+)'/g)].map((m) => m[1]!),
        );
        if (unknown.size === 0) throw new Error(`gcc failed:\n${stderr}`, { cause: e });
        left = left.filter((n) => !unknown.has(n));
      }
    }
    const out = execFileSync(bin, { encoding: 'utf8' });
    return new Map(
      out
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [n, s] = l.split(' ');
          return [n!, Number(s)];
        }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('rtnetlink spec structs have the size of the uapi struct of the same name', () => {
  const structs: { family: string; name: string; c: string; size: number }[] = [];
  for (const f of FAMILIES) {
    const model = loadFamily(join(repoRoot, 'specs', `${f}.yaml`));
    for (const s of model.structs)
      structs.push({ family: f, name: s.name, c: s.name.replace(/-/g, '_'), size: s.size });
  }
  const sizes = sizesOf([...new Set(structs.map((s) => s.c))]);
  // the fixed headers and the structs the live tests decode are all in the uapi
  for (const c of [
    'ifinfomsg',
    'ifaddrmsg',
    'rtmsg',
    'ndmsg',
    'fib_rule_hdr',
    'tcmsg',
    'rta_cacheinfo',
    'tc_stats',
  ])
    assert.ok(sizes.has(c), `struct ${c} not found in the system headers`);
  const wrong = structs
    .filter((s) => sizes.has(s.c) && sizes.get(s.c) !== s.size && !(s.c in ACCEPTED))
    .map(
      (s) =>
        `${s.family} ${s.name}: model ${s.size} bytes, sizeof(struct ${s.c}) = ${sizes.get(s.c)}`,
    );
  assert.deepEqual(wrong, []);
});
