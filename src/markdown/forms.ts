// Recognizers for the forms steps take in DR documents: numbered step lists, task-list checklists,
// T+ timelines (lists or tables), and shell blocks with numbered comments.
import type { Code, List, ListItem, Nodes, Paragraph, RootContent } from 'mdast';
import { readMark, takeParenthesizedTime } from './durations.js';
import { isShellCode, readShellBlock, type ShellBlock } from './shell.js';
import { lineOf, oneLine, textOf } from './text.js';

const blocks = new WeakMap<Code, ShellBlock>();

/** A fenced block read as shell, once; lines are the document's. */
export function shellBlockOf(code: Code): ShellBlock {
  let block = blocks.get(code);
  if (!block) blocks.set(code, (block = readShellBlock(code.value, lineOf(code) + 1, code.lang)));
  return block;
}

/** The first paragraph of a list item: where its title and time are written. */
export function leadParagraph(item: ListItem): Paragraph | undefined {
  const first = item.children[0];
  return first?.type === 'paragraph' ? first : undefined;
}

/** The item's first line of text. */
export function leadText(item: ListItem): string {
  const lead = leadParagraph(item);
  return lead ? oneLine(textOf(lead)) : '';
}

function startsBold(item: ListItem): boolean {
  return leadParagraph(item)?.children[0]?.type === 'strong';
}

/**
 * A URL alone, which GFM makes a link (an autolink literal) and the parser leaves as text: trailing
 * punctuation and an unbalanced `)` would be left out of the link.
 */
function bareUrl(text: string): boolean {
  if (!/^(?:https?:\/\/|www\.)\S+$/i.test(text) && !/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(text)) return false;
  if (/[?!.,:*_~]$/.test(text)) return false;
  return !text.endsWith(')') || text.split('(').length >= text.split(')').length;
}

function onlyLink(item: ListItem): boolean {
  const kids = leadParagraph(item)?.children ?? [];
  const only = kids.length === 1 ? kids[0]! : undefined;
  return only?.type === 'link' || only?.type === 'linkReference' || (only?.type === 'text' && bareUrl(only.value.trim()));
}

/** A task list: `- [ ] ...` items. */
export function isChecklist(node: Nodes): boolean {
  return node.type === 'list' && checklist(node);
}

function checklist(list: List): boolean {
  return list.children.length > 0 && list.children.every((item) => typeof item.checked === 'boolean');
}

/** A list whose items start with a `T+` mark. */
export function isTimelineList(node: Nodes): boolean {
  return node.type === 'list' && node.children.length > 0 && node.children.every((item) => readMark(leadText(item)) !== undefined);
}

/** A table whose first column holds `T+` marks (a header row may name the columns). */
export function isTimelineTable(node: Nodes): boolean {
  if (node.type !== 'table') return false;
  const firsts = node.children.map((row) => oneLine(textOf(row.children[0] ?? row)));
  const body = readMark(firsts[0] ?? '') ? firsts : firsts.slice(1);
  return body.length > 0 && body.every((cell) => readMark(cell) !== undefined);
}

/**
 * A numbered list of steps: ordered, and its items have a bold title or a time. In a scenario any
 * ordered list counts, unless it is a list of links (a table of contents).
 */
export function isStepList(node: Nodes, scenario: boolean): boolean {
  if (node.type !== 'list' || !node.ordered || node.children.length === 0 || checklist(node)) return false;
  if (node.children.every(onlyLink)) return false;
  return scenario || node.children.some((item) => startsBold(item) || takeParenthesizedTime(leadText(item)).time !== undefined);
}

/** A shell block whose comments number its steps ("# 1. ...", "# Step 2: ..."). */
export function isNumberedBlock(node: Nodes): boolean {
  return node.type === 'code' && isShellCode(node) && !shellBlockOf(node).shebang && shellBlockOf(node).numbered;
}

/** A shell block with at least one command (a script file with `#!` is not one). */
export function isCommandBlock(node: Nodes): boolean {
  return node.type === 'code' && isShellCode(node) && !shellBlockOf(node).shebang && shellBlockOf(node).groups.some((g) => g.commands.length > 0);
}

/** Why these blocks make a procedure, or undefined when they hold no steps. */
export function procedureForm(nodes: readonly RootContent[], all: boolean): string | undefined {
  for (const node of nodes) {
    if (isTimelineList(node) || isTimelineTable(node)) return 'a T+ timeline';
    if (isStepList(node, false)) return 'numbered steps';
    if (isChecklist(node)) return 'a checklist';
    if (isNumberedBlock(node)) return 'numbered comments in a shell block';
  }
  if (all && nodes.some(isCommandBlock)) return 'shell commands (--all)';
  return undefined;
}
