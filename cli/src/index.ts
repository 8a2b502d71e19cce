/**
 * `ynl`: the kernel's YNL `cli.py` on ynl-ts. {@link ynl} runs a command
 * line and resolves to the exit status; the `ynl` bin calls it. Layouts come
 * from generated code only (see `family.ts`), docs and names from the spec
 * model, wire rules from the runtime.
 * @module
 */
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { SpecErrors } from '@ynl-ts/codegen';
import {
  EncodeError,
  GenlFamilyClient,
  GenlSocket,
  NetlinkError,
  errnoText,
  type AttrSet,
  type EchoOptions,
  type OpDef,
  type RequestOptions,
  type StructDef,
} from '@ynl-ts/runtime';
import { parseArgs, usage, type Args } from './args.js';
import { describeOp, findOp, listOps } from './describe.js';
import {
  UsageError,
  generatedFamilies,
  loadByName,
  loadSpec,
  projectSpec,
  type CliFamily,
} from './family.js';
import { InputError, parseJson, toRequest } from './input.js';
import type { FamilySummary } from './names.js';
import { Shaper, toJson, toText, type Tree } from './output.js';

export { parseArgs, usage, type Args } from './args.js';
export { UsageError, loadByName, loadSpec, type CliFamily, type FamilyModule } from './family.js';
export { FamilyNames, type FamilySummary } from './names.js';
export { InputError, parseJson, toBytes, toRequest } from './input.js';
export { Shaper, toJson, toText, type Tree } from './output.js';

/** Where `ynl` prints. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const stdio: Output = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

/** Exit statuses. */
export const EXIT = { ok: 0, kernel: 1, usage: 2, spec: 3, failure: 4 } as const;

/** A client for any family: the runtime's do/dump/batch plumbing made callable. */
class CliClient extends GenlFamilyClient {
  do(op: OpDef, req: unknown, opts: EchoOptions): Promise<unknown> {
    return this.doOp(op, req, opts);
  }
  dump(op: OpDef, req: unknown, opts: RequestOptions): AsyncGenerator<unknown> {
    return this.dumpOp(op, req, opts);
  }
  many(
    items: readonly { op: OpDef; req: unknown }[],
    opts: RequestOptions,
  ): Promise<PromiseSettledResult<unknown>[]> {
    return this.doOpMany(items, opts);
  }
}

/**
 * Runs `ynl ARGV...`, printing to `io`; resolves to the exit status
 * ({@link EXIT}: 0, 1 kernel error, 2 usage, 3 spec error, 4 other failure).
 */
export async function ynl(argv: readonly string[], io: Output = stdio): Promise<number> {
  let fam: CliFamily | undefined;
  try {
    const a = parseArgs(argv);
    if (a.version) {
      const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
      io.out(`ynl (@ynl-ts/cli) ${pkg.version}`);
      return EXIT.ok;
    }
    if (a.listFamilies) return await listFamilies(io);
    if (a.family !== undefined) fam = await loadByName(a.family);
    else if (a.spec !== undefined) fam = await loadSpec(a.spec);
    if (a.help) {
      io.out(usage());
      if (fam)
        io.out(
          `\n${fam.summary.name} operations (${fam.source}):\n${listOps(fam.summary)
            .map((l) => `  ${l}`)
            .join('\n')}`,
        );
      return EXIT.ok;
    }
    if (fam === undefined) {
      if (argv.length === 0) {
        io.err(usage());
        return EXIT.usage;
      }
      throw new UsageError('give --family NAME or --spec FILE (or --list-families)');
    }
    return await run(fam, a, io);
  } catch (e) {
    return report(e, io, fam);
  }
}

function report(e: unknown, io: Output, fam: CliFamily | undefined): number {
  if (e instanceof UsageError || e instanceof InputError) {
    io.err(`ynl: ${e.message}`);
    return EXIT.usage;
  }
  if (e instanceof EncodeError) {
    io.err(`ynl: --json: ${e.path ? `${kebabPath(e.path)}: ${e.reason}` : e.reason}`);
    return EXIT.usage;
  }
  if (e instanceof SpecErrors) {
    io.err(e.message);
    return EXIT.spec;
  }
  if (e instanceof NetlinkError) {
    io.err(`ynl: ${kernelError(e, fam)}`);
    return EXIT.kernel;
  }
  io.err(`ynl: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  return EXIT.failure;
}

/** camelCase segments of an encode path → kebab-case (the names the user wrote). */
const kebabPath = (p: string): string => p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The kernel's error: its extended-ACK message, errno name, and the attribute path in spec names. */
function kernelError(e: NetlinkError, fam: CliFamily | undefined): string {
  const x = e.extack;
  const who = [e.family, e.op].filter((s) => s !== undefined).join(' ');
  let text = `${who ? who + ': ' : ''}${x.message ?? errnoText(e.errno)} (${e.code}, errno ${e.errno})`;
  if (x.attrPath !== undefined) text += `\n  bad attribute: ${kebabPath(x.attrPath)}`;
  else if (x.offset !== undefined) text += `\n  bad attribute at byte ${x.offset} of the request`;
  if (x.missingAttr)
    text += `\n  missing attribute: ${x.missingAttr.name !== undefined ? kebabPath(x.missingAttr.name) : `#${x.missingAttr.type}`}${x.missingAttr.nest !== undefined ? ` in ${kebabPath(x.missingAttr.nest)}` : ''}`;
  if (e.code === 'ENOENT' && e.op?.startsWith('getfamily') && fam)
    text += `\n  the running kernel has no family '${fam.summary.name}' (module not loaded?)`;
  return text;
}

async function listFamilies(io: Output): Promise<number> {
  const sock = await GenlSocket.open();
  try {
    const rows: string[][] = [];
    const gen = generatedFamilies();
    for await (const f of sock.families({ timeout: 10_000 })) {
      const mod = gen.get(f.name);
      const spec = projectSpec(f.name);
      const have = mod
        ? `@ynl-ts/families/${mod.module}`
        : spec
          ? relative(process.cwd(), spec) || spec
          : 'no spec';
      rows.push([f.name, String(f.id), `v${f.version}`, have]);
    }
    rows.sort((x, y) => x[0]!.localeCompare(y[0]!));
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) io.out(r.map((c, i) => (i < 3 ? c.padEnd(w[i]!) : c)).join('  '));
    return EXIT.ok;
  } finally {
    sock.close();
  }
}

interface Prepared {
  readonly op: FamilySummary['ops'][number];
  readonly def: OpDef;
  readonly fixed?: { readonly def: StructDef; readonly key: string };
}

function prepare(fam: CliFamily, name: string, mode: 'do' | 'dump'): Prepared {
  const op = findOp(fam.summary, name);
  if (!op.modes.includes(mode)) {
    const other = mode === 'do' ? 'dump' : 'do';
    throw new UsageError(
      `${fam.summary.name} ${op.name} has no ${mode} mode${op.modes.includes(other) ? ` (use --${other})` : op.modes.length ? ` (it is ${op.modes.join(', ')}: --subscribe to its group)` : ''}`,
    );
  }
  const def = fam.module.ops[op.tsName];
  if (def === undefined)
    throw new UsageError(`${fam.source} has no layout of ${op.name} (regenerate it: npx codegen)`);
  const fixedDef = def.fixedHeader ?? fam.module.family.fixedHeader;
  return fixedDef
    ? { op, def, fixed: { def: fixedDef, key: def.headerKey ?? 'header' } }
    : { op, def };
}

function request(fam: CliFamily, p: Prepared, json: string | undefined, what: string): unknown {
  const input = json === undefined ? {} : parseJson(json, what);
  try {
    return toRequest(fam.names, p.def.requestSet, input, p.fixed);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${what}: ${e.message}`);
    throw e;
  }
}

async function run(fam: CliFamily, a: Args, io: Output): Promise<number> {
  const m = fam.summary;
  if (a.listOps) {
    for (const l of listOps(m)) io.out(l);
    return EXIT.ok;
  }
  if (a.listAttrs !== undefined || a.doc !== undefined) {
    const op = findOp(m, (a.doc ?? a.listAttrs)!);
    for (const l of describeOp(fam.model(), op.name, a.doc !== undefined)) io.out(l);
    return EXIT.ok;
  }
  const shaper = new Shaper(fam.names, a.processUnknown);
  const print = (t: Tree): void => {
    if (a.outputJson) io.out(toJson(t));
    else for (const l of toText(t)) io.out(l);
  };
  // everything the user gave is checked before a socket is opened
  const single = a.do ?? a.dump;
  const mode = a.do !== undefined ? 'do' : 'dump';
  const one = single !== undefined ? prepare(fam, single, mode) : undefined;
  const oneReq = one ? request(fam, one, a.json, '--json') : undefined;
  const multi = a.multi.map((x, i) => {
    const p = prepare(fam, x.op, 'do');
    return { p, req: request(fam, p, x.json, `--multi ${x.op} (#${i + 1})`) };
  });
  for (const g of a.subscribe)
    if (!m.mcastGroups.includes(g))
      throw new UsageError(
        `${m.name} has no multicast group '${g}' (it has: ${m.mcastGroups.join(', ') || 'none'})`,
      );
  if (one === undefined && multi.length === 0 && a.subscribe.length === 0)
    throw new UsageError(
      'nothing to do: give --do, --dump, --multi, --subscribe, --list-ops, --list-attrs or --doc',
    );

  const sock = await GenlSocket.open();
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let status: number = EXIT.ok;
  try {
    const client = await CliClient.open(sock, fam.module.family);
    const timeout = a.timeout * 1000;
    const opts: RequestOptions = { timeout, ...(a.flags ? { flags: a.flags } : {}) };
    const watching =
      a.subscribe.length > 0
        ? watch(client, a.subscribe, stop.signal, shaper, print, a.outputJson)
        : undefined;
    if (watching && one === undefined && multi.length === 0)
      io.err(
        `ynl: listening to ${m.name} ${a.subscribe.join(', ')} ${a.duration !== undefined ? `for ${a.duration} s` : 'until interrupted'}`,
      );
    if (one !== undefined && mode === 'do') {
      const reply = await client.do(one.def, oneReq, opts);
      if (reply !== undefined || a.outputJson)
        print(reply === undefined ? null : shaper.message(reply, one.def.replySet!, one.fixed));
    } else if (one !== undefined) {
      const all: Tree[] = [];
      let first = true;
      for await (const r of client.dump(one.def, oneReq, { timeout })) {
        const t = shaper.message(r, one.def.replySet!, one.fixed);
        if (a.outputJson) all.push(t);
        else {
          if (!first) io.out('');
          first = false;
          print(t);
        }
      }
      if (a.outputJson) io.out(toJson(all));
    } else if (multi.length > 0) {
      const results = await client.many(
        multi.map((x) => ({ op: x.p.def, req: x.req })),
        opts,
      );
      const out: Tree[] = [];
      results.forEach((r, i) => {
        const x = multi[i]!;
        if (r.status === 'rejected') {
          status = Math.max(status, report(r.reason, io, fam));
          out.push(null);
        } else
          out.push(
            r.value === undefined ? null : shaper.message(r.value, x.p.def.replySet!, x.p.fixed),
          );
      });
      if (a.outputJson) io.out(toJson(out));
      else
        out.forEach((t, i) => {
          if (i > 0) io.out('');
          io.out(`# ${multi[i]!.p.op.name}`);
          if (t !== null) print(t);
        });
    }
    if (watching) {
      if (a.duration !== undefined) {
        const t = setTimeout(() => stop.abort(), a.duration * 1000);
        stop.signal.addEventListener('abort', () => clearTimeout(t));
      } else if (one !== undefined || multi.length > 0) {
        // what the request caused arrived before its answer; let the printer catch up
        setTimeout(() => stop.abort(), 50);
      }
      await watching.done;
    }
  } finally {
    stop.abort(); // a request that failed leaves the watcher to end here
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    sock.close();
  }
  if (shaper.unknown > 0 && !a.processUnknown)
    io.err(
      `ynl: ${shaper.unknown} attribute(s) the spec does not know were left out (--process-unknown prints them)`,
    );
  return status;
}

/** Prints the notifications of `groups` until `signal` (the groups are joined before this returns). */
function watch(
  client: CliClient,
  groups: readonly string[],
  signal: AbortSignal,
  shaper: Shaper,
  print: (t: Tree) => void,
  json: boolean,
): { done: Promise<void> } {
  const it = client.notifications({ groups: [...groups], signal })[Symbol.asyncIterator]();
  // the first next() joins the groups (synchronously, before it waits)
  const first = it.next();
  const done = (async () => {
    try {
      for (let r = await first; !r.done; r = await it.next()) {
        const n = r.value;
        const nd = client.def.notifications[n.cmd];
        const msg: Tree =
          nd === undefined
            ? shaper.value(n.attrs)
            : shaper.message(n.attrs, nd.set as AttrSet, headerOf(client, nd));
        if (json) print({ name: n.name, group: n.group, msg });
        else {
          print(`${n.name} (${n.group}):`);
          if (typeof msg === 'object' && msg !== null) for (const l of toText(msg, '  ')) print(l);
        }
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      await it.return?.(undefined);
    }
  })();
  done.catch(() => undefined); // handled here; awaited (and its error reported) at the end
  return { done };
}

function headerOf(
  client: CliClient,
  nd: { fixedHeader?: StructDef; headerKey?: string },
): { def: StructDef; key: string } | undefined {
  const def = nd.fixedHeader ?? client.def.fixedHeader;
  return def ? { def, key: nd.headerKey ?? 'header' } : undefined;
}
