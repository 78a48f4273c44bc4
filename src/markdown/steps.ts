// A procedure's blocks → draft steps in document order, plus the prose that describes the runbook.
import type { RootContent } from 'mdast';
import { blockSteps } from './blocks.js';
import { isChecklist, isStepList, isTimelineList, isTimelineTable, shellBlockOf } from './forms.js';
import { checklistSteps, itemStep, timelineListSteps, timelineTableSteps } from './items.js';
import type { Procedure } from './procedures.js';
import { isShellCode } from './shell.js';
import { lineOf, oneLine, textOf } from './text.js';
import type { DraftStep, Note } from './types.js';

/** A short line ending with a colon ("**Steps:**", "After any restoration:") labels what follows. */
const isLabel = (text: string) => text.length <= 60 && /:$/.test(text);

/** Maps the blocks of a procedure; `skip` holds blocks already read (objectives). */
export function procedureSteps(procedure: Procedure, skip: ReadonlySet<RootContent>, all: boolean): { steps: DraftStep[]; description: string[]; notes: Note[] } {
  const steps: DraftStep[] = [];
  const description: string[] = [];
  const notes: Note[] = [];
  const where = `"${procedure.section.title || 'the document'}"`;
  for (const node of procedure.nodes) {
    if (skip.has(node)) continue;
    if (node.type === 'list' && isTimelineList(node)) steps.push(...timelineListSteps(node, notes));
    else if (node.type === 'list' && isStepList(node, procedure.scenario)) steps.push(...node.children.map((item) => itemStep(item, notes)));
    else if (node.type === 'list' && isChecklist(node)) {
      steps.push(...checklistSteps(node));
      notes.push({ level: 'mapped', line: lineOf(node), message: `checklist of ${node.children.length} item(s) → one manual confirmation step each` });
    }
    else if (node.type === 'table' && isTimelineTable(node)) steps.push(...timelineTableSteps(node, notes));
    else if (node.type === 'code') {
      const block = isShellCode(node) ? shellBlockOf(node) : undefined;
      if (!block) notes.push({ level: 'unmapped', line: lineOf(node), message: `${node.lang || 'untagged'} block in ${where} is not a shell program: kept out of the steps` });
      else if (block.shebang) notes.push({ level: 'unmapped', line: lineOf(node), message: `script file in ${where} (starts with #!): a file to save, not steps to run` });
      else if (block.numbered || procedure.scenario || all) {
        const found = blockSteps(node, notes);
        steps.push(...found.steps);
        description.push(...found.preamble);
      } else notes.push({ level: 'unmapped', line: lineOf(node), message: `commands in ${where} have no numbered steps: not imported (--all imports them)` });
    } else if (node.type === 'list') {
      description.push(...node.children.map((item) => `- ${oneLine(textOf(item))}`));
    } else if (node.type === 'paragraph' || node.type === 'blockquote') {
      const text = oneLine(textOf(node));
      if (text && !isLabel(text)) description.push(text);
    } else if (node.type === 'table') {
      notes.push({ level: 'unmapped', line: lineOf(node), message: `table in ${where} is neither a T+ timeline nor RTO/RPO: not imported` });
    }
  }
  return { steps, description, notes };
}
