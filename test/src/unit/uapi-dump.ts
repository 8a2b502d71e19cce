// The Open vSwitch uapi as the C compiler sees it: test/uapi/ovs_uapi_dump.c
// compiled against each available <linux/openvswitch.h>, with the symbol list
// generated from that same (preprocessed) header. Used by uapi-crosscheck.test.ts.
// Run directly (node test/dist/unit/uapi-dump.js) it prints every dump as JSON.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dumpSource = join(repoRoot, 'test', 'uapi', 'ovs_uapi_dump.c');

/** One <linux/openvswitch.h> to check against. */
export interface UapiHeader {
  /** Kernel major.minor, e.g. `6.1`. */
  readonly version: string;
  /** The header file. */
  readonly path: string;
  /** Where it comes from (a Debian package). */
  readonly origin: string;
}

export interface UapiMember {
  readonly offset: number;
  readonly size: number;
}

export interface UapiStruct {
  readonly size: number;
  /** Members in declaration order (absent for structs with nested unions/structs). */
  readonly members: ReadonlyMap<string, UapiMember>;
}

export interface UapiEnum {
  /** Tag (`ovs_datapath_attr`) or undefined for an anonymous enum. */
  readonly tag: string | undefined;
  readonly members: readonly string[];
}

export interface Uapi {
  readonly header: UapiHeader;
  /** Enum members and numeric OVS_* macros. */
  readonly constants: ReadonlyMap<string, number>;
  readonly enums: readonly UapiEnum[];
  readonly structs: ReadonlyMap<string, UapiStruct>;
}

/**
 * The vendored headers (test/uapi/linux-<version>/openvswitch.h): Linux 6.1
 * (Debian 12's linux-libc-dev) and 6.12 (linux-headers-6.12.*-common), the two
 * kernels the VM suite boots. Vendored, like the specs, so that the check runs
 * on any machine with a C compiler.
 */
export function availableHeaders(): UapiHeader[] {
  const dir = join(repoRoot, 'test', 'uapi');
  const out: UapiHeader[] = [];
  for (const d of readdirSync(dir)) {
    const m = /^linux-(\d+\.\d+)$/.exec(d);
    const path = join(dir, d, 'openvswitch.h');
    if (m && existsSync(path)) out.push({ version: m[1]!, path, origin: `test/uapi/${d}` });
  }
  return out.sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
}

/** gcc is needed to compile the dump. */
export function haveCompiler(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Parsed {
  readonly constants: string[];
  readonly enums: UapiEnum[];
  readonly structs: { name: string; members: string[] | undefined }[];
}

/** Keeps only the text that came from openvswitch.h in `gcc -E -dD` output. */
function ownText(preprocessed: string): { defines: string[]; code: string } {
  const defines: string[] = [];
  const code: string[] = [];
  let own = false;
  for (const line of preprocessed.split('\n')) {
    const marker = /^# \d+ "([^"]*)"/.exec(line);
    if (marker) {
      own = marker[1]!.endsWith('linux/openvswitch.h');
      continue;
    }
    if (!own) continue;
    if (line.startsWith('#')) defines.push(line);
    else code.push(line);
  }
  return { defines, code: code.join('\n') };
}

function parseHeader(preprocessed: string): Parsed {
  const { defines, code } = ownText(preprocessed);
  const constants: string[] = [];
  for (const d of defines) {
    // object-like numeric macros only (no strings, no function-like macros)
    const m = /^#define (OVS_[A-Z0-9_]+)[ \t]+(.+)$/.exec(d);
    if (m && !m[2]!.trim().startsWith('"')) constants.push(m[1]!);
  }
  const enums: UapiEnum[] = [];
  for (const m of code.matchAll(/\benum\s*(\w+)?\s*\{([^}]*)\}/g)) {
    const members = m[2]!
      .split(',')
      .map((e) => e.trim().split(/[\s=]/)[0]!)
      .filter((e) => e !== '');
    enums.push({ tag: m[1], members });
    constants.push(...members);
  }
  const structs: Parsed['structs'] = [];
  for (const m of code.matchAll(/\bstruct\s+(\w+)\s*\{/g)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '{') depth++;
      else if (code[i] === '}') depth--;
    }
    const body = code.slice(start, i - 1);
    let members: string[] | undefined = [];
    if (body.includes('{') || body.includes(':')) members = undefined;
    else {
      for (const decl of body.split(';')) {
        const parts = decl.replace(/__attribute__\s*\(\(.*?\)\)/g, '').split(',');
        for (const p of parts) {
          const n = /(\w+)\s*(\[[^\]]*\]\s*)*$/.exec(p.trim());
          if (n && p.trim() !== '') members.push(n[1]!);
        }
      }
    }
    structs.push({ name: m[1]!, members });
  }
  return { constants: [...new Set(constants)], enums, structs };
}

interface DumpJson {
  readonly constants: Record<string, number>;
  readonly structSizes: Record<string, number>;
  readonly members: Record<string, UapiMember>;
}

/** Compiles and runs the dump against one header (in a temp dir, removed after). */
export function dumpUapi(header: UapiHeader): Uapi {
  const dir = mkdtempSync(join(tmpdir(), 'ynl-uapi-'));
  try {
    // Only openvswitch.h is taken from the header set under test: the raw
    // include/uapi tree of a headers package is not installable as is; the
    // few headers it includes (linux/types.h, linux/if_ether.h) are stable
    // and come from /usr/include.
    mkdirSync(join(dir, 'include', 'linux'), { recursive: true });
    copyFileSync(header.path, join(dir, 'include', 'linux', 'openvswitch.h'));
    const inc = ['-I', join(dir, 'include')];
    const probe = join(dir, 'probe.c');
    writeFileSync(probe, '#include <linux/openvswitch.h>\n');
    const pre = execFileSync('gcc', ['-E', '-dD', ...inc, probe], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const parsed = parseHeader(pre);
    const lines = [
      '#define OVS_UAPI_CONSTS(C) \\',
      ...parsed.constants.map((c) => `\tC(${c}) \\`),
      '\t/* end */',
      '#define OVS_UAPI_STRUCTS(S) \\',
      ...parsed.structs.map((s) => `\tS(${s.name}) \\`),
      '\t/* end */',
      '#define OVS_UAPI_MEMBERS(M) \\',
      ...parsed.structs.flatMap((s) => (s.members ?? []).map((m) => `\tM(${s.name}, ${m}) \\`)),
      '\t/* end */',
      '',
    ];
    writeFileSync(join(dir, 'ovs_uapi_syms.h'), lines.join('\n'));
    const exe = join(dir, 'ovs_uapi_dump');
    execFileSync('gcc', ['-std=gnu11', '-O0', '-I', dir, ...inc, '-o', exe, dumpSource], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const json = JSON.parse(execFileSync(exe, { encoding: 'utf8' })) as DumpJson;
    const structs = new Map<string, UapiStruct>();
    for (const s of parsed.structs) {
      const members = new Map<string, UapiMember>();
      for (const m of s.members ?? []) members.set(m, json.members[`${s.name}.${m}`]!);
      structs.set(s.name, { size: json.structSizes[s.name]!, members });
    }
    return {
      header,
      constants: new Map(Object.entries(json.constants)),
      enums: parsed.enums,
      structs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const all = availableHeaders().map((h) => {
    const u = dumpUapi(h);
    return {
      header: u.header,
      constants: Object.fromEntries(u.constants),
      enums: u.enums,
      structs: Object.fromEntries(
        [...u.structs].map(([k, s]) => [
          k,
          { size: s.size, members: Object.fromEntries(s.members) },
        ]),
      ),
    };
  });
  console.log(JSON.stringify(all, null, 2));
}
