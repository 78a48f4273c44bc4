// Which sections are procedures: a scenario heading (with everything under it), or a section whose
// own blocks hold steps (numbered steps, a checklist, a timeline, numbered comments in a shell block).
import type { RootContent } from 'mdast';
import { isCommandBlock, procedureForm, shellBlockOf } from './forms.js';
import { allSections, type Section, subtreeNodes } from './sections.js';
import { lineOf } from './text.js';
import type { Note } from './types.js';

/** A section that becomes one runbook. */
export interface Procedure {
  section: Section;
  scenario: boolean;
  /** Why it is one, for the summary. */
  form: string;
  nodes: RootContent[];
}

const SCENARIO = /\bscenario\b/i;

/** Finds the procedures of a document, in document order, and notes the command blocks left out. */
export function findProcedures(top: Section, all: boolean): { procedures: Procedure[]; notes: Note[] } {
  const procedures: Procedure[] = [];
  const notes: Note[] = [];
  const inScenario = new Set<Section>();
  for (const section of allSections(top)) {
    if (section.parent && inScenario.has(section.parent)) {
      inScenario.add(section);
      continue;
    }
    if (section.depth > 0 && SCENARIO.test(section.title)) {
      inScenario.add(section);
      procedures.push({ section, scenario: true, form: 'a scenario heading', nodes: subtreeNodes(section) });
      continue;
    }
    const form = procedureForm(section.nodes, all);
    if (form) {
      procedures.push({ section, scenario: false, form, nodes: section.nodes });
      continue;
    }
    for (const node of section.nodes) {
      if (node.type === 'code' && shellBlockOf(node).shebang) {
        notes.push({ level: 'unmapped', line: lineOf(node), message: `script file in "${section.title || 'the document'}" (starts with #!): a file to save, not steps to run` });
      } else if (isCommandBlock(node)) {
        notes.push({ level: 'unmapped', line: lineOf(node), message: `commands in "${section.title || 'the document'}" have no numbered steps or times: not imported (--all imports them)` });
      }
    }
  }
  return { procedures, notes };
}
