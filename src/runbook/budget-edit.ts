// Writing budgets into a runbook's YAML text as a reviewable change: the yaml package's Document
// API edits only the `budget` values of the named steps, so comments, order and layout stay as the
// owner wrote them. Pure: text in, text out.
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { formatDuration } from './duration.js';

/** A step id the text has no step for, or whose budget could not be written. */
export class BudgetEditError extends Error {
  override readonly name = 'BudgetEditError';
}

/** The step mappings of a steps sequence, parallel branches (`parallel: [...]` or `parallel: {steps}`) included. */
function stepMaps(node: unknown): YAMLMap[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => {
    if (!isMap(item)) return [];
    const parallel = item.get('parallel', true);
    const branches = isMap(parallel) ? parallel.get('steps', true) : parallel;
    return [item, ...stepMaps(branches)];
  });
}

/**
 * The text with each named step's `budget` set (added on the line after `title` when it had none).
 * The Document API finds the nodes; the edits are spliced into the original text at their source
 * ranges, so every other byte (comments, flow collections, spacing) stays as the owner wrote it.
 */
export function writeBudgets(text: string, budgets: ReadonlyMap<string, number>): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new BudgetEditError(`Cannot edit a runbook whose YAML does not parse: ${doc.errors[0]!.message}`);
  const steps = new Map<string, YAMLMap>();
  for (const map of stepMaps(doc.get('steps', true))) {
    const id = map.get('id');
    if (typeof id === 'string') steps.set(id, map);
  }
  const edits: Array<{ from: number; to: number; insert: string }> = [];
  for (const [id, ms] of budgets) {
    const map = steps.get(id);
    if (!map) throw new BudgetEditError(`Expected a step "${id}" in the runbook, found none (steps: ${[...steps.keys()].join(', ')})`);
    const value = formatDuration(ms);
    const budget = map.get('budget', true);
    if (isScalar(budget) && budget.range) {
      edits.push({ from: budget.range[0], to: budget.range[1], insert: value });
      continue;
    }
    // No budget yet: a line of its own after the title, at the title's indentation.
    const title = map.items.find((p) => isScalar(p.key) && p.key.value === 'title');
    const keyAt = isScalar(title?.key) ? title.key.range?.[0] : undefined;
    const valueEnd = isScalar(title?.value) ? title.value.range?.[1] : undefined;
    if (map.flow || keyAt === undefined || valueEnd === undefined) throw new BudgetEditError(`Cannot add a budget to step "${id}": expected a block mapping with a title`);
    const indent = keyAt - (text.lastIndexOf('\n', keyAt - 1) + 1);
    const lineEnd = text.indexOf('\n', valueEnd);
    const at = lineEnd === -1 ? text.length : lineEnd;
    edits.push({ from: at, to: at, insert: `\n${' '.repeat(indent)}budget: ${value}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.insert + out.slice(e.to);
  return out;
}
