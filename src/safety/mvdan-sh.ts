// A typed facade over mvdan-sh (mvdan/sh compiled to JavaScript by GopherJS; the package ships no
// types). We read the Go structs underneath the package's JavaScript wrappers: a wrapper is built on
// every property access, which made a walk ~10x slower than the parse. The raw shapes are GopherJS's:
// slices are {$array, $offset, $length}, a nil pointer is its type's `nil` object, a nil interface has
// no type. Only the fields we read are typed.
import { createRequire } from 'node:module';

export interface Pos {
  Offset(): number;
}
/** A Go slice. */
export interface GoSlice<T> {
  $array: T[];
  $offset: number;
  $length: number;
}
export interface ShNode {
  Pos(): Pos;
  End(): Pos;
}
export interface Lit extends ShNode {
  Value: string;
}
export interface WordPart extends ShNode {
  Value?: string;
  Dollar?: boolean;
  Parts?: GoSlice<WordPart>;
}
export interface Word extends ShNode {
  Parts: GoSlice<WordPart>;
}
export interface Redirect extends ShNode {
  Op: number;
  N: Lit;
  Word: Word;
  Hdoc: Word;
}
export interface CallExpr extends ShNode {
  Args: GoSlice<Word>;
}
export interface Stmt extends ShNode {
  Cmd: ShNode;
  Redirs: GoSlice<Redirect>;
}
export interface BinaryCmd extends ShNode {
  Op: number;
  X: Stmt;
  Y: Stmt;
}
export interface FuncDecl extends ShNode {
  Name: Lit;
}
export interface File extends ShNode {
  Stmts: GoSlice<Stmt>;
}

/** The elements of a Go slice. */
export const items = <T>(slice: GoSlice<T>): T[] => slice.$array.slice(slice.$offset, slice.$offset + slice.$length);

interface GoType {
  string?: string;
  nil?: unknown;
}
const goType = (value: unknown): GoType | undefined =>
  typeof value === 'object' && value !== null ? ((value as { constructor?: GoType }).constructor ?? undefined) : undefined;

/** True for a syntax node (not a nil pointer, not a nil interface, not a plain value like Pos). */
export function isNode(value: unknown): value is ShNode {
  const type = goType(value);
  return typeof type?.string === 'string' && type.string.startsWith('*syntax.') && type.nil !== value;
}

/** Redirection operators (mvdan.cc/sh/v3/syntax RedirOperator). */
export const REDIR = {
  out: 54, // >
  append: 55, // >>
  in: 56, // <
  inOut: 57, // <>
  dupIn: 58, // <&
  dupOut: 59, // >&
  clobber: 60, // >|
  hdoc: 61, // <<
  dashHdoc: 62, // <<-
  hereString: 63, // <<<
  all: 64, // &>
  appendAll: 65, // &>>
} as const;

/** Binary command operators (BinCmdOperator). */
export const BINARY = { and: 10, or: 11, pipe: 12, pipeAll: 13 } as const;

interface MvdanSh {
  syntax: { NewParser(): { Parse(text: string, name: string): { __internal_object__: File } } };
}

const { syntax } = createRequire(import.meta.url)('mvdan-sh') as MvdanSh;
const parser = syntax.NewParser();

/** A script that bash would refuse (the parser's message, with line and column). */
export class ShellSyntaxError extends Error {
  override readonly name = 'ShellSyntaxError';
}

/** Parses a bash script; throws ShellSyntaxError with the parser's message. */
export function parseShell(text: string): File {
  try {
    return parser.Parse(text, 'script').__internal_object__;
  } catch (error) {
    const goError = error as { Error?: () => string } | null;
    const message = typeof goError?.Error === 'function' ? goError.Error() : String(error);
    throw new ShellSyntaxError(message);
  }
}

/** The Go type name of a node: "CallExpr", "Stmt", "Lit", ... */
export const nodeType = (node: ShNode): string => goType(node)?.string?.slice('*syntax.'.length) ?? '';

/** Visits `node` and every node below it, depth first, parents before children. */
export function walk(node: ShNode, visit: (node: ShNode) => void): void {
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === '$val' || typeof value !== 'object' || value === null) continue;
    if ('$array' in value) {
      for (const item of items(value as GoSlice<unknown>)) if (isNode(item)) walk(item, visit);
    } else if (isNode(value)) walk(value, visit);
  }
}
