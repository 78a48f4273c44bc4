// Every built-in runbook (runbooks/*.yaml) run end to end in drill mode on the local test stack, by
// one worker configured as `npm start` configures its own (DR_ENVIRONMENT=local, the demo database's
// URLs, DATABASE_URL, REDIS_URL), with the people's answers given by the test (test/helpers/answer.ts):
// each run must end succeeded with no step failed, and every step's resolved action — of the run and
// of its sub-runs — must hold no unresolved `{{ }}` and no `env:` / `file:` reference in a command's
// argv or script. What drill mode does not run (steps that change state without `safeToRehearse`)
// is rehearsed: a person confirms it, as the test does here, and the step's resolved form is checked all
// the same. The services a drill points at that the stack has no server for (wallet-service,
// ranking-service, the admin-health edge function) are one local HTTP stand-in, given as inputs the
// way service-outage's description tells a drill on a local stack to. Runbooks that share the demo
// data or the backup store's "latest" run one after another; the others side by side.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { listRunbookFiles } from '../../../src/activities/load.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { answerUntilDone } from '../../helpers/answer.js';
import { waitForPoller } from '../../helpers/pollers.js';
import { root, startWorker, stopProcess } from '../../helpers/processes.js';
import { inspectRun, PEOPLE_KINDS, type Inspection } from '../../helpers/resolved.js';
import { pgUrl as testPgUrl, serviceEnv } from '../../helpers/services.js';
import { temporalAddress } from '../../helpers/temporal.js';

/**
 * The runbooks this test does not run, each with why: keep it short, and true. The PITR runbooks
 * need a PostgreSQL that archives its WAL through pgBackRest into an encrypted repository in an S3
 * bucket over HTTPS: test/e2e/pitr.test.ts builds that stack (its own server and TLS S3), runs them
 * end to end there and puts every report through the same resolved-action check.
 */
const SKIPPED: Record<string, string> = {
  'pitr-setup': 'needs pgBackRest with a WAL-archiving PostgreSQL and a TLS S3 repository: run end to end (live) by test/e2e/pitr.test.ts',
  'pitr-backup': 'needs the stanza pitr-setup creates: run end to end (live) by test/e2e/pitr.test.ts',
  'point-in-time-recovery': 'needs the pgBackRest repository of pitr-setup: run end to end (live) by test/e2e/pitr.test.ts',
  'pitr-restore-test': 'needs the pgBackRest repository of pitr-setup: run end to end (drill) by test/e2e/pitr.test.ts',
};

/**
 * Checks that fail on this stack and whose runbook goes on past them (`onFailure: continue`), each
 * with why; a run's failed steps must be exactly these. validation-checklist's Kafka check runs
 * `kafka-topics.sh`, which this stack does not have (it runs no Kafka for this file); when
 * supabase-point-in-time-recovery runs the checklist as its last step it passes only the database,
 * so the checklist's service checks go to EasyMO's own endpoints, which a local stack does not serve.
 */
const EXPECTED_FAILURES: Record<string, string[]> = {
  'validation-checklist': ['validation-checklist/checks', 'validation-checklist/kafka'],
  'supabase-point-in-time-recovery': [
    'supabase-point-in-time-recovery/validate>validation-checklist/checks',
    'supabase-point-in-time-recovery/validate>validation-checklist/edge-functions',
    'supabase-point-in-time-recovery/validate>validation-checklist/wallet-service',
    'supabase-point-in-time-recovery/validate>validation-checklist/ranking-service',
    'supabase-point-in-time-recovery/validate>validation-checklist/kafka',
  ],
};

const pgUrl = testPgUrl();
const dbUrl = (name: string) => pgUrl.replace(/\/[^/]*$/, `/${name}`);
const taskQueue = `builtin-${randomUUID()}`;
const appDir = mkdtempSync(join(tmpdir(), 'dr-builtin-app-'));
const token = `token-${randomUUID()}`;
let worker: ChildProcess;
let client: Client;
let standIn: Server;
let health: (path: string) => string;

/** A run of one runbook: its inputs (what a drill on this stack is given beyond the environment's). */
interface Case {
  runbook: string;
  inputs?: (urls: { health: (path: string) => string }) => Record<string, unknown>;
  /** More to check of its report. */
  check?: (report: RunReport) => void;
}

const services = (h: (path: string) => string) => ({
  wallet_health: h('/wallet/health'),
  ranking_health: h('/ranking/health'),
  admin_health: h('/functions/v1/admin-health'),
});

/**
 * Lanes run side by side; the cases of a lane one after another. The first lane shares the backup
 * store's "latest" and the demo databases (scenario 1 and the quarterly drill prepare and lose
 * easymo_demo; the data runbooks work on e2e_data, created by demo-setup and backed up first).
 */
const LANES: Case[][] = [
  [
    { runbook: 'database-loss', check: probed },
    { runbook: 'dr-drill' },
    { runbook: 'demo-setup', inputs: () => ({ database: 'e2e_data' }) },
    { runbook: 'database-backup' },
    { runbook: 'database-restore', inputs: () => ({ target: 'env:DATABASE_URL' }) },
    { runbook: 'restore-test' },
    { runbook: 'partial-table-recovery' },
    { runbook: 'validation-checklist', inputs: (u) => ({ ...services(u.health), kafka_bootstrap: 'kafka.invalid:9092' }) },
    { runbook: 'supabase-point-in-time-recovery', inputs: () => ({ restore_to: '2026-01-01 00:00:00 UTC' }) },
    { runbook: 'demo-disaster', inputs: () => ({ database: 'e2e_data' }) },
  ],
  [{ runbook: 'backup-retention' }],
  [{ runbook: 'data-backup', inputs: () => ({ appDir }) }],
  [{ runbook: 'data-restore', inputs: () => ({ configsInto: join(appDir, 'restored') }) }],
  [{ runbook: 'edge-functions-recovery', inputs: (u) => ({ admin_health: services(u.health).admin_health, workdir: join(appDir, 'functions-restored') }) }],
  [{ runbook: 'microservices-recovery', inputs: (u) => ({ wallet_health: services(u.health).wallet_health, ranking_health: services(u.health).ranking_health }) }],
  [{ runbook: 'rollback-deployment' }],
  [{ runbook: 'security-breach' }],
  [{ runbook: 'service-outage', inputs: (u) => ({ ...services(u.health), restart_command: ['systemctl', 'restart', 'wallet-service'] }) }],
];

/**
 * database-loss's probe ran pg_isready against the URL its input names, resolved on the worker in
 * the command's environment: it reached the test server, not the default socket.
 */
function probed(report: RunReport): void {
  const probe = report.steps.find((s) => s.id === 'probe')!;
  assert.equal(probe.status, 'succeeded');
  assert.equal(probe.attempts.length, 1);
  assert.deepEqual((probe.resolved as { env?: Record<string, string> }).env, { DATABASE_URL: 'env:DEMO_DATABASE_URL' });
  // Its output names the server it reached by the resolved URL's host and port, which the worker
  // redacts as a secret's value: `*** - accepting connections`. The default socket would show itself.
  assert.match((probe.output as { stdout: string }).stdout, /^\*\*\* - accepting connections/);
}

/** What one run (with its sub-runs) came to: its report, what test/helpers/resolved.ts found. */
interface Outcome extends Inspection {
  report?: RunReport;
  error?: string;
  decisions: string[];
  ms: number;
}
const outcomes = new Map<string, Outcome>();
let totalMs = 0;

async function runCase(c: Case): Promise<void> {
  const started = Date.now();
  const outcome: Outcome = { failed: [], errors: [], problems: [], checked: 0, decisions: [], ms: 0 };
  outcomes.set(c.runbook, outcome);
  const workflowId = `builtin-${c.runbook}-${randomUUID().slice(0, 8)}`;
  try {
    const handle = await client.workflow.start('runbook', {
      taskQueue,
      workflowId,
      args: [{ runbook: c.runbook, mode: 'drill', inputs: c.inputs?.({ health }) ?? {}, startedBy: 'e2e-lead' }],
    });
    const answered = await answerUntilDone(client, workflowId, { pollMs: 500 });
    outcome.decisions = answered.decisions;
    outcome.report = (await handle.result()) as RunReport;
    await inspectRun(client, outcome.report, outcome);
  } catch (err) {
    const details = (err as { cause?: { message?: string; details?: unknown[] } }).cause;
    outcome.error = `${String((err as Error).message)}${details?.message ? `: ${details.message}` : ''}`;
    const report = details?.details?.[0] as RunReport | undefined;
    if (report?.steps) await inspectRun(client, report, outcome).catch(() => undefined);
  }
  outcome.ms = Date.now() - started;
}

before(async () => {
  assert.ok(pgUrl, 'DR_TEST_PG_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  // The EasyMO checkout data-backup archives (configuration files and edge functions).
  for (const [file, text] of Object.entries({
    '.env.production': 'APP_ENV=production\n',
    'supabase/config.toml': 'project_id = "easymo"\n',
    'docker-compose.agent-core.yml': 'services: {}\n',
    'services/wallet-service/Dockerfile': 'FROM node:20\n',
    'supabase/functions/admin-health/index.ts': 'export default () => new Response("ok");\n',
  })) {
    mkdirSync(join(appDir, file, '..'), { recursive: true });
    writeFileSync(join(appDir, file), text);
  }
  // The staging database the monthly restore test restores into exists (it is not created by the runbook).
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS e2e_staging WITH (FORCE)');
  await admin.query('CREATE DATABASE e2e_staging');
  await admin.end();
  standIn = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', path: req.url }));
  });
  await new Promise<void>((done) => standIn.listen(0, '127.0.0.1', done));
  const port = (standIn.address() as AddressInfo).port;
  health = (path) => `http://127.0.0.1:${port}${path}`;
  worker = await startWorker(taskQueue, {
    DR_RUNBOOKS_DIR: resolve(root, 'runbooks'),
    DR_ENVIRONMENT: 'local',
    DR_BACKUP_STORE: mkdtempSync(join(tmpdir(), 'dr-builtin-store-')),
    // What `npm start` gives its worker.
    DEMO_DATABASE_URL: dbUrl('easymo_demo'),
    DEMO_ADMIN_URL: pgUrl,
    DATABASE_URL: dbUrl('e2e_data'),
    REDIS_URL: serviceEnv('redis', 'DR_TEST_REDIS_URL'),
    // Drill mode rehearses every kafka.* step (they change state): no broker is reached. The
    // address is what the run's inputs resolve to; the test checks the steps were rehearsed.
    KAFKA_BROKERS: '127.0.0.1:9',
    // Beyond it: the staging database of the restore test, the edge functions' API key.
    STAGING_DATABASE_URL: dbUrl('e2e_staging'),
    ADMIN_TOKEN: token,
  });
  client = new Client({ connection: await Connection.connect({ address: temporalAddress() }) });
  await waitForPoller(client, taskQueue);
  const started = Date.now();
  await Promise.all(LANES.map(async (lane) => {
    for (const c of lane) await runCase(c);
  }));
  totalMs = Date.now() - started;
});

after(async () => {
  await client?.connection.close();
  if (worker) await stopProcess(worker);
  await new Promise((done) => (standIn ? standIn.close(done) : done(undefined)));
});

describe('every built-in runbook in drill mode, end to end', { timeout: 900_000 }, () => {
  test('each runbook under runbooks/ is run here or listed in SKIPPED with its reason', async (t) => {
    const ids = (await listRunbookFiles(resolve(root, 'runbooks'))).map((f) => basename(f).replace(/\.ya?ml$/, '')).sort();
    const covered = [...LANES.flat().map((c) => c.runbook), ...Object.keys(SKIPPED)].sort();
    assert.deepEqual(covered, ids);
    const lines = LANES.flat().map((c) => `${c.runbook}: ${outcomes.get(c.runbook)?.ms ?? '?'} ms`);
    t.diagnostic(`all ${LANES.flat().length} runs in ${totalMs} ms (${LANES.length} lanes side by side): ${lines.join(', ')}`);
    process.stdout.write(`# builtin runbooks: ${LANES.flat().length} runs in ${(totalMs / 1000).toFixed(1)} s; ${lines.join(', ')}\n`);
  });

  for (const c of LANES.flat()) {
    test(c.runbook, () => {
      const o = outcomes.get(c.runbook);
      assert.ok(o, `${c.runbook} did not run`);
      assert.equal(o.error, undefined, `${c.runbook} failed: ${o.error}\n${o.errors.join('\n')}`);
      assert.equal(o.report?.status, 'succeeded', o.report?.outcome);
      assert.deepEqual(o.decisions, []);
      assert.deepEqual(o.failed, EXPECTED_FAILURES[c.runbook] ?? [], `steps failed:\n${o.errors.join('\n')}`);
      assert.deepEqual(o.problems, [], 'unresolved references in resolved actions');
      // Something beyond people's answers ran or was rehearsed, unless drill mode skips all of it.
      assert.ok(o.checked > 0 || o.report!.steps.every((s) => PEOPLE_KINDS.has(s.kind) || s.status === 'skipped'), 'no step was checked');
      // The broker the worker was given is a closed port: a drill never reaches it.
      for (const s of o.report!.steps.filter((s) => s.kind.startsWith('kafka.'))) assert.equal(s.status, 'rehearsed', `${s.id} ${s.status}`);
      c.check?.(o.report!);
    });
  }
});
