// Metrics across a table of hand-made runs: the seed's figures, per runbook and per step, exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, percentile, type MetricsRun } from '../../../src/report/metrics.js';
import { parseSince, metricsQuery } from '../../../src/cli/commands/metrics.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { min, runReport, step, T0 } from '../../helpers/run-report.js';

const hour = 60 * min;
const day = 24 * hour;

/** A finished run of `runbook` from `start` (ms) lasting `minutes`, restore step and RPO evidence as given. */
function run(runbook: string, start: number, minutes: number, more: Partial<RunReport> & { restore?: [status: 'succeeded' | 'failed', minutes: number, budgetMin: number]; rpoHours?: number }): RunReport {
  const { restore, rpoHours, ...rest } = more;
  return runReport({
    workflowId: `${runbook}-${start}`,
    runbook: { id: runbook, title: runbook, file: `${runbook}.yaml`, sha256: '00' },
    startedAt: start,
    endedAt: start + minutes * min,
    incidentAt: start,
    rto: { status: 'on-track', elapsedMs: minutes * min, forecastMs: minutes * min },
    steps: restore ? [step({ id: 'restore', kind: 'postgres.restore', status: restore[0], budgetMs: restore[2] * min, startedAt: start, endedAt: start + restore[1] * min })] : [],
    rpo: rpoHours === undefined ? undefined : { achievedMs: rpoHours * hour, step: 'restore' },
    ...rest,
  });
}

// A: restored, detected 10m after the incident. B: restored, slower, RPO 6h. C: restore failed, RTO
// breached, detected after 30m. D: a backup (no RTO, no restore). F: A's restore sub-run. E: running.
const A = run('database-loss', T0, 50, { incidentAt: T0 - 10 * min, restore: ['succeeded', 30, 20], rpoHours: 3 });
const B = run('database-loss', T0 + day, 70, { restore: ['succeeded', 40, 20], rpoHours: 6 });
const C = run('database-loss', T0 + 2 * day, 300, {
  status: 'failed',
  incidentAt: T0 + 2 * day - 30 * min,
  restore: ['failed', 10, 30],
  rto: { status: 'breached', elapsedMs: 300 * min, forecastMs: 300 * min },
});
const D = run('database-backup', T0, 6, { objectives: {}, rto: { status: 'none', elapsedMs: 0, forecastMs: 0 }, steps: [step({ id: 'dump', kind: 'postgres.backup', budgetMs: 10 * min, startedAt: T0, endedAt: T0 + 5 * min })] });
const F = run('database-restore', T0 + 5 * min, 30, { incidentAt: T0 - 10 * min, objectives: { rpoMs: day }, rto: { status: 'none', elapsedMs: 0, forecastMs: 0 }, restore: ['succeeded', 25, 20], rpoHours: 3 });
const E = runReport({ status: 'running', endedAt: undefined });
const table: MetricsRun[] = [{ report: A }, { report: B }, { report: C }, { report: D }, { report: E }, { report: F, subRun: true }];

test('percentile is nearest-rank', () => {
  const tens = [100, 10, 90, 20, 80, 30, 70, 40, 60, 50];
  assert.deepEqual([percentile(tens, 50), percentile(tens, 95), percentile(tens, 100), percentile(tens, 1)], [50, 100, 100, 10]);
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.deepEqual([percentile(twenty, 50), percentile(twenty, 95)], [10, 19]);
  assert.deepEqual([percentile([7], 50), percentile([7], 95), percentile([], 50)], [7, 7, undefined]);
});

test("the seed's metrics over finished runs", () => {
  const m = computeMetrics(table);
  assert.deepEqual([m.runs, m.unfinished, m.statuses], [5, 1, { succeeded: 4, failed: 1 }]);
  // Time to restore: durations of A, B and the sub-run F, which restored.
  assert.deepEqual(m.timeToRestore, { n: 3, meanMs: 50 * min, p50Ms: 50 * min, p95Ms: 70 * min, maxMs: 70 * min });
  assert.deepEqual(m.dataLoss, { n: 3, meanMs: 4 * hour, p50Ms: 3 * hour, p95Ms: 6 * hour, maxMs: 6 * hour, rpoMet: { n: 3, of: 3, rate: 1 } });
  assert.deepEqual(m.restoreSuccess, { n: 3, of: 4, rate: 0.75 });
  // Time to detect and MTTR: top-level recovery runs only (F's incident is A's; D recovers nothing).
  assert.deepEqual(m.timeToDetect, { n: 2, meanMs: 20 * min, p50Ms: 10 * min, p95Ms: 30 * min, maxMs: 30 * min });
  assert.deepEqual(m.mttr, { n: 2, meanMs: 65 * min, p50Ms: 60 * min, p95Ms: 70 * min, maxMs: 70 * min });
  assert.deepEqual(m.rtoMet, { n: 2, of: 3, rate: 2 / 3 });
  assert.deepEqual(
    m.perRun.map((r) => [r.runbook, r.status, r.subRun, r.reachedRestore, r.restored, r.timeToDetectMs, r.recoveryMs, r.rto]),
    [
      ['database-loss', 'succeeded', false, true, true, 10 * min, 60 * min, 'met'],
      ['database-loss', 'succeeded', false, true, true, undefined, 70 * min, 'met'],
      ['database-loss', 'failed', false, true, false, 30 * min, undefined, 'breached'],
      ['database-backup', 'succeeded', false, false, false, undefined, undefined, 'no RTO'],
      ['database-restore', 'succeeded', true, true, true, undefined, undefined, 'no RTO'],
    ],
  );
});

test('per runbook and per step against the budget', () => {
  const m = computeMetrics(table);
  assert.deepEqual(
    m.runbooks.map((r) => [r.runbook, r.runs, r.succeeded, r.restoreSuccess, r.rtoMet, r.mttr.meanMs, r.timeToRestore.p50Ms, r.dataLoss.maxMs]),
    [
      ['database-backup', 1, 1, { n: 0, of: 0 }, { n: 0, of: 0 }, undefined, undefined, undefined],
      ['database-loss', 3, 2, { n: 2, of: 3, rate: 2 / 3 }, { n: 2, of: 3, rate: 2 / 3 }, 65 * min, 50 * min, 6 * hour],
      ['database-restore', 1, 1, { n: 1, of: 1, rate: 1 }, { n: 0, of: 0 }, undefined, 30 * min, 3 * hour],
    ],
  );
  // The budget shown is the latest run's (C: 30m); over budget counts each run's own (A, B over 20m).
  assert.deepEqual(
    m.steps.map((s) => [s.runbook, s.step, s.budgetMs / min, s.actual.n, s.actual.p50Ms! / min, s.actual.p95Ms! / min, s.overBudget]),
    [
      ['database-backup', 'dump', 10, 1, 5, 5, { n: 0, of: 1, rate: 0 }],
      ['database-loss', 'restore', 30, 3, 30, 40, { n: 2, of: 3, rate: 2 / 3 }],
      ['database-restore', 'restore', 20, 1, 25, 25, { n: 1, of: 1, rate: 1 }],
    ],
  );
});

test('no runs: every figure empty, not zero', () => {
  assert.deepEqual(computeMetrics([]), {
    runs: 0,
    unfinished: 0,
    statuses: {},
    timeToRestore: { n: 0 },
    dataLoss: { n: 0, rpoMet: { n: 0, of: 0 } },
    restoreSuccess: { n: 0, of: 0 },
    timeToDetect: { n: 0 },
    mttr: { n: 0 },
    rtoMet: { n: 0, of: 0 },
    runbooks: [],
    steps: [],
    perRun: [],
  });
  assert.equal(computeMetrics([{ report: E }]).unfinished, 1);
});

test('--since and the visibility query', () => {
  const now = Date.parse('2026-03-31T00:00:00Z');
  assert.equal(parseSince('30d', now).toISOString(), '2026-03-01T00:00:00.000Z');
  assert.equal(parseSince('12h', now).toISOString(), '2026-03-30T12:00:00.000Z');
  assert.equal(parseSince('2026-03-15', now).toISOString(), '2026-03-15T00:00:00.000Z');
  for (const bad of ['30', 'yesterday', '']) {
    assert.throws(() => parseSince(bad, now), { name: 'CliError', message: `Expected --since to be a duration like "30d" or an ISO time, got "${bad}"` });
  }
  const since = new Date('2026-03-01T00:00:00Z');
  assert.equal(
    metricsQuery({}, since),
    "DrRunbook IS NOT NULL AND ExecutionStatus != 'Running' AND CloseTime > '2026-03-01T00:00:00.000Z' AND DrMode != 'dry-run' AND ParentWorkflowId IS NULL",
  );
  assert.equal(
    metricsQuery({ runbook: "it's", mode: 'drill', taskQueue: 'q', subRuns: true }, since),
    "DrRunbook IS NOT NULL AND ExecutionStatus != 'Running' AND CloseTime > '2026-03-01T00:00:00.000Z' AND DrRunbook = 'it\\'s' AND DrMode = 'drill' AND TaskQueue = 'q'",
  );
});

test("a drill's set-up counts neither in its duration nor among its steps", () => {
  // 12 minutes of set-up (demo-setup sub-run), then the clock starts: 30 minutes of recovery.
  const setupEnd = T0 + 12 * min;
  const drill = run('database-loss', T0, 42, {
    incidentAt: setupEnd,
    restore: ['succeeded', 20, 20],
    rpoHours: 1,
    events: [{ at: setupEnd, type: 'setup-finished', detail: 'drill set-up done (demo-setup): the RTO clock starts' }],
  });
  drill.steps.unshift(step({ id: 'setup-demo-setup', kind: 'runbook', phase: 'setup', budgetMs: 0, startedAt: T0, endedAt: setupEnd }));
  const m = computeMetrics([{ report: drill }]);
  assert.equal(m.perRun[0]!.durationMs, 30 * min);
  assert.equal(m.timeToRestore.p50Ms, 30 * min);
  assert.equal(m.mttr.p50Ms, 30 * min);
  assert.deepEqual(
    m.steps.map((s) => s.step),
    ['restore'],
  );
});
