/**
 * ynl-dpctl: `ovs-dpctl` for the Open vSwitch kernel datapath, on ynl-ts.
 * {@link dpctl} runs a command line and returns the exit status; the
 * `ynl-dpctl` bin (and, later, `ynl dpctl`) call it.
 * @module
 */
import { createRequire } from 'node:module';
import { DpctlError } from './datapath.js';
import {
  UsageError,
  commandUsage,
  printError,
  runCommand,
  type DpctlOptions,
  type Output,
} from './commands.js';

export { DpctlError } from './datapath.js';
export { UsageError, type DpctlOptions, type Output } from './commands.js';

/** The --help text. */
export function usage(): string {
  return `ynl-dpctl: Open vSwitch kernel datapath management (ovs-dpctl on ynl-ts)
usage: ynl-dpctl [OPTIONS] COMMAND [ARG...]
${commandUsage().join('\n')}
DP is system@NAME or NAME (the kernel datapath). Each IFACE of add-dp,
add-if and set-if may be followed by comma-separated options: type=system|
internal|vxlan|geneve|gre, port_no=N, and for tunnels dst_port=N, exts=gbp.
For dump-flows, add-flow, mod-flow, get-flow, del-flow, add-flows,
mod-flows and del-flows, DP is optional if there is only one datapath.
FLOW and ACTIONS are in the syntax ovs-dpctl prints and takes
(in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,frag=no)).

Options for show and add-flow, mod-flow, del-flow:
  -s,  --statistics           print statistics for port or flow
Options for dump-flows and get-flow:
  -m, --more                  increase verbosity of output (masks, ufid)
  --names, --no-names         use port names in output (default with -m)
Options for mod-flow:
  --may-create                create flow if it doesn't exist
  --clear                     reset existing stats to zero
Other options:
  --read-only                 do not run read/write commands
  -t, --timeout=SECS          give up on a request after SECS seconds
  -h, --help                  display this help message
  -V, --version               display version information
Exit status: 0 success, 1 a command failed (the kernel's error is printed),
2 a bad command line.`;
}

/** Splits options (anywhere on the line, as getopt permutes them) from arguments. */
export function parseArgs(argv: readonly string[]): {
  o: DpctlOptions;
  args: string[];
  help: boolean;
  version: boolean;
} {
  const o: DpctlOptions = {
    statistics: false,
    verbosity: 0,
    names: undefined,
    clear: false,
    mayCreate: false,
    readOnly: false,
    timeout: undefined,
  };
  const args: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      args.push(a);
      continue;
    }
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const short =
      !flag.startsWith('--') && flag.length > 2 ? [...flag.slice(1)].map((ch) => `-${ch}`) : [flag];
    for (const f of short) {
      switch (f) {
        case '-s':
        case '--statistics':
          o.statistics = true;
          break;
        case '-m':
        case '--more':
          o.verbosity++;
          break;
        case '--names':
          o.names = true;
          break;
        case '--no-names':
          o.names = false;
          break;
        case '--clear':
          o.clear = true;
          break;
        case '--may-create':
          o.mayCreate = true;
          break;
        case '--read-only':
          o.readOnly = true;
          break;
        case '-t':
        case '--timeout': {
          const v = inline ?? argv[++i];
          if (v === undefined || !/^[1-9][0-9]*$/.test(v))
            throw new UsageError(`value ${v ?? ''} on -t or --timeout is invalid`);
          o.timeout = Number(v) * 1000;
          break;
        }
        case '-h':
        case '--help':
          help = true;
          break;
        case '-V':
        case '--version':
          version = true;
          break;
        default:
          throw new UsageError(`unrecognized option '${a}'`);
      }
    }
  }
  return { o, args, help, version };
}

const stdio: Output = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

/**
 * Runs `ynl-dpctl ARGV...`: prints what ovs-dpctl prints, resolves to the
 * exit status (0 success, 1 a command failed, 2 a bad command line).
 */
export async function dpctl(argv: readonly string[], io: Output = stdio): Promise<number> {
  try {
    const { o, args, help, version } = parseArgs(argv);
    if (help) {
      io.out(usage());
      return 0;
    }
    if (version) {
      const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
      io.out(`ynl-dpctl (@ynl-ts/ovs) ${pkg.version}`);
      return 0;
    }
    return await runCommand(args, o, io);
  } catch (e) {
    if (e instanceof UsageError) {
      printError(io, e);
      return 2;
    }
    if (e instanceof DpctlError) {
      printError(io, e);
      return 1;
    }
    throw e;
  }
}
