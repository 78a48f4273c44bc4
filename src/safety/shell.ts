// A bash script's effect: parse it with a real shell parser (mvdan/sh), visit every statement at every
// depth (pipelines, lists, subshells, blocks, loops, functions, command and process substitutions),
// classify each simple command and each redirection, and combine.
import { changesState, combine, destructive, unproven, type Verdict } from '../runbook/effect.js';
import { BINARY, isNode, items, nodeType, parseShell, REDIR, walk, type BinaryCmd, type CallExpr, type FuncDecl, type Redirect, type ShNode, type Stmt } from './mvdan-sh.js';
import { maskTemplates, unmask } from './templates.js';
import type { Classifiers, Stdin } from './types.js';
import { quote } from './types.js';
import { wordValue } from './words.js';

const WRITES: ReadonlySet<number> = new Set([REDIR.out, REDIR.append, REDIR.clobber, REDIR.all, REDIR.appendAll, REDIR.inOut]);
const SAFE_TARGET = /^\/dev\/(null|stdout|stderr|tty|fd\/\d+)$/;
const BLOCK_DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|md|dm-|loop|disk\/|mapper\/)/;

export function classifyShell(script: string, classify: Classifiers): Verdict {
  const { text, originals } = maskTemplates(script);
  let file;
  try {
    file = parseShell(text);
  } catch (error) {
    // bash runs a script line by line: the lines before a syntax error run. Classify each line that
    // parses on its own, so a visible destructive command is not hidden by a later typo.
    const lines = script.includes('\n') ? script.split('\n').map((line) => classifyShell(line, classify)) : [];
    return combine([unproven(`${quote(script)} does not parse as bash (${(error as Error).message}): its commands cannot be seen`), ...lines.filter((v) => v.proven)]);
  }
  // Offsets are UTF-8 byte offsets (the parser is Go).
  const bytes = Buffer.from(text);
  const source = (node: ShNode): string => unmask(bytes.subarray(node.Pos().Offset(), node.End().Offset()).toString(), originals);
  const functions = new Set<string>();
  walk(file, (node) => {
    if (nodeType(node) === 'FuncDecl') functions.add((node as FuncDecl).Name.Value);
  });
  const piped = new Map<number, Stdin>();
  const verdicts: Verdict[] = [];
  walk(file, (node) => {
    const type = nodeType(node);
    if (type === 'BinaryCmd') {
      const bin = node as BinaryCmd;
      const fed = bin.Op === BINARY.pipe || bin.Op === BINARY.pipeAll ? feeds(bin.X) : undefined;
      if (fed) piped.set(bin.Y.Pos().Offset(), fed);
    } else if (type === 'Stmt') {
      const stmt = node as Stmt;
      const { stdin, writes } = redirections(stmt, source);
      verdicts.push(...writes);
      if (isNode(stmt.Cmd) && nodeType(stmt.Cmd) === 'CallExpr') {
        const call = stmt.Cmd as CallExpr;
        // Assignments alone (`X=1`, `X=$(cmd)`) change nothing; their substitutions are visited below.
        if (call.Args.$length > 0) {
          const args = items(call.Args).map((w) => wordValue(w));
          const input = stdin ?? piped.get(stmt.Pos().Offset());
          verdicts.push(classify.command({ args, display: source(call), stdin: input, functions }));
        }
      }
    }
  });
  const verdict = combine(verdicts);
  return { ...verdict, reasons: verdict.reasons.map((r) => unmask(r, originals)) };
}

/** What a statement reads on stdin (here-document, here-string, file) and which files it writes. */
function redirections(stmt: Stmt, source: (node: ShNode) => string): { stdin?: Stdin; writes: Verdict[] } {
  let stdin: Stdin | undefined;
  const writes: Verdict[] = [];
  for (const r of items(stmt.Redirs)) {
    const target = isNode(r.Word) ? wordValue(r.Word) : undefined;
    if (r.Op === REDIR.hdoc || r.Op === REDIR.dashHdoc) stdin = { kind: 'text', text: hereDoc(r) };
    else if (r.Op === REDIR.hereString) stdin = { kind: 'text', text: `${target?.text ?? ''}\n` };
    else if (r.Op === REDIR.in && target) stdin = { kind: 'file', path: target.text };
    else if (target && (WRITES.has(r.Op) || (r.Op === REDIR.dupOut && !/^(\d+-?|-)$/.test(target.text)))) {
      if (target.literal && SAFE_TARGET.test(target.text)) continue;
      if (target.literal && BLOCK_DEVICE.test(target.text)) {
        writes.push(destructive(`${quote(source(r))} overwrites the block device ${target.text}`));
        continue;
      }
      const where = target.literal ? `the file ${target.text}` : 'a file named at run time';
      writes.push(changesState(`${quote(source(r))} writes ${where}`));
    }
  }
  return { stdin, writes };
}

/** A here-document's body: quoted delimiters (`<<'EOF'`) keep it verbatim, else `$x` is a value. */
function hereDoc(r: Redirect): string {
  if (!isNode(r.Hdoc)) return '';
  const delimiter = isNode(r.Word) ? items(r.Word.Parts) : [];
  const quoted = delimiter.some((p) => nodeType(p) !== 'Lit' || (p.Value ?? '').includes('\\'));
  return quoted ? items(r.Hdoc.Parts).map((p) => p.Value ?? '').join('') : wordValue(r.Hdoc, true).text;
}

/** Text a statement writes into a pipe when it is plain: `cat <<EOF`, `echo "..."`. */
function feeds(stmt: Stmt): Stdin | undefined {
  if (!isNode(stmt.Cmd) || nodeType(stmt.Cmd) !== 'CallExpr') return undefined;
  const args = items((stmt.Cmd as CallExpr).Args).map((w) => wordValue(w));
  const [head, ...rest] = args;
  if (!head?.literal) return undefined;
  if (head.text === 'cat' && rest.every((a) => a.text === '-')) {
    const { stdin } = redirections(stmt, () => '');
    return stdin?.kind === 'text' ? stdin : undefined;
  }
  if (head.text === 'echo' && rest.every((a) => !a.text.startsWith('-'))) return { kind: 'text', text: `${rest.map((a) => a.text).join(' ')}\n` };
  return undefined;
}
