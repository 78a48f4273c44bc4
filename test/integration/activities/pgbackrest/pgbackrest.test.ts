// pgbackrest.* against real servers: a source PostgreSQL with WAL archiving and
// pgBackRest 2.45 (Debian's) with an encrypted local repository. Rows are written continuously
// while the base backup runs and after it; a timestamp is recorded mid-stream, the restore goes
// to it (a new data directory and port), and exactly the rows committed up to it must be there.
// Then the faults: each is refused before the target directory exists, and the repository is
// unchanged afterwards. Ports come from DR_TEST_PITR_PORT (default 15443) and the next ones: below
// Linux's ephemeral range (32768-60999), as a restored server binds its port mid-test, when an
// outgoing connection may hold that port as its source.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ensurePgBackRest } from '../../../../scripts/lib/pgbackrest.js';
import { startPostgres, type LocalPostgres } from '../../../../scripts/lib/postgres.js';
import { Supervisor } from '../../../../scripts/lib/process.js';
import { startS3 } from '../../../../scripts/lib/s3.js';
import { pgbackrestRestore } from '../../../../src/activities/pgbackrest/restore.js';
import { pgbackrestBackup, pgbackrestCheck, pgbackrestInfo, pgbackrestStanza } from '../../../../src/activities/pgbackrest/stanza.js';
import type { PgBackRestRestoreInput } from '../../../../src/activities/pgbackrest/types.js';
import { queryRows } from '../../../helpers/pg.js';

const BASE_PORT = Number(process.env.DR_TEST_PITR_PORT || 15443);
const scratch = mkdtempSync(join(tmpdir(), 'dr-pitr-test-'));
chmodSync(scratch, 0o755); // the postgres user reaches the repository and config folders through it
const supervisor = new Supervisor();
const env = { ...process.env, PITR_CIPHER: 'correct horse battery staple', PITR_WRONG: 'not the passphrase', PITR_S3_KEY: 'pitr-access-key', PITR_S3_SECRET: 'pitr-secret-key-value' };
const deps = { baseDir: join(scratch, 'pgbackrest'), env, heartbeat: () => {}, log: { info() {}, warn() {} } };
const repo = join(scratch, 'repo');
const stanza = 'agent-core';
const ref = { runId: 'test', stepId: 'step' };

let source: LocalPostgres;
const started: string[] = [];

const query = <T extends pg.QueryResultRow>(port: number, sql: string, params: unknown[] = []): Promise<T[]> =>
  queryRows<T>({ host: '127.0.0.1', port, user: 'postgres', database: 'agent_core' }, sql, params);

async function one<T extends pg.QueryResultRow>(port: number, sql: string, params: unknown[] = []): Promise<T> {
  const rows = await query<T>(port, sql, params);
  assert.equal(rows.length, 1, `one row from ${sql}`);
  return rows[0]!;
}

function stopRestored(dataDir: string): void {
  execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', `${join(source.bindir, 'pg_ctl')} stop -D ${dataDir} -m fast -w`], { stdio: 'ignore' });
}

function restoreInput(over: Partial<PgBackRestRestoreInput> & { dataDir: string; port: string }): PgBackRestRestoreInput {
  return { ...ref, stanza, target: 'latest', exclusive: false, verify: true, ...over };
}

/** Every file of the local repository with its size and modification time. */
function repoSnapshot(): string[] {
  return (readdirSync(repo, { recursive: true }) as string[])
    .sort()
    .map((f) => {
      const st = statSync(join(repo, f));
      return `${f} ${st.size} ${st.mtimeMs}`;
    });
}

/**
 * Asserts `restore()` fails with `type` and a message matching `message`, `dataDir` was never created,
 * and nothing was lost: the repository's files and the source's rows are as they were.
 */
async function refused(restore: () => Promise<unknown>, type: string, message: RegExp, dataDir: string): Promise<void> {
  started.push(dataDir); // stopped at the end should it wrongly succeed
  const files = repoSnapshot();
  const rows = await one<{ n: string }>(BASE_PORT, 'SELECT count(*) AS n, max(id) AS max FROM events');
  await assert.rejects(restore(), (err: Error & { type?: string }) => {
    assert.equal(err.type, type, err.message);
    assert.match(err.message, message);
    return true;
  });
  assert.equal(existsSync(dataDir), false, `${dataDir} must not be created when the restore is refused`);
  // The server keeps archiving meanwhile (archive_timeout): new WAL may arrive, nothing there may change or go.
  const now = new Set(repoSnapshot());
  assert.deepEqual(files.filter((f) => !now.has(f)), [], 'every file of the repository is still there, unchanged');
  assert.deepEqual(await one<{ n: string }>(BASE_PORT, 'SELECT count(*) AS n, max(id) AS max FROM events'), rows, 'the source is unchanged');
}

describe('pgbackrest.* point-in-time recovery', () => {
  before(async () => {
    ensurePgBackRest();
    source = await startPostgres({ dataDir: join(scratch, 'source'), port: BASE_PORT, database: 'agent_core', supervisor });
    await query(BASE_PORT, 'CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL)');
  });
  after(async () => {
    for (const dir of started) {
      try {
        stopRestored(dir);
      } catch {
        // already stopped
      }
    }
    await supervisor.stopAll();
    rmSync(scratch, { recursive: true, force: true });
  });

  let baseLabel = '';

  it('pgbackrest.stanza configures an encrypted stanza and turns archiving on (restart reported), check passes after the restart', async () => {
    const result = await pgbackrestStanza(
      {
        ...ref,
        stanza,
        pgPath: source.dataDir,
        pgPort: BASE_PORT,
        pgSocketPath: `${source.dataDir}-socket`,
        pgUser: 'postgres',
        repo: { path: repo },
        cipherPass: 'env:PITR_CIPHER',
        retentionFull: 2,
        compress: 'zst',
        processMax: 2,
        archive: true,
      },
      deps,
    );
    assert.equal(result.restartRequired, true);
    assert.deepEqual(result.changed.map((c) => c.split(' = ')[0]), ['archive_mode', 'archive_command', 'archive_timeout']);
    assert.equal(result.encrypted, true);
    // The passphrase is only in the 0600 secrets file, never in the config or the archive_command.
    const config = readFileSync(result.configFile, 'utf8');
    assert.doesNotMatch(config + result.archiveCommand, /correct horse/);
    const secrets = join(deps.baseDir, stanza, 'conf.d', 'secrets.conf');
    assert.match(readFileSync(secrets, 'utf8'), /repo1-cipher-pass=correct horse battery staple/);
    assert.equal((await import('node:fs')).statSync(secrets).mode & 0o777, 0o600);

    // Commit timestamps let the test say which rows were committed before the target time.
    await query(BASE_PORT, 'ALTER SYSTEM SET track_commit_timestamp = on');
    await source.stop();
    source = await startPostgres({ dataDir: source.dataDir, port: BASE_PORT, database: 'agent_core', supervisor });
    const checked = await pgbackrestCheck({ ...ref, stanza }, deps);
    assert.equal(checked.ok, true);
    assert.ok(checked.archive?.max, 'check leaves at least one archived segment');
  });

  it('restores to a timestamp taken while rows were being written: exactly the rows committed up to it, RPO measured on the restored server', async () => {
    let writing = true;
    let written = 0;
    let target = '';
    const writer = (async () => {
      const client = new pg.Client({ host: '127.0.0.1', port: BASE_PORT, user: 'postgres', database: 'agent_core' });
      await client.connect();
      while (writing) {
        await client.query('INSERT INTO events (payload) VALUES ($1)', [`row ${written}`]);
        written++;
        await new Promise((r) => setTimeout(r, 5));
      }
      await client.end();
    })();
    try {
      const full = await pgbackrestBackup({ ...ref, stanza, type: 'full' }, deps);
      assert.equal(full.backup.type, 'full');
      assert.match(full.backup.label, /^\d{8}-\d{6}F$/);
      baseLabel = full.backup.label;
      const rowsAtBackup = written;
      await new Promise((r) => setTimeout(r, 1_500));
      const { t } = await one<{ t: string }>(BASE_PORT, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS t");
      await new Promise((r) => setTimeout(r, 1_500));
      assert.ok(written > rowsAtBackup + 10, `the writer kept writing after the backup (${written} rows, ${rowsAtBackup} at the backup)`);
      target = t!;
    } finally {
      writing = false;
      await writer;
    }
    // Pushes the last segment to the archive (check switches WAL and waits for it).
    await pgbackrestCheck({ ...ref, stanza }, deps);

    const expected = (await query<{ id: string }>(BASE_PORT, 'SELECT id FROM events WHERE pg_xact_commit_timestamp(xmin) <= $1 ORDER BY id', [target])).map((r) => Number(r.id));
    const { n: total } = await one<{ n: string }>(BASE_PORT, 'SELECT count(*) AS n FROM events');
    assert.ok(expected.length > 0 && expected.length < Number(total), `rows on both sides of the target (${expected.length} of ${total})`);
    const { last } = await one<{ last: string }>(BASE_PORT, `SELECT to_char(max(pg_xact_commit_timestamp(xmin)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last FROM events WHERE pg_xact_commit_timestamp(xmin) <= $1`, [target]);

    const dataDir = join(scratch, 'restore-time');
    const incidentAt = new Date(Date.parse(target) + 60_000).toISOString();
    const result = await pgbackrestRestore(restoreInput({ target: 'time', time: target, dataDir, port: String(BASE_PORT + 1), incidentAt }), deps);
    started.push(dataDir);
    assert.equal(result.backup.label, baseLabel);
    assert.equal(result.lastTransactionSource, 'replay');
    // The last transaction replayed is at or before the target, and close to the last row committed before it
    // (pg_last_xact_replay_timestamp was seen a few ms before that row's commit timestamp once: it may lag it).
    assert.ok(Date.parse(result.lastTransactionAt!) <= Date.parse(target), `${result.lastTransactionAt} <= ${target}`);
    assert.ok(Math.abs(Date.parse(result.lastTransactionAt!) - Date.parse(last)) < 1_000, `${result.lastTransactionAt} near ${last}`);
    assert.equal(result.rpo.achievedMs, Date.parse(incidentAt) - Date.parse(result.lastTransactionAt!));
    const restored = (await query<{ id: string }>(BASE_PORT + 1, 'SELECT id FROM events ORDER BY id')).map((r) => Number(r.id));
    // Recovery stops at the first commit record, in WAL order, whose time is past the target. A
    // commit's time is taken before its record is written, so another transaction (autovacuum's
    // ANALYZE, say) can stamp a time past the target and write its record before the
    // writer's last commit stamped at the target: that row is then, rightly, not restored. So:
    // the restored rows are the first of those committed by the target, and any left out were
    // stamped within 200 ms of it (one at most: the writer commits every 5 ms or more).
    assert.deepEqual(restored, expected.slice(0, restored.length), 'the restored rows are the first rows committed by the target');
    const missing = expected.slice(restored.length);
    if (missing.length > 0) {
      const times = await query<{ t: string }>(BASE_PORT, `SELECT to_char(pg_xact_commit_timestamp(xmin) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM events WHERE id = ANY($1::bigint[])`, [missing]);
      assert.ok(missing.length <= 1 && times.every((r) => Date.parse(target) - Date.parse(r.t) < 200), `left out ${missing.join(', ')} committed at ${times.map((r) => r.t).join(', ')}, target ${target}`);
    }
    // The source still has everything, and the restored server is a primary of its own.
    const { n: after } = await one<{ n: string }>(BASE_PORT, 'SELECT count(*) AS n FROM events');
    assert.equal(after, total);
    const { rec } = await one<{ rec: boolean }>(BASE_PORT + 1, 'SELECT pg_is_in_recovery() AS rec');
    assert.equal(rec, false);
    stopRestored(dataDir);
  });

  it('pgbackrest.info gives the backups and the WAL archive range as data', async () => {
    const diff = await pgbackrestBackup({ ...ref, stanza, type: 'diff' }, deps);
    assert.equal(diff.backup.type, 'diff');
    assert.equal(diff.backup.prior, baseLabel);
    const info = await pgbackrestInfo({ ...ref, stanza }, deps);
    assert.equal(info.status.message, 'ok');
    assert.equal(info.cipher, 'aes-256-cbc');
    assert.deepEqual(info.backups.map((b) => b.type), ['full', 'diff']);
    assert.equal(info.latest?.label, diff.backup.label);
    assert.match(info.archive!.min, /^[0-9A-F]{24}$/);
    assert.ok(info.archive!.max >= diff.backup.walStop);
  });

  it('restores to a named restore point and to a backup label', async () => {
    await query(BASE_PORT, "INSERT INTO events (payload) VALUES ('before the point')");
    await query(BASE_PORT, "SELECT pg_create_restore_point('before-migration')");
    await query(BASE_PORT, "INSERT INTO events (payload) VALUES ('after the point')");
    await pgbackrestCheck({ ...ref, stanza }, deps);
    const named = join(scratch, 'restore-name');
    await pgbackrestRestore(restoreInput({ target: 'name', name: 'before-migration', dataDir: named, port: String(BASE_PORT + 2) }), deps);
    started.push(named);
    const payloads = (await query<{ payload: string }>(BASE_PORT + 2, "SELECT payload FROM events WHERE payload LIKE '%the point'")).map((r) => r.payload);
    assert.deepEqual(payloads, ['before the point']);
    stopRestored(named);

    const labelled = join(scratch, 'restore-label');
    const result = await pgbackrestRestore(restoreInput({ target: 'label', label: baseLabel, dataDir: labelled, port: String(BASE_PORT + 3) }), deps);
    started.push(labelled);
    assert.equal(result.backup.label, baseLabel);
    const { n } = await one<{ n: string }>(BASE_PORT + 3, "SELECT count(*) AS n FROM events WHERE payload LIKE '%the point'");
    assert.equal(Number(n), 0);
    stopRestored(labelled);
  });

  it('refuses a wrong passphrase before the target is touched', async () => {
    const dataDir = join(scratch, 'restore-wrong-pass');
    await refused(
      () => pgbackrestRestore(restoreInput({ dataDir, port: String(BASE_PORT + 4), cipherPass: 'env:PITR_WRONG' }), deps),
      'RepositoryDecryptFailed',
      /cannot be read|decrypt/i,
      dataDir,
    );
  });

  it('refuses a corrupted repository file (found by pgbackrest verify) before the target is touched', async () => {
    const backupDir = join(repo, 'backup', stanza, baseLabel, 'pg_data');
    const file = join(backupDir, 'PG_VERSION.zst');
    const original = readFileSync(file);
    const damaged = Buffer.from(original);
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0xff;
    writeFileSync(file, damaged);
    const dataDir = join(scratch, 'restore-corrupt');
    try {
      await refused(() => pgbackrestRestore(restoreInput({ target: 'label', label: baseLabel, dataDir, port: String(BASE_PORT + 4) }), deps), 'BackupCorrupt', /verify/, dataDir);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('refuses a missing WAL segment before the target is touched, naming it', async () => {
    // Two more segments archived after the latest backup (check switches WAL each time).
    await pgbackrestCheck({ ...ref, stanza }, deps);
    await pgbackrestCheck({ ...ref, stanza }, deps);
    const info = await pgbackrestInfo({ ...ref, stanza }, deps);
    const latest = info.latest!;
    const walDir = join(repo, 'archive', stanza, info.archive!.id, latest.walStart.slice(0, 16));
    const segments = readdirSync(walDir).filter((f) => /^[0-9A-F]{24}-/.test(f)).sort();
    // A gap: one after the latest backup's end that is not the newest (a missing newest one is "not archived yet").
    const later = segments.filter((f) => f.slice(0, 24) > latest.walStop);
    assert.ok(later.length >= 2, `two segments after ${latest.walStop} in ${segments.join(', ')}`);
    const victim = later[0]!;
    const moved = join(scratch, victim);
    renameSync(join(walDir, victim), moved);
    const dataDir = join(scratch, 'restore-gap');
    try {
      await refused(
        () => pgbackrestRestore(restoreInput({ dataDir, port: String(BASE_PORT + 4), verify: false }), deps),
        'WalMissing',
        new RegExp(`WAL segment ${victim.slice(0, 24)} is missing`),
        dataDir,
      );
    } finally {
      renameSync(moved, join(walDir, victim));
    }
  });

  it('refuses an unreachable S3 endpoint: the stanza step and a restore both say so', async () => {
    const s3 = {
      ...ref,
      stanza: 'unreachable',
      pgPath: source.dataDir,
      pgPort: BASE_PORT,
      pgSocketPath: `${source.dataDir}-socket`,
      pgUser: 'postgres',
      repo: { path: '/pgbackrest', s3: { bucket: 'nowhere', endpoint: `127.0.0.1:${BASE_PORT + 6}`, region: 'us-east-1', key: 'env:PITR_S3_KEY', secret: 'env:PITR_S3_SECRET', uriStyle: 'path' as const } },
      retentionFull: 2,
      compress: 'zst' as const,
      processMax: 1,
      archive: false,
    };
    await assert.rejects(pgbackrestStanza(s3, deps), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'StoreUnavailable', err.message);
      assert.doesNotMatch(err.message, /pitr-secret-key-value/);
      return true;
    });
    const dataDir = join(scratch, 'restore-unreachable');
    await refused(() => pgbackrestRestore(restoreInput({ stanza: 'unreachable', dataDir, port: String(BASE_PORT + 4) }), deps), 'StoreUnavailable', /S3 endpoint 127\.0\.0\.1:\d+ of stanza "unreachable" is unreachable \(ECONNREFUSED\)/, dataDir);
  });

  it('keeps the repository in an S3 bucket over HTTPS (local versitygw, self-signed certificate): backup, then a restore from it', async () => {
    const s3 = await startS3({ dataDir: join(scratch, 's3'), port: BASE_PORT + 5, buckets: ['pitr'], supervisor, tls: true, accessKey: 'pitr-access-key', secretKey: 'pitr-secret-key-value' });
    chmodSync(s3.caFile!, 0o644);
    // Moving the server's archiving to this stanza needs no restart (archive_mode is already on).
    const result = await pgbackrestStanza(
      {
        ...ref,
        stanza: 'agent-core-s3',
        pgPath: source.dataDir,
        pgPort: BASE_PORT,
        pgSocketPath: `${source.dataDir}-socket`,
        pgUser: 'postgres',
        repo: { path: '/pgbackrest', s3: { bucket: 'pitr', endpoint: `127.0.0.1:${BASE_PORT + 5}`, region: 'us-east-1', key: 'env:PITR_S3_KEY', secret: 'env:PITR_S3_SECRET', caFile: s3.caFile!, uriStyle: 'path' } },
        cipherPass: 'env:PITR_CIPHER',
        retentionFull: 2,
        compress: 'zst',
        processMax: 2,
        archive: true,
      },
      deps,
    );
    assert.equal(result.restartRequired, false);
    assert.equal(result.repo, 's3://pitr/pgbackrest');
    assert.doesNotMatch(readFileSync(result.configFile, 'utf8'), /pitr-secret-key-value|pitr-access-key/);
    await pgbackrestCheck({ ...ref, stanza: 'agent-core-s3' }, deps);
    const full = await pgbackrestBackup({ ...ref, stanza: 'agent-core-s3', type: 'full' }, deps);
    await query(BASE_PORT, "INSERT INTO events (payload) VALUES ('after the S3 backup')");
    await pgbackrestCheck({ ...ref, stanza: 'agent-core-s3' }, deps);
    assert.ok(readdirSync(join(s3.dataDir, 'pitr', 'pgbackrest', 'backup', 'agent-core-s3')).includes(full.backup.label), 'the backup is in the bucket');
    const dataDir = join(scratch, 'restore-s3');
    const restored = await pgbackrestRestore(restoreInput({ stanza: 'agent-core-s3', dataDir, port: String(BASE_PORT + 4) }), deps);
    started.push(dataDir);
    assert.equal(restored.backup.label, full.backup.label);
    const { n } = await one<{ n: string }>(BASE_PORT + 4, "SELECT count(*) AS n FROM events WHERE payload = 'after the S3 backup'");
    assert.equal(Number(n), 1, 'WAL archived to S3 after the backup was replayed');
    stopRestored(dataDir);
  });
});
