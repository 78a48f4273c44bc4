// The local stack's environment makes scenario 1's drill work from the UI with nothing else: the
// `databaseLoss` workflow started with {"mode": "drill"} alone (`temporal workflow start`, as the
// UI's Start Workflow does), on a worker configured as `npm start` configures it
// (DR_ENVIRONMENT=local, DEMO_DATABASE_URL, DEMO_ADMIN_URL). The runbook's drill set-up creates, backs up and loses the demo database as
// sub-runs, then the scenario restores it; the people's answers are given by the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { RunReport } from '../../../src/runbook/run.js';
import { progressQuery } from '../../../src/workflows/messages.js';
import { answerUntilDone } from '../../helpers/answer.js';
import { waitForPoller } from '../../helpers/pollers.js';
import { root, startWorker, stopProcess } from '../../helpers/processes.js';
import { pgUrl as testPgUrl, temporalCliPath } from '../../helpers/services.js';
import { temporalAddress, waitForProgress } from '../../helpers/temporal.js';

const pgUrl = testPgUrl();
const taskQueue = `local-drill-${randomUUID()}`;
let worker: ChildProcess;
let client: Client;

before(async () => {
  assert.ok(pgUrl, 'DR_TEST_PG_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  worker = await startWorker(taskQueue, {
    DR_RUNBOOKS_DIR: resolve(root, 'runbooks'),
    DR_ENVIRONMENT: 'local',
    // What `npm start` gives its worker: the demo database (runbooks' default name) and its server.
    DEMO_DATABASE_URL: pgUrl.replace(/\/[^/]*$/, '/easymo_demo'),
    DEMO_ADMIN_URL: pgUrl,
    DR_BACKUP_STORE: mkdtempSync(join(tmpdir(), 'dr-local-drill-')),
  });
  client = new Client({ connection: await Connection.connect({ address: temporalAddress() }) });
  await waitForPoller(client, taskQueue);
});

after(async () => {
  await client?.connection.close();
  if (worker) await stopProcess(worker);
});

test('databaseLoss started with {"mode": "drill"} alone: the drill set-up runs first as sub-runs, then the scenario restores', { timeout: 300_000 }, async () => {
  const workflowId = `local-drill-${randomUUID().slice(0, 8)}`;
  // As a person would type it (the UI's Start Workflow sends the same: a type and that JSON).
  execFileSync(temporalCliPath(), [
    'workflow', 'start', '--address', temporalAddress(), '--task-queue', taskQueue,
    '--type', 'databaseLoss', '--workflow-id', workflowId, '--input', '{"mode": "drill"}',
  ], { stdio: 'ignore' });
  const handle = client.workflow.getHandle(workflowId);

  // While it prepares, progress shows the set-up as such, before the scenario's first step.
  const early = await waitForProgress(handle, (p) => p.steps.some((s) => s.phase === 'setup' && s.status !== 'pending'), 60_000);
  assert.deepEqual(
    early.steps.filter((s) => s.phase === 'setup').map((s) => s.id),
    ['setup-demo-setup', 'setup-database-backup', 'setup-demo-disaster'],
  );
  assert.equal(early.steps[0]!.id, 'setup-demo-setup');

  const answered = await answerUntilDone(client, workflowId);
  const report = (await handle.result()) as RunReport;
  assert.deepEqual(answered.decisions, []);
  assert.equal(report.status, 'succeeded', report.outcome);

  const setup = report.steps.filter((s) => s.phase === 'setup');
  assert.deepEqual(setup.map((s) => [s.id, s.kind, s.status]), [
    ['setup-demo-setup', 'runbook', 'succeeded'],
    ['setup-database-backup', 'runbook', 'succeeded'],
    ['setup-demo-disaster', 'runbook', 'succeeded'],
  ]);
  // Each set-up is its own run, in drill mode, with the inputs the scenario's environment gave.
  const backup = setup[1]!.resolved as { workflowId: string; mode: string; inputs: Record<string, unknown> };
  assert.equal(backup.mode, 'drill');
  assert.deepEqual(backup.inputs, { database: 'env:DEMO_DATABASE_URL' });
  const backupRun = (await client.workflow.getHandle(backup.workflowId).result()) as RunReport;
  assert.equal(backupRun.status, 'succeeded');

  // The scenario restored the backup the set-up took, and the verification found the demo data.
  const step = (id: string) => report.steps.find((s) => s.id === id)!;
  for (const id of ['provision-local', 'restore', 'checklist', 'count-users', 'read-only', 'approve-writes', 'enable-writes', 'monitor']) {
    assert.equal(step(id).status, 'succeeded', `${id}: ${step(id).error ?? step(id).note ?? ''}`);
  }
  assert.match(report.rpo?.backupId ?? '', /easymo_demo/);
  // The incident is the set-up's end (after its backup), and the RTO clock starts there.
  const setupEnd = Math.max(...setup.map((s) => s.endedAt!));
  assert.equal(report.incidentAt, setupEnd);
  assert.ok(Date.parse(report.rpo!.backupCreatedAt!) < report.incidentAt);
  assert.equal(report.rto.elapsedMs, report.endedAt! - setupEnd);
  assert.ok(report.events.some((e) => e.type === 'setup-finished'));
  // People answered the scenario's waits: two approvers for enabling writes, on-call for the manual steps.
  assert.ok(answered.answers.includes(`${workflowId} approve approve-writes --as devops-oncall`), answered.answers.join('\n'));
  assert.ok(answered.answers.includes(`${workflowId} approve approve-writes --as backend-lead`), answered.answers.join('\n'));
  const final = await handle.query(progressQuery);
  assert.equal(final.steps.find((s) => s.id === 'setup-demo-setup')!.phase, 'setup');
});
