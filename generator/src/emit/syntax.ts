/**
 * Documents of the syntax generated modules use, shaped as prettier's
 * printer shapes them (its estree printer: objects, arrays, calls, property
 * and variable assignments, type references, unions, intersections), so
 * that {@link print} lays them out as prettier would. Leaves are `Code`
 * text (already escaped by the printer module) or plain punctuation.
 * @module
 */
import {
  align,
  conditionalGroup,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  print,
  softline,
  width,
  type Doc,
} from './layout.js';

/** An expression or type, with what the layout rules need to know of it. */
export interface Node {
  readonly doc: Doc;
  /**
   * What it is, for prettier's choices: `str` string literal, `num` number or
   * boolean, `member` `a.b`, `id` identifier, `obj` object literal (or type),
   * `arr` array literal, `arrow` arrow function, `simple` a type that needs
   * no breaking, `other` anything else.
   */
  readonly kind: 'str' | 'num' | 'member' | 'id' | 'obj' | 'arr' | 'arrow' | 'simple' | 'other';
  /** A group of it is always broken (prettier's willBreak). */
  readonly breaks?: boolean;
  /** Object/array: number of properties or elements. */
  readonly size?: number;
}

const node = (doc: Doc, kind: Node['kind'], extra: Partial<Node> = {}): Node => ({
  doc,
  kind,
  ...extra,
});

/** A leaf: code of the given kind. */
export function leaf(code: { readonly text: string } | string, kind: Node['kind']): Node {
  return node(typeof code === 'string' ? code : code.text, kind);
}

/** An object literal (`expanded`: written broken, as prettier keeps an object whose first key was on a new line). */
export function obj(props: readonly Doc[], expanded = false): Node {
  if (props.length === 0) return node('{}', 'obj', { size: 0 });
  return node(
    group(['{', indent([line, join([',', line], props)]), ifBreak(','), line, '}'], {
      brk: expanded,
    }),
    'obj',
    { size: props.length, breaks: expanded },
  );
}

/** `key: value` in an object literal, with prettier's assignment layout for it. */
export function prop(key: string, value: Node): Doc {
  // a key shorter than tabWidth + 3 is never worth breaking after
  if (width(key) < 5 || value.kind === 'num') return group([key, ': ', value.doc]);
  if (value.kind === 'str' || value.kind === 'member')
    return group([key, ':', group(indent([line, value.doc]))]);
  const id = Symbol('assignment');
  return group([key, ':', group(indent(line), { id }), indentIfBreak(value.doc, id)]);
}

/** An array literal; prettier always breaks one of two or more objects (or arrays) of two or more entries. */
export function arr(items: readonly Node[]): Node {
  if (items.length === 0) return node('[]', 'arr', { size: 0 });
  const brk =
    items.length > 1 &&
    items.every((i) => (i.kind === 'obj' || i.kind === 'arr') && (i.size ?? 0) > 1);
  return node(
    group(
      [
        '[',
        indent([
          softline,
          join(
            [',', line],
            items.map((i) => i.doc),
          ),
          ifBreak(','),
        ]),
        softline,
        ']',
      ],
      {
        brk,
      },
    ),
    'arr',
    { size: items.length, breaks: brk || items.some((i) => i.breaks) },
  );
}

/** `() => body`. */
export function arrow(body: Node): Node {
  return node([group(['(', ')']), ' =>', group([' ', body.doc])], 'arrow', {
    breaks: body.breaks ?? false,
  });
}

/** Whether prettier hugs `last` as the last argument of a call. */
function huggable(last: Node, before: Node | undefined): boolean {
  if (before && before.kind === last.kind) return false;
  if (last.kind === 'obj') return (last.size ?? 0) > 0;
  return last.kind === 'arrow';
}

/** `(args)` of a call or `new`, with prettier's hugging of a last object or function argument. */
export function args(list: readonly Node[]): Doc {
  if (list.length === 0) return '()';
  const docs = list.map((a) => a.doc);
  const allBroken = (): Doc =>
    group(['(', indent([line, join([',', line], docs)]), ifBreak(','), line, ')'], { brk: true });
  const last = list[list.length - 1]!;
  if (huggable(last, list[list.length - 2])) {
    if (list.slice(0, -1).some((a) => a.breaks)) return allBroken();
    const head = docs.slice(0, -1).flatMap((d) => [d, ',', line]);
    return [
      list.some((a) => a.breaks) ? hardlineParent : '',
      conditionalGroup([
        ['(', ...head, last.doc, ')'],
        ['(', ...head, group(last.doc, { brk: true }), ')'],
        allBroken(),
      ]),
    ];
  }
  return group(['(', indent([softline, join([',', line], docs)]), ifBreak(','), softline, ')']);
}
/** prettier's breakParent: breaks the enclosing groups. */
const hardlineParent: Doc = (hardline as readonly Doc[])[1]!;

/** `new name(args)`. */
export function newCall(name: string, list: readonly Node[]): Node {
  return node(['new ', name, args(list)], 'other', { breaks: list.some((a) => a.breaks) });
}

/** `export const name[: type] = value;` with prettier's layout of the assignment. */
export function constDecl(name: string, type: string | undefined, value: Node): Doc {
  const lhs = group(type === undefined ? name : [name, ': ', type]);
  let rhs: Doc;
  if (value.kind === 'num') rhs = [' ', value.doc];
  else if (value.kind === 'str' || value.kind === 'member') rhs = group(indent([line, value.doc]));
  else {
    const id = Symbol('assignment');
    rhs = [group(indent(line), { id }), indentIfBreak(value.doc, id)];
  }
  return ['export ', group(['const ', group([lhs, ' =', rhs]), ';'])];
}

/** `export type name = type;` with prettier's layout (a union goes below the `=` when broken). */
export function typeDecl(name: string, type: Node & { readonly union?: boolean }): Doc {
  const lhs = group(['type ', name]);
  if (type.union) return ['export ', group([lhs, ' =', group(indent([line, type.doc]))]), ';'];
  const id = Symbol('assignment');
  return [
    'export ',
    group([lhs, ' =', group(indent(line), { id }), indentIfBreak(type.doc, id)]),
    ';',
  ];
}

/** `name<args>`: one simple or object argument is never broken out. */
export function typeRef(name: string, list: readonly Node[]): Node {
  if (list.length === 0) return node(name, 'simple');
  if (list.length === 1 && (list[0]!.kind === 'simple' || list[0]!.kind === 'obj'))
    return node([name, '<', list[0]!.doc, '>'], 'other');
  return node(
    [
      name,
      group([
        '<',
        indent([
          softline,
          join(
            [',', line],
            list.map((a) => a.doc),
          ),
        ]),
        softline,
        '>',
      ]),
    ],
    'other',
  );
}

/** `a | b | ...` (one member: itself); `paren`: members that are intersections get parentheses. */
export function union(members: readonly Node[]): Node & { readonly union: boolean } {
  if (members.length === 1) return { ...members[0]!, union: false };
  return {
    doc: group([
      ifBreak('| '),
      join(
        [line, '| '],
        members.map((m) => align(2, m.doc)),
      ),
    ]),
    kind: 'other',
    union: true,
  };
}

/** `a & b & ...` as prettier prints intersections of object and other types. */
export function intersection(types: readonly Node[]): Node {
  if (types.length === 1) return types[0]!;
  const out: Doc[] = [];
  let wasIndented = false;
  types.forEach((t, i) => {
    const isObj = t.kind === 'obj';
    const prevObj = i > 0 && types[i - 1]!.kind === 'obj';
    if (i === 0) out.push(t.doc);
    else if (!prevObj && !isObj) out.push(indent([' &', line, t.doc]));
    else if (prevObj && isObj) out.push(' & ', wasIndented ? indent(t.doc) : t.doc);
    else {
      if (i > 1) wasIndented = true;
      out.push(' & ', i > 1 ? indent(t.doc) : t.doc);
    }
  });
  return node(group(out), 'other');
}

/** `(a & b)`: an intersection as a union member. */
export function paren(t: Node): Node {
  return node(['(', t.doc, ')'], 'other');
}

/** An object type `{ m1; m2 }` of `readonly key: type` members. */
export function objType(members: readonly Doc[]): Node {
  return node(
    group(['{', indent([line, join([';', line], members), ifBreak(';')]), line, '}']),
    'obj',
    { size: members.length },
  );
}

/** `readonly key: type` (`?` optional) in an object type. */
export function member(key: string, type: Node, optional = false): Doc {
  return group(['readonly ', key, optional ? '?: ' : ': ', type.doc]);
}

/** `name(params): ret` of a method, params broken out when it does not fit. */
export function signature(name: string, params: readonly Doc[], ret: Node): Doc {
  return [
    name,
    group([
      '(',
      indent([softline, join([',', line], params)]),
      ifBreak(','),
      softline,
      '): ',
      ret.doc,
    ]),
  ];
}

/** `this.method(args)` or `super.method(args)`. */
export function methodCall(target: string, list: readonly Node[]): Node {
  return node(group([target, args(list)]), 'other');
}

/** `import { names } from 'module';`. */
export function importDecl(names: readonly string[], from: string): Doc {
  return group([
    'import {',
    indent([line, join([',', line], names)]),
    ifBreak(','),
    line,
    '} from ',
    from,
    ';',
  ]);
}

/** `doc` laid out as a line (or lines) indented by `column` spaces, with its line break. */
export function at(column: number, doc: Doc): string {
  return ' '.repeat(column) + print(doc, 100, column) + '\n';
}
