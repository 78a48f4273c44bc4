// The import corpus: DR documents in the styles teams write them (test/fixtures/markdown/corpus),
// each with the result a careful reader would expect in `<name>.expected.yaml`. Shared by the
// corpus test and bench/import-accuracy.bench.ts, which count the same things.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { yamlDuration } from '../../../src/markdown/build.js';
import { importMarkdown, type ImportResult } from '../../../src/markdown/index.js';
import { parseMarkdown } from '../../../src/markdown/parse.js';
import { lineOf } from '../../../src/markdown/text.js';
import { repoRoot } from './helpers.js';

export const corpusDir = resolve(repoRoot, 'test/fixtures/markdown/corpus');

interface ExpectedRunbook {
  id: string;
  title: string;
  line: number;
  rto?: string;
  rpo?: string;
  /** "title | budget | kind" */
  steps: string[];
  inputs?: string[];
  secrets?: string[];
  scripts?: Record<string, string[]>;
}

export interface Expected {
  runbooks: ExpectedRunbook[];
  contradictions: number[];
  unmapped: number[];
}

export interface CorpusDocument {
  name: string;
  text: string;
  expected: Expected;
}

/** Every document of the corpus with its expected result, by file name. */
export function loadCorpus(): CorpusDocument[] {
  return readdirSync(corpusDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((name) => ({
      name,
      text: readFileSync(resolve(corpusDir, name), 'utf8'),
      expected: parse(readFileSync(resolve(corpusDir, name.replace(/\.md$/, '.expected.yaml')), 'utf8')) as Expected,
    }));
}

/** What matched, counted as the accuracy bench prints it, and every difference in words. */
export interface Score {
  proceduresExpected: number;
  proceduresFound: number;
  stepsExpected: number;
  stepsFound: number;
  budgetsRight: number;
  objectivesExpected: number;
  objectivesRight: number;
  contradictionsExpected: number;
  contradictionsFound: number;
  differences: string[];
}

const show = (value: number | undefined) => (value === undefined ? 'none' : yamlDuration(value));

/**
 * Blocks nobody accounts for: a heading, or a table, list or code block outside the runbooks,
 * with no finding at its line. A heading that only holds sub-sections needs none.
 */
export function silentlyDropped(text: string, result: ImportResult): number[] {
  const noted = new Set(result.notes.map((n) => n.line));
  const inside = result.runbooks.map((r) => [r.line, r.endLine ?? r.line] as const);
  const tree = parseMarkdown(text).tree;
  const dropped: number[] = [];
  tree.children.forEach((node, i) => {
    const line = lineOf(node);
    if (noted.has(line)) return;
    if (node.type === 'heading') {
      const next = tree.children[i + 1];
      if (next?.type === 'heading' && next.depth > node.depth) return;
      if (!next) return;
      if (inside.some(([from, to]) => line > from && line <= to)) return;
      dropped.push(line);
    } else if (node.type === 'table' || node.type === 'list' || node.type === 'code') {
      if (!inside.some(([from, to]) => line > from && line <= to)) dropped.push(line);
    }
  });
  return dropped;
}

/** Imports one document and compares it with its expected result. */
export function score(doc: CorpusDocument, result: ImportResult = importMarkdown(doc.text, { file: doc.name })): Score {
  const e = doc.expected;
  const s: Score = {
    proceduresExpected: e.runbooks.length,
    proceduresFound: 0,
    stepsExpected: 0,
    stepsFound: 0,
    budgetsRight: 0,
    objectivesExpected: 2 * e.runbooks.length,
    objectivesRight: 0,
    contradictionsExpected: e.contradictions.length,
    contradictionsFound: 0,
    differences: [],
  };
  const diff = (text: string) => s.differences.push(`${doc.name}: ${text}`);
  const found = new Map(result.runbooks.map((r) => [r.id, r]));
  for (const r of result.runbooks) if (!e.runbooks.some((x) => x.id === r.id)) diff(`unexpected runbook ${r.id} (line ${r.line})`);
  for (const want of e.runbooks) {
    s.stepsExpected += want.steps.length;
    const got = found.get(want.id);
    if (!got) {
      diff(`runbook ${want.id} (line ${want.line}) not found; found ${[...found.keys()].join(', ') || 'none'}`);
      continue;
    }
    s.proceduresFound++;
    if (got.title !== want.title) diff(`${want.id}: title "${got.title}", expected "${want.title}"`);
    if (got.line !== want.line) diff(`${want.id}: line ${got.line}, expected ${want.line}`);
    for (const name of ['rto', 'rpo'] as const) {
      const have = show(name === 'rto' ? got.runbook.objectives.rtoMs : got.runbook.objectives.rpoMs);
      if (have === (want[name] ?? 'none')) s.objectivesRight++;
      else diff(`${want.id}: ${name} ${have}, expected ${want[name] ?? 'none'}`);
    }
    const steps = got.runbook.steps.filter((st) => st.action.kind !== 'approval');
    want.steps.forEach((line, i) => {
      const [title, budget, kind] = line.split(' | ');
      const step = steps[i];
      if (!step || step.title !== title) {
        diff(`${want.id} step ${i + 1}: ${step ? `"${step.title}"` : 'missing'}, expected "${title}"`);
        return;
      }
      s.stepsFound++;
      if (yamlDuration(step.budgetMs) === budget) s.budgetsRight++;
      else diff(`${want.id} step ${i + 1} "${title}": budget ${yamlDuration(step.budgetMs)}, expected ${budget}`);
      if (step.action.kind !== kind) diff(`${want.id} step ${i + 1} "${title}": ${step.action.kind}, expected ${kind}`);
      for (const part of want.scripts?.[String(i + 1)] ?? []) {
        const script = step.action.kind === 'shell' ? step.action.script : '';
        if (!script?.includes(part)) diff(`${want.id} step ${i + 1} "${title}": the script lacks \`${part}\`:\n${script}`);
      }
    });
    if (steps.length > want.steps.length) diff(`${want.id}: ${steps.length - want.steps.length} more step(s) than expected: ${steps.slice(want.steps.length).map((x) => x.title).join(', ')}`);
    const inputs = Object.keys(got.runbook.inputs).sort();
    const wantInputs = [...(want.inputs ?? [])].sort();
    if (inputs.join() !== wantInputs.join()) diff(`${want.id}: inputs ${inputs.join(', ') || 'none'}, expected ${wantInputs.join(', ') || 'none'}`);
    const secrets = inputs.filter((name) => got.runbook.inputs[name]!.secret);
    const wantSecrets = [...(want.secrets ?? [])].sort();
    if (want.secrets && secrets.join() !== wantSecrets.join()) diff(`${want.id}: secret inputs ${secrets.join(', ') || 'none'}, expected ${wantSecrets.join(', ')}`);
  }
  const errors = new Set(result.notes.filter((n) => n.level === 'error').map((n) => n.line));
  for (const line of e.contradictions) {
    if (errors.has(line)) s.contradictionsFound++;
    else diff(`no contradiction reported at line ${line}`);
  }
  for (const line of errors) {
    if (!e.contradictions.includes(line)) diff(`unexpected contradiction at line ${line}: ${result.notes.filter((n) => n.level === 'error' && n.line === line).map((n) => n.message).join('; ')}`);
  }
  const unmapped = new Set(result.notes.filter((n) => n.level === 'unmapped').map((n) => n.line));
  for (const line of e.unmapped) if (!unmapped.has(line)) diff(`line ${line} is not listed under Not mapped`);
  for (const line of silentlyDropped(doc.text, result)) diff(`line ${line} is neither mapped nor listed as not mapped`);
  return s;
}
