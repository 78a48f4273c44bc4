// `dr review` against the real dev server: three drills of the `child` fixture on a task queue of
// this file's own, reviewed from visibility; --write proposes the budget as a diff to a copy of the
// runbooks folder, refuses without --yes (no terminal to ask), and writes only the budget with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { RunReport } from '../../../../src/runbook/run.js';
import { dr, startWorker, stopProcess } from '../../../helpers/processes.js';
import { temporalAddress } from '../../../helpers/temporal.js';
import { waitUntil } from '../../../helpers/wait.js';

const taskQueue = `review-${randomUUID()}`;
const runbooks = mkdtempSync(join(tmpdir(), 'dr-review-'));
cpSync(resolve(import.meta.dirname, '../../../fixtures/runbooks'), runbooks, { recursive: true });
const env = { DR_TASK_QUEUE: taskQueue, TEMPORAL_ADDRESS: temporalAddress(), DR_USER: 'mia', DR_RUNBOOKS_DIR: runbooks };
const ids = [1, 2, 3].map((n) => `review-${n}-${randomUUID()}`);
const args = ['review', 'child', '--mode', 'drill', '--task-queue', taskQueue];
let worker: ChildProcess;

before(async () => {
  worker = await startWorker(taskQueue);
  const started = await Promise.all(ids.map((id) => dr(['start', 'child', '--mode', 'drill', '--input', 'name=review', '--id', id], env)));
  for (const s of started) assert.equal(s.code, 0, s.stdout + s.stderr);
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection });
    const reports = (await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()))) as RunReport[];
    assert.deepEqual(reports.map((r) => r.status), ['succeeded', 'succeeded', 'succeeded']);
  } finally {
    await connection.close();
  }
});
after(async () => stopProcess(worker));

test('dr review: the three drills per step, a suggested budget, the forecast; --write asks, --yes writes', async () => {
  let last = '';
  const json = await waitUntil(
    'dr review to see the three drills',
    async () => {
      const result = await dr([...args, '--format', 'json'], env);
      assert.equal(result.code, 0, result.stderr);
      last = result.stdout;
      const parsed = JSON.parse(result.stdout) as { runs: number; steps: Array<Record<string, unknown>>; forecast: Record<string, unknown>; rule: string };
      return parsed.runs >= 3 && parsed;
    },
    { timeoutMs: 20_000, everyMs: 300, detail: () => `last output:\n${last}` },
  );
  assert.equal(json.runs, 3);
  const hello = json.steps[0] as { step: string; budgetMs: number; samples: unknown[]; suggestedMs: number; change: string };
  // echo takes milliseconds: p95 + 25% rounds up to 5s, half the 10s budget.
  assert.deepEqual([hello.step, hello.budgetMs, hello.samples.length, hello.suggestedMs, hello.change], ['hello', 10_000, 3, 5_000, 'lower']);
  assert.deepEqual(json.forecast, { currentMs: 10_000, suggestedMs: 5_000 });
  assert.match(json.rule, /p95 of the successful runs \+ 25%/);

  const table = await dr(args, env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /│ hello +│ 10s +│ 3 +│ [▁-█]{3} +│ \S+ +│ \S+ +│ \S+ +│ 0\/3 +│ 5s +│ lower to 5s +│/);

  const file = join(runbooks, 'child.yaml');
  const before = readFileSync(file, 'utf8');
  const refused = await dr([...args, '--write'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /^- {4}budget: 10s\n\+ {4}budget: 5s$/m);
  assert.match(refused.stderr, /^dr: Not written: .*child\.yaml is unchanged\n {4}next: accept the diff with `dr review child --write --yes`/);
  assert.equal(readFileSync(file, 'utf8'), before);

  const accepted = await dr([...args, '--write', '--yes'], env);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /Wrote 1 budget\(s\) to .*child\.yaml/);
  assert.equal(readFileSync(file, 'utf8'), before.replace('budget: 10s', 'budget: 5s'));
});
