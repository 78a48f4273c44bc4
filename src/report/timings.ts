// Figures a report shows per step and for the run: planned vs actual, waiting on people vs executing.
import type { RunReport, StepRecord } from '../runbook/run.js';

export interface StepTiming {
  record: StepRecord;
  depth: number;
  actualMs?: number;
  waitingMs: number;
  executingMs: number;
  /** Actual minus planned, when the step ran. */
  overMs?: number;
  /** Who approved, completed, decided or rejected the step. */
  people: string[];
}

/** Time a step spent waiting on people (approvals, confirmations, decisions). */
export function waitingMs(record: StepRecord, now: number): number {
  return record.waits.reduce((sum, w) => sum + ((w.until ?? now) - w.since), 0);
}

export function stepTimings(report: RunReport, now = report.endedAt ?? Date.now()): StepTiming[] {
  const depthOf = new Map<string, number>();
  return report.steps.map((record) => {
    const depth = record.parentId === undefined ? 0 : (depthOf.get(record.parentId) ?? 0) + 1;
    depthOf.set(record.id, depth);
    const actualMs = record.startedAt === undefined ? undefined : (record.endedAt ?? now) - record.startedAt;
    const waiting = waitingMs(record, now);
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
      executingMs: actualMs === undefined ? 0 : Math.max(0, actualMs - waiting),
      overMs: actualMs === undefined ? undefined : actualMs - record.budgetMs,
      people,
    };
  });
}

/** Run totals: wall time split into waiting on people and the rest; planned over top-level steps. */
export function runTotals(
  report: RunReport,
  timings: StepTiming[],
  now = report.endedAt ?? Date.now(),
): { elapsedMs: number; waitingMs: number; executingMs: number; plannedMs: number } {
  const top = timings.filter((t) => t.depth === 0);
  const elapsedMs = now - report.startedAt;
  const waiting = top.reduce((s, t) => s + t.waitingMs + childWaiting(timings, t.record.id), 0);
  return {
    elapsedMs,
    waitingMs: waiting,
    executingMs: Math.max(0, elapsedMs - waiting),
    plannedMs: top.reduce((s, t) => s + (t.record.status === 'skipped' ? 0 : t.record.budgetMs), 0),
  };
}

function childWaiting(timings: StepTiming[], parentId: string): number {
  // A group's waiting time is its longest waiting branch: branches wait side by side.
  const children = timings.filter((t) => t.record.parentId === parentId);
  return Math.max(0, ...children.map((c) => c.waitingMs + childWaiting(timings, c.record.id)));
}
