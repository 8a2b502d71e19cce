/**
 * The command line of `ynl` (the options of the kernel's `cli.py`, plus
 * `--family`, `--list-*`, `--doc`, `--duration`, `--timeout`) and its help.
 * @module
 */
import { UsageError } from './family.js';

/** What the command line asks for. */
export interface Args {
  family?: string;
  spec?: string;
  listFamilies: boolean;
  listOps: boolean;
  listAttrs?: string;
  doc?: string;
  do?: string;
  dump?: string;
  /** `--multi OP JSON`, in order. */
  multi: { op: string; json: string }[];
  json?: string;
  subscribe: string[];
  /** Seconds to print notifications for. */
  duration?: number;
  /** NLM_F_* flags of do-requests. */
  flags: number;
  outputJson: boolean;
  processUnknown: boolean;
  /** Seconds a request may take. */
  timeout: number;
  help: boolean;
  version: boolean;
}

/** NLM_F_* values of the flag options (linux/netlink.h). */
export const FLAG_OPTIONS: Readonly<Record<string, number>> = {
  '--replace': 0x100,
  '--excl': 0x200,
  '--create': 0x400,
  '--append': 0x800,
};

/** The actions that take an op name, and where it goes. */
const OP_ACTIONS: Readonly<Record<string, 'listAttrs' | 'doc' | 'do' | 'dump'>> = {
  '--list-attrs': 'listAttrs',
  '--doc': 'doc',
  '--do': 'do',
  '--dump': 'dump',
};

/** The --help text (with `--family X`, the family's ops follow it). */
export function usage(): string {
  return `usage: ynl (--family NAME | --spec FILE) [ACTION] [OPTIONS]
       ynl --list-families

Talk to a generic netlink family of the running kernel, driven by its YNL
spec (the kernel's tools/net/ynl/cli.py, on ynl-ts).

Family:
  --family NAME         a family of @ynl-ts/families, or the project's specs/NAME.yaml
  --spec FILE           any genetlink YNL spec (generated in memory, cached)

Actions (one of):
  --list-families       families the running kernel has, and whether we have a spec
  --list-ops            operations of the family with their modes, multicast groups
  --list-attrs OP       request and reply attributes of OP per mode (types, enums,
                        display hints)
  --doc OP              the same with the spec's docs of OP, its attributes and values
  --do OP               send a do-request, print the reply
  --dump OP             send a dump request, print every reply
  --multi OP JSON       a do-request; repeat it to send several in one sendmsg
  --subscribe GROUP     print the group's notifications as they arrive (repeatable;
                        with --do/--dump: joined before the request is sent)

Options:
  --json JSON           request attributes as a JSON object: spec names (kebab-case)
                        or camelCase; u64 as decimal strings; enum and flag names;
                        addresses as text by their display hint ("10.0.0.1",
                        "fe80::1", "00:11:22:33:44:55", UUIDs); other binary as hex.
                        Fixed-header members may be given at the top level.
  --duration S          print notifications for S seconds (default: until
                        interrupted; after --do/--dump: what the request caused)
  --create --excl --replace --append
                        NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_APPEND
  --output-json         print JSON (spec names as keys, u64 exact, binary as hex or
                        by display hint): one value per --do, an array per --dump,
                        per --multi, one object per notification line
  --process-unknown     print attributes the spec does not know as UnknownAttr(N)
  --timeout S           give up on a request after S seconds (default 10)
  -h, --help            this text; with --family/--spec also the family's ops
  -V, --version         the version

Exit status: 0 success, 1 the kernel refused (its extended-ACK message and
the attribute path are printed), 2 a bad command line or --json value,
3 a bad spec (file:line:col), 4 any other failure (a reply that does not
decode, a timeout, a socket error).`;
}

const need = (argv: readonly string[], i: number, opt: string): string => {
  const v = argv[i];
  if (v === undefined) throw new UsageError(`${opt} needs a value`);
  return v;
};

function seconds(v: string, opt: string): number {
  const n = Number(v);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(n > 0))
    throw new UsageError(`${opt} takes a positive number of seconds, not '${v}'`);
  return n;
}

/** Parses the command line (`--opt value` or `--opt=value`). */
export function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    listFamilies: false,
    listOps: false,
    multi: [],
    subscribe: [],
    flags: 0,
    outputJson: false,
    processUnknown: false,
    timeout: 10,
    help: false,
    version: false,
  };
  const args: string[] = [];
  for (const x of argv) {
    const eq = x.startsWith('--') ? x.indexOf('=') : -1;
    if (eq > 0) args.push(x.slice(0, eq), x.slice(eq + 1));
    else args.push(x);
  }
  const actions: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const opt = args[i]!;
    if (opt in FLAG_OPTIONS) {
      a.flags |= FLAG_OPTIONS[opt]!;
      continue;
    }
    const opAction = OP_ACTIONS[opt];
    if (opAction !== undefined) {
      a[opAction] = need(args, ++i, opt);
      actions.push(opt);
      continue;
    }
    switch (opt) {
      case '--family':
        a.family = need(args, ++i, opt);
        break;
      case '--spec':
        a.spec = need(args, ++i, opt);
        break;
      case '--list-families':
        a.listFamilies = true;
        actions.push(opt);
        break;
      case '--list-ops':
        a.listOps = true;
        actions.push(opt);
        break;
      case '--multi': {
        const op = need(args, ++i, opt);
        a.multi.push({ op, json: need(args, ++i, `${opt} ${op}`) });
        if (a.multi.length === 1) actions.push(opt);
        break;
      }
      case '--json':
        a.json = need(args, ++i, opt);
        break;
      case '--subscribe':
        a.subscribe.push(need(args, ++i, opt));
        break;
      case '--duration':
        a.duration = seconds(need(args, ++i, opt), opt);
        break;
      case '--timeout':
        a.timeout = seconds(need(args, ++i, opt), opt);
        break;
      case '--output-json':
        a.outputJson = true;
        break;
      case '--process-unknown':
        a.processUnknown = true;
        break;
      case '--no-process-unknown':
        a.processUnknown = false;
        break;
      case '-h':
      case '--help':
        a.help = true;
        break;
      case '-V':
      case '--version':
        a.version = true;
        break;
      default:
        throw new UsageError(
          opt.startsWith('-') ? `unknown option '${opt}'` : `unexpected argument '${opt}'`,
        );
    }
  }
  if (a.family !== undefined && a.spec !== undefined)
    throw new UsageError('give --family or --spec, not both');
  if (actions.length > 1) throw new UsageError(`give one action, not ${actions.join(' and ')}`);
  if (a.json !== undefined && a.do === undefined && a.dump === undefined)
    throw new UsageError('--json goes with --do or --dump (--multi takes its JSON after the op)');
  if (a.duration !== undefined && a.subscribe.length === 0)
    throw new UsageError('--duration goes with --subscribe');
  return a;
}
