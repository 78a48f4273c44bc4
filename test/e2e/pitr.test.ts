// The PITR runbooks end to end, as an operator runs them: pitr-setup, pitr-backup, point-in-time-recovery
// and pitr-restore-test through the real dev server and a worker with the real activities, against a
// real PostgreSQL with WAL archiving, pgBackRest 2.45 and an encrypted repository in a bucket of a
// local S3 server over HTTPS. Rows are written all along: during the first full backup and the
// differential, a time is recorded mid-stream, more rows follow; the recovery (target time from the
// incident time, approved, checked, switched over) must hold exactly the rows committed up to it,
// and its report and `dr metrics` must give the last transaction recovered, read from the restored
// server, against the incident time. Ports: DR_TEST_PITR_PORT (default 15443) and the next ones, as
// test/integration/activities/pgbackrest/pgbackrest.test.ts (test files run one at a time).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { ensurePgBackRest } from '../../scripts/lib/pgbackrest.js';
import { startPostgres, type LocalPostgres } from '../../scripts/lib/postgres.js';
import { Supervisor } from '../../scripts/lib/process.js';
import { startS3, type LocalS3 } from '../../scripts/lib/s3.js';
import type { PgBackRestRestoreResult } from '../../src/activities/pgbackrest/types.js';
import type { RunReport } from '../../src/runbook/run.js';
import { approveUpdate, completeUpdate, type RunInput } from '../../src/workflows/messages.js';
import { queryRows } from '../helpers/pg.js';
import { dr } from '../helpers/processes.js';
import { inspectRun } from '../helpers/resolved.js';
import { stepOf, temporalAddress, testEnv, waitForProgress, type TestEnv } from '../helpers/temporal.js';
import { waitUntil } from '../helpers/wait.js';

const PORT = Number(process.env.DR_TEST_PITR_PORT || 15443);
const runbooksDir = resolve(import.meta.dirname, '../../runbooks');
const scratch = mkdtempSync(join(tmpdir(), 'dr-pitr-e2e-'));
chmodSync(scratch, 0o755); // the postgres user reaches the stanza's config and the CA file through it
const supervisor = new Supervisor();
const secrets = { PITR_CIPHER: 'e2e cipher passphrase', PITR_S3_KEY: 'pitr-e2e-key', PITR_S3_SECRET: 'pitr-e2e-secret-value' };
const STEP_WAIT_MS = 180_000;

let source: LocalPostgres;
let s3: LocalS3;
let env: TestEnv;
const restored: string[] = [];

const query = <T extends pg.QueryResultRow>(port: number, sql: string, params: unknown[] = []): Promise<T[]> =>
  queryRows<T>({ host: '127.0.0.1', port, user: 'postgres', database: 'agent_core' }, sql, params);

const isoNow = "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

function stopRestored(dataDir: string): void {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', `${join(source.bindir, 'pg_ctl')} stop -D ${dataDir} -m fast -w`], { stdio: 'ignore' });
}

/** Rows inserted every few ms on one connection until stop() (a restart of the server ends it early). */
function startWriter(tag: string) {
  let writing = true;
  let written = 0;
  const done = (async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: PORT, user: 'postgres', database: 'agent_core' });
    await client.connect();
    try {
      while (writing) {
        await client.query('INSERT INTO events (payload) VALUES ($1)', [`${tag} ${written}`]);
        written++;
        await delay(5);
      }
    } finally {
      await client.end();
    }
  })();
  return {
    get written() {
      return written;
    },
    async stop() {
      writing = false;
      await done;
    },
  };
}

const start = (input: RunInput): Promise<WorkflowHandle> => env.start(input);

/** Waits until `step` waits for a person (failing at once should the run fail first). */
async function waitingAt(handle: WorkflowHandle, step: string): Promise<void> {
  const p = await waitForProgress(handle, (p) => stepOf(p, step).status === 'waiting' || p.status === 'failed', STEP_WAIT_MS);
  if (stepOf(p, step).status === 'waiting') return;
  // Why it failed, from the report: a CI log shows only the assertion.
  const report = (await handle.result().catch(() => undefined)) as RunReport | undefined;
  const errors = report?.steps.filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.error ?? s.note ?? '?'}`) ?? [];
  assert.fail(`waiting for ${step}, the run ${p.status}: ${JSON.stringify(p.steps.map((s) => [s.id, s.status]))}\n${errors.join('\n')}`);
}

/** Waits until `step` waits for a person, then answers as `by` (an approval or a completed manual step). */
async function answer(handle: WorkflowHandle, step: string, kind: 'approve' | 'complete', by: string): Promise<void> {
  await waitingAt(handle, step);
  await handle.executeUpdate(kind === 'approve' ? approveUpdate : completeUpdate, { args: [{ step, by, comment: 'e2e' }] });
}

/** The run's report, once every step's resolved action is checked (as every built-in runbook's: test/helpers/resolved.ts). */
async function result(handle: WorkflowHandle): Promise<RunReport> {
  const report = (await handle.result()) as RunReport;
  assert.deepEqual((await inspectRun(env.client, report)).problems, [], `${report.runbook.id}: unresolved references in resolved actions`);
  return report;
}
const statuses = (report: RunReport) => report.steps.map((s) => [s.id, s.status]);
const output = <T>(report: RunReport, id: string) => report.steps.find((s) => s.id === id)!.output as T;

describe('PITR runbooks end to end (pgBackRest, Temporal, S3 over HTTPS)', () => {
  before(async () => {
    ensurePgBackRest();
    Object.assign(process.env, secrets, {
      DR_PGBACKREST_DIR: join(scratch, 'pgbackrest'),
      DR_BACKUP_STORE: join(scratch, 'store'),
    });
    s3 = await startS3({ dataDir: join(scratch, 's3'), port: PORT + 5, buckets: ['easymo-backups'], supervisor, tls: true, accessKey: secrets.PITR_S3_KEY, secretKey: secrets.PITR_S3_SECRET });
    chmodSync(s3.caFile!, 0o644);
    source = await startPostgres({ dataDir: join(scratch, 'agent-core'), port: PORT, database: 'agent_core', supervisor });
    process.env.PITR_SOURCE_URL = source.url;
    await query(PORT, 'CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())');
    // Commit timestamps tell which rows were committed before the target; a short archive_timeout pushes
    // the last rows to the archive within seconds (the stanza step leaves a non-zero one as it is).
    await query(PORT, 'ALTER SYSTEM SET track_commit_timestamp = on');
    await query(PORT, "ALTER SYSTEM SET archive_timeout = '2s'");
    env = await testEnv({ runbooksDir });
  });
  after(async () => {
    await env?.close();
    for (const dir of restored) {
      try {
        stopRestored(dir);
      } catch {
        // already stopped
      }
    }
    await supervisor.stopAll();
    rmSync(scratch, { recursive: true, force: true });
  });

  let writer: ReturnType<typeof startWriter> | undefined;
  let target = '';
  let pitrReport: RunReport;

  test('pitr-setup: stanza in the S3 bucket, archiving on, the restart as a person confirms it, check, first full backup while rows are written', async () => {
    const handle = await start({
      runbook: 'pitr-setup',
      mode: 'live',
      inputs: {
        pg_path: source.dataDir,
        pg_port: PORT,
        pg_socket: `${source.dataDir}-socket`,
        s3_endpoint: `127.0.0.1:${s3.port}`,
        s3_uri_style: 'path',
        s3_ca_file: s3.caFile,
        s3_key: 'env:PITR_S3_KEY',
        s3_secret: 'env:PITR_S3_SECRET',
        cipher_pass: 'env:PITR_CIPHER',
      },
    });
    await waitingAt(handle, 'restart');
    const waiting = await waitForProgress(handle, () => true);
    assert.match(stepOf(waiting, 'restart').instructions ?? '', /restartRequired = true/);
    // What the person does: restart PostgreSQL so archive_mode takes effect.
    await source.stop();
    source = await startPostgres({ dataDir: source.dataDir, port: PORT, database: 'agent_core', supervisor });
    writer = startWriter('setup');
    await handle.executeUpdate(completeUpdate, { args: [{ step: 'restart', by: 'devops-oncall', comment: 'restarted' }] });
    const report = await result(handle);
    assert.equal(report.status, 'succeeded', JSON.stringify(statuses(report)));
    assert.deepEqual(statuses(report), [['stanza', 'succeeded'], ['restart', 'succeeded'], ['check', 'succeeded'], ['full', 'succeeded'], ['info', 'succeeded']]);
    const stanza = output<{ repo: string; encrypted: boolean; restartRequired: boolean }>(report, 'stanza');
    assert.deepEqual([stanza.repo, stanza.encrypted, stanza.restartRequired], ['s3://easymo-backups/pgbackrest', true, true]);
    const full = output<{ backup: { type: string; label: string } }>(report, 'full');
    assert.equal(full.backup.type, 'full');
    const info = output<{ latest: { label: string }; cipher: string }>(report, 'info');
    assert.deepEqual([info.latest.label, info.cipher], [full.backup.label, 'aes-256-cbc']);
    assert.ok(existsSync(join(s3.dataDir, 'easymo-backups', 'pgbackrest', 'backup', 'agent-core', full.backup.label)), 'the backup is in the bucket');
    // Secrets stay references: nothing in the run's history holds them.
    const history = JSON.stringify(await handle.fetchHistory());
    for (const value of Object.values(secrets)) assert.doesNotMatch(history, new RegExp(value));
  });

  test('pitr-backup: a differential while rows are written; a time recorded mid-stream; more rows; an incremental after', async () => {
    assert.ok(writer, 'the writer runs since pitr-setup');
    const diff = await result(await start({ runbook: 'pitr-backup', mode: 'live', inputs: { type: 'diff' } }));
    assert.equal(diff.status, 'succeeded', JSON.stringify(statuses(diff)));
    assert.equal(output<{ backup: { type: string } }>(diff, 'backup').backup.type, 'diff');
    await delay(1_500);
    // Milliseconds, as the recovery target is given to PostgreSQL.
    target = (await query<{ t: string }>(PORT, `SELECT ${isoNow} AS t`))[0]!.t;
    const atTarget = writer.written;
    await delay(1_500);
    await writer.stop();
    assert.ok(writer.written > atTarget + 10, `rows written after the target (${writer.written}, ${atTarget} at it)`);
    // Schedules take a full on Sunday, a differential on the other days; an incremental works the same.
    const incr = await result(await start({ runbook: 'pitr-backup', mode: 'live', inputs: { type: 'incr' } }));
    assert.equal(incr.status, 'succeeded', JSON.stringify(statuses(incr)));
    const info = output<{ backups: Array<{ type: string }> }>(incr, 'info');
    assert.deepEqual(info.backups.map((b) => b.type), ['full', 'diff', 'incr']);
    // The logical backup the checklist compares the restored schema with (database-backup, prefix agent-core).
    const logical = await result(await start({ runbook: 'database-backup', mode: 'live', inputs: { database: 'env:PITR_SOURCE_URL', prefix: 'agent-core' } }));
    assert.equal(logical.status, 'succeeded', JSON.stringify(statuses(logical)));
  });

  test('point-in-time-recovery: to the incident time, approved, restored into a new instance with exactly the rows up to it, checked, switched over; RPO measured', async (t) => {
    assert.ok(target, 'a target time was recorded');
    const dataDir = join(scratch, 'agent-core-pitr');
    const handle = await start({
      runbook: 'point-in-time-recovery',
      mode: 'live',
      incidentAt: target,
      inputs: { data_dir: dataDir, port: PORT + 1 },
    });
    restored.push(dataDir);
    await waitingAt(handle, 'approve');
    assert.equal(existsSync(dataDir), false, 'nothing is restored before the approval');
    await answer(handle, 'approve', 'approve', 'backend-lead');
    await answer(handle, 'checklist', 'complete', 'backend-lead');
    await answer(handle, 'switch-over', 'complete', 'devops-oncall');
    pitrReport = await result(handle);
    const report = pitrReport;
    assert.equal(report.status, 'succeeded', JSON.stringify(statuses(report)));
    assert.deepEqual(
      statuses(report).filter(([id]) => !['responding', 'recovered-to', 'schema'].includes(id!)),
      [['info', 'succeeded'], ['approve', 'succeeded'], ['restore', 'succeeded'], ['verify', 'succeeded'], ['checklist', 'succeeded'], ['switch-over', 'succeeded']],
    );
    assert.deepEqual(report.steps.filter((s) => s.parentId === 'verify').map((s) => [s.id, s.status]), [['responding', 'succeeded'], ['recovered-to', 'succeeded'], ['schema', 'succeeded']]);

    // Exactly the rows committed up to the target, as the source says.
    const expected = (await query<{ id: string }>(PORT, 'SELECT id FROM events WHERE pg_xact_commit_timestamp(xmin) <= $1 ORDER BY id', [target])).map((r) => Number(r.id));
    const total = Number((await query<{ n: string }>(PORT, 'SELECT count(*) AS n FROM events'))[0]!.n);
    assert.ok(expected.length > 100 && expected.length < total, `rows on both sides of the target (${expected.length} of ${total})`);
    const got = (await query<{ id: string }>(PORT + 1, 'SELECT id FROM events ORDER BY id')).map((r) => Number(r.id));
    assert.deepEqual(got, expected);

    // The RPO: incident time minus the last transaction the restored server replayed.
    const restore = output<PgBackRestRestoreResult>(report, 'restore');
    assert.equal(restore.targetValue, target.replace('T', ' ').replace('Z', '+00'));
    assert.equal(restore.lastTransactionSource, 'replay');
    const last = (await query<{ last: string }>(PORT, `SELECT to_char(max(pg_xact_commit_timestamp(xmin)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last FROM events WHERE pg_xact_commit_timestamp(xmin) <= $1`, [target]))[0]!.last;
    assert.ok(Math.abs(Date.parse(restore.lastTransactionAt!) - Date.parse(last)) < 1_000, `${restore.lastTransactionAt} near ${last}`);
    assert.ok(report.rpo, 'the report has an RPO achieved');
    assert.equal(report.rpo.step, 'restore');
    assert.equal(report.rpo.lastTransactionAt, restore.lastTransactionAt);
    assert.equal(report.rpo.achievedMs, Date.parse(target) - Date.parse(restore.lastTransactionAt!));
    assert.ok(report.rpo.achievedMs >= 0 && report.rpo.achievedMs < 1_000, `RPO ${report.rpo.achievedMs} ms: the writer commits every few ms`);

    t.diagnostic(`${got.length} of ${total} rows restored; incident ${target}, last transaction recovered ${restore.lastTransactionAt}: RPO ${report.rpo.achievedMs} ms`);
    const markdown = await dr(['report', handle.workflowId], { TEMPORAL_ADDRESS: temporalAddress() });
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, new RegExp(`last transaction recovered ${restore.lastTransactionAt!.replace(/\./g, '\\.')}, measured`));
    stopRestored(dataDir);
  });

  test('dr metrics gives the RPO achieved of the recovery: the measured last transaction against the incident time', async () => {
    const cli = { TEMPORAL_ADDRESS: temporalAddress() };
    const args = ['metrics', '--runbook', 'point-in-time-recovery', '--task-queue', env.taskQueue];
    let last = '';
    const json = await waitUntil(
      'dr metrics to list the recovery',
      async () => {
        const r = await dr([...args, '--format', 'json'], cli);
        assert.equal(r.code, 0, r.stderr);
        last = r.stdout;
        const parsed = JSON.parse(r.stdout) as { runs: number; dataLoss: { n: number; maxMs: number }; perRun: Array<{ rpoAchievedMs?: number; rpoLastTransactionAt?: string }> };
        return parsed.runs >= 1 && parsed;
      },
      { timeoutMs: 30_000, everyMs: 500, detail: () => last },
    );
    assert.equal(json.runs, 1);
    assert.deepEqual(
      json.perRun.map((r) => [r.rpoAchievedMs, r.rpoLastTransactionAt]),
      [[pitrReport.rpo!.achievedMs, pitrReport.rpo!.lastTransactionAt]],
    );
    assert.equal(json.dataLoss.n, 1);
    assert.equal(json.dataLoss.maxMs, pitrReport.rpo!.achievedMs);
    const table = await dr(args, cli);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /Data loss \(RPO achieved\)[^\n]*RPO met 1\/1/);
  });

  test('pitr-restore-test: a drill restores everything archived into a scratch instance, checks it, removes it; the RPO is how far the archive was behind', async (t) => {
    await query(PORT, "INSERT INTO events (payload) VALUES ('last before the restore test')");
    const marker = (await query<{ t: string }>(PORT, `SELECT to_char(pg_xact_commit_timestamp(xmin) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM events WHERE payload = 'last before the restore test'`))[0]!.t;
    // archive_timeout (2 s here) switches to a new segment; archive-push then sends the one holding it.
    const segment = (await query<{ wal: string }>(PORT, 'SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal'))[0]!.wal;
    let archived = '';
    await waitUntil(
      `WAL segment ${segment} archived`,
      async () => {
        archived = (await query<{ wal: string | null }>(PORT, 'SELECT last_archived_wal AS wal FROM pg_stat_archiver'))[0]!.wal ?? '';
        return archived.slice(0, 24) >= segment;
      },
      { timeoutMs: 120_000, everyMs: 500, detail: () => `last archived: ${archived}` },
    );
    const dataDir = join(scratch, 'restore-test');
    restored.push(dataDir);
    const report = await result(await start({ runbook: 'pitr-restore-test', mode: 'drill', inputs: { data_dir: dataDir, port: PORT + 2, pg_bin: source.bindir } }));
    assert.equal(report.status, 'succeeded', JSON.stringify(statuses(report)));
    assert.deepEqual(statuses(report), [['recover', 'succeeded'], ['clean-up', 'succeeded']]);
    assert.equal(existsSync(dataDir), false, 'the scratch instance is removed');
    const sub = output<{ outputs: Record<string, unknown>; steps?: unknown }>(report, 'recover');
    const restore = sub.outputs.restore as PgBackRestRestoreResult;
    assert.equal(restore.target, 'latest');
    assert.equal(restore.lastTransactionSource, 'replay');
    // Everything archived when the test started is recovered: the last transaction replayed is the marker or a
    // later commit (autovacuum's ANALYZE of the rows written earlier commits too, and can land in the archive while
    // the restore runs, so it may even follow the incident time: the RPO achieved is then 0).
    const last = Date.parse(restore.lastTransactionAt!);
    assert.ok(last >= Date.parse(marker) - 1, `last transaction recovered ${restore.lastTransactionAt}, marker committed at ${marker}`);
    assert.ok(last <= Date.now(), `last transaction recovered ${restore.lastTransactionAt} is in the future`);
    assert.ok(report.rpo, 'the drill reports the RPO achieved');
    assert.equal(report.rpo.step, 'recover/restore');
    assert.equal(report.rpo.lastTransactionAt, restore.lastTransactionAt);
    assert.equal(report.rpo.achievedMs, Math.max(0, Date.parse(restore.rpo.incidentAt) - Date.parse(restore.lastTransactionAt!)));
    const vacuum = (await query<{ a: string | null }>(PORT, "SELECT max(last_autoanalyze)::text AS a FROM pg_stat_all_tables"))[0]!.a;
    t.diagnostic(`restore test: marker ${marker}, incident ${restore.rpo.incidentAt}, last transaction recovered ${restore.lastTransactionAt}: RPO ${report.rpo.achievedMs} ms; source's last autoanalyze ${vacuum}`);
  });
});
