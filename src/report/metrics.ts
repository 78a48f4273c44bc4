// Figures across finished runs, the seed's "Backup Validation Metrics": time to restore, data loss
// (RPO achieved), restore success rate, time to detect, MTTR, RTO met, per-step duration vs budget.
// Pure: reports in, numbers out.
import type { ActionKind } from '../runbook/model.js';
import type { RunReport, RunStatus } from '../runbook/run.js';

/** Steps that put data back: a run that started one "reached a restore". */
export const RESTORE_KINDS: readonly ActionKind[] = ['postgres.restore', 'redis.restore', 'kafka.restore', 'archive.restore', 'pgbackrest.restore'];

const FINISHED: readonly RunStatus[] = ['succeeded', 'failed', 'aborted'];

/** A run's report; `subRun` when another run started it (its incident belongs to that run). */
export interface MetricsRun {
  report: RunReport;
  subRun?: boolean;
}

/** Durations of `n` runs; undefined figures when n = 0. Percentiles are nearest-rank. */
export interface Stat {
  n: number;
  meanMs?: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}

/** `n` of `of` (rate 0..1, undefined when of = 0). */
export interface Rate {
  n: number;
  of: number;
  rate?: number;
}

export type RtoOutcome = 'met' | 'breached' | 'not recovered' | 'on-track' | 'at-risk' | 'no RTO';
export type RpoOutcome = 'met' | 'missed' | 'no RPO' | 'no restore';

/** What one run counted for. */
export interface RunFacts {
  workflowId: string;
  runbook: string;
  mode: string;
  status: RunStatus;
  subRun: boolean;
  durationMs: number;
  reachedRestore: boolean;
  restored: boolean;
  rpoAchievedMs?: number;
  /** Point-in-time restores: the last transaction recovered, read from the restored server (the RPO is measured, not a backup's age). */
  rpoLastTransactionAt?: string;
  /** Run start minus incident time, when an incident time before the start was given. */
  timeToDetectMs?: number;
  /** End minus incident time, for recovery runs that succeeded. */
  recoveryMs?: number;
  rto: RtoOutcome;
}

export interface RunbookMetrics {
  runbook: string;
  runs: number;
  succeeded: number;
  timeToRestore: Stat;
  dataLoss: Stat;
  restoreSuccess: Rate;
  mttr: Stat;
  rtoMet: Rate;
}

export interface StepMetrics {
  runbook: string;
  step: string;
  title: string;
  /** The budget in the most recent run (files change); over-budget counts each run's own. */
  budgetMs: number;
  actual: Stat;
  overBudget: Rate;
}

export interface Metrics {
  runs: number;
  /** Reports given that had not finished (running, waiting, dry-run plans): not counted. */
  unfinished: number;
  statuses: Partial<Record<RunStatus, number>>;
  timeToRestore: Stat;
  dataLoss: Stat & { rpoMet: Rate };
  restoreSuccess: Rate;
  timeToDetect: Stat;
  /** Mean time to recovery is `mttr.meanMs`: end minus incident time of recovery runs that succeeded. */
  mttr: Stat;
  rtoMet: Rate;
  runbooks: RunbookMetrics[];
  steps: StepMetrics[];
  perRun: RunFacts[];
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { n: 0 };
  return {
    n: values.length,
    meanMs: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
    p50Ms: percentile(values, 50),
    p95Ms: percentile(values, 95),
    maxMs: Math.max(...values),
  };
}

export function rate(n: number, of: number): Rate {
  return of === 0 ? { n, of } : { n, of, rate: n / of };
}

/** The RTO verdict the reports show: met only when the run recovered without breaching it. */
export function rtoOutcome(report: RunReport): RtoOutcome {
  if (report.objectives.rtoMs === undefined || report.rto.status === 'none') return 'no RTO';
  if (report.rto.status === 'breached') return 'breached';
  if (report.endedAt === undefined) return report.rto.status;
  return report.status === 'succeeded' ? 'met' : 'not recovered';
}

export function rpoOutcome(report: RunReport): RpoOutcome {
  if (!report.rpo) return 'no restore';
  if (report.objectives.rpoMs === undefined) return 'no RPO';
  return report.rpo.achievedMs <= report.objectives.rpoMs ? 'met' : 'missed';
}

function facts({ report, subRun = false }: MetricsRun): RunFacts {
  const restoreSteps = report.steps.filter((s) => RESTORE_KINDS.includes(s.kind));
  // A restore inside a sub-runbook shows only as RPO evidence in the parent's report.
  const reachedRestore = report.rpo !== undefined || restoreSteps.some((s) => s.startedAt !== undefined);
  const restored = report.rpo !== undefined || restoreSteps.some((s) => s.status === 'succeeded');
  const recovery = reachedRestore || report.objectives.rtoMs !== undefined;
  const endedAt = report.endedAt ?? report.startedAt;
  // A drill's set-up (drill.setup) runs before its clock starts: the run's duration is from then on.
  const clockFrom = report.events.find((e) => e.type === 'setup-finished')?.at ?? report.startedAt;
  return {
    workflowId: report.workflowId,
    runbook: report.runbook.id,
    mode: report.mode,
    status: report.status,
    subRun,
    durationMs: endedAt - clockFrom,
    reachedRestore,
    restored,
    rpoAchievedMs: report.rpo?.achievedMs,
    rpoLastTransactionAt: report.rpo?.lastTransactionAt,
    timeToDetectMs: !subRun && recovery && report.incidentAt < report.startedAt ? report.startedAt - report.incidentAt : undefined,
    recoveryMs: !subRun && recovery && report.status === 'succeeded' ? endedAt - report.incidentAt : undefined,
    rto: rtoOutcome(report),
  };
}

const defined = (values: Array<number | undefined>): number[] => values.filter((v): v is number => v !== undefined);

function restoreFigures(runs: RunFacts[]) {
  const reached = runs.filter((r) => r.reachedRestore);
  const withRto = runs.filter((r) => r.rto !== 'no RTO');
  return {
    timeToRestore: stat(runs.filter((r) => r.restored).map((r) => r.durationMs)),
    dataLoss: stat(defined(runs.map((r) => r.rpoAchievedMs))),
    restoreSuccess: rate(reached.filter((r) => r.status === 'succeeded').length, reached.length),
    mttr: stat(defined(runs.map((r) => r.recoveryMs))),
    rtoMet: rate(withRto.filter((r) => r.rto === 'met').length, withRto.length),
  };
}

function stepFigures(reports: RunReport[]): StepMetrics[] {
  const groups = new Map<string, { runbook: string; step: string; latest: { at: number; title: string; budgetMs: number }; actual: number[]; over: number }>();
  for (const report of reports) {
    for (const s of report.steps) {
      // Set-up sub-runs are other runbooks' runs (counted as those), with no budget of this one's.
      if (s.phase === 'setup') continue;
      if (s.startedAt === undefined || s.endedAt === undefined || (s.status !== 'succeeded' && s.status !== 'failed')) continue;
      const key = `${report.runbook.id}\u0000${s.id}`;
      const group = groups.get(key) ?? { runbook: report.runbook.id, step: s.id, latest: { at: -Infinity, title: s.title, budgetMs: s.budgetMs }, actual: [], over: 0 };
      const actual = s.endedAt - s.startedAt;
      group.actual.push(actual);
      if (actual > s.budgetMs) group.over++;
      if (report.startedAt > group.latest.at) group.latest = { at: report.startedAt, title: s.title, budgetMs: s.budgetMs };
      groups.set(key, group);
    }
  }
  // Runbooks alphabetically; steps in the order the runbook runs them (first seen).
  return [...groups.values()]
    .sort((a, b) => a.runbook.localeCompare(b.runbook))
    .map((g) => ({ runbook: g.runbook, step: g.step, title: g.latest.title, budgetMs: g.latest.budgetMs, actual: stat(g.actual), overBudget: rate(g.over, g.actual.length) }));
}

/** Aggregates finished runs; unfinished reports are counted in `unfinished` and left out. */
export function computeMetrics(input: readonly MetricsRun[]): Metrics {
  const finished = input.filter((r) => FINISHED.includes(r.report.status) && r.report.endedAt !== undefined);
  const runs = finished.map(facts);
  const statuses: Partial<Record<RunStatus, number>> = {};
  for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const overall = restoreFigures(runs);
  const rpoRuns = finished.filter((r) => r.report.rpo !== undefined && r.report.objectives.rpoMs !== undefined);
  const runbookIds = [...new Set(runs.map((r) => r.runbook))].sort();
  return {
    runs: runs.length,
    unfinished: input.length - finished.length,
    statuses,
    ...overall,
    dataLoss: { ...overall.dataLoss, rpoMet: rate(rpoRuns.filter((r) => rpoOutcome(r.report) === 'met').length, rpoRuns.length) },
    timeToDetect: stat(defined(runs.map((r) => r.timeToDetectMs))),
    runbooks: runbookIds.map((id) => {
      const mine = runs.filter((r) => r.runbook === id);
      return { runbook: id, runs: mine.length, succeeded: mine.filter((r) => r.status === 'succeeded').length, ...restoreFigures(mine) };
    }),
    steps: stepFigures(finished.map((r) => r.report)),
    perRun: runs,
  };
}
