// The document as a tree of sections: each heading owns the blocks after it, up to the next
// heading of the same or a higher level.
import type { Root, RootContent } from 'mdast';
import { lineOf, oneLine, textOf } from './text.js';

/** A heading and what it owns. The root section (depth 0) holds what comes before any heading. */
export interface Section {
  title: string;
  depth: number;
  line: number;
  /** Blocks directly under the heading, before its first sub-heading. */
  nodes: RootContent[];
  children: Section[];
  parent?: Section;
}

/** Builds the section tree of a document. */
export function sectionTree(root: Root): Section {
  const top: Section = { title: '', depth: 0, line: 1, nodes: [], children: [] };
  const stack: Section[] = [top];
  for (const node of root.children) {
    if (node.type === 'heading') {
      while (stack.length > 1 && stack[stack.length - 1]!.depth >= node.depth) stack.pop();
      const parent = stack[stack.length - 1]!;
      const section: Section = { title: oneLine(textOf(node)), depth: node.depth, line: lineOf(node), nodes: [], children: [], parent };
      parent.children.push(section);
      stack.push(section);
    } else {
      stack[stack.length - 1]!.nodes.push(node);
    }
  }
  return top;
}

/** Every section, depth first, in document order (the root first). */
export function allSections(top: Section): Section[] {
  const out: Section[] = [];
  const stack = [top];
  while (stack.length > 0) {
    const section = stack.pop()!;
    out.push(section);
    for (let i = section.children.length - 1; i >= 0; i--) stack.push(section.children[i]!);
  }
  return out;
}

/** The blocks of a section and all its sub-sections, in document order. */
export function subtreeNodes(section: Section): RootContent[] {
  return allSections(section).flatMap((s) => s.nodes);
}

/** "Disaster Recovery Plan › Scenarios and Response": the headings above a section. */
export function trail(section: Section): string {
  const titles: string[] = [];
  for (let s = section.parent; s && s.depth > 0; s = s.parent) titles.unshift(s.title);
  return titles.join(' › ');
}
