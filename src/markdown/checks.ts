// Contradictions and gaps in the document's times: a step with no time among timed ones, a range
// that runs backwards, budgets that add up to more than the stated RTO.
import { formatDuration } from '../runbook/duration.js';
import { DEFAULT_MS } from './durations.js';
import type { DraftStep, Note, TimeReading } from './types.js';

/** Gives every step a time (DEFAULT_MS where the document has none) and reports what is wrong. */
export function settleTimes(steps: readonly DraftStep[], runbook: string, notes: Note[]): TimeReading[] {
  const timed = steps.filter((s) => s.time !== undefined).length;
  if (timed === 0 && steps.length > 0) {
    notes.push({ level: 'warning', line: steps[0]!.line, runbook, message: `no step of "${runbook}" states a time: each is budgeted ${formatDuration(DEFAULT_MS)}` });
  }
  return steps.map((step) => {
    if (step.time?.assumed) notes.push({ level: 'warning', line: step.line, runbook, message: `step "${step.title}": ${step.time.note ?? ''} (the importer's choice)` });
    if (step.time?.error) notes.push({ level: 'error', line: step.line, runbook, message: `step "${step.title}": ${step.time.error}` });
    if (step.time) return step.time;
    if (timed > 0) {
      notes.push({ level: 'error', line: step.line, runbook, message: `step "${step.title}" has no time, unlike the other ${timed} step(s): budgeted ${formatDuration(DEFAULT_MS)}` });
    }
    return { ms: DEFAULT_MS, text: '', note: `no time in the document: budgeted ${formatDuration(DEFAULT_MS)}` };
  });
}

/** Budgets run one after another; their sum must fit the RTO the document states. */
export function checkRto(times: readonly TimeReading[], rto: { ms: number; line: number } | undefined, runbook: string, notes: Note[]): void {
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  if (rto && total > rto.ms) {
    notes.push({
      level: 'error',
      line: rto.line,
      runbook,
      message: `the steps of "${runbook}" add up to ${formatDuration(total)}, more than its RTO of ${formatDuration(rto.ms)}`,
    });
  }
}
