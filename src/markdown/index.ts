// `importMarkdown`: a Markdown DR document → runbook YAML files and a summary of what was mapped and
// what was not. Pure: text in, text out. Imported commands are never run here.
import type { RootContent } from 'mdast';
import { parseRunbook } from '../runbook/load.js';
import { buildRunbook, slug } from './build.js';
import { emitYaml } from './emit.js';
import { decideObjectives, findStatements, type Statement } from './objectives.js';
import { parseMarkdown } from './parse.js';
import { findProcedures, type Procedure } from './procedures.js';
import { sectionTree, trail } from './sections.js';
import { procedureSteps } from './steps.js';
import type { Note } from './types.js';

export { DocumentError, decodeDocument } from './parse.js';
export type { Note } from './types.js';

export interface ImportOptions {
  /** The document's name, for comments and the summary. */
  file?: string;
  /** Also import sections whose only structure is shell commands. */
  all?: boolean;
  /** People who may approve the gate before destructive steps. */
  approvers?: string[];
  /** Roles from people.yaml: runbooks use its `oncall` role and are checked against these. */
  roles?: Record<string, string[]>;
}

/** One runbook written from the document. */
export interface ImportedRunbook {
  id: string;
  title: string;
  /** The line of its heading in the document. */
  line: number;
  fileName: string;
  yaml: string;
  steps: number;
  plannedMs: number;
  rtoMs?: number;
  rpoMs?: number;
}

export interface ImportResult {
  runbooks: ImportedRunbook[];
  /** Every finding, in document order. */
  notes: Note[];
}

/** Objectives stated in the procedure, else in the sections above it (a plan-wide RTO). */
function objectivesOf(procedure: Procedure): { statements: Statement[]; used: Set<RootContent> } {
  const own = findStatements(procedure.nodes);
  const inherited: Statement[] = [];
  for (let s = procedure.section.parent; s; s = s.parent) inherited.push(...findStatements(s.nodes).statements);
  const missing = (name: string) => !own.statements.some((x) => x.objective === name);
  return { statements: [...own.statements, ...inherited.filter((x) => missing(x.objective))], used: own.used };
}

/** Imports a Markdown document; throws DocumentError only for input that is not a document at all. */
export function importMarkdown(text: string, options: ImportOptions = {}): ImportResult {
  const file = options.file ?? 'document.md';
  const parsed = parseMarkdown(text);
  const notes: Note[] = [...parsed.notes];
  const found = findProcedures(sectionTree(parsed.tree), options.all ?? false);
  notes.push(...found.notes);
  const runbooks: ImportedRunbook[] = [];
  const ids = new Set<string>();
  for (const procedure of found.procedures) {
    const { section } = procedure;
    const title = section.title || 'Imported procedure';
    const objectives = objectivesOf(procedure);
    let id = slug(title.replace(/^scenario\s*[a-z0-9]{0,3}\s*[:.\-–—]\s*/i, '').replace(/\([^)]*\)/g, ''), 'procedure');
    for (let n = 2; ids.has(id); n++) id = `${slug(title, 'procedure')}-${n}`;
    const mapped = procedureSteps(procedure, objectives.used, options.all ?? false);
    notes.push(...mapped.notes.map((n) => ({ ...n, runbook: id })));
    if (mapped.steps.length === 0) {
      notes.push({ level: 'warning', line: section.line, message: `"${title}" (${procedure.form}) has no steps: no runbook written` });
      continue;
    }
    ids.add(id);
    const decided = decideObjectives(objectives.statements);
    notes.push(...decided.notes.map((n) => ({ ...n, runbook: id })));
    notes.push({ level: 'mapped', line: section.line, runbook: id, message: `"${title}" (${procedure.form}) → runbook ${id}` });
    const where = [trail(section), title].filter(Boolean).join(' › ');
    const description = [`Imported from ${file}:${section.line} (${where}).`, ...mapped.description].join('\n');
    const built = buildRunbook({ file, id, title, line: section.line, description, objectives: decided, steps: mapped.steps }, options.approvers ?? [], options.roles);
    notes.push(...built.notes);
    const header = ` Imported by \`dr import\` from ${file}, line ${section.line}. The commands are the document's and were not run.\n Review before a live run: steps marked destructive wait for an approval in live mode.`;
    const yaml = emitYaml(built.data, header, built.comments);
    const check = parseRunbook(yaml, `${id}.yaml`, { roles: options.roles });
    for (const issue of check.errors) notes.push({ level: 'error', line: section.line, runbook: id, message: `the runbook written for "${title}" does not validate: ${issue.message} (at ${issue.path.join('.')}); not written` });
    if (check.errors.length) continue;
    runbooks.push({ id, title, line: section.line, fileName: `${id}.yaml`, yaml, steps: mapped.steps.length, plannedMs: built.plannedMs, rtoMs: decided.rto?.ms, rpoMs: decided.rpo?.ms });
  }
  if (found.procedures.length === 0) notes.push({ level: 'warning', line: 1, message: 'no scenario or procedure found: expected a "Scenario" heading, numbered steps, a checklist, a T+ timeline or numbered comments in a shell block' });
  notes.sort((a, b) => a.line - b.line);
  return { runbooks, notes };
}
