// `importMarkdown`: a Markdown DR document → runbook YAML files and a summary of what was mapped and
// what was not. Pure: text in, text out. Imported commands are never run here.
import type { RootContent } from 'mdast';
import { lintRunbook } from '../runbook/lint.js';
import { parseRunbook } from '../runbook/load.js';
import type { Runbook } from '../runbook/model.js';
import { runbookSchema } from '../runbook/schema.js';
import { buildRunbook, slug } from './build.js';
import { emitYaml } from './emit.js';
import { decideObjectives, findStatements, type Statement } from './objectives.js';
import { parseMarkdown } from './parse.js';
import { findProcedures, type Procedure } from './procedures.js';
import { type Section, sectionTree, trail } from './sections.js';
import { procedureSteps } from './steps.js';
import { endLineOf } from './text.js';
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
  /** The last line of the part of the document it was imported from. */
  endLine: number;
  fileName: string;
  yaml: string;
  /** The runbook as validated; loading `yaml` gives the same. */
  runbook: Runbook;
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

/**
 * Validates a runbook's data as the loader would validate its YAML (schema, then lint with the
 * roles of people.yaml), without writing and re-reading the YAML: that took most of the import's
 * time. A test checks that the YAML written loads into the same model.
 */
function validate(data: Record<string, unknown>, roles: Readonly<Record<string, string[]>> | undefined): Runbook | undefined {
  const parsed = runbookSchema.safeParse(data);
  if (!parsed.success) return undefined;
  parsed.data.approvers = { ...roles, ...parsed.data.approvers };
  return lintRunbook(parsed.data).some((i) => i.level === 'error') ? undefined : parsed.data;
}

/**
 * Objectives stated in the procedure, else in the sections above it (a plan-wide RTO). A section's
 * own statements are read once (`read`), not once per procedure under it.
 */
function objectivesOf(procedure: Procedure, read: Map<Section, Statement[]>): { statements: Statement[]; used: Set<RootContent> } {
  const own = findStatements(procedure.nodes);
  const inherited: Statement[] = [];
  for (let s = procedure.section.parent; s; s = s.parent) {
    let found = read.get(s);
    if (!found) read.set(s, (found = findStatements(s.nodes).statements));
    inherited.push(...found);
  }
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
  const nextSuffix = new Map<string, number>();
  const read = new Map<Section, Statement[]>();
  for (const procedure of found.procedures) {
    const { section } = procedure;
    const title = section.title || 'Imported procedure';
    const objectives = objectivesOf(procedure, read);
    let id = slug(title.replace(/^scenario\s*[a-z0-9]{0,3}\s*[:.\-–—]\s*/i, '').replace(/\([^)]*\)/g, ''), 'procedure');
    if (ids.has(id)) {
      // The first free "-n"; numbers below the last one given stay taken, so the search resumes there.
      const base = slug(title, 'procedure');
      let n = nextSuffix.get(base) ?? 2;
      while (ids.has(`${base}-${n}`)) n++;
      nextSuffix.set(base, n);
      id = `${base}-${n}`;
    }
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
    const runbook = validate(built.data, options.roles);
    if (!runbook) {
      // Rare (an importer bug): the loader on the YAML says where, as `dr validate` would.
      const check = parseRunbook(yaml, `${id}.yaml`, { roles: options.roles });
      const errors = check.errors.length ? check.errors : [{ message: 'the data does not match the runbook schema', path: [] }];
      for (const issue of errors) notes.push({ level: 'error', line: section.line, runbook: id, message: `the runbook written for "${title}" does not validate: ${issue.message} (at ${issue.path.join('.')}); not written` });
      continue;
    }
    runbooks.push({ id, title, line: section.line, endLine: Math.max(section.line, ...procedure.nodes.map((n) => endLineOf(n))), fileName: `${id}.yaml`, yaml, runbook, steps: mapped.steps.length, plannedMs: built.plannedMs, rtoMs: decided.rto?.ms, rpoMs: decided.rpo?.ms });
  }
  if (found.procedures.length === 0) notes.push({ level: 'warning', line: 1, message: 'no scenario or procedure found: expected a "Scenario" heading, numbered steps, a checklist, a T+ timeline or numbered comments in a shell block' });
  notes.sort((a, b) => a.line - b.line);
  return { runbooks, notes };
}
