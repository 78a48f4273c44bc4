// Runbook text → validated model, with every problem located at a file line. Pure: takes text.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { formatPath, lintRunbook, runbooksExist, subRunInputsMatch, type LintIssue, type NamedRunbook, type SubRunContext } from './lint.js';
import type { Runbook } from './model.js';
import { runbookInputsSchema, runbookSchema } from './schema.js';

/** The outcome of loading: `runbook` is set only when there are no errors. */
export interface LoadResult {
  runbook?: Runbook;
  errors: LintIssue[];
  warnings: LintIssue[];
}

type Path = (string | number)[];

/**
 * Finds the YAML node a path names and returns its line, with the path rewritten to the YAML's
 * form (`parallel.steps[1]` ↔ `parallel[1]`). Missing fields resolve to the closest ancestor;
 * a scalar ends the walk, since what follows names the object form of a shorthand (`wait: 5m`).
 */
function locateIn(doc: Document, lines: LineCounter, path: Path): { path: Path; line: number } {
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  let node: unknown = doc.contents;
  let line = lineOf(node) ?? 1;
  const resolved: Path = [];
  let i = 0;
  while (i < path.length) {
    const key = path[i]!;
    if (isSeq(node)) {
      if (key === 'steps' && typeof path[i + 1] === 'number') {
        i++;
        continue;
      }
      const item: unknown = typeof key === 'number' ? node.items[key] : undefined;
      if (item === undefined) break;
      node = item;
      line = lineOf(item) ?? line;
    } else if (isMap(node)) {
      const map = node;
      const find = (name: string | number) => map.items.find((p) => isScalar(p.key) && String(p.key.value) === String(name));
      const pair = find(key);
      // The path has `parallel[1]` where the YAML has `parallel: { steps: [...] }`.
      const steps = pair === undefined && typeof key === 'number' ? find('steps') : undefined;
      if (pair === undefined && steps === undefined) break;
      line = lineOf((pair ?? steps)!.key) ?? line;
      node = (pair ?? steps)!.value;
      if (steps) {
        resolved.push('steps');
        continue;
      }
    } else {
      return { path: resolved, line };
    }
    resolved.push(key);
    i++;
  }
  return { path: [...resolved, ...path.slice(i)], line };
}

/** zod issues as located issues; unknown keys become one issue each, at the key's line. */
function schemaIssues(issues: z.core.$ZodIssue[]): Array<{ path: Path; message: string }> {
  return issues.flatMap((issue) => {
    const path = issue.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg));
    const keys = (issue as { keys?: unknown }).keys;
    if (Array.isArray(keys)) return keys.map((key) => ({ path: [...path, String(key)], message: `Unrecognized key: "${String(key)}"` }));
    const inner = (issue as { issues?: Array<{ message: string }> }).issues;
    if (issue.code === 'invalid_key' && inner?.[0]) return [{ path, message: inner[0].message }];
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      return [{ path, message: `Expected ${issue.expected}, got nothing` }];
    }
    return [{ path, message: issue.message }];
  });
}

const byLine = (a: LintIssue, b: LintIssue): number => (a.line ?? 0) - (b.line ?? 0);

/** A YAML document validated by a schema, with its issues located at lines. */
export interface ParsedYaml<T> {
  value?: T;
  errors: LintIssue[];
  warnings: LintIssue[];
  /** Locates an issue about the value (e.g. a lint finding) at its line in the file. */
  locate(issue: Omit<LintIssue, 'file' | 'line'>): LintIssue;
}

/**
 * Parses YAML text and validates it with `schema`; every issue names the file, line and field.
 * `what` describes the expected document for the empty-file message. Used for runbooks, people
 * and schedules alike.
 */
export function parseYaml<T>(text: string, file: string, schema: z.ZodType<T>, what: string): ParsedYaml<T> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate = (issue: Omit<LintIssue, 'file' | 'line'>): LintIssue => ({ ...issue, ...locateIn(doc, lines, issue.path), file });
  const yamlIssue = (level: LintIssue['level']) => (e: { message: string; pos: [number, number] }): LintIssue => ({
    level, rule: 'yaml', message: e.message, path: [], file, line: lines.linePos(e.pos[0]).line,
  });
  const warnings = doc.warnings.map(yamlIssue('warning'));
  if (doc.errors.length) return { errors: doc.errors.map(yamlIssue('error')), warnings, locate };
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    return { errors: [{ level: 'error', rule: 'yaml', message: (err as Error).message, path: [], file, line: 1 }], warnings, locate };
  }
  if (data === null || data === undefined) {
    return { errors: [{ level: 'error', rule: 'schema', message: `Expected ${what}, got an empty document`, path: [], file, line: 1 }], warnings, locate };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const errors = schemaIssues(parsed.error.issues).map((i) => locate({ level: 'error', rule: 'schema', ...i })).sort(byLine);
    return { errors, warnings, locate };
  }
  return { value: parsed.data, errors: [], warnings, locate };
}

/** What parsing a runbook may use beyond its text. */
export interface ParseContext {
  /** Roles from people.yaml, merged under the runbook's own `approvers`. */
  roles?: Record<string, string[]>;
  /**
   * Sets each step's effect class (src/safety's classifyRunbook). Injected so this module stays
   * free of the parsers; without it steps keep only their declared class and the run treats
   * every system step it cannot see as changing state.
   */
  classify?: (runbook: Runbook) => void;
  /** Ids of the runbooks beside this one: the runbooks it names (drill set-up, `runbook:` steps) must be among them. */
  runbookIds?: Iterable<string>;
  /** The runbooks it names with their inputs, and the environments: what it hands them must be theirs, what they require given. */
  subRuns?: SubRunContext;
}

/**
 * Parses and validates a runbook's YAML text; `file` is only used to label issues. Roles from
 * people.yaml (`context.roles`) are merged under the runbook's own `approvers`.
 */
export function parseRunbook(text: string, file: string, context: ParseContext = {}): LoadResult {
  const parsed = parseYaml(text, file, runbookSchema, 'a runbook (a mapping with id, title and steps)');
  if (!parsed.value) return { errors: parsed.errors, warnings: parsed.warnings };
  parsed.value.approvers = { ...context.roles, ...parsed.value.approvers };
  context.classify?.(parsed.value);
  const known = context.runbookIds === undefined ? [] : runbooksExist(parsed.value, new Set(context.runbookIds));
  const subRuns = context.subRuns === undefined ? [] : subRunInputsMatch(parsed.value, context.subRuns);
  const lint = [...lintRunbook(parsed.value), ...known, ...subRuns].map(parsed.locate).sort(byLine);
  const errors = lint.filter((i) => i.level === 'error');
  const warnings = [...parsed.warnings, ...lint.filter((i) => i.level === 'warning')];
  return errors.length ? { errors, warnings } : { runbook: parsed.value, errors, warnings };
}

/**
 * A runbook file's id and inputs, read without validating the rest: what a runbook that names it
 * is checked against (ParseContext.subRuns). Undefined when even those are invalid; loading the
 * file itself says why.
 */
export function parseRunbookInputs(text: string): NamedRunbook | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length) return undefined;
  let data: unknown;
  try {
    data = doc.toJS();
  } catch {
    return undefined;
  }
  const parsed = runbookInputsSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** One issue as one line: `database-loss.yaml:42 steps[3].budget: Expected ...`. */
export function formatIssue(issue: LintIssue): string {
  const where = issue.file === undefined ? '' : issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const head = [where, formatPath(issue.path)].filter(Boolean).join(' ');
  return `${issue.level === 'warning' ? 'warning: ' : ''}${head ? `${head}: ` : ''}${issue.message}`;
}

export { resolveInputs } from './inputs.js';
