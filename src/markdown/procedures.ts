// Which sections are procedures: a scenario heading (with everything under it), a section whose
// sub-headings are numbered steps, or a section whose own blocks hold steps (numbered steps, bold
// numbered paragraphs, a checklist, a timeline, numbered comments in a shell block).
import type { RootContent } from 'mdast';
import { procedureForm } from './forms.js';
import { hasStepHeadings, isStepHeading, paragraphsAsLists, procedureNodes } from './segments.js';
import { allSections, type Section } from './sections.js';

/** A section that becomes one runbook. */
export interface Procedure {
  section: Section;
  scenario: boolean;
  /** Why it is one, for the summary. */
  form: string;
  nodes: RootContent[];
}

const SCENARIO = /\bscenario\b/i;

/** Finds the procedures of a document in document order, and the sections that are not one. */
export function findProcedures(top: Section, all: boolean): { procedures: Procedure[]; others: Section[] } {
  const procedures: Procedure[] = [];
  const others: Section[] = [];
  const inside = new Set<Section>();
  for (const section of allSections(top)) {
    if (section.parent && inside.has(section.parent)) {
      inside.add(section);
      continue;
    }
    if (section.depth > 0 && SCENARIO.test(section.title)) {
      inside.add(section);
      procedures.push({ section, scenario: true, form: 'a scenario heading', nodes: procedureNodes(section, true) });
      continue;
    }
    if (section.depth > 0 && hasStepHeadings(section)) {
      for (const child of section.children) if (isStepHeading(child)) inside.add(child);
      procedures.push({ section, scenario: false, form: 'numbered step headings', nodes: procedureNodes(section, false) });
      continue;
    }
    const nodes = paragraphsAsLists(section.nodes);
    const form = procedureForm(nodes, all);
    if (form) procedures.push({ section, scenario: false, form, nodes });
    else others.push(section);
  }
  return { procedures, others };
}
