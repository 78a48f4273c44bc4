// Steps written outside lists: bold numbered paragraphs ("**2. Stop traffic (15-20 minutes)**")
// or bold T+ marks, each owning the blocks up to the next one; and headings numbered as steps
// ("### Step 1: Check Sentinel (5 minutes)"). Both are read as the list items they stand for, so
// one reader maps every form.
import type { List, ListItem, Paragraph, RootContent } from 'mdast';
import { readMark, takeParenthesizedTime } from './durations.js';
import { allSections, type Section } from './sections.js';
import { oneLine, textOf } from './text.js';

const NUMBERED = /^(?:step\s*)?\d+\s*[.):\-–—]\s*\S/i;
const STEP_WORD = /^step\s*\d+\s*[.):\-–—]/i;

/** What a paragraph opening with bold text starts, if it starts a step. */
function stepKind(node: RootContent): 'numbered' | 'mark' | undefined {
  if (node.type !== 'paragraph') return undefined;
  const first = node.children[0];
  if (first?.type !== 'strong') return undefined;
  const bold = oneLine(textOf(first));
  if (readMark(bold)) return 'mark';
  return NUMBERED.test(bold) ? 'numbered' : undefined;
}

/** A copy of a node's position, to extend without moving the node's own. */
function span(node: RootContent): NonNullable<RootContent['position']> {
  const at = node.position ?? { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  return { start: { ...at.start }, end: { ...at.end } };
}

/**
 * A run of step paragraphs as the list they stand for: each paragraph and the blocks after it, up
 * to the next step paragraph, become one item. Other blocks are left as they are.
 */
export function paragraphsAsLists(nodes: readonly RootContent[]): RootContent[] {
  const out: RootContent[] = [];
  let list: List | undefined;
  let kind: string | undefined;
  for (const node of nodes) {
    const starts = stepKind(node);
    if (starts) {
      const item: ListItem = { type: 'listItem', children: [node as Paragraph], position: span(node) };
      if (!list || kind !== starts) {
        list = { type: 'list', ordered: true, start: 1, children: [], position: span(node) };
        kind = starts;
        out.push(list);
      }
      list.children.push(item);
      list.position!.end = item.position!.end;
    } else if (list && node.type !== 'thematicBreak') {
      const item = list.children.at(-1)!;
      item.children.push(node as ListItem['children'][number]);
      // The item and its list run to the last block they took, so the summary knows what is inside.
      item.position!.end = list.position!.end = { ...(node.position?.end ?? item.position!.end) };
    } else {
      list = undefined;
      out.push(node);
    }
  }
  return out;
}

/** A heading numbered as a step: "Step 2: ...", or "2. ..." with a time in parentheses. */
export function isStepHeading(section: Section): boolean {
  if (STEP_WORD.test(section.title)) return true;
  return /^\d+[.)]\s/.test(section.title) && takeParenthesizedTime(section.title).time !== undefined;
}

/** A section that holds steps as sub-headings: at least two of its sub-sections are step headings. */
export function hasStepHeadings(section: Section): boolean {
  return section.children.filter(isStepHeading).length >= 2;
}

/** The blocks of a step heading's section as one list item, its title in bold as a numbered list item's. */
function headingItem(section: Section): ListItem {
  const position = { start: { line: section.line, column: 1 }, end: { line: section.line, column: 1 } };
  const title: Paragraph = { type: 'paragraph', children: [{ type: 'strong', children: [{ type: 'text', value: section.title }] }], position };
  const body = allSections(section).flatMap((s) => (s === section ? s.nodes : [headingParagraph(s), ...s.nodes]));
  const end = body.at(-1)?.position?.end ?? position.end;
  return { type: 'listItem', children: [title, ...(body as ListItem['children'])], position: { start: position.start, end: { ...end } } };
}

/** A sub-heading inside a step, kept as a line of its text. */
function headingParagraph(section: Section): Paragraph {
  const position = { start: { line: section.line, column: 1 }, end: { line: section.line, column: 1 } };
  return { type: 'paragraph', children: [{ type: 'text', value: section.title }], position };
}

/**
 * The blocks a procedure reads: its own, then its sub-sections' (all of them for a scenario, only
 * step headings otherwise), step headings as one numbered list, step paragraphs as lists.
 */
export function procedureNodes(section: Section, subtree: boolean): RootContent[] {
  const nodes: RootContent[] = [...section.nodes];
  let list: List | undefined;
  for (const child of section.children) {
    if (isStepHeading(child) && (subtree || hasStepHeadings(section))) {
      const item = headingItem(child);
      if (!list) nodes.push((list = { type: 'list', ordered: true, start: 1, children: [], position: { start: item.position!.start, end: item.position!.end } }));
      list.children.push(item);
      list.position!.end = item.position!.end;
      continue;
    }
    list = undefined;
    if (subtree) nodes.push(...procedureNodes(child, true));
  }
  return paragraphsAsLists(nodes);
}
