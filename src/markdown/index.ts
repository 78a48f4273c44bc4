// `importMarkdown`: a Markdown DR document → runbook YAML files and a summary of what was mapped and
// what was not. Pure: text in, text out. Imported commands are never run here.
import type { RootContent } from 'mdast';
import { lintRunbook } from '../runbook/lint.js';
import { parseRunbook } from '../runbook/load.js';
import type { Runbook } from '../runbook/model.js';
import { runbookSchema } from '../runbook/schema.js';
import { buildRunbook, slug } from './build.js';
import { emitYaml } from './emit.js';
import { decideObjectives, findStatements, headingStatements, scenarioName, type Statement, withoutObjectives } from './objectives.js';
import { parseMarkdown } from './parse.js';
import { findProcedures, type Procedure } from './procedures.js';
import { type Section, sectionTree, trail } from './sections.js';
import { sectionNotes } from './unmapped.js';
import { procedureSteps } from './steps.js';
import { endLineOf } from './text.js';
import type { Note } from './types.js';

export { loadParsers } from './effects.js';
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

const OBJECTIVES_SECTION = /\b(objectives?|rto|rpo)\b/i;

/** The objective statements of the sections that are not procedures, read once. */
class Statements {
  private readonly read = new Map<Section, { statements: Statement[]; used: Set<RootContent> }>();
  /** Rows of tables of disasters, each keyed by the scenario it names; `matched` once a procedure takes it. */
  readonly keyed: Statement[] = [];
  readonly matched = new Set<Statement>();

  constructor(others: readonly Section[]) {
    for (const s of others) this.keyed.push(...this.of(s).statements.filter((x) => x.key !== undefined));
  }

  of(section: Section): { statements: Statement[]; used: Set<RootContent> } {
    let found = this.read.get(section);
    if (!found) this.read.set(section, (found = findStatements(section.nodes)));
    return found;
  }

  /** Every block any statement came from. */
  usedBlocks(): Set<RootContent> {
    return new Set([...this.read.values()].flatMap((r) => [...r.used]));
  }
}

/**
 * A procedure's objectives: its own (heading suffix, labels, lists, tables in it) win; else the
 * rows of a table of disasters that name it; else those stated above it for the whole document
 * (in a section above it, or in an "Objectives" section beside one above it). Inherited values
 * are never a conflict with a procedure's own.
 */
function objectivesOf(procedure: Procedure, statements: Statements, procedures: ReadonlySet<Section>): { statements: Statement[]; used: Set<RootContent> } {
  const { section } = procedure;
  const found = findStatements(procedure.nodes);
  const own = [...headingStatements(section.title, section.line), ...found.statements.filter((x) => x.key === undefined)];
  const name = scenarioName(section.title);
  const keyed = [...found.statements, ...statements.keyed].filter((x) => x.key !== undefined && name !== '' && sameScenario(scenarioName(x.key), name));
  for (const x of keyed) statements.matched.add(x);
  const inherited: Statement[] = [];
  for (let s = section.parent; s; s = s.parent) {
    inherited.push(...statements.of(s).statements.filter((x) => x.key === undefined));
    for (const c of s.children) {
      if (c !== section && !procedures.has(c) && OBJECTIVES_SECTION.test(c.title)) inherited.push(...statements.of(c).statements.filter((x) => x.key === undefined));
    }
  }
  const layers = [own, keyed, inherited];
  const chosen = (['rto', 'rpo'] as const).flatMap((objective) => layers.map((l) => l.filter((x) => x.objective === objective)).find((l) => l.length > 0) ?? []);
  return { statements: chosen.sort((a, b) => a.line - b.line), used: found.used };
}

/** "database loss" names "database loss", and "cluster loss" names "full cluster loss": whole words, either way. */
function sameScenario(a: string, b: string): boolean {
  return a === b || ` ${b} `.includes(` ${a} `) || ` ${a} `.includes(` ${b} `);
}

/**
 * Imports a Markdown document; throws DocumentError only for input that is not a document at all.
 * Call `await loadParsers()` once first: the effect classifier reads SQL passed to `psql -c`.
 */
export function importMarkdown(text: string, options: ImportOptions = {}): ImportResult {
  const file = options.file ?? 'document.md';
  const parsed = parseMarkdown(text);
  const notes: Note[] = [...parsed.notes];
  const found = findProcedures(sectionTree(parsed.tree), options.all ?? false);
  const statements = new Statements(found.others);
  const procedureSections = new Set(found.procedures.map((p) => p.section));
  const runbooks: ImportedRunbook[] = [];
  const ids = new Set<string>();
  const nextSuffix = new Map<string, number>();
  for (const procedure of found.procedures) {
    const { section } = procedure;
    const title = withoutObjectives(section.title) || 'Imported procedure';
    const objectives = objectivesOf(procedure, statements, procedureSections);
    let id = slug(title.replace(/^scenario\s*[a-z0-9]{0,3}\s*[:.\-–—]\s*/i, '').replace(/^\d+(?:\.\d+)+\s+/, '').replace(/\([^)]*\)/g, ''), 'procedure');
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
  const used = statements.usedBlocks();
  for (const section of found.others) notes.push(...sectionNotes(section, used));
  for (const x of statements.keyed) {
    if (!statements.matched.has(x)) notes.push({ level: 'warning', line: x.line, message: `${x.objective.toUpperCase()} for "${x.key ?? ''}": no procedure of that name was found; not used` });
  }
  if (found.procedures.length === 0) notes.push({ level: 'warning', line: 1, message: 'no scenario or procedure found: expected a "Scenario" heading, numbered steps, a checklist, a T+ timeline or numbered comments in a shell block' });
  notes.sort((a, b) => a.line - b.line);
  return { runbooks, notes };
}
