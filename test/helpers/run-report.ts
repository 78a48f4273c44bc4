// Hand-made run records for report tests: a step with defaults, and a drill of database loss with
// a manual step that overran while waiting, a two-person gate, a parallel group and a skipped step.
import type { RunReport, StepRecord } from '../../src/runbook/run.js';

export const T0 = Date.parse('2026-03-15T10:00:00Z');
export const min = 60_000;

export function step(partial: Partial<StepRecord> & Pick<StepRecord, 'id' | 'kind' | 'budgetMs'>): StepRecord {
  return { title: partial.id, destructive: false, status: 'succeeded', attempts: [], waits: [], approvals: [], decisions: [], escalations: [], ...partial };
}

export function runReport(partial: Partial<RunReport> = {}): RunReport {
  return {
    workflowId: 'database-loss-drill-1',
    runId: 'r1',
    runbook: { id: 'database-loss', title: 'Complete database loss', file: 'database-loss.yaml', sha256: 'ab'.repeat(32) },
    mode: 'drill',
    status: 'succeeded',
    startedBy: 'dana',
    startedAt: T0,
    endedAt: T0 + 50 * min,
    incidentAt: T0,
    inputs: {},
    objectives: { rtoMs: 240 * min, rpoMs: 1440 * min },
    rto: { status: 'on-track', elapsedMs: 50 * min, forecastMs: 50 * min },
    steps: [],
    events: [],
    audit: [],
    warnings: [],
    notifications: { sent: 0, suppressed: 0, failed: 0 },
    ...partial,
  };
}

/** 0–20m assess (waits from 2m, budget 15m), 20–25m gate, 25–40m verify ∥ (counts 25–30m, app 25–40m), 40–50m restore, cleanup skipped. */
export function drillReport(): RunReport {
  return runReport({
    runbook: { id: 'database-loss', title: 'Complete database loss <script>alert("x")</script> & co', file: 'database-loss.yaml', sha256: 'ab'.repeat(32) },
    steps: [
      step({
        id: 'assess',
        title: 'Assess the <damage>',
        kind: 'manual',
        budgetMs: 15 * min,
        startedAt: T0,
        endedAt: T0 + 20 * min,
        waits: [{ for: 'completion', since: T0 + 2 * min, until: T0 + 20 * min }],
        completedBy: { by: 'eli', at: T0 + 20 * min },
        overrunAt: T0 + 15 * min,
      }),
      step({
        id: 'gate',
        title: 'Approve the restore',
        kind: 'approval',
        budgetMs: 10 * min,
        startedAt: T0 + 20 * min,
        endedAt: T0 + 25 * min,
        waits: [{ for: 'approval', since: T0 + 20 * min, until: T0 + 25 * min }],
        approvals: [{ by: 'bea', at: T0 + 23 * min }, { by: 'eli', at: T0 + 25 * min }],
      }),
      step({ id: 'verify', title: 'Verify', kind: 'parallel', budgetMs: 10 * min, startedAt: T0 + 25 * min, endedAt: T0 + 40 * min }),
      step({ id: 'counts', title: 'Row counts', kind: 'postgres.verify', parentId: 'verify', budgetMs: 10 * min, startedAt: T0 + 25 * min, endedAt: T0 + 30 * min }),
      step({ id: 'app', title: 'Smoke test', kind: 'http', parentId: 'verify', budgetMs: 10 * min, startedAt: T0 + 25 * min, endedAt: T0 + 40 * min, status: 'failed', error: 'HTTP 500 <oops>' }),
      step({ id: 'restore', title: 'Restore', kind: 'postgres.restore', budgetMs: 120 * min, startedAt: T0 + 40 * min, endedAt: T0 + 50 * min }),
      step({ id: 'cleanup', title: 'Clean up', kind: 'shell', budgetMs: 5 * min, status: 'skipped' }),
    ],
    audit: [
      { at: T0 + 22 * min, message: 'approve', via: 'update', by: 'mallory', step: 'gate', accepted: false, reason: '"mallory" may not act on step "gate"' },
      { at: T0 + 23 * min, message: 'approve', via: 'signal', by: 'bea', step: 'gate', accepted: true, comment: 'backup <verified> & fine' },
    ],
  });
}
