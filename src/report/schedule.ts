// The two schedules a report compares, as offsets from the run's start: the plan (each step where
// the runbook's order and parallel groups put it, with its budget; the critical path marked) and the
// actual run (real start and end, waiting on people apart from executing, re-dispatch stalls apart).
import type { RunReport, StepRecord } from '../runbook/run.js';

/** A time span in milliseconds since the run started. */
export interface Span {
  from: number;
  to: number;
}

export interface PlannedStep {
  id: string;
  /** Where the plan puts the step: the end of its predecessors' budgets, parallel branches side by side. */
  planned: Span;
  /** On the longest chain of budgets: any delay here delays the plan's end. */
  critical: boolean;
}

/**
 * The plan of a run's steps, as the forecast (src/runbook/plan.ts) counts it: budgets add up along a
 * sequence, a parallel group lasts as long as its longest branch, a skipped step takes no time.
 */
export function plannedSchedule(steps: readonly StepRecord[]): { steps: Map<string, PlannedStep>; totalMs: number } {
  const children = new Map<string | undefined, StepRecord[]>();
  for (const s of steps) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s]);
  const duration = new Map<string, number>();
  const durationOf = (s: StepRecord): number => {
    const known = duration.get(s.id);
    if (known !== undefined) return known;
    const ms = s.status === 'skipped' ? 0 : s.kind === 'parallel' ? Math.max(0, ...(children.get(s.id) ?? []).map(durationOf)) : s.budgetMs;
    duration.set(s.id, ms);
    return ms;
  };
  const out = new Map<string, PlannedStep>();
  const place = (s: StepRecord, from: number, critical: boolean): void => {
    out.set(s.id, { id: s.id, planned: { from, to: from + durationOf(s) }, critical: critical && durationOf(s) > 0 });
    if (s.kind !== 'parallel') return;
    // Branches start together; the first of the longest carries the critical path on.
    const branches = children.get(s.id) ?? [];
    const longest = branches.find((b) => durationOf(b) === durationOf(s));
    for (const b of branches) place(b, from, critical && b === longest);
  };
  let cursor = 0;
  for (const s of children.get(undefined) ?? []) {
    place(s, cursor, true);
    cursor += durationOf(s);
  }
  return { steps: out, totalMs: cursor };
}

/** What the actual run did with a step, as offsets from the run's start. */
export interface ActualStep {
  span: Span;
  executing: Span[];
  waiting: Span[];
  /** Infrastructure re-dispatches: time lost between a lost dispatch and its replacement. */
  stalls: Stall[];
  /** The part past the step's budget. */
  over?: Span;
}

/** A stall: time lost to an infrastructure re-dispatch, with its cause. */
export interface Stall extends Span {
  reason: string;
}

/**
 * Re-dispatch stalls of a step, in epoch ms: from the lost dispatch's last sign of life to the
 * dispatch that replaced it (src/workflows/redispatch.ts records them).
 */
export function redispatchStalls(record: StepRecord): Stall[] {
  return (record.redispatches ?? []).map((r) => ({ from: r.at - r.stallMs, to: r.at, reason: r.reason }));
}

/** `[from, to]` minus the sorted, clipped `holes`. */
function complement(span: Span, holes: Span[]): Span[] {
  const out: Span[] = [];
  let cursor = span.from;
  for (const w of holes) {
    if (w.from > cursor) out.push({ from: cursor, to: w.from });
    cursor = Math.max(cursor, w.to);
  }
  if (cursor < span.to) out.push({ from: cursor, to: span.to });
  return out;
}

/** The actual schedule of a step that started; `end` (epoch ms) ends one still running. */
export function actualSchedule(report: RunReport, record: StepRecord, end: number): ActualStep | undefined {
  if (record.startedAt === undefined) return undefined;
  const rel = (t: number) => t - report.startedAt;
  const span = { from: rel(record.startedAt), to: rel(record.endedAt ?? end) };
  const clipTo = <T extends Span>(spans: T[]): T[] =>
    spans
      .map((w) => ({ ...w, from: Math.max(w.from, span.from), to: Math.min(w.to, span.to) }))
      .filter((w) => w.to > w.from)
      .sort((a, b) => a.from - b.from);
  if (record.kind === 'parallel') return { span, executing: [span], waiting: [], stalls: [] };
  const waiting = clipTo(record.waits.map((w) => ({ from: rel(w.since), to: rel(w.until ?? end) })));
  const stalls = clipTo(redispatchStalls(record).map((w) => ({ ...w, from: rel(w.from), to: rel(w.to) })));
  const executing = complement(span, clipTo<Span>([...waiting, ...stalls]));
  const budgetEnd = span.from + record.budgetMs;
  return { span, executing, waiting, stalls, over: span.to > budgetEnd ? { from: budgetEnd, to: span.to } : undefined };
}
