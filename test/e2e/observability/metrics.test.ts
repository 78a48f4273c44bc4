// `dr metrics` and `dr report --format html` against the real dev server: two runs of the `child`
// fixture and one of `parent` (which runs `child` as a sub-run) on a task queue of this file's own,
// so other tests' runs never count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import type { RunReport } from '../../../src/runbook/run.js';
import { dr, startWorker, stopProcess } from '../../helpers/processes.js';
import { temporalAddress } from '../../helpers/temporal.js';
import { waitUntil } from '../../helpers/wait.js';

const taskQueue = `metrics-${randomUUID()}`;
const env = { DR_TASK_QUEUE: taskQueue, TEMPORAL_ADDRESS: temporalAddress(), DR_USER: 'mia' };
const ids = [`metrics-a-${randomUUID()}`, `metrics-b-${randomUUID()}`];
const parentId = `metrics-parent-${randomUUID()}`;
let worker: ChildProcess;

before(async () => {
  worker = await startWorker(taskQueue);
  const started = await Promise.all([
    ...ids.map((id) => dr(['start', 'child', '--mode', 'drill', '--input', 'name=metrics', '--id', id], env)),
    dr(['start', 'parent', '--mode', 'drill', '--id', parentId], env),
  ]);
  for (const s of started) assert.equal(s.code, 0, s.stdout + s.stderr);
  // Each `dr` is a process that takes seconds to start: wait for the ends through one client instead.
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection });
    const reports = (await Promise.all([...ids, parentId].map((id) => client.workflow.getHandle(id).result()))) as RunReport[];
    assert.deepEqual(reports.map((r) => r.status), ['succeeded', 'succeeded', 'succeeded']);
  } finally {
    await connection.close();
  }
});
after(async () => stopProcess(worker));

const metricsArgs = ['metrics', '--runbook', 'child', '--mode', 'drill', '--task-queue', taskQueue];

/** Visibility is eventually consistent: asks until `listed` runs are listed (bounded). */
async function metricsJson(listed: number, extra: string[] = []): Promise<Record<string, unknown> & { runs: number; listed: number }> {
  let last = '';
  return waitUntil(
    `dr metrics ${extra.join(' ')} to list ${listed} runs`,
    async () => {
      const result = await dr([...metricsArgs, '--format', 'json', ...extra], env);
      assert.equal(result.code, 0, result.stderr);
      const json = JSON.parse(result.stdout) as Record<string, unknown> & { runs: number; listed: number };
      last = result.stdout;
      return json.listed >= listed && json;
    },
    { timeoutMs: 20_000, everyMs: 200, detail: () => `last output:\n${last}` },
  );
}

test('dr metrics: the two finished runs, their step against its budget', async () => {
  const json = await metricsJson(2);
  assert.equal(json.runs, 2);
  assert.deepEqual(json.statuses, { succeeded: 2 });
  assert.equal(json.capped, false);
  assert.deepEqual(json.missing, []);
  assert.match(String(json.query), new RegExp(`TaskQueue = '${taskQueue}'`));
  const perRun = json.perRun as Array<{ workflowId: string; status: string; subRun: boolean; rto: string }>;
  assert.deepEqual(perRun.map((r) => r.workflowId).sort(), [...ids].sort());
  assert.deepEqual(perRun.map((r) => [r.status, r.subRun, r.rto]), [['succeeded', false, 'no RTO'], ['succeeded', false, 'no RTO']]);
  const steps = json.steps as Array<{ runbook: string; step: string; budgetMs: number; actual: { n: number; p50Ms: number; p95Ms: number }; overBudget: unknown }>;
  assert.deepEqual(
    steps.map((s) => [s.runbook, s.step, s.budgetMs, s.actual.n, s.overBudget]),
    [['child', 'hello', 10_000, 2, { n: 0, of: 2, rate: 0 }]],
  );
  assert.ok(steps[0]!.actual.p50Ms <= steps[0]!.actual.p95Ms && steps[0]!.actual.p95Ms < 10_000);
  // No restore, no RTO: those figures are empty rather than zero.
  assert.deepEqual([json.restoreSuccess, json.rtoMet, json.timeToRestore], [{ n: 0, of: 0 }, { n: 0, of: 0 }, { n: 0 }]);

  const table = await dr(metricsArgs, env);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^Runs closed since \d{4}-\d\d-\d\dT[\d:.]+Z of child in drill mode\.\n2 finished run\(s\): 2 succeeded\n/);
  assert.match(table.stdout, /│ child +│ hello +│ 2 +│ 10s +│ \S+ +│ \S+ +│ \S+ +│ 0\/2 \(0%\) +│/);
});

test('dr metrics --sub-runs also counts the child run the parent started', async () => {
  const json = await metricsJson(3, ['--sub-runs']);
  assert.doesNotMatch(String(json.query), /ParentWorkflowId/);
  const perRun = json.perRun as Array<{ workflowId: string; subRun: boolean }>;
  assert.deepEqual(perRun.filter((r) => r.subRun).map((r) => r.workflowId.startsWith(`${parentId}--`)), [true]);
  assert.equal(json.runs, 3);
});

test('dr metrics --limit caps the runs fetched and says so', async () => {
  const json = await metricsJson(1, ['--limit', '1']);
  assert.deepEqual([json.runs, json.listed, json.capped], [1, 1, true]);
  const [table, bad] = await Promise.all([dr([...metricsArgs, '--limit', '1'], env), dr(['metrics', '--since', 'last tuesday'], env)]);
  assert.match(table.stdout, /\nCapped at 1 runs \(the most recently closed\): narrow --since or raise --limit for more\.\n/);
  assert.deepEqual([bad.code, bad.stderr], [1, 'dr: Expected --since to be a duration like "30d" or an ISO time, got "last tuesday"\n']);
});

test('dr report --format html --out: a self-contained page with the Gantt chart', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'dr-report-')), 'report.html');
  const [result, svg] = await Promise.all([dr(['report', ids[0]!, '--format', 'html', '--out', out], env), dr(['report', ids[1]!, '--format', 'svg'], env)]);
  assert.deepEqual(result, { code: 0, stdout: `Wrote the html report of ${ids[0]} to ${out}\n`, stderr: '' });
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!doctype html>\n<html lang="en"><head><meta charset="utf-8">/);
  assert.match(html, /<h1>Drill report: A procedure used inside another runbook<\/h1>/);
  assert.match(html, /<svg [^>]*viewBox="0 0 1200 \d+"/);
  assert.match(html, /<g class="row succeeded" data-step="hello">/);
  assert.doesNotMatch(html, /<link|<script|src="http|url\(http/);
  assert.match(svg.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
});
