// RTO and RPO as documents state them: bold labels in a paragraph, list items, or table rows
// (label | value, or RTO and RPO columns over one row).
import type { List, Paragraph, RootContent, Table } from 'mdast';
import { formatDuration } from '../runbook/duration.js';
import { readLeadingTime } from './durations.js';
import { lineOf, oneLine, textOf } from './text.js';
import type { Note } from './types.js';

export type Objective = 'rto' | 'rpo';

/** One statement of an objective in the document. */
export interface Statement {
  objective: Objective;
  ms?: number;
  text: string;
  line: number;
  /** The scenario a row of a table of disasters names ("Database loss"); none for a plain statement. */
  key?: string;
}

const LABELS: Record<Objective, RegExp> = {
  rto: /\b(rto|recovery time( objective)?)\b/i,
  rpo: /\b(rpo|recovery point( objective)?)\b/i,
};

function objectiveOf(label: string): Objective | undefined {
  if (label.length > 60) return undefined;
  if (LABELS.rto.test(label) && !LABELS.rpo.test(label)) return 'rto';
  if (LABELS.rpo.test(label) && !LABELS.rto.test(label)) return 'rpo';
  return undefined;
}

function statement(label: string, value: string, line: number): Statement | undefined {
  const objective = objectiveOf(label);
  if (!objective) return undefined;
  const text = oneLine(value).replace(/\s*\(.*\)$/, '');
  return { objective, ms: readLeadingTime(text)?.ms, text, line };
}

/** Objectives in a heading's parentheses: "3.1 Database lost (RTO: 2 hours, RPO: 15 minutes)". */
export function headingStatements(title: string, line: number): Statement[] {
  return [...title.matchAll(/\(([^()]*)\)/g)].flatMap((m) => m[1]!.split(/[,;]/).flatMap((part) => fromLines(part, line)));
}

/** The heading without its objectives: "3.1 Database lost". */
export function withoutObjectives(title: string): string {
  return title.replace(/\s*\([^()]*\b(?:RTO|RPO)\b[^()]*\)/gi, '').trim();
}

/** A name as rows and headings write it, to match one with the other: "6.1 Database loss" → "database loss". */
export function scenarioName(text: string): string {
  return withoutObjectives(text)
    .toLowerCase()
    .replace(/^\s*(?:scenario\s*[a-z0-9]{0,3}\s*[:.\-–—]\s*|\d+(?:\.\d+)*\.?\s+)/, '')
    .replace(/\([^)]*\)/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** "Label: value" lines of a paragraph or list item. */
function fromLines(text: string, line: number): Statement[] {
  return text.split('\n').flatMap((row, i) => {
    const match = /^([^:]{1,60}):\s*(.+)$/.exec(row.trim());
    const found = match ? statement(match[1]!, match[2]!, line + i) : undefined;
    return found ? [found] : [];
  });
}

function fromTable(table: Table): Statement[] {
  const rows = table.children.map((row) => row.children.map((cell) => oneLine(textOf(cell))));
  const [header = [], ...body] = rows;
  const columns = header.map((cell) => objectiveOf(cell));
  // RTO and RPO columns: one row for the section, or rows keyed by the scenario their first cell names.
  const keyed = columns.some(Boolean) && !columns[0] && (body.length > 1 || /scenario|disaster|incident|failure|event|service|system/i.test(header[0] ?? ''));
  if (columns.some(Boolean) && (keyed || body.length === 1)) {
    return body.flatMap((cells, r) =>
      columns.flatMap((objective, i) => {
        if (!objective) return [];
        const found = statement(header[i]!, cells[i] ?? '', lineOf(table.children[r + 1]))!;
        return [keyed ? { ...found, objective, key: cells[0] ?? '' } : { ...found, objective }];
      }),
    );
  }
  return rows.flatMap((cells, i) => (cells.length >= 2 ? fromLines(`${cells[0]}: ${cells[1]}`, lineOf(table.children[i])) : []));
}

/** Objective statements in the given blocks, and the blocks that held them (they are not steps). */
export function findStatements(nodes: readonly RootContent[]): { statements: Statement[]; used: Set<RootContent> } {
  const statements: Statement[] = [];
  const used = new Set<RootContent>();
  const take = (node: RootContent, found: Statement[]) => {
    if (found.length > 0) used.add(node);
    statements.push(...found);
  };
  for (const node of nodes) {
    if (node.type === 'paragraph') take(node, fromLines(textOf(node as Paragraph), lineOf(node)));
    else if (node.type === 'table') take(node, fromTable(node));
    else if (node.type === 'list' && !(node as List).ordered) {
      take(node, (node as List).children.flatMap((item) => fromLines(textOf(item).split('\n')[0] ?? '', lineOf(item))));
    }
  }
  return { statements, used };
}

/** The objectives a runbook gets: the first statement of each; differing restatements are errors. */
export function decideObjectives(statements: readonly Statement[]): { rto?: Statement; rpo?: Statement; notes: Note[] } {
  const notes: Note[] = [];
  const chosen: Partial<Record<Objective, Statement>> = {};
  for (const s of statements) {
    const name = s.objective.toUpperCase();
    if (s.ms === undefined) {
      notes.push({ level: 'warning', line: s.line, message: `${name} "${s.text}" is not a duration; ignored` });
      continue;
    }
    const first = chosen[s.objective];
    if (first === undefined) {
      chosen[s.objective] = s;
      notes.push({ level: 'mapped', line: s.line, message: `${name} "${s.text}" → objectives.${s.objective}: ${formatDuration(s.ms)}` });
    } else if (first.ms !== s.ms) {
      notes.push({ level: 'error', line: s.line, message: `${name} is stated twice with different values: ${formatDuration(first.ms!)} at line ${first.line} and ${formatDuration(s.ms)} here; kept the first` });
    }
  }
  return { ...chosen, notes };
}
