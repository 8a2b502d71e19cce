// Code blocks of the project's documents, typechecked and run as programs, so
// that the examples a user copies cannot rot. A block is typechecked strictly
// against the packages as built (the same @ynl-ts/* imports a user writes),
// then transpiled and run with node in a child process.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The document, relative to the repository root. */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string after the fence (`ts`, `sh` …). */
  readonly lang: string;
  readonly code: string;
}

/** The fenced blocks of `doc` (relative to the repository root) in `lang`. */
export function codeBlocks(doc: string, lang: string): CodeBlock[] {
  const lines = readFileSync(join(repoRoot, doc), 'utf8').split('\n');
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${doc}:${start + 1}: code block is not closed`);
    if (open[1] === lang) out.push({ doc, line: start + 1, lang, code: body.join('\n') + '\n' });
  }
  return out;
}

// Inside the repository, so that `@ynl-ts/*` resolve through its node_modules.
const workDir = join(repoRoot, 'test', 'dist', '.doc-blocks');

function fileName(b: CodeBlock): string {
  return `${b.doc.replace(/[^A-Za-z0-9]+/g, '_')}_${b.line}`;
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
};

/**
 * Typecheck blocks as ES modules of a strict project; returns the diagnostics,
 * each as `doc:line: message` with the line in the document.
 */
export function typecheck(blocks: readonly CodeBlock[]): string[] {
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, 'package.json'), '{ "type": "module" }\n');
  const files = blocks.map((b) => {
    const f = join(workDir, `${fileName(b)}.ts`);
    writeFileSync(f, b.code);
    return f;
  });
  try {
    const program = ts.createProgram(files, compilerOptions);
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const i = d.file ? files.indexOf(d.file.fileName) : -1;
      if (d.file === undefined || d.start === undefined || i < 0) return text;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${blocks[i]!.doc}:${blocks[i]!.line + 1 + line}: ${text}`;
    });
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running block: its output so far, and its end. */
export interface RunningBlock {
  /** Resolves when stdout has printed `text`. */
  waitFor(text: string): Promise<void>;
  readonly done: Promise<RunResult>;
}

/** Transpile a block to an ES module and run it with node (killed after `timeout` ms). */
export function runBlock(
  b: CodeBlock,
  opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): RunningBlock {
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, 'package.json'), '{ "type": "module" }\n');
  const js = ts.transpileModule(b.code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const file = join(workDir, `${fileName(b)}.mjs`);
  writeFileSync(file, js);
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve(): void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 30_000);
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      rmSync(file, { force: true });
      resolve({ status, stdout, stderr });
    });
  });
  return {
    done,
    waitFor: (text) =>
      stdout.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void done.then((r) =>
              reject(
                new Error(
                  `${b.doc}:${b.line}: ended (status ${r.status}) before printing ${JSON.stringify(text)}\n${r.stdout}${r.stderr}`,
                ),
              ),
            );
          }),
  };
}
