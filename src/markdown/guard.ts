// Defuses input that would make the Markdown parser slow (its cost grows faster than the input on
// deep nesting, very long runs of emphasis or link delimiters and very wide tables). Text in fenced
// code is left alone, and every change is reported. No DR document comes near these limits.
import type { Note } from './types.js';

/** Containers (quotes, list items) deeper than this on one line are flattened. */
export const MAX_NESTING = 16;
/** Leading whitespace beyond this many columns is cut outside fenced code. */
export const MAX_INDENT = 64;
/** A paragraph with more delimiter characters than this has them replaced (by U+FFFD). */
export const MAX_DELIMITERS = 200;
/** A line with more table pipes than this has them replaced. */
export const MAX_PIPES = 100;

const FENCE = /^\s*(`{3,}|~{3,})/;
const CONTAINER = /^(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))/;
const DELIMITERS = /[*_~[\]]/g;

/** How many of `line`'s characters are emphasis or link delimiters (`*_~[]`), counted without allocating. */
function delimiters(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 42 || c === 95 || c === 126 || c === 91 || c === 93) n++;
  }
  return n;
}

function pipes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('|'); i >= 0; i = line.indexOf('|', i + 1)) n++;
  return n;
}

/** A line that starts with no whitespace and no container marker is left as it is (most lines). */
const PLAIN_START = /^[^ \t>*+\-0-9]/;
const BLANK = /^\s*$/;

function flatten(line: string): string {
  if (PLAIN_START.test(line)) return line;
  let rest = line;
  let depth = 0;
  let kept = 0;
  for (let m = CONTAINER.exec(rest); m && m[0].length > 0; m = CONTAINER.exec(rest)) {
    depth++;
    rest = rest.slice(m[0].length);
    if (depth === MAX_NESTING) kept = line.length - rest.length;
  }
  if (depth > MAX_NESTING) return `${line.slice(0, kept)} ${rest.trimStart()}`;
  const indent = /^[ \t]*/.exec(line)![0];
  return indent.replace(/\t/g, '    ').length > MAX_INDENT ? ' '.repeat(MAX_INDENT) + line.trimStart() : line;
}

/** Returns text the parser reads in time; notes say which lines were changed. */
export function defuse(input: string): { text: string; notes: Note[] } {
  const lines = input.split('\n');
  const notes: Note[] = [];
  let fence: string | undefined;
  // The lines of the paragraph being read, and their delimiters.
  const block: number[] = [];
  let count = 0;
  let changed = false;
  const closeBlock = () => {
    if (count > MAX_DELIMITERS) {
      for (const i of block) lines[i] = lines[i]!.replace(DELIMITERS, '\uFFFD');
      changed = true;
      notes.push({ level: 'warning', line: block[0]! + 1, message: `a paragraph with ${count} emphasis or link delimiters: they were replaced by U+FFFD` });
    }
    block.length = 0;
    count = 0;
  };
  lines.forEach((line, i) => {
    const open = FENCE.exec(line);
    if (fence) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length && line.trim() === open[1]) fence = undefined;
      return;
    }
    if (open) {
      closeBlock();
      fence = open[1];
      return;
    }
    if (BLANK.test(line)) return closeBlock();
    const flat = flatten(line);
    if (flat !== line) notes.push({ level: 'warning', line: i + 1, message: `nesting deeper than ${MAX_NESTING} levels or ${MAX_INDENT} columns: flattened` });
    const cells = pipes(flat);
    lines[i] = cells > MAX_PIPES ? flat.replace(/\|/g, '\uFFFD') : flat;
    if (lines[i] !== line) changed = true;
    if (cells > MAX_PIPES) notes.push({ level: 'warning', line: i + 1, message: `a table row with ${cells} columns: its pipes were replaced by U+FFFD` });
    // Table rows are parsed cell by cell: only the lines of a paragraph add up.
    if (cells === 0) {
      block.push(i);
      count += delimiters(lines[i]!);
    } else if (delimiters(lines[i]!) > MAX_DELIMITERS) {
      lines[i] = lines[i]!.replace(DELIMITERS, '\uFFFD');
      changed = true;
      notes.push({ level: 'warning', line: i + 1, message: `a table row with too many emphasis or link delimiters: they were replaced by U+FFFD` });
    }
  });
  closeBlock();
  return { text: changed ? lines.join('\n') : input, notes: notes.length > 20 ? [...notes.slice(0, 20), { level: 'warning', line: notes[20]!.line, message: `${notes.length - 20} more line(s) defused` }] : notes };
}
