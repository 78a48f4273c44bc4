// Metrics and log lines from workflow code. workflow.metricMeter and workflow.log emit only when the
// code is not replaying, so a worker restart never counts a step twice. Every line names the step
// (stepId) and the runbook; Temporal adds workflowId, runId and workflowType.
import { log, metricMeter } from '@temporalio/workflow';
import { formatDuration } from '../runbook/duration.js';
import type { Mode } from '../runbook/model.js';
import type { RtoStatus, RunStatus, StepRecord } from '../runbook/run.js';

/** What every metric of a run is tagged with. */
export interface RunLabels {
  runbook: string;
  mode: Mode;
}

const ENDED = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'rehearsed']);

/** Time the step spent waiting on people (approvals, confirmations, decisions). */
export function waitingMs(record: StepRecord, now: number): number {
  return record.waits.reduce((sum, w) => sum + Math.max(0, (w.until ?? record.endedAt ?? now) - w.since), 0);
}

/** A step has ended: counts it by outcome, its duration against its budget, overruns; one log line. */
export function stepEnded(run: RunLabels, record: StepRecord): void {
  if (!ENDED.has(record.status)) return; // planned (dry-run) steps did not run
  const { runbook, mode } = run;
  const tags = { runbook, mode, kind: record.kind, outcome: record.status };
  metricMeter.createCounter('dr_steps', 'steps', 'Steps ended, by runbook, mode, kind and outcome').add(1, tags);
  const ran = record.startedAt !== undefined && record.endedAt !== undefined;
  const durationMs = ran ? record.endedAt! - record.startedAt! : 0;
  const waited = waitingMs(record, record.endedAt ?? 0);
  if (ran) {
    metricMeter.createHistogram('dr_step_duration_seconds', 'float', 's', 'Step wall time, waiting on people included').record(durationMs / 1000, tags);
    if (waited > 0) {
      metricMeter.createHistogram('dr_step_waiting_seconds', 'float', 's', 'Time steps spent waiting on people').record(waited / 1000, { runbook, mode, kind: record.kind });
    }
    const stepTags = { runbook, mode, step: record.id };
    // Per step (not per kind): what the drill review's p50/p95 and suggested budget read in Grafana.
    metricMeter
      .createHistogram('dr_step_run_seconds', 'float', 's', 'Step wall time per step, for p50/p95 against its budget')
      .record(durationMs / 1000, { ...stepTags, outcome: record.status });
    metricMeter.createGauge('dr_step_last_duration_seconds', 'float', 's', "The step's duration in the last run that ended it").set(durationMs / 1000, stepTags);
    if (record.budgetMs > 0) {
      metricMeter.createGauge('dr_step_budget_seconds', 'float', 's', "The step's planned budget").set(record.budgetMs / 1000, stepTags);
      metricMeter
        .createHistogram('dr_step_budget_ratio', 'float', '1', 'Step duration divided by its budget (above 1 = overrun)')
        .record(durationMs / record.budgetMs, { runbook, mode, kind: record.kind });
    }
  }
  if (record.overrunAt !== undefined) {
    metricMeter.createCounter('dr_step_overruns', 'steps', 'Steps that ran past their budget').add(1, { runbook, mode, step: record.id });
  }
  const timing = ran ? ` in ${formatDuration(durationMs)}${record.budgetMs > 0 ? ` (budget ${formatDuration(record.budgetMs)})` : ''}` : '';
  const line = `step "${record.id}" ${record.status}${timing}${record.error && record.status === 'failed' ? `: ${record.error}` : ''}`;
  const meta = { stepId: record.id, runbook, mode, kind: record.kind, outcome: record.status, durationMs, budgetMs: record.budgetMs, waitingMs: waited, attempts: record.attempts.length };
  if (record.status === 'failed') log.warn(line, meta);
  else log.info(line, meta);
}

/** The RTO forecast changed to at-risk or breached: counted once per run and status. */
export function rtoAlarm(run: RunLabels, status: Exclude<RtoStatus, 'none' | 'on-track'>, detail: string): void {
  metricMeter.createCounter('dr_rto_alarms', 'runs', 'Runs whose RTO went at risk or was breached').add(1, { ...run, status });
  log.warn(`RTO ${status}: ${detail}`, { ...run, rtoStatus: status });
}

/** The run started: its plan and RTO as gauges (the forecast a dashboard sets against the RTO); one line. */
export function runStarted(run: RunLabels, detail: string, plan: { plannedMs: number; rtoMs?: number }): void {
  metricMeter.createGauge('dr_runbook_planned_seconds', 'float', 's', "The runbook's planned duration (budgets on its longest path) in this mode").set(plan.plannedMs / 1000, { ...run });
  if (plan.rtoMs !== undefined) {
    metricMeter.createGauge('dr_runbook_rto_seconds', 'float', 's', "The runbook's RTO").set(plan.rtoMs / 1000, { runbook: run.runbook });
  }
  log.info(`run started: ${detail}`, { ...run });
}

/** The run ended: counted by status and RTO verdict; one line. */
export function runEnded(run: RunLabels, status: RunStatus, rto: RtoStatus, elapsedMs: number, detail: string): void {
  metricMeter.createCounter('dr_runs_finished', 'runs', 'Runs ended, by status and RTO verdict').add(1, { ...run, status, rto });
  if (status !== 'planned') {
    metricMeter.createHistogram('dr_run_duration_seconds', 'float', 's', 'Run wall time').record(elapsedMs / 1000, { ...run, status });
  }
  const line = `run ${detail}`;
  if (status === 'succeeded' || status === 'planned') log.info(line, { ...run, status, rtoStatus: rto, elapsedMs });
  else log.warn(line, { ...run, status, rtoStatus: rto, elapsedMs });
}
