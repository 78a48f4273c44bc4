// Three hand-made runs of a database-loss runbook shaped like scenario 1 (budgets in hours, a 4h RTO
// that the plan itself exceeds), for the timeline: a fast drill that took seconds, a slow drill with
// overruns that breached the RTO, and a run that failed early and never reached most steps.
import type { RunReport, StepRecord } from '../../src/runbook/run.js';
import { min, runReport, step, T0 } from './run-report.js';

const s = 1000;
const h = 60 * min;

/** The plan: assess ∥ (3 × 15m), provision 30m, restore 2h, verify ∥ (1h, 1h, 20m), connection-strings 30m, monitor 20m = 4h35m. */
function planned(): StepRecord[] {
  return [
    step({ id: 'assess', title: 'Assess the damage', kind: 'parallel', budgetMs: 15 * min, status: 'pending' }),
    step({ id: 'extent', title: 'Extent of the loss', kind: 'manual', parentId: 'assess', budgetMs: 15 * min, status: 'pending' }),
    step({ id: 'probe', title: 'Probe the database', kind: 'shell', parentId: 'assess', budgetMs: 15 * min, status: 'pending' }),
    step({ id: 'last-good-backup', title: 'Find the last good backup', kind: 'shell', parentId: 'assess', budgetMs: 10 * min, status: 'pending' }),
    step({ id: 'provision', title: 'Provision a new database', kind: 'shell', budgetMs: 30 * min, status: 'pending' }),
    step({ id: 'restore', title: 'Restore from the backup', kind: 'postgres.restore', budgetMs: 2 * h, status: 'pending' }),
    step({ id: 'verify', title: 'Verify the restore', kind: 'parallel', budgetMs: 1 * h, status: 'pending' }),
    step({ id: 'checklist', title: 'Validation checklist', kind: 'manual', parentId: 'verify', budgetMs: 1 * h, status: 'pending' }),
    step({ id: 'count-users', title: 'Count users', kind: 'postgres.verify', parentId: 'verify', budgetMs: 1 * h, status: 'pending' }),
    step({ id: 'migrations', title: 'Migrations applied', kind: 'sql', parentId: 'verify', budgetMs: 20 * min, status: 'pending' }),
    step({ id: 'connection-strings', title: 'Update connection strings', kind: 'manual', budgetMs: 30 * min, status: 'pending' }),
    step({ id: 'monitor', title: 'Monitor for an hour', kind: 'manual', budgetMs: 20 * min, status: 'pending' }),
  ];
}

/** Fills in what happened to each step: `[from, to]` in ms since T0, waits as `[from, to]` too. */
function ran(records: StepRecord[], happened: Record<string, { at: [number, number]; waits?: Array<[number, number]>; status?: StepRecord['status']; error?: string }>): StepRecord[] {
  return records.map((r) => {
    const what = happened[r.id];
    if (!what) return r;
    return {
      ...r,
      status: what.status ?? 'succeeded',
      startedAt: T0 + what.at[0],
      endedAt: T0 + what.at[1],
      waits: (what.waits ?? []).map(([a, b]) => ({ for: r.kind === 'manual' ? 'completion' : 'approval', since: T0 + a, until: T0 + b })),
      completedBy: r.kind === 'manual' && what.waits ? { by: 'dana', at: T0 + what.at[1] } : undefined,
      error: what.error,
      overrunAt: what.at[1] - what.at[0] > r.budgetMs ? T0 + what.at[0] + r.budgetMs : undefined,
    };
  });
}

/** `npm run drill`-like: 14 s against a plan of 4h35m, people answering in seconds. */
export function fastDrill(): RunReport {
  const steps = ran(planned(), {
    assess: { at: [0, 3 * s] },
    extent: { at: [0, 3 * s], waits: [[200, 3 * s]] },
    probe: { at: [0, 400] },
    'last-good-backup': { at: [0, 700] },
    provision: { at: [3 * s, 4 * s] },
    restore: { at: [4 * s, 8 * s] },
    verify: { at: [8 * s, 12 * s] },
    checklist: { at: [8 * s, 12 * s], waits: [[8100, 12 * s]] },
    'count-users': { at: [8 * s, 8500] },
    migrations: { at: [8 * s, 8300] },
    'connection-strings': { at: [12 * s, 13 * s], waits: [[12100, 13 * s]] },
    monitor: { at: [13 * s, 14 * s], waits: [[13050, 14 * s]] },
  });
  return runReport({ workflowId: 'database-loss-drill-fast', endedAt: T0 + 14 * s, rto: { status: 'at-risk', elapsedMs: 14 * s, forecastMs: 14 * s }, steps });
}

/** Hours long: the restore and the checklist overran, a person took 40m to confirm; 4h50m against a 4h RTO. */
export function slowDrill(): RunReport {
  const steps = ran(planned(), {
    assess: { at: [0, 25 * min] },
    extent: { at: [0, 25 * min], waits: [[2 * min, 25 * min]] },
    probe: { at: [0, 8 * min] },
    'last-good-backup': { at: [0, 6 * min] },
    provision: { at: [25 * min, 50 * min] },
    restore: { at: [50 * min, 50 * min + 2 * h + 50 * min] },
    verify: { at: [3 * h + 40 * min, 4 * h + 40 * min - 5 * min] },
    checklist: { at: [3 * h + 40 * min, 4 * h + 35 * min], waits: [[3 * h + 45 * min, 4 * h + 35 * min]] },
    'count-users': { at: [3 * h + 40 * min, 3 * h + 52 * min] },
    migrations: { at: [3 * h + 40 * min, 3 * h + 41 * min] },
    'connection-strings': { at: [4 * h + 35 * min, 4 * h + 50 * min], waits: [[4 * h + 36 * min, 4 * h + 50 * min]] },
    monitor: { at: [4 * h + 50 * min, 5 * h + 10 * min], waits: [[4 * h + 51 * min, 5 * h + 10 * min]] },
  });
  return runReport({
    workflowId: 'database-loss-drill-slow',
    endedAt: T0 + 5 * h + 10 * min,
    rto: { status: 'breached', elapsedMs: 5 * h + 10 * min, forecastMs: 5 * h + 10 * min },
    steps,
  });
}

/** The restore failed after 3m; nothing after it ran. */
export function failedRun(): RunReport {
  const steps = ran(planned(), {
    assess: { at: [0, 40 * s] },
    extent: { at: [0, 40 * s], waits: [[1 * s, 40 * s]] },
    probe: { at: [0, 2 * s] },
    'last-good-backup': { at: [0, 3 * s] },
    provision: { at: [40 * s, 1 * min] },
    restore: { at: [1 * min, 3 * min], status: 'failed', error: 'pg_restore exited with code 1: could not connect to the server' },
  }).map((r) => (r.startedAt === undefined ? { ...r, status: 'pending' as const } : r));
  return runReport({
    workflowId: 'database-loss-drill-failed',
    status: 'failed',
    outcome: 'step "restore" failed',
    endedAt: T0 + 3 * min,
    rto: { status: 'at-risk', elapsedMs: 3 * min, forecastMs: 3 * min + 4 * h },
    steps,
  });
}
