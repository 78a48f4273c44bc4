// What goes wrong in backups and restores, against the real servers: damaged and truncated objects
// (refused before the target is touched), sets without a manifest, unreachable databases, wrong
// passwords, a missing bucket, pg_dump killed mid-way, cancellation, and verification failures.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { postgresBackup } from '../../../../src/activities/postgres/backup.js';
import { postgresRestore } from '../../../../src/activities/postgres/restore.js';
import { postgresVerify } from '../../../../src/activities/postgres/verify.js';
import { FsBackupStore } from '../../../../src/activities/storage/fs-store.js';
import { listBackups } from '../../../../src/activities/storage/manifest.js';
import { VERIFY_CHECKS } from '../../../../src/runbook/model.js';
import { leftInGroup } from '../../../helpers/process-groups.js';
import { backupInput, backupTestEnv, dbUrl, freshDatabase, fsStore, s3Store, seedShop, withClient, type BackupTestEnv } from '../../../helpers/backup.js';

const quiet = { heartbeat: () => undefined };

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The target's tables and the marker row: what "not touched" means. */
async function targetState(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const tables = await c.query(`SELECT string_agg(relname, ',' ORDER BY relname) AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`);
    const marker = await c.query(`SELECT note FROM marker`);
    return `${tables.rows[0].t}|${marker.rows.map((r) => r.note).join(',')}`;
  });
}

describe('backup and restore faults', () => {
  let env: BackupTestEnv;
  let source: string;
  let target: string;
  before(async () => {
    env = backupTestEnv();
    source = await freshDatabase(env.pgUrl, 'dr_fault_source');
    await seedShop(source, 50);
    await withClient(source, (c) => c.query(`CREATE TABLE bulk AS SELECT i, repeat(md5(i::text), 4) AS pad FROM generate_series(1, 200000) i`));
    target = await freshDatabase(env.pgUrl, 'dr_fault_target');
    await withClient(target, (c) => c.query(`CREATE TABLE marker (note text); INSERT INTO marker VALUES ('untouched')`));
    await withClient(env.pgUrl, async (c) => {
      await c.query(`DROP ROLE IF EXISTS dr_backup_user`);
      await c.query(`CREATE ROLE dr_backup_user LOGIN PASSWORD 'right-Pa55word' SUPERUSER`);
    });
  });
  after(async () => {
    if (!env) return;
    await withClient(env.pgUrl, async (c) => {
      for (const db of ['dr_fault_source', 'dr_fault_target', 'dr_fault_verify']) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS dr_backup_user`);
    });
  });

  it('refuses a backup whose object does not match its sha256, before touching the target', async () => {
    const store = fsStore();
    const backup = await postgresBackup(backupInput(source), { store, ...quiet });
    const dir = join(store.root, 'daily', backup.id);
    const dump = join(dir, readdirSync(dir).find((f) => f.endsWith('.dump'))!);
    const bytes = readFileSync(dump);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff; // same size, one byte flipped
    writeFileSync(dump, bytes);
    const before = await targetState(target);
    await assert.rejects(postgresRestore({ target, backup: 'latest', jobs: 2, noOwner: false }, { store, ...quiet }), (err: Error & { type: string; details: unknown[] }) => {
      assert.equal(err.type, 'BackupCorrupt');
      assert.match(
        err.message,
        new RegExp(`^Restore into postgres://postgres@127\\.0\\.0\\.1:\\d+/dr_fault_target refused: backup ${backup.id} is damaged: dr_fault_source\\.dump has ${bytes.length} bytes with sha256 [0-9a-f]{16}…, the manifest says ${bytes.length} bytes with sha256 [0-9a-f]{16}…; the target was not touched$`),
      );
      assert.equal((err.details[0] as { object: string }).object, 'dr_fault_source.dump');
      return true;
    });
    assert.equal(await targetState(target), before);
  });

  it('refuses a truncated object in S3 (size differs), before touching the target', async () => {
    const store = s3Store(env);
    const backup = await postgresBackup(backupInput(source, { format: 'plain' }), { store, ...quiet });
    const key = `daily/${backup.id}/dr_fault_source.sql.gz`;
    const whole = Buffer.concat(await (await store.get(key)).toArray());
    await store.put(key, Readable.from([whole.subarray(0, 1000)]));
    const before = await targetState(target);
    await assert.rejects(postgresRestore({ target, backup: backup.id, jobs: 1, noOwner: false }, { store, ...quiet }), {
      type: 'BackupCorrupt',
      message: new RegExp(`dr_fault_source\\.sql\\.gz has 1000 bytes with sha256 [0-9a-f]{16}…, the manifest says ${whole.length} bytes`),
    });
    assert.equal(await targetState(target), before);
    // The listing already sees it: the backup is not verified, so `latest` does not pick it.
    assert.deepEqual((await listBackups(store)).backups.map((b) => b.verified), [false]);
    await assert.rejects(postgresRestore({ target, backup: 'latest', jobs: 1, noOwner: false }, { store, ...quiet }), {
      type: 'BackupNotFound',
      message: /No complete PostgreSQL backup of the whole database taken by .*; it holds 1 complete backup\(s\), the newest .* 1 with missing or short objects$/,
    });
  });

  it('a set without a manifest is not listed, not restorable by id, and not `latest`', async () => {
    const store = s3Store(env);
    const good = await postgresBackup(backupInput(source), { store, ...quiet });
    await store.put('daily/20990101T000000Z-dr_fault_source-dead/dr_fault_source.dump', Readable.from([Buffer.from('half a dump')]));
    const listing = await listBackups(store);
    assert.deepEqual(listing.backups.map((b) => b.id), [good.id]);
    assert.deepEqual(listing.incomplete.map((s) => s.key), ['daily/20990101T000000Z-dr_fault_source-dead']);
    await assert.rejects(postgresRestore({ target, backup: '20990101T000000Z-dr_fault_source-dead', jobs: 1, noOwner: false }, { store, ...quiet }), {
      type: 'BackupNotFound',
      message: /Backup 20990101T000000Z-dr_fault_source-dead in s3:\/\/\S+ \(http:\/\/127\.0\.0\.1:\d+\) has no manifest: it is incomplete \(interrupted or still being written\) and cannot be used$/,
    });
  });

  it('an unreachable database: a clear error, nothing stored', async () => {
    const store = fsStore();
    const port = await closedPort();
    await assert.rejects(postgresBackup(backupInput(`postgres://postgres@127.0.0.1:${port}/x`), { store, ...quiet }), {
      type: 'StepCommandFailed',
      message: `Backup of postgres://postgres@127.0.0.1:${port}/x not started: could not connect: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    assert.deepEqual(await store.list(), []);
  });

  it('a wrong password: refused for backup and restore, the password never shown', async () => {
    const store = fsStore();
    const u = new URL(source);
    u.username = 'dr_backup_user';
    u.password = 'wrong-Pa55word';
    await assert.rejects(postgresBackup(backupInput('env:SOURCE_URL'), { store, env: { SOURCE_URL: u.toString() }, ...quiet }), {
      type: 'StepCommandFailed',
      // The user of a URL behind a reference is secret too: the tool's own message is masked.
      message: 'Backup of env:SOURCE_URL not started: could not connect: password authentication failed for user "***"',
    });
    // The right password works, and pg_dump gets it from the environment, never in argv.
    u.password = 'right-Pa55word';
    const argv: string[] = [];
    const ok = await postgresBackup(backupInput(u.toString(), { tables: ['users'] }), { store, ...quiet, onSpawn: (pid) => argv.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8')) });
    assert.equal(ok.tables, 1);
    assert.ok(argv.length > 0 && argv.every((a) => !a.includes('right-Pa55word')), argv.join('\n'));
    const t = new URL(target);
    t.username = 'dr_backup_user';
    t.password = 'wrong-Pa55word';
    await assert.rejects(postgresRestore({ target: t.toString(), backup: 'latest', tables: ['users'], jobs: 1, noOwner: false }, { store, ...quiet }), (err: Error & { type: string }) => {
      assert.equal(err.type, 'StepCommandFailed');
      assert.match(err.message, /^Restore into postgres:\/\/dr_backup_user@127\.0\.0\.1:\d+\/dr_fault_target not started: could not connect: password authentication failed/);
      assert.ok(!err.message.includes('wrong-Pa55word'));
      return true;
    });
  });

  it('a missing bucket: StoreUnavailable before anything is dumped', async () => {
    const store = s3Store(env, 'dr-no-such-bucket');
    await assert.rejects(postgresBackup(backupInput(source), { store, ...quiet }), {
      type: 'StoreUnavailable',
      message: new RegExp(`^Backup of postgres://postgres@127\\.0\\.0\\.1:\\d+/dr_fault_source not started: Backup store s3://dr-no-such-bucket/t-[0-9a-f]+ \\(${env.s3.endpoint}\\) is unavailable: bucket "dr-no-such-bucket" does not exist$`),
    });
    await assert.rejects(postgresRestore({ target, backup: 'latest', jobs: 1, noOwner: false }, { store, ...quiet }), { type: 'StoreUnavailable' });
  });

  for (const kind of ['fs', 's3'] as const) {
    it(`pg_dump killed mid-way (${kind}): a clear error and no half-written backup left`, async () => {
      const store = kind === 'fs' ? fsStore() : s3Store(env);
      let pid: number | undefined;
      let killed = false;
      const heartbeat = (d: unknown) => {
        if (!killed && pid && (d as { bytes: number }).bytes > 0) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      };
      await assert.rejects(
        postgresBackup(backupInput(source, { compression: 0 }), { store, heartbeat, heartbeatEveryMs: 5, onSpawn: (p, tool) => tool === 'pg_dump' && (pid = p) }),
        (err: Error & { type: string }) => {
          assert.equal(err.type, 'StepCommandFailed');
          assert.match(err.message, /^Backup of postgres:\/\/postgres@127\.0\.0\.1:\d+\/dr_fault_source failed: pg_dump was killed with SIGKILL: pg_dump -Fc --snapshot=\S+ --compress=0 -d postgres:\/\/postgres@127\.0\.0\.1:\d+\/dr_fault_source(\n|$)/);
          return true;
        },
      );
      assert.ok(killed);
      assert.deepEqual(await store.list(), []);
    });
  }

  it('directory format: pg_dump killed while its files are already going up: a clear error and nothing left', async () => {
    const store = s3Store(env);
    let pid: number | undefined;
    let killedWhile: string | undefined;
    const heartbeat = (d: unknown) => {
      const { phase, bytes } = d as { phase: string; bytes: number };
      if (killedWhile === undefined && pid && bytes > 0) {
        killedWhile = phase;
        process.kill(pid, 'SIGKILL');
      }
    };
    await assert.rejects(
      postgresBackup(backupInput(source, { compression: 0, format: 'directory' }), { store, heartbeat, heartbeatEveryMs: 5, onSpawn: (p, tool) => tool === 'pg_dump' && (pid = p) }),
      (err: Error & { type: string }) => {
        assert.equal(err.type, 'StepCommandFailed');
        assert.match(err.message, /^Backup of postgres:\/\/postgres@127\.0\.0\.1:\d+\/dr_fault_source failed: pg_dump was killed with SIGKILL: pg_dump -Fd -j 2 -v -f \S+ --snapshot=\S+ --compress=0 -d postgres:\/\/postgres@127\.0\.0\.1:\d+\/dr_fault_source(\n|$)/);
        return true;
      },
    );
    // Bytes moved while pg_dump still ran: the upload follows the files as they are written.
    assert.equal(killedWhile, 'dump');
    assert.deepEqual(await leftInGroup(pid!), [], 'a pg_dump of the killed one is still running');
    assert.deepEqual(await store.list(), []);
  });

  it('the step timeout stops a pg_dump that hangs, with StepTimedOut, and leaves nothing', async () => {
    const store = s3Store(env);
    // SIGSTOP: pg_dump hangs as on a lock it waits for; only the kill after the grace period ends it.
    const onSpawn = (pid: number, tool: string) => tool === 'pg_dump' && setTimeout(() => process.kill(pid, 'SIGSTOP'), 20);
    await assert.rejects(postgresBackup({ ...backupInput(source), timeoutMs: 500 }, { store, ...quiet, onSpawn, killGraceMs: 100 }), {
      type: 'StepTimedOut',
      message: /^Backup of postgres:\/\/postgres@127\.0\.0\.1:\d+\/dr_fault_source timed out after 500ms; nothing was kept$/,
    });
    assert.deepEqual(await store.list(), []);
  });

  for (const format of ['plain', 'directory'] as const) {
    it(`cancellation stops pg_dump and the upload, and leaves nothing (${format})`, async () => {
      const store = s3Store(env);
      const controller = new AbortController();
      const heartbeat = (d: unknown) => (d as { bytes: number }).bytes > 0 && controller.abort(new CancelledFailure('test cancel'));
      await assert.rejects(postgresBackup(backupInput(source, { compression: 0, format }), { store, heartbeat, heartbeatEveryMs: 5, signal: controller.signal }), (err: Error) => {
        assert.ok(err instanceof CancelledFailure, String(err));
        return true;
      });
      assert.ok(controller.signal.aborted);
      assert.deepEqual(await store.list(), []);
    });
  }

  it('sends the cold storage class for monthly backups', async () => {
    const store = s3Store(env);
    const sent: string[] = [];
    store.client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        if (headers['x-amz-storage-class']) sent.push(headers['x-amz-storage-class']);
        return next(args);
      },
      { step: 'build', name: 'captureStorageClass' },
    );
    await postgresBackup(backupInput(source, { prefix: 'monthly', tables: ['users'] }), { store, coldStorageClass: 'GLACIER_IR', ...quiet });
    await postgresBackup(backupInput(source, { prefix: 'daily', tables: ['users'] }), { store, coldStorageClass: 'GLACIER_IR', ...quiet });
    const { backups } = await listBackups(store);
    const monthly = backups.find((b) => b.prefix === 'monthly')!.manifest!;
    assert.deepEqual(monthly.objects.map((o) => o.storageClass), ['GLACIER_IR']);
    assert.deepEqual(backups.find((b) => b.prefix === 'daily')!.manifest!.objects.map((o) => o.storageClass), [undefined]);
    assert.deepEqual(sent, ['GLACIER_IR']); // the manifest itself stays in the default class, readable at once
  });

  it('verification reports each check with its figure, and fails listing every failed one', async () => {
    const store = fsStore();
    const backup = await postgresBackup(backupInput(source), { store, ...quiet });
    const restored = await freshDatabase(env.pgUrl, 'dr_fault_verify');
    await postgresRestore({ target: restored, backup: backup.id, jobs: 2, noOwner: false }, { store, ...quiet });
    const checks = [...VERIFY_CHECKS];
    const sql = [
      { name: 'users have emails', query: `SELECT count(*) FROM users WHERE email IS NULL`, expect: { equals: 0 } },
      { name: 'recent transactions', query: `SELECT max(created_at)::date::text FROM transactions`, expect: { equals: '2024-03-02' } },
    ];
    const good = await postgresVerify({ connection: restored, backup: 'latest', checks, sql }, { store, ...quiet });
    assert.deepEqual(
      good.checks.map((c) => [c.name, c.ok, c.figure.replace(/answered in \d+ms/, 'answered')]),
      [
        ['connection', true, good.checks[0]!.figure.replace(/answered in \d+ms/, 'answered')],
        ['tables', true, '5/5 tables present'],
        ['rowCounts', true, "5/5 tables with the backup's row count (200310 rows)"],
        ['foreignKeys', true, '2/2 foreign keys present and valid, 0 orphan rows'],
        ['indexes', true, '7 valid indexes, 7 in the backup'],
        ['rls', true, 'RLS enabled on 1/1 tables that had it, 1 policies'],
        ['users have emails', true, 'value 0'],
        ['recent transactions', true, 'value "2024-03-02"'],
      ],
    );
    assert.match(good.checks[0]!.figure, /^PostgreSQL \d+\.\d+.* answered in \d+ms$/);

    await withClient(restored, async (c) => {
      await c.query(`DELETE FROM messages WHERE id <= 10`);
      await c.query(`ALTER TABLE messages DISABLE ROW LEVEL SECURITY; DROP POLICY messages_own ON messages`);
      await c.query(`DROP INDEX transactions_big_idx`);
      await c.query(`SET session_replication_role = replica; INSERT INTO transactions (user_id, amount) VALUES (99999, 1); SET session_replication_role = DEFAULT`);
      await c.query(`DROP TABLE audit.events`);
    });
    await assert.rejects(postgresVerify({ connection: restored, backup: 'latest', checks, sql }, { store, ...quiet }), (err: Error & { type: string; details: unknown[] }) => {
      assert.equal(err.type, 'StepExpectationFailed');
      assert.equal(
        err.message,
        `Verification of ${restored} against backup ${backup.id} failed 5 of 8 checks: ` +
          'tables: 4/5 tables present (audit.events is missing); ' +
          "rowCounts: 2/4 tables with the backup's row count (200291 rows) (public.messages: 90 rows, expected 100; public.transactions: 151 rows, expected 150); " +
          'foreignKeys: 2/2 foreign keys present and valid, 1 orphan rows (public.transactions: 1 rows break foreign key transactions_user_id_fkey); ' +
          'indexes: 5 valid indexes, 7 in the backup (public.transactions: 2 indexes, expected 3); ' +
          'rls: RLS enabled on 0/1 tables that had it, 0 policies (public.messages: row level security is disabled; public.messages: policy messages_own is missing)',
      );
      const details = err.details[0] as { checks: Array<{ name: string; ok: boolean }>; passed: number; failed: number };
      assert.deepEqual([details.passed, details.failed], [3, 5]);
      assert.deepEqual(details.checks.map((c) => c.ok), [true, false, false, false, false, false, true, true]);
      return true;
    });
  });

  it('a full disk: the backup fails with StoreUnavailable and leaves nothing; a restore fails before the target', async () => {
    // A 1 MiB tmpfs (npm test runs as root on the project's machines, as CI does).
    const tiny = mkdtempSync(join(tmpdir(), 'dr-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tiny]);
    try {
      const full = new FsBackupStore(join(tiny, 'store'));
      await assert.rejects(postgresBackup(backupInput(source, { compression: 0 }), { store: full, ...quiet }), {
        type: 'StoreUnavailable',
        message: new RegExp(`^Backup of postgres://postgres@127\\.0\\.0\\.1:\\d+/dr_fault_source failed: Backup store ${tiny}/store is unavailable: no space left on device writing daily/\\S+/dr_fault_source\\.dump$`),
      });
      assert.deepEqual(await full.list(), []);

      const store = fsStore();
      await postgresBackup(backupInput(source, { compression: 0 }), { store, ...quiet });
      const before = await targetState(target);
      await assert.rejects(postgresRestore({ target, backup: 'latest', jobs: 1, noOwner: false }, { store, workDir: tiny, ...quiet }), {
        type: 'StepCommandFailed',
        message: new RegExp(`not started: no space left in ${tiny}/dr-restore-\\w+ for dr_fault_source\\.dump \\(\\d+ bytes; set DR_BACKUP_WORK_DIR to a larger disk\\)$`),
      });
      assert.equal(await targetState(target), before);
    } finally {
      execFileSync('umount', [tiny]);
    }
  });

  it('names a backup that does not exist with what the store holds', async () => {
    const store = fsStore();
    await assert.rejects(postgresRestore({ target: dbUrl(env.pgUrl, 'dr_fault_target'), backup: 'nope', jobs: 1, noOwner: false }, { store, ...quiet }), {
      type: 'BackupNotFound',
      message: `Restore into ${dbUrl(env.pgUrl, 'dr_fault_target')} not started: No backup nope in ${store.location}; it holds no complete backup`,
    });
  });
});
