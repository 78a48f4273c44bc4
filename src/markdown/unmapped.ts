// What the parts of a document that are not procedures are, for the summary's "Not mapped": every
// section, table, list and code block outside the runbooks is listed with its line and the reason
// it was left out. A part the importer cannot say anything about is marked `unclassified`, which
// `dr import --check` fails on.
import type { List, RootContent, Table } from 'mdast';
import { isCommandBlock, shellBlockOf } from './forms.js';
import type { Section } from './sections.js';
import { isShellCode } from './shell.js';
import { lineOf, oneLine, textOf } from './text.js';
import type { Note } from './types.js';

const CONTACTS = /\b(name|phone|e-?mail|slack|contact|who|pager|mobile)\b/i;
const ESCALATION = /\bescalat/i;
const SEVERITY = /\b(severity|sev|priority)\b/i;
const LADDER_STEP = /^(?:[<>≤≥]=?\s*|after\s+|within\s+|up to\s+)?\d+(?:\s*[-–]\s*\d+)?\s*(?:min|minutes?|h|hours?|days?)\b/i;
const ROLE_ITEM = /^[A-Z][\w /&()-]{1,60}:\s/;
const CONDITIONS = /\b(when|criteria|trigger|declar|conditions?)\b/i;

function header(table: Table): string[] {
  return (table.children[0]?.children ?? []).map((cell) => oneLine(textOf(cell)));
}

/** Why a table outside a procedure is left out; `unclassified` when it is no kind the importer knows. */
function tableReason(table: Table, where: Section): { message: string; unclassified?: boolean } {
  const cells = header(table);
  const columns = cells.join(' | ');
  if (ESCALATION.test(where.title) || cells.some((c) => ESCALATION.test(c) || /^level$/i.test(c))) {
    return { message: `escalation table (${columns}): people.yaml holds the escalation chain as roles in order, each waited on for one escalateAfter; its levels and people are not imported` };
  }
  if (cells.some((c) => CONTACTS.test(c))) return { message: `contact table (${columns}): people and their numbers belong in people.yaml (roles), not in a runbook; not imported` };
  if (cells.some((c) => SEVERITY.test(c))) return { message: `severity table (${columns}): definitions for people to read, nothing to run; not imported` };
  if (cells.length === 2) return { message: `table of facts (${columns}): nothing to run; not imported` };
  if (/\bdependenc/i.test(where.title) || cells.some((c) => /\bdepend/i.test(c))) return { message: `dependency table (${columns}): nothing to run; not imported` };
  return { message: `table (${columns}) is neither a T+ timeline, a procedure's steps nor RTO/RPO: not imported`, unclassified: true };
}

function listReason(list: List, where: Section, before: RootContent | undefined): string {
  const leads = list.children.map((item) => oneLine(textOf(item)));
  if (ESCALATION.test(where.title) || leads.filter((t) => LADDER_STEP.test(t)).length >= 2) {
    return `escalation ladder of ${list.children.length} level(s): people.yaml holds the escalation chain as roles in order, each waited on for one escalateAfter; these levels are not imported`;
  }
  if (/\b(roles?|responsibilit|team)/i.test(where.title) && leads.every((t) => ROLE_ITEM.test(t))) return `list of roles (${leads.map((t) => t.split(':')[0]).join(', ')}): people belong in people.yaml; not imported`;
  const intro = before?.type === 'paragraph' ? oneLine(textOf(before)) : '';
  if (CONDITIONS.test(where.title) || /:$/.test(intro)) return `list of ${list.children.length} condition(s) or facts, not steps (no bold titles, times or checkboxes): not imported`;
  return `list of ${list.children.length} item(s) without bold titles, times or checkboxes: read as text, not steps; not imported`;
}

/** Notes for a section that is not a procedure: its heading, then each table, list and code block. */
export function sectionNotes(section: Section, objectives: ReadonlySet<RootContent>): Note[] {
  const notes: Note[] = [];
  const where = `"${section.title || 'the document'}"`;
  const own = section.nodes.filter((n) => n.type !== 'html' && n.type !== 'thematicBreak' && n.type !== 'definition');
  if (section.depth > 0 && own.length > 0) {
    if (own.some((n) => objectives.has(n))) notes.push({ level: 'mapped', line: section.line, message: `section ${where}: RTO/RPO for the runbooks it applies to (see their objectives)` });
    else {
      const parts = own.some((n) => n.type === 'table' || n.type === 'list' || n.type === 'code');
      const why = 'is not a procedure (no numbered steps, checklist, T+ timeline or numbered shell comments)';
      notes.push({ level: 'unmapped', line: section.line, message: `section ${where} ${why}${parts ? '; its parts are listed below' : ': prose for people, not imported'}` });
    }
  }
  section.nodes.forEach((node, i) => {
    const line = lineOf(node);
    if (objectives.has(node)) {
      if (node.type === 'table' || node.type === 'list') notes.push({ level: 'mapped', line, message: `${node.type} of objectives in ${where} → RTO/RPO of the runbooks it names or applies to` });
      return;
    }
    if (node.type === 'table') {
      const reason = tableReason(node, section);
      notes.push({ level: 'unmapped', line, message: reason.message, ...(reason.unclassified ? { unclassified: true } : {}) });
    } else if (node.type === 'list') notes.push({ level: 'unmapped', line, message: `${listReason(node, section, section.nodes[i - 1])} (in ${where})` });
    else if (node.type === 'code') {
      if (isShellCode(node) && shellBlockOf(node).shebang) notes.push({ level: 'unmapped', line, message: `script file in ${where} (starts with #!): a file to save, not steps to run` });
      else if (isCommandBlock(node)) notes.push({ level: 'unmapped', line, message: `commands in ${where} have no numbered steps or times: not imported (--all imports them)` });
      else if (isShellCode(node)) notes.push({ level: 'unmapped', line, message: `${node.lang || 'untagged'} block in ${where} holds only comments: nothing to run, not imported` });
      else notes.push({ level: 'unmapped', line, message: `${node.lang || 'untagged'} block in ${where} is not a shell program (a template, a config or an example): nothing to run, not imported` });
    }
  });
  return notes;
}
