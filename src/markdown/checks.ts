// Contradictions and gaps in the document's times: a step with no time among timed ones, clock
// ranges that run backwards, overlap or leave a gap, and a timeline or budget total past the RTO.
import { formatDuration } from '../runbook/duration.js';
import { DEFAULT_MS } from './durations.js';
import type { DraftStep, Note, TimeReading } from './types.js';

const at = (ms: number) => `T+${formatDuration(ms)}`;

/**
 * Whether a procedure's ranges are positions on the incident clock rather than estimates: written
 * as T+ marks, or at least two that start at zero or chain (one starts where the one before ended).
 */
function onClock(steps: readonly DraftStep[]): boolean {
  const ranges = steps.map((s) => s.time?.clock).filter((c) => c !== undefined && c.kind !== 'timeline');
  if (ranges.some((c) => c!.kind === 'marks')) return true;
  if (ranges.length < 2) return false;
  return ranges[0]!.startMs === 0 || ranges.some((c, i) => i > 0 && c!.startMs === ranges[i - 1]!.endMs);
}

/** A clock range as a budget: its width, checked against the range before it. */
function clockTime(step: DraftStep, previous: { endMs: number; line: number } | undefined, runbook: string, notes: Note[]): TimeReading {
  const time = step.time!;
  const { startMs, endMs } = time.clock!;
  const width = Math.abs(endMs - startMs);
  const said = `"${step.title}" (${time.text})`;
  if (endMs < startMs) notes.push({ level: 'error', line: step.line, runbook, message: `step ${said} runs backwards on the clock, from ${at(startMs)} to ${at(endMs)}; budgeted its width, ${formatDuration(width)}` });
  else if (previous && startMs < previous.endMs) {
    notes.push({ level: 'error', line: step.line, runbook, message: `step ${said} starts at ${at(startMs)}, before the step at line ${previous.line} ends at ${at(previous.endMs)}: they overlap by ${formatDuration(previous.endMs - startMs)}` });
  } else if (previous && startMs > previous.endMs) {
    notes.push({ level: 'error', line: step.line, runbook, message: `step ${said} starts at ${at(startMs)}, ${formatDuration(startMs - previous.endMs)} after the step at line ${previous.line} ends at ${at(previous.endMs)}: a gap in the timeline` });
  }
  return { ms: width, text: time.text, clock: time.clock, note: `clock range "${time.text}": the budget is its width, ${formatDuration(width)}` };
}

/** Gives every step a time (DEFAULT_MS where the document has none) and reports what is wrong. */
export function settleTimes(steps: readonly DraftStep[], runbook: string, notes: Note[]): TimeReading[] {
  const timed = steps.filter((s) => s.time !== undefined).length;
  if (timed === 0 && steps.length > 0) {
    notes.push({ level: 'warning', line: steps[0]!.line, runbook, message: `no step of "${runbook}" states a time: each is budgeted ${formatDuration(DEFAULT_MS)}` });
  }
  const clock = onClock(steps);
  let previous: { endMs: number; line: number } | undefined;
  return steps.map((step) => {
    if (step.time?.assumed) notes.push({ level: 'warning', line: step.line, runbook, message: `step "${step.title}": ${step.time.note ?? ''} (the importer's choice)` });
    if (clock && step.time?.clock && step.time.clock.kind !== 'timeline') {
      const time = clockTime(step, previous, runbook, notes);
      previous = { endMs: time.clock!.endMs, line: step.line };
      return time;
    }
    if (step.time?.error) notes.push({ level: 'error', line: step.line, runbook, message: `step "${step.title}": ${step.time.error}` });
    // Off the clock a range is an estimate: its position means nothing.
    if (step.time) return step.time.clock?.kind === 'timeline' || clock ? step.time : { ...step.time, clock: undefined };
    if (timed > 0) {
      notes.push({ level: 'error', line: step.line, runbook, message: `step "${step.title}" has no time, unlike the other ${timed} step(s): budgeted ${formatDuration(DEFAULT_MS)}` });
    }
    return { ms: DEFAULT_MS, text: '', note: `no time in the document: budgeted ${formatDuration(DEFAULT_MS)}` };
  });
}

/**
 * The steps must fit the RTO the document states. On a clock (ranges or a T+ timeline) the first
 * step that ends past the RTO is the error; otherwise the budgets, run one after another.
 */
export function checkRto(steps: readonly DraftStep[], times: readonly TimeReading[], rto: { ms: number; line: number } | undefined, runbook: string, notes: Note[]): void {
  if (!rto) return;
  if (times.some((t) => t.clock)) {
    let position = 0;
    const ends = times.map((t) => (position = t.clock ? Math.max(t.clock.startMs, t.clock.endMs, t.clock.startMs + t.ms) : position + t.ms));
    const crossing = ends.findIndex((end) => end > rto.ms);
    if (crossing < 0) return;
    const step = steps[crossing]!;
    notes.push({
      level: 'error',
      line: step.line,
      runbook,
      message: `the timeline of "${runbook}" runs to ${at(Math.max(...ends))}, past its RTO of ${formatDuration(rto.ms)} (line ${rto.line}): "${step.title}" ends at ${at(ends[crossing]!)}`,
    });
    return;
  }
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  if (total > rto.ms) {
    notes.push({ level: 'error', line: rto.line, runbook, message: `the steps of "${runbook}" add up to ${formatDuration(total)}, more than its RTO of ${formatDuration(rto.ms)}` });
  }
}
