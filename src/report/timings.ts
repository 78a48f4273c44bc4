// Figures a report shows per step and for the run: planned vs actual, waiting on people vs executing.
import type { RunReport, StepRecord } from '../runbook/run.js';
import { plannedSchedule } from './schedule.js';

export interface StepTiming {
  record: StepRecord;
  depth: number;
  actualMs?: number;
  waitingMs: number;
  /** Time the run stalled on lost dispatches of the step (src/runbook/redispatch.ts). */
  stalledMs: number;
  executingMs: number;
  /** Actual minus planned, when the step ran. */
  overMs?: number;
  /** Who approved, completed, decided or rejected the step. */
  people: string[];
}

/** Time the run stalled on a step's lost dispatches, from the lost one's last heartbeat to the next. */
export function stalledMs(record: StepRecord): number {
  return (record.redispatches ?? []).reduce((sum, r) => sum + r.stallMs, 0);
}

/** The attempts cell: the step's own attempts, with infrastructure re-dispatches apart. */
export function attemptsCell(record: StepRecord): string {
  const n = record.redispatches?.length ?? 0;
  return n === 0 ? String(record.attempts.length) : `${record.attempts.length} (+${n} re-dispatch${n === 1 ? '' : 'es'})`;
}

/** Time a step spent waiting on people (approvals, confirmations, decisions). */
export function waitingMs(record: StepRecord, now: number): number {
  return record.waits.reduce((sum, w) => sum + ((w.until ?? now) - w.since), 0);
}

type Span = [number, number];

/** Total length of a set of spans, overlaps counted once. */
function covered(spans: Span[]): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** A leaf step's time working: its run minus its waits on people. */
function executingSpans(record: StepRecord, now: number): Span[] {
  if (record.startedAt === undefined) return [];
  const waits = record.waits.map((w): Span => [w.since, w.until ?? record.endedAt ?? now]).sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  let from = record.startedAt;
  for (const [a, b] of waits) {
    if (a > from) out.push([from, a]);
    from = Math.max(from, b);
  }
  const end = record.endedAt ?? now;
  if (end > from) out.push([from, end]);
  return out;
}

/**
 * A parallel group's time waiting on people: the time some branch waited while no branch worked.
 * (A group with one manual branch and quick others waited nearly all its time, not executed it.)
 */
function groupWaitingMs(steps: readonly StepRecord[], groupId: string, now: number): number {
  const leaves: StepRecord[] = [];
  const collect = (id: string): void => {
    for (const child of steps.filter((s) => s.parentId === id)) {
      if (steps.some((s) => s.parentId === child.id)) collect(child.id);
      else leaves.push(child);
    }
  };
  collect(groupId);
  const waits = leaves.flatMap((r) => r.waits.map((w): Span => [w.since, w.until ?? r.endedAt ?? now]));
  const working = leaves.flatMap((r) => executingSpans(r, now));
  // |waits \ working| = |waits ∪ working| - |working|
  return covered([...waits, ...working]) - covered(working);
}

export function stepTimings(report: RunReport, now = report.endedAt ?? Date.now()): StepTiming[] {
  const depthOf = new Map<string, number>();
  return report.steps.map((record) => {
    const depth = record.parentId === undefined ? 0 : (depthOf.get(record.parentId) ?? 0) + 1;
    depthOf.set(record.id, depth);
    const actualMs = record.startedAt === undefined ? undefined : (record.endedAt ?? now) - record.startedAt;
    const waiting = record.kind === 'parallel' ? groupWaitingMs(report.steps, record.id, now) : waitingMs(record, now);
    const stalled = stalledMs(record);
    const people = [
      ...record.approvals.map((a) => `approved by ${a.by}`),
      ...(record.completedBy ? [`completed by ${record.completedBy.by}`] : []),
      ...(record.rejectedBy ? [`rejected by ${record.rejectedBy.by}`] : []),
      ...record.decisions.map((d) => `${d.decision} by ${d.by}`),
    ];
    return {
      record,
      depth,
      actualMs,
      waitingMs: waiting,
      stalledMs: stalled,
      executingMs: actualMs === undefined ? 0 : Math.max(0, actualMs - waiting - stalled),
      // A drill's set-up sub-run without a budget is not planned: nothing to be over.
      overMs: actualMs === undefined || (record.phase === 'setup' && record.budgetMs === 0) ? undefined : actualMs - record.budgetMs,
      people,
    };
  });
}

/** Run totals: wall time split into waiting on people and the rest; planned as the forecast counts it (the chart's plan end). */
export function runTotals(
  report: RunReport,
  timings: StepTiming[],
  now = report.endedAt ?? Date.now(),
): { elapsedMs: number; waitingMs: number; stalledMs: number; executingMs: number; plannedMs: number } {
  const top = timings.filter((t) => t.depth === 0);
  const elapsedMs = now - report.startedAt;
  // Top-level steps run one after another; a group's own figure already merges its branches.
  const waiting = top.reduce((s, t) => s + t.waitingMs, 0);
  const stalled = timings.reduce((s, t) => s + t.stalledMs, 0);
  return {
    elapsedMs,
    waitingMs: waiting,
    stalledMs: stalled,
    executingMs: Math.max(0, elapsedMs - waiting - stalled),
    plannedMs: plannedSchedule(report.steps).totalMs,
  };
}

/**
 * The report as `dr report --format json` gives it: the run's record plus the figures the Markdown
 * and HTML show (run totals, per step waiting vs executing), so every format carries the same numbers.
 */
export function reportJson(report: RunReport, now = report.endedAt ?? Date.now()): RunReport & {
  totals: ReturnType<typeof runTotals>;
  timings: Array<{ step: string; parentId?: string; actualMs?: number; waitingMs: number; executingMs: number; stalledMs: number; overMs?: number }>;
} {
  const timings = stepTimings(report, now);
  return {
    ...report,
    totals: runTotals(report, timings, now),
    timings: timings.map((t) => ({
      step: t.record.id,
      parentId: t.record.parentId,
      actualMs: t.actualMs,
      waitingMs: t.waitingMs,
      executingMs: t.executingMs,
      stalledMs: t.stalledMs,
      overMs: t.overMs,
    })),
  };
}

export interface PersonTiming {
  person: string;
  /** Approvals, confirmations, decisions and rejections they gave. */
  answers: number;
  /** Time from being asked (the wait's start) to their answer, summed and at worst. */
  totalMs: number;
  slowestMs: number;
  steps: string[];
}

/** Time the run waited on each person: how long each answer took from the moment the step asked. */
export function peopleTimings(report: RunReport): PersonTiming[] {
  const byPerson = new Map<string, PersonTiming>();
  for (const record of report.steps) {
    const acks = [
      ...record.approvals,
      ...(record.completedBy ? [record.completedBy] : []),
      ...(record.rejectedBy ? [record.rejectedBy] : []),
      ...record.decisions,
    ];
    for (const ack of acks) {
      const wait = record.waits.find((w) => w.since <= ack.at && ack.at <= (w.until ?? Number.POSITIVE_INFINITY));
      if (!wait) continue;
      const ms = ack.at - wait.since;
      const entry = byPerson.get(ack.by) ?? { person: ack.by, answers: 0, totalMs: 0, slowestMs: 0, steps: [] };
      entry.answers++;
      entry.totalMs += ms;
      entry.slowestMs = Math.max(entry.slowestMs, ms);
      if (!entry.steps.includes(record.id)) entry.steps.push(record.id);
      byPerson.set(ack.by, entry);
    }
  }
  return [...byPerson.values()].sort((a, b) => b.totalMs - a.totalMs);
}
