// The worker process as it runs in production: JSON log lines that name the run and the step,
// Prometheus metrics (the SDK's and ours: steps by outcome, duration vs budget, runs waiting on
// people, RTO breaches), encrypted payloads the CLI reads with the same keys, and connection
// settings that fail with a line naming the variable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../../src/codec/index.js';
import { testKeys } from '../../helpers/codec.js';
import { dashboardMetrics } from '../../helpers/grafana.js';
import { waitForPoller } from '../../helpers/pollers.js';
import { dr, root, stopProcess } from '../../helpers/processes.js';
import { stepOf, temporalAddress, waitForProgress, workflowBundle } from '../../helpers/temporal.js';
import { waitUntil } from '../../helpers/wait.js';

const keys = testKeys();
const taskQueue = `obs-${randomUUID()}`;
const runbooksDir = mkdtempSync(join(tmpdir(), 'dr-obs-'));
// RTO 1s against a step that takes 1.5s: the run breaches its RTO and the step overruns its budget.
writeFileSync(
  join(runbooksDir, 'observed.yaml'),
  `id: observed
title: Observed run
objectives: { rto: 1s }
approvers:
  dba: [alice]
steps:
  - { id: work, title: Do the work, budget: 1s, shell: { command: [sleep, "1.5"] } }
  - { id: gate, title: Approve, budget: 1m, approval: { roles: [dba] } }
`,
);
const env = { ...keys, DR_TASK_QUEUE: taskQueue, DR_RUNBOOKS_DIR: runbooksDir, TEMPORAL_ADDRESS: temporalAddress(), DR_USER: 'alice' };
let worker: ChildProcess;
let client: Client;
let metricsPort: number;
const lines: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  metricsPort = await freePort();
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      DR_WORKFLOW_BUNDLE: (await workflowBundle()).codePath,
      DR_METRICS_PORT: String(metricsPort),
      DR_METRICS_REFRESH_SECONDS: '0.5',
      DR_LOG_FORMAT: 'json',
      DR_LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let partial = '';
  worker.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  client = new Client({ connection: await Connection.connect({ address: temporalAddress() }), dataConverter: dataConverter(keys) });
  await waitForPoller(client, taskQueue);
});

after(async () => {
  await client?.connection.close();
  if (worker) await stopProcess(worker);
});

async function scrape(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

/** The value of the first sample whose name and labels match. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function scrapeUntil(check: (text: string) => boolean, what: string): Promise<string> {
  let text = '';
  return waitUntil(`metrics to show ${what}`, async () => check((text = await scrape())) && text, {
    timeoutMs: 20_000,
    everyMs: 200,
    detail: () => `last scrape:\n${text.split('\n').filter((l) => l.startsWith('dr_')).join('\n')}`,
  });
}

test('a run through the CLI: metrics with values, JSON logs naming run and step, encrypted payloads', { timeout: 120_000 }, async () => {
  const id = `obs-${randomUUID().slice(0, 8)}`;
  const started = await dr(['start', 'observed', '--mode', 'drill', '--id', id], env);
  assert.equal(started.code, 0, started.stderr);
  await waitForProgress(client.workflow.getHandle(id), (p) => stepOf(p, 'gate').waitingFor === 'approval', 30_000);

  // While it waits: the gauges count it as waiting on people and past its RTO.
  const waiting = await scrapeUntil(
    (t) => sample(t, 'dr_runs_waiting_on_people', { task_queue: taskQueue }) === 1 && sample(t, 'dr_runs_rto_breached', { task_queue: taskQueue }) === 1,
    'the run waiting on people with its RTO breached',
  );
  assert.equal(sample(waiting, 'dr_runs_running', { task_queue: taskQueue }), 1);

  // The CLI decrypts with the same keys; without them it says what is missing.
  const status = await dr(['status', id], env);
  assert.match(status.stdout, /observed \(drill\): waiting/);
  const { DR_CODEC_KEYS: _k, DR_CODEC_KEY_ID: _i, ...noKeys } = env;
  const blind = await dr(['status', id], { ...noKeys, DR_CODEC_KEYS: '' });
  assert.equal(blind.code, 1);
  assert.equal(blind.stderr, "dr: The run's payloads are encrypted: set DR_CODEC_KEYS to the keys the worker uses\n    next: see docs/security.md, Encryption\n");

  assert.equal((await dr(['approve', id, 'gate'], env)).code, 0);
  assert.equal((await client.workflow.getHandle(id).result()).status, 'succeeded');

  const text = await scrapeUntil((t) => sample(t, 'dr_runs_finished_total', { runbook: 'observed' }) === 1, 'the finished run');
  const run = { runbook: 'observed', mode: 'drill' };
  assert.equal(sample(text, 'dr_runs_finished_total', { ...run, status: 'succeeded', rto: 'breached' }), 1);
  assert.equal(sample(text, 'dr_steps_total', { ...run, kind: 'shell', outcome: 'succeeded' }), 1);
  assert.equal(sample(text, 'dr_steps_total', { ...run, kind: 'approval', outcome: 'succeeded' }), 1);
  assert.equal(sample(text, 'dr_step_overruns_total', { ...run, step: 'work' }), 1);
  assert.equal(sample(text, 'dr_rto_alarms_total', { ...run, status: 'breached' }), 1);
  assert.equal(sample(text, 'dr_step_budget_seconds', { step: 'work' }), 1);
  assert.ok(sample(text, 'dr_step_last_duration_seconds', { step: 'work' })! >= 1.5);
  assert.equal(sample(text, 'dr_step_duration_seconds_count', { ...run, kind: 'shell' }), 1);
  assert.equal(sample(text, 'dr_step_budget_ratio_bucket', { ...run, kind: 'shell', le: '1' }), 0, 'the 1.5s step is above its 1s budget');
  assert.equal(sample(text, 'dr_step_budget_ratio_count', { ...run, kind: 'shell' }), 1);
  assert.ok(sample(text, 'dr_step_waiting_seconds_count', { ...run, kind: 'approval' }) === 1);
  assert.ok((sample(text, 'temporal_workflow_completed_total', { task_queue: taskQueue }) ?? 0) >= 1, 'the SDK metrics are there too');
  // The drill review's figures: per-step durations, the plan and the RTO.
  assert.equal(sample(text, 'dr_step_run_seconds_count', { ...run, step: 'work', outcome: 'succeeded' }), 1);
  assert.equal(sample(text, 'dr_runbook_planned_seconds', run), 61);
  assert.equal(sample(text, 'dr_runbook_rto_seconds', { runbook: 'observed' }), 1);
  // Every metric the shipped Grafana dashboard queries is in the worker's own scrape.
  const scraped = new Set([...text.matchAll(/^(\w+)[{ ]/gm)].map((m) => m[1]!));
  assert.deepEqual(dashboardMetrics().filter((m) => !scraped.has(m)), [], 'dashboard metrics missing from /metrics');
  await scrapeUntil((t) => sample(t, 'dr_runs_waiting_on_people', { task_queue: taskQueue }) === 0, 'no run waiting any more');

  // Logs: every line is JSON; every line about this run names it, and every line about a step names the step.
  // The worker's stdout can trail the metrics endpoint: wait (bounded) until the run's last line is in.
  await waitUntil("the run's last log line", () => lines.some((l) => l.includes(id) && l.includes('run succeeded; RTO breached')));
  const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const ofRun = records.filter((r) => r.workflowId === id);
  assert.ok(ofRun.length >= 5, `expected log lines of run ${id}, got ${ofRun.length}`);
  for (const r of ofRun) assert.ok(typeof r.runId === 'string' && r.level && r.time && r.msg, JSON.stringify(r));
  const activityLines = ofRun.filter((r) => r.sdkComponent === 'activity' || r.activityType === 'runShell');
  assert.ok(activityLines.length > 0, 'activity lines (DEBUG: started / completed)');
  // The SDK writes "Activity started" before any interceptor sees the input; every later line has the step.
  const shellLines = activityLines.filter((a) => a.activityType === 'runShell' && a.msg !== 'Activity started');
  assert.ok(shellLines.some((r) => r.msg === 'Activity completed'));
  for (const r of shellLines) assert.equal(r.stepId, 'work', JSON.stringify(r));
  const stepLine = ofRun.find((r) => typeof r.msg === 'string' && r.msg.startsWith('step "work" succeeded'));
  assert.ok(stepLine, 'a line for the step that ended');
  assert.deepEqual([stepLine.stepId, stepLine.runbook, stepLine.budgetMs], ['work', 'observed', 1000]);
  assert.ok(ofRun.some((r) => r.msg === 'RTO breached: RTO 1s breached'));
  assert.ok(ofRun.some((r) => typeof r.msg === 'string' && r.msg.startsWith('run succeeded; RTO breached')));
});

test('bad connection settings fail with one line naming the variable and the file', async () => {
  const cli = await dr(['status', 'x'], { TEMPORAL_TLS_CA: '/nonexistent/ca.pem' });
  assert.deepEqual([cli.code, cli.stderr], [1, 'dr: Cannot read TEMPORAL_TLS_CA file /nonexistent/ca.pem: no such file\n']);
  const half = await dr(['status', 'x'], { TEMPORAL_TLS_CERT: '/x/client.pem' });
  assert.match(half.stderr, /^dr: TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not/);
  const badKeys = await dr(['status', 'x'], { DR_CODEC_KEYS: 'k:short' });
  assert.match(badKeys.stderr, /^dr: Expected key "k" in DR_CODEC_KEYS to be 32 bytes in base64/);
});
