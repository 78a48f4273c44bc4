// The RTO forecast: planned and remaining budgets along sequences and parallel groups, the RTO
// verdict, when the verdict can next change, and which destructive steps an approval gates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Step } from '../../../src/runbook/model.js';
import { flattenSteps, gatedDestructiveSteps, nextCheckInMs, plannedMs, remainingMs, rtoState, rtoStatus } from '../../../src/runbook/plan.js';
import type { StepRecord, StepStatus } from '../../../src/runbook/run.js';
import { runbookSchema } from '../../../src/runbook/schema.js';

const MIN = 60_000;
const steps = (list: object[]): Step[] => runbookSchema.parse({ id: 'r', title: 'R', steps: list }).steps;
const record = (id: string, status: StepStatus, extra: Partial<StepRecord> = {}): StepRecord =>
  ({ id, title: id, kind: 'shell', budgetMs: 10 * MIN, destructive: false, status, attempts: [], waits: [], approvals: [], decisions: [], escalations: [], ...extra }) as StepRecord;
const records = (...list: StepRecord[]) => new Map(list.map((r) => [r.id, r]));

// a (10m) → group [b (20m), c (5m, live only)] → d (15m, drill only)
const plan = steps([
  { id: 'a', budget: '10m', shell: { command: 'true' } },
  { id: 'g', parallel: [{ id: 'b', budget: '20m', shell: { command: 'true' } }, { id: 'c', budget: '5m', modes: ['live'], shell: { command: 'true' } }] },
  { id: 'd', budget: '15m', modes: ['drill'], shell: { command: 'true' } },
]);

describe('plannedMs', () => {
  test('sums sequences, takes the longest branch of a group, and leaves out steps of other modes', () => {
    assert.equal(plannedMs(plan, 'drill'), 45 * MIN);
    assert.equal(plannedMs(plan, 'live'), 30 * MIN);
  });

  test('a group whose steps all run in other modes plans nothing', () => {
    assert.equal(plannedMs(steps([{ id: 'g', parallel: [{ id: 'x', budget: '5m', modes: ['live'], shell: { command: 'true' } }] }]), 'drill'), 0);
  });
});

describe('remainingMs', () => {
  test('nothing recorded: the whole plan is ahead', () => {
    assert.equal(remainingMs(plan, 'drill', new Map(), 0), 45 * MIN);
  });

  test('ended steps count nothing, a running step counts what is left of its budget (never below zero)', () => {
    const now = 100 * MIN;
    const seen = records(record('a', 'succeeded'), record('b', 'running', { startedAt: now - 8 * MIN }));
    assert.equal(remainingMs(plan, 'drill', seen, now), 12 * MIN + 15 * MIN);
    const overrun = records(record('a', 'succeeded'), record('b', 'running', { startedAt: now - 30 * MIN }));
    assert.equal(remainingMs(plan, 'drill', overrun, now), 15 * MIN);
  });

  test('every ended status counts as done', () => {
    for (const status of ['succeeded', 'failed', 'skipped', 'cancelled', 'planned', 'rehearsed'] as const) {
      assert.equal(remainingMs(steps([{ id: 'a', budget: '10m', shell: { command: 'true' } }]), 'live', records(record('a', status)), 0), 0, status);
    }
    assert.equal(remainingMs(steps([{ id: 'a', budget: '10m', shell: { command: 'true' } }]), 'live', records(record('a', 'waiting')), 0), 10 * MIN);
  });
});

describe('rtoStatus', () => {
  const table: Array<[elapsed: number, forecast: number, rto: number | undefined, expected: string]> = [
    [0, 50, undefined, 'none'],
    [10, 50, 60, 'on-track'],
    [10, 60, 60, 'on-track'],
    [10, 61, 60, 'at-risk'],
    [60, 60, 60, 'on-track'],
    [61, 61, 60, 'breached'],
  ];
  for (const [elapsed, forecast, rto, expected] of table) {
    test(`elapsed ${elapsed}, forecast ${forecast}, RTO ${rto}: ${expected}`, () => {
      assert.equal(rtoStatus(elapsed, forecast, rto), expected);
    });
  }
});

describe('rtoState', () => {
  test('forecast = elapsed + remaining; the deadline is the start plus the RTO', () => {
    const state = rtoState({ steps: plan, mode: 'drill', records: records(record('a', 'succeeded')), startedAt: 1_000, now: 1_000 + 12 * MIN, rtoMs: 40 * MIN });
    assert.deepEqual(state, { status: 'at-risk', elapsedMs: 12 * MIN, forecastMs: 12 * MIN + 35 * MIN, deadline: 1_000 + 40 * MIN });
  });

  test('without an RTO: no verdict and no deadline', () => {
    const state = rtoState({ steps: plan, mode: 'live', records: new Map(), startedAt: 0, now: 0 });
    assert.deepEqual(state, { status: 'none', elapsedMs: 0, forecastMs: 30 * MIN, deadline: undefined });
  });
});

describe('nextCheckInMs', () => {
  const rto = (elapsedMs: number, forecastMs: number, status: 'on-track' | 'at-risk' | 'breached') => ({ status, elapsedMs, forecastMs });

  test('the soonest of a running step reaching its budget and the RTO deadline', () => {
    const running = record('b', 'running', { startedAt: 0, budgetMs: 20 * MIN });
    assert.equal(nextCheckInMs({ records: [running], rto: rto(5 * MIN, 30 * MIN, 'on-track'), rtoMs: 60 * MIN, now: 5 * MIN }), 15 * MIN);
    assert.equal(nextCheckInMs({ records: [running], rto: rto(5 * MIN, 30 * MIN, 'on-track'), rtoMs: 10 * MIN, now: 5 * MIN }), 5 * MIN + 1);
  });

  test('an overrunning step makes the forecast grow: the moment it crosses the RTO is a check', () => {
    const overrun = record('b', 'waiting', { startedAt: 0, budgetMs: 10 * MIN });
    assert.equal(nextCheckInMs({ records: [overrun], rto: rto(15 * MIN, 50 * MIN, 'on-track'), rtoMs: 60 * MIN, now: 15 * MIN }), 10 * MIN + 1);
  });

  test('ended steps, groups and steps not started set no check; without an RTO nothing is left', () => {
    const quiet = [record('a', 'succeeded', { startedAt: 0 }), record('g', 'running', { kind: 'parallel', startedAt: 0 }), record('b', 'running')];
    assert.equal(nextCheckInMs({ records: quiet, rto: rto(0, 0, 'on-track'), now: 0 }), undefined);
  });

  test('a breached RTO sets no further check', () => {
    assert.equal(nextCheckInMs({ records: [], rto: rto(70 * MIN, 70 * MIN, 'breached'), rtoMs: 60 * MIN, now: 70 * MIN }), undefined);
  });
});

describe('flattenSteps and gatedDestructiveSteps', () => {
  const gated = steps([
    { id: 'drop', budget: '1m', destructive: true, shell: { command: 'true' } },
    { id: 'gate', budget: '1m', approval: { roles: ['dba'] } },
    { id: 'g', parallel: [{ id: 'restore', budget: '1m', destructive: true, shell: { command: 'true' } }, { id: 'read', budget: '1m', shell: { command: 'true' } }] },
    { id: 'gate2', budget: '1m', approval: { roles: ['dba'] } },
    { id: 'wipe', budget: '1m', destructive: true, shell: { command: 'true' } },
  ]);

  test('every step in plan order, with its group', () => {
    assert.deepEqual(
      flattenSteps(gated).map(({ step, parentId }) => [step.id, parentId]),
      [['drop', undefined], ['gate', undefined], ['g', undefined], ['restore', 'g'], ['read', 'g'], ['gate2', undefined], ['wipe', undefined]],
    );
  });

  test('an approval gates the destructive steps after it up to the next approval, inside groups too', () => {
    assert.deepEqual([...gatedDestructiveSteps(gated)], [['gate', ['restore']], ['gate2', ['wipe']]]);
  });
});
