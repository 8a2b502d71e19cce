/**
 * YAML to plain data, remembering where every map, list and key came from,
 * so later stages can point at `file:line:col` for any object they hold.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatPath, SpecError } from '../errors.js';
import type { SourcePos } from '../model/types.js';
import { parseBlockYaml, type YNode } from './block-yaml.js';

/** Plain data as parsed from YAML. */
export type Data = null | boolean | number | string | Data[] | { [key: string]: Data };
export type DataMap = { [key: string]: Data };

/** Positions of parsed objects and of their keys. */
export class Positions {
  private readonly objects = new WeakMap<object, SourcePos>();
  private readonly keys = new WeakMap<object, Map<string | number, SourcePos>>();

  constructor(readonly file: string) {}

  /** Records the position of an object (and optionally of one of its keys). */
  set(obj: object, pos: SourcePos, key?: string | number): void {
    if (key === undefined) {
      this.objects.set(obj, pos);
      return;
    }
    let m = this.keys.get(obj);
    if (!m) this.keys.set(obj, (m = new Map()));
    m.set(key, pos);
  }

  /** Position of `obj[key]` (the key's line), else of `obj`, else line 1. */
  of(obj: unknown, key?: string | number): SourcePos {
    if (typeof obj === 'object' && obj !== null) {
      for (const p of [this as Positions, ...this.others]) {
        const found = p.find(obj, key);
        if (found) return found;
      }
    }
    return { file: this.file, line: 1, col: 1 };
  }

  private readonly others: Positions[] = [];
  /** Also consult `other` (e.g. an override file that inserted objects). */
  also(other: Positions): void {
    this.others.push(other);
  }

  /** Position of `obj[key]` or `obj` if this file knows it. */
  find(obj: object, key?: string | number): SourcePos | undefined {
    return (key !== undefined ? this.keys.get(obj)?.get(key) : undefined) ?? this.objects.get(obj);
  }
}

let yamlLib: typeof import('yaml') | undefined;

/**
 * How many nodes aliases may expand to in one file, in total. The kernel's
 * specs use a few hundred (ethtool the most, 549); six nested levels of nine
 * aliases would be 600,000 and take a minute and gigabytes.
 */
export const maxAliasNodes = 10_000;

/** Thrown inside the converter when aliases expand past {@link maxAliasNodes}. */
class AliasLimit extends Error {
  constructor(
    readonly alias: YNode,
    readonly path: string,
  ) {
    super('alias limit');
  }
}

/** A parsed YAML file. */
export interface Parsed {
  readonly data: Data;
  readonly positions: Positions;
  /** Syntax errors (and duplicate keys unless allowed). */
  readonly errors: readonly SpecError[];
}

/**
 * Parses a YAML file into plain data with positions.
 * @param uniqueKeys false: a repeated key is not an error and the last one wins
 *   (PyYAML's behaviour, which the kernel's tools rely on).
 * @param library true: always parse with the `yaml` library, not the fast
 *   path for plain block YAML (`load/block-yaml.ts`; tests compare the two).
 */
export function parseYamlFile(
  file: string,
  opts: { uniqueKeys?: boolean; text?: string; library?: boolean } = {},
): Parsed {
  let text = opts.text;
  if (text === undefined) {
    const bytes = readFileSync(file);
    const bad = invalidUtf8(bytes);
    if (bad !== undefined) {
      const before = bytes.subarray(0, bad).toString('utf8').split('\n');
      const pos = { file, line: before.length, col: before[before.length - 1]!.length + 1 };
      const msg = `invalid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')}): a spec must be UTF-8 text`;
      return { data: null, positions: new Positions(file), errors: [new SpecError(pos, '', msg)] };
    }
    text = bytes.toString('utf8');
  }
  const positions = new Positions(file);
  let root: YNode | null;
  let errors: SpecError[];
  let at: (offset: number) => SourcePos;
  const fast = opts.library ? undefined : parseBlockYaml(text);
  if (fast !== undefined) {
    // plain block YAML (every spec of the kernel's): no library needed
    root = fast;
    errors = [];
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    at = (offset) => {
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! <= offset) lo = mid + 1;
        else hi = mid;
      }
      return { file, line: lo, col: offset - starts[lo - 1]! + 1 };
    };
  } else {
    // loaded on first use: a run whose specs are plain block YAML does not load it
    yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const lc = new yamlLib.LineCounter();
    const doc = yamlLib.parseDocument(text, {
      lineCounter: lc,
      uniqueKeys: opts.uniqueKeys ?? true,
      prettyErrors: false,
    });
    at = (offset) => {
      const p = lc.linePos(offset);
      return { file, line: p.line, col: p.col };
    };
    errors = [...doc.errors].map(
      (e) => new SpecError(at(e.pos[0]), '', e.message.split('\n')[0] ?? e.message),
    );
    root = fromLibrary(yamlLib, doc.contents);
  }

  // What aliases expand to is counted: a few nested aliases can otherwise
  // stand for billions of nodes.
  let expanded = 0;
  let outermost: YNode | undefined;
  let outermostPath = '';
  const seen = new Set<YNode>();
  const path: (string | number)[] = [];
  const convert = (node: YNode | null): Data => {
    if (outermost && ++expanded > maxAliasNodes) throw new AliasLimit(outermost, outermostPath);
    if (node === null) return null;
    switch (node.kind) {
      case 'alias': {
        const target = node.target;
        if (!target || seen.has(target)) return null;
        seen.add(target);
        const outer = outermost;
        if (!outermost) {
          outermost = node;
          outermostPath = formatPath(path);
        }
        try {
          return convert(target);
        } finally {
          seen.delete(target);
          outermost = outer;
        }
      }
      case 'map': {
        const obj: DataMap = {};
        if (node.start !== undefined) positions.set(obj, at(node.start));
        for (const { key, keyStart, value: v } of node.items) {
          // an own property even for `__proto__`: no key sets a prototype
          path.push(key);
          const value = convert(v);
          path.pop();
          Object.defineProperty(obj, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          if (keyStart !== undefined) positions.set(obj, at(keyStart), key);
        }
        return obj;
      }
      case 'seq': {
        const arr: Data[] = [];
        if (node.start !== undefined) positions.set(arr, at(node.start));
        node.items.forEach((item, i) => {
          path.push(i);
          arr.push(convert(item));
          path.pop();
          if (item?.start !== undefined) positions.set(arr, at(item.start), i);
        });
        return arr;
      }
      case 'scalar': {
        const v = node.value;
        if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
          // a double cannot hold it: reading it would silently round it
          const text = node.source ?? String(v);
          errors.push(
            new SpecError(
              at(node.start ?? 0),
              formatPath(path),
              `integer ${text.length > 30 ? `${text.slice(0, 30)}...` : text} is larger than 2^53 - 1 and cannot be read exactly`,
            ),
          );
        }
        return v;
      }
    }
  };
  let data: Data;
  try {
    data = convert(root);
  } catch (e) {
    if (!(e instanceof AliasLimit)) throw e;
    const alias = e.alias as YNode & { kind: 'alias' };
    errors.push(
      new SpecError(
        at(alias.start ?? 0),
        e.path,
        `alias *${alias.name} expands to more than ${maxAliasNodes} nodes (the limit of a file, against alias bombs)`,
      ),
    );
    data = null;
  }
  return { data, positions, errors };
}

/**
 * The library's document as the node tree the converter reads. Aliases
 * resolve to the last anchor of their name before them in document order.
 */
function fromLibrary(lib: typeof import('yaml'), contents: unknown): YNode | null {
  const anchors = new Map<string, YNode>();
  const start = (n: unknown): number | undefined =>
    (n as { range?: [number, number, number] } | null)?.range?.[0];
  const walk = (n: unknown): YNode | null => {
    if (lib.isAlias(n)) {
      const target = anchors.get(n.source);
      return { kind: 'alias', start: start(n), name: n.source, ...(target ? { target } : {}) };
    }
    if (lib.isMap(n)) {
      const node: YNode = { kind: 'map', start: start(n), items: [] };
      if (n.anchor) anchors.set(n.anchor, node);
      for (const pair of n.items) {
        const scalarKey = lib.isScalar(pair.key);
        if (!scalarKey && pair.key) walk(pair.key); // its anchors count
        node.items.push({
          key: scalarKey ? String((pair.key as { value: unknown }).value) : String(pair.key),
          keyStart: scalarKey ? start(pair.key) : undefined,
          value: walk(pair.value),
        });
      }
      return node;
    }
    if (lib.isSeq(n)) {
      const node: YNode = { kind: 'seq', start: start(n), items: [] };
      if (n.anchor) anchors.set(n.anchor, node);
      for (const item of n.items) node.items.push(walk(item));
      return node;
    }
    if (lib.isScalar(n)) {
      const v = n.value;
      const value =
        v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string'
          ? v
          : String(v);
      const node: YNode = {
        kind: 'scalar',
        start: start(n),
        value,
        ...(n.source !== undefined ? { source: String(n.source) } : {}),
      };
      if (n.anchor) anchors.set(n.anchor, node);
      return node;
    }
    return null;
  };
  return walk(contents);
}

/** Offset of the first byte that is not part of valid UTF-8, or undefined. */
export function invalidUtf8(b: Uint8Array): number | undefined {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    // overlong forms, UTF-16 surrogates and code points past U+10FFFF
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n + 1;
  }
  return undefined;
}

/** Narrowing helpers for parsed data. */
export function isDataMap(v: unknown): v is DataMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
