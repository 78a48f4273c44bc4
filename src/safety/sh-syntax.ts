// A typed facade over mvdan-sh (mvdan/sh compiled to JavaScript by GopherJS): the package ships no
// types, and its objects are Go structs seen through wrappers, so only the fields we read are typed.
// Wrappers are created on each access: compare nodes by offset, never by identity.
import { createRequire } from 'node:module';

export interface Pos {
  Offset(): number;
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
  Parts?: WordPart[];
}
export interface Word extends ShNode {
  Parts: WordPart[];
}
export interface Assign extends ShNode {
  Name: Lit | null;
  Value: Word | null;
}
export interface Redirect extends ShNode {
  Op: number;
  N: Lit | null;
  Word: Word | null;
  Hdoc: Word | null;
}
export interface CallExpr extends ShNode {
  Assigns: Assign[];
  Args: Word[];
}
export interface Stmt extends ShNode {
  Cmd: ShNode | null;
  Redirs: Redirect[];
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
  Stmts: Stmt[];
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
  syntax: {
    NewParser(): { Parse(text: string, name: string): File };
    Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
    NodeType(node: ShNode): string;
  };
}

const { syntax } = createRequire(import.meta.url)('mvdan-sh') as MvdanSh;

/** A script that bash would refuse (the parser's message, with line and column). */
export class ShellSyntaxError extends Error {
  override readonly name = 'ShellSyntaxError';
}

/** Parses a bash script; throws ShellSyntaxError with the parser's message. */
export function parseShell(text: string): File {
  try {
    return syntax.NewParser().Parse(text, 'script');
  } catch (error) {
    const goError = error as { Error?: () => string } | null;
    const message = typeof goError?.Error === 'function' ? goError.Error() : String(error);
    throw new ShellSyntaxError(message);
  }
}

/** Visits `node` and every node below it, depth first (the visitor returns false to skip children). */
export function walk(node: ShNode, visit: (node: ShNode) => boolean): void {
  syntax.Walk(node, (n) => (n === null ? true : visit(n)));
}

/** The Go type name of a node: "CallExpr", "Stmt", "Lit", ... */
export const nodeType = (node: ShNode): string => syntax.NodeType(node);
