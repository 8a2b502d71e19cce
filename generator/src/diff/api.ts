/**
 * The public API of a generated module, read with ts-morph (loaded only by
 * `codegen diff` and a stale `codegen --check`, never by plain generation):
 * exported types with their properties (optional or required, declared
 * type), enum-like const objects with their values, client methods with
 * their signatures, and the wire layout of each attribute set.
 * @module
 */
import type { Node, Project, Symbol as MorphSymbol } from 'ts-morph';

/** One item of a module's public API, keyed for comparison. */
export interface ApiItem {
  /** `type X`, `prop X.y`, `value X.y`, `method C.m`, `attr xSet.y`, `export x`. */
  readonly key: string;
  /** What a user sees of it (type text, value, signature, layout); compared as text. */
  readonly shape: string;
  /** For props: required (not `?`). */
  readonly required?: boolean;
  /** For props: the role of the type that holds it. */
  readonly role?: 'input' | 'output' | 'both';
}

/** The API of every module of a package: module name → items by key. */
export type PackageApi = Map<string, Map<string, ApiItem>>;

type Morph = typeof import('ts-morph');

let morph: Morph | undefined;
async function loadMorph(): Promise<Morph> {
  morph ??= await import('ts-morph');
  return morph;
}

/** Reads the APIs of the modules `files` (module name → text). */
export async function readApi(files: ReadonlyMap<string, string>): Promise<PackageApi> {
  const m = await loadMorph();
  const project: Project = new m.Project({
    useInMemoryFileSystem: true,
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, lib: ['lib.es2022.d.ts'] },
  });
  const out: PackageApi = new Map();
  for (const [name, text] of files) {
    const sf = project.createSourceFile(`/pkg/${name}.ts`, text, { overwrite: true });
    const items = new Map<string, ApiItem>();
    const add = (i: ApiItem): void => void items.set(i.key, i);
    for (const [exp, decls] of sf.getExportedDeclarations()) {
      for (const d of decls) readDecl(m, exp, d, add);
    }
    out.set(name, items);
  }
  return out;
}

function roleOf(name: string): 'input' | 'output' | 'both' {
  if (/Request$/.test(name)) return 'input';
  if (/(Reply|Notification|Event)$/.test(name)) return 'output';
  return 'both';
}

function propShape(m: Morph, s: MorphSymbol, at: Node): string {
  const d = s.getDeclarations()[0];
  if (d && (m.Node.isPropertySignature(d) || m.Node.isPropertyDeclaration(d)))
    return d.getTypeNode()?.getText().replace(/\s+/g, ' ') ?? s.getTypeAtLocation(at).getText();
  return s.getTypeAtLocation(at).getText(at);
}

function readDecl(m: Morph, exp: string, d: Node, add: (i: ApiItem) => void): void {
  const { Node: N } = m;
  if (N.isInterfaceDeclaration(d) || N.isTypeAliasDeclaration(d)) {
    const type = d.getType();
    const role = roleOf(exp);
    const props = type.isObject() || type.isIntersection() ? type.getProperties() : [];
    const union = N.isTypeAliasDeclaration(d) && type.isUnion();
    add({
      key: `type ${exp}`,
      shape:
        union || props.length === 0
          ? N.isTypeAliasDeclaration(d)
            ? (d.getTypeNode()?.getText().replace(/\s+/g, ' ') ?? '')
            : 'interface'
          : 'object',
    });
    if (union) return;
    for (const p of props)
      add({
        key: `prop ${exp}.${p.getName()}`,
        shape: propShape(m, p, d),
        required: !p.isOptional(),
        role,
      });
  } else if (N.isVariableDeclaration(d)) {
    const init = d.getInitializer();
    const obj = init && N.isAsExpression(init) ? init.getExpression() : init;
    if (
      obj &&
      N.isObjectLiteralExpression(obj) &&
      init &&
      N.isAsExpression(init) &&
      init.getTypeNode()?.getText() === 'const'
    ) {
      // enum-like: `export const X = { a: 1 } as const`
      add({ key: `enum ${exp}`, shape: 'const' });
      for (const p of obj.getProperties())
        if (N.isPropertyAssignment(p))
          add({ key: `value ${exp}.${p.getName()}`, shape: p.getInitializer()?.getText() ?? '' });
      if (exp === 'ops') for (const p of obj.getProperties()) readOp(m, p, add);
      return;
    }
    add({ key: `export ${exp}`, shape: d.getTypeNode()?.getText() ?? 'value' });
    if (init && N.isNewExpression(init) && init.getExpression().getText() === 'AttrSet')
      readLayout(m, exp, init, add);
  } else if (N.isClassDeclaration(d)) {
    add({ key: `class ${exp}`, shape: d.getExtends()?.getText() ?? '' });
    for (const meth of d.getMethods()) {
      const sigs = meth.getOverloads().length ? meth.getOverloads() : [meth];
      add({
        key: `method ${exp}.${meth.getName()}`,
        shape: sigs
          .map(
            (s) =>
              `(${s
                .getParameters()
                .map((x) => x.getText())
                .join(', ')}): ${s.getReturnTypeNode()?.getText() ?? ''}`,
          )
          .join(' | ')
          .replace(/\s+/g, ' '),
      });
    }
  } else {
    add({ key: `export ${exp}`, shape: d.getKindName() });
  }
}

/** `ops.get`: its command number and required attributes. */
function readOp(m: Morph, p: Node, add: (i: ApiItem) => void): void {
  if (!m.Node.isPropertyAssignment(p)) return;
  let e = p.getInitializer();
  while (e && m.Node.isAsExpression(e)) e = e.getExpression();
  if (!e || !m.Node.isObjectLiteralExpression(e)) return;
  const field = (n: string): string | undefined => {
    const f = e.getProperty(n);
    return f && m.Node.isPropertyAssignment(f) ? f.getInitializer()?.getText() : undefined;
  };
  add({ key: `op ${p.getName()}`, shape: `cmd ${field('cmd') ?? '?'}` });
}

/** The wire layout of `new AttrSet('name', () => [ { name, type, kind, ... } ])`. */
function readLayout(m: Morph, exp: string, init: Node, add: (i: ApiItem) => void): void {
  const fn = m.Node.isNewExpression(init) ? init.getArguments()[1] : undefined;
  const body = fn && m.Node.isArrowFunction(fn) ? fn.getBody() : undefined;
  if (!body || !m.Node.isArrayLiteralExpression(body)) return;
  for (const el of body.getElements()) {
    if (!m.Node.isObjectLiteralExpression(el)) continue;
    const f = (n: string): string => {
      const x = el.getProperty(n);
      return x && m.Node.isPropertyAssignment(x) ? (x.getInitializer()?.getText() ?? '') : '';
    };
    add({
      key: `attr ${exp}.${f('name').replace(/['"]/g, '')}`,
      shape: `type ${f('type')} ${f('kind')}`,
    });
  }
}
