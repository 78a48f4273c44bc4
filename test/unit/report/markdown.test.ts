// Report figures and Markdown from a hand-made run record (no Temporal involved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { peopleTimings, reportJson, runTotals, stepTimings } from '../../../src/report/timings.js';
import { min, runReport, step, T0 } from '../../helpers/run-report.js';

const report = runReport({
  steps: [
    step({ id: 'assess', kind: 'manual', budgetMs: 15 * min, startedAt: T0, endedAt: T0 + 20 * min, waits: [{ for: 'completion', since: T0, until: T0 + 20 * min }], completedBy: { by: 'eli', at: T0 + 20 * min }, overrunAt: T0 + 15 * min }),
    step({ id: 'gate', kind: 'approval', budgetMs: 10 * min, startedAt: T0 + 20 * min, endedAt: T0 + 25 * min, waits: [{ for: 'approval', since: T0 + 20 * min, until: T0 + 25 * min }], approvals: [{ by: 'bea', at: T0 + 23 * min }, { by: 'eli', at: T0 + 25 * min }], escalations: [{ at: T0 + 22 * min, roles: ['oncall', 'backend-lead'] }] }),
    step({ id: 'restore', kind: 'shell', budgetMs: 120 * min, startedAt: T0 + 25 * min, endedAt: T0 + 50 * min, attempts: [{ attempt: 1, startedAt: T0 + 25 * min, endedAt: T0 + 50 * min, outcome: 'succeeded' }] }),
  ],
  events: [{ at: T0 + 15 * min, type: 'step-overrun', step: 'assess', detail: '"assess" passed its 15m budget' }],
  notifications: { sent: 3, suppressed: 0, failed: 0 },
});

test('per step: planned vs actual, waiting vs executing, overrun', () => {
  const t = stepTimings(report);
  assert.deepEqual(
    t.map((s) => [s.record.id, s.actualMs, s.waitingMs, s.executingMs, s.overMs]),
    [
      ['assess', 20 * min, 20 * min, 0, 5 * min],
      ['gate', 5 * min, 5 * min, 0, -5 * min],
      ['restore', 25 * min, 0, 25 * min, -95 * min],
    ],
  );
  assert.deepEqual(runTotals(report, t), { elapsedMs: 50 * min, waitingMs: 25 * min, stalledMs: 0, executingMs: 25 * min, plannedMs: 145 * min });
});

test('re-dispatches: shown apart from attempts, their stall left out of executing time, a non-idempotent step flagged', () => {
  const crashed = runReport({
    endedAt: T0 + 30 * min,
    steps: [
      step({
        id: 'restore',
        kind: 'shell',
        budgetMs: 120 * min,
        startedAt: T0,
        endedAt: T0 + 30 * min,
        attempts: [{ attempt: 1, startedAt: T0, endedAt: T0 + 30 * min, outcome: 'succeeded' }],
        redispatches: [{ attempt: 1, at: T0 + 10 * min, reason: 'worker-lost', detail: 'the worker was lost', stallMs: 2 * min }],
        checkRedispatch: 'shell is not idempotent and was dispatched 2 times: check that an earlier dispatch did not also take effect',
      }),
    ],
  });
  const t = stepTimings(crashed);
  assert.deepEqual([t[0]!.actualMs, t[0]!.stalledMs, t[0]!.executingMs], [30 * min, 2 * min, 28 * min]);
  assert.equal(runTotals(crashed, t).executingMs, 28 * min);
  const md = renderMarkdown(crashed, T0 + 30 * min);
  assert.match(md, /\| 1 \(\+1 re-dispatch\) \|/);
  assert.match(md, /stalled on lost dispatches 2m/);
  assert.match(md, /## Re-dispatched by the infrastructure/);
  assert.match(md, /`restore` \(attempt 1\): worker-lost, stalled 2m — the worker was lost/);
  assert.match(md, /`restore`: shell is not idempotent and was dispatched 2 times/);
});

test('per person: time from being asked to answering', () => {
  assert.deepEqual(
    peopleTimings(report).map((p) => [p.person, p.answers, p.totalMs, p.slowestMs, p.steps]),
    [
      ['eli', 2, 25 * min, 20 * min, ['assess', 'gate']],
      ['bea', 1, 3 * min, 3 * min, ['gate']],
    ],
  );
});

test('Markdown shows the verdicts, the step table, people and escalations', () => {
  const md = renderMarkdown(report);
  assert.match(md, /^# Drill report: Complete database loss\n/);
  assert.match(md, /started by dana/);
  assert.match(md, /took 50m \(planned 2h25m\)/);
  assert.match(md, /Waiting on people 25m · executing 25m/);
  assert.match(md, /\| RTO +\| 4h +\| 50m +\| met +\|/);
  assert.match(md, /\| assess +\| manual +\| succeeded ⚠ overrun \| +15m \| +20m \| +\+5m \| +20m \| +0ms \| +0 \| completed by eli +\|/);
  assert.match(md, /\| eli +\| +2 \| +25m \| +20m \| assess, gate \|/);
  assert.match(md, /- 2026-03-15T10:22:00Z `gate` widened to oncall, backend-lead/);
  assert.match(md, /- 2026-03-15T10:15:00Z step-overrun: "assess" passed its 15m budget/);
});

test('RPO achieved: the oldest restored backup, found in sub-run outputs too', async () => {
  const { rpoAchieved } = await import('../../../src/runbook/rpo.js');
  const evidence = rpoAchieved([
    { id: 'probe', output: { exitCode: 0 } },
    { id: 'restore', output: { workflowId: 'x', outputs: { 'restore-db': { backupAgeMs: 3 * 3_600_000, backup: { id: 'b1', createdAt: '2026-03-15T07:00:00Z' } } } } },
    { id: 'redis', output: { backup: { id: 'r1', createdAt: '2026-03-15T09:00:00Z', ageMs: 3_600_000 } } },
  ]);
  assert.deepEqual(evidence, { achievedMs: 3 * 3_600_000, backupId: 'b1', backupCreatedAt: '2026-03-15T07:00:00Z', step: 'restore/restore-db' });
  assert.equal(rpoAchieved([{ id: 'a', output: 'text' }]), undefined);
  const md = renderMarkdown({ ...report, rpo: evidence });
  assert.match(md, /\| RPO +\| 1d +\| 3h \(backup b1 of 2026-03-15T07:00:00Z\) \| met +\|/);
});

test('a parallel group whose branches only waited on a person counts that time as waiting, in every format', () => {
  const s = 1000;
  const grouped = runReport({
    endedAt: T0 + 10 * s,
    steps: [
      step({ id: 'assess', kind: 'parallel', budgetMs: 15 * min, startedAt: T0, endedAt: T0 + 10 * s }),
      // The person answers after 10 s; the probe worked 1 s of it, the listing 2 s (overlapping).
      step({ id: 'extent', kind: 'manual', parentId: 'assess', budgetMs: 15 * min, startedAt: T0, endedAt: T0 + 10 * s, waits: [{ for: 'completion', since: T0 + 200, until: T0 + 10 * s }], completedBy: { by: 'eli', at: T0 + 10 * s } }),
      step({ id: 'probe', kind: 'shell', parentId: 'assess', budgetMs: 15 * min, startedAt: T0, endedAt: T0 + 1 * s }),
      step({ id: 'list', kind: 'storage.list', parentId: 'assess', budgetMs: 15 * min, startedAt: T0, endedAt: T0 + 2 * s }),
    ],
  });
  const t = stepTimings(grouped);
  // Working: 0–2 s (the probe, the listing, the manual step's first 200 ms); waiting only: 2–10 s.
  assert.deepEqual(t.map((x) => [x.record.id, x.waitingMs, x.executingMs]), [
    ['assess', 8 * s, 2 * s],
    ['extent', 9800, 200],
    ['probe', 0, 1 * s],
    ['list', 0, 2 * s],
  ]);
  assert.deepEqual(runTotals(grouped, t), { elapsedMs: 10 * s, waitingMs: 8 * s, stalledMs: 0, executingMs: 2 * s, plannedMs: 15 * min });
  const json = reportJson(grouped);
  assert.deepEqual(json.totals, runTotals(grouped, t));
  assert.deepEqual(json.timings[0], { step: 'assess', parentId: undefined, actualMs: 10 * s, waitingMs: 8 * s, executingMs: 2 * s, stalledMs: 0, overMs: 10 * s - 15 * min });
  assert.match(renderMarkdown(grouped), /Waiting on people 8s · executing 2s/);
});
