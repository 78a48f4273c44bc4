// postgres.backup / postgres.restore / postgres.verify against the real PostgreSQL and the real S3
// server: round trips in every format to both stores, manifests, partial table recovery.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresBackup } from '../../../../src/activities/postgres/backup.js';
import { postgresRestore } from '../../../../src/activities/postgres/restore.js';
import { postgresVerify } from '../../../../src/activities/postgres/verify.js';
import { listBackups } from '../../../../src/activities/storage/manifest.js';
import type { BackupStore } from '../../../../src/activities/storage/store.js';
import { VERIFY_CHECKS } from '../../../../src/runbook/model.js';
import { backupInput, backupTestEnv, dbUrl, fingerprint, freshDatabase, fsStore, s3Store, seedShop, withClient, type BackupTestEnv } from '../../../helpers/backup.js';

const quiet = { heartbeat: () => undefined };
const allChecks = [...VERIFY_CHECKS];

describe('PostgreSQL backups', () => {
  let env: BackupTestEnv;
  let source: string;
  let original: Record<string, string>;
  before(async () => {
    env = backupTestEnv();
    source = await freshDatabase(env.pgUrl, 'dr_bk_source');
    await seedShop(source);
    original = await fingerprint(source);
  });
  after(async () => {
    if (!env) return;
    await withClient(env.pgUrl, async (c) => {
      for (const db of ['dr_bk_source', 'dr_bk_target']) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  });

  for (const format of ['custom', 'directory', 'plain'] as const) {
    for (const kind of ['fs', 's3'] as const) {
      it(`round trip: ${format} format to the ${kind} store, restored into an empty database, verified`, async () => {
        const store: BackupStore = kind === 'fs' ? fsStore() : s3Store(env);
        const beats: unknown[] = [];
        const backup = await postgresBackup(backupInput(source, { format }), { store, heartbeat: (d) => beats.push(d), heartbeatEveryMs: 5 });
        assert.equal(backup.format, format);
        assert.equal(backup.tables, 4);
        assert.equal(backup.rows, 200 + 600 + 400 + 10);
        assert.ok(backup.bytes > 0);

        const { backups } = await listBackups(store);
        assert.deepEqual(backups.map((b) => [b.id, b.verified]), [[backup.id, true]]);
        const m = backups[0]!.manifest!;
        assert.deepEqual(m.source, { host: '127.0.0.1', port: Number(new URL(env.pgUrl).port), database: 'dr_bk_source', user: 'postgres' });
        assert.match(m.tools.pgDump, /^pg_dump \(PostgreSQL\) \d+/);
        assert.match(m.tools.server, /^\d+\.\d+/);
        assert.deepEqual(m.database.rlsTables, ['public.messages']);
        assert.equal(m.database.foreignKeys, 2);
        assert.deepEqual(
          m.database.tables.map((t) => [`${t.schema}.${t.name}`, t.rows]),
          [['audit.events', 10], ['public.messages', 400], ['public.transactions', 600], ['public.users', 200]],
        );
        assert.equal(m.bytes, m.objects.reduce((n, o) => n + o.bytes, 0));
        if (format === 'directory') assert.ok(m.objects.some((o) => o.name === 'toc.dat') && m.objects.length > 4);
        else assert.deepEqual(m.objects.map((o) => o.name), [format === 'plain' ? 'dr_bk_source.sql.gz' : 'dr_bk_source.dump']);

        const target = await freshDatabase(env.pgUrl, 'dr_bk_target');
        const restored = await postgresRestore(
          { target, backup: 'latest', jobs: 2, noOwner: false, incidentAt: new Date(Date.parse(backup.createdAt) + 3_600_000).toISOString() },
          { store, ...quiet },
        );
        assert.equal(restored.backup.id, backup.id);
        assert.equal(restored.restored, 'all');
        assert.equal(restored.backupAgeMs, 3_600_000);
        assert.equal(restored.backupAge, '1h');
        assert.deepEqual(await fingerprint(target), original);

        const verified = await postgresVerify({ connection: target, backup: backup.id, checks: allChecks, sql: [] }, { store, ...quiet });
        assert.equal(verified.failed, 0, JSON.stringify(verified.checks));
        assert.deepEqual(verified.checks.map((c) => c.name), ['connection', ...allChecks]);
      });
    }
  }

  it('restores over a damaged database (clean first), and a restore run twice gives the same result', async () => {
    const store = fsStore();
    await postgresBackup(backupInput(source), { store, ...quiet });
    const target = await freshDatabase(env.pgUrl, 'dr_bk_target');
    await seedShop(target, 5);
    await withClient(target, (c) => c.query('DELETE FROM messages; DROP INDEX transactions_user_idx; ALTER TABLE messages DISABLE ROW LEVEL SECURITY'));
    for (let i = 0; i < 2; i++) {
      await postgresRestore({ target, backup: 'latest', jobs: 2, noOwner: false }, { store, ...quiet });
      assert.deepEqual(await fingerprint(target), original);
    }
    const verified = await postgresVerify({ connection: target, backup: 'latest', checks: allChecks, sql: [] }, { store, ...quiet });
    assert.equal(verified.failed, 0, JSON.stringify(verified.checks));
  });

  it('backs up selected tables only (the weekly critical tables), and `latest` for a full restore skips it', async () => {
    const store = fsStore();
    const full = await postgresBackup(backupInput(source), { store, ...quiet });
    const weekly = await postgresBackup(backupInput(source, { prefix: 'weekly', tables: ['users', 'public.transactions'] }), { store, ...quiet });
    assert.equal(weekly.tables, 2);
    const { backups } = await listBackups(store);
    assert.deepEqual(backups.find((b) => b.id === weekly.id)!.scope, { tables: ['public.users', 'public.transactions'] });
    const target = await freshDatabase(env.pgUrl, 'dr_bk_target');
    const restored = await postgresRestore({ target, backup: 'latest', jobs: 1, noOwner: false }, { store, ...quiet });
    assert.equal(restored.backup.id, full.id);
  });

  it('partial table recovery: drops and restores one table (indexes, FKs pointing at it, trigger) and leaves the others alone', async () => {
    const store = s3Store(env);
    const backup = await postgresBackup(backupInput(source), { store, ...quiet });
    const target = await freshDatabase(env.pgUrl, 'dr_bk_target');
    await postgresRestore({ target, backup: backup.id, jobs: 2, noOwner: false }, { store, ...quiet });
    // After the backup: new transactions (kept), and the users table damaged.
    await withClient(target, async (c) => {
      await c.query(`INSERT INTO transactions (user_id, amount) VALUES (1, 42), (2, 43)`);
      await c.query(`DELETE FROM users WHERE id > 150 AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.user_id = users.id)`);
      await c.query(`UPDATE users SET email = 'corrupted-' || id`);
      await c.query(`ALTER TABLE users DROP CONSTRAINT users_email_key`);
    });
    const result = await postgresRestore({ target, backup: 'latest', tables: ['users'], jobs: 2, noOwner: false }, { store, ...quiet });
    assert.deepEqual(result.restored, ['public.users']);
    const after = await fingerprint(target);
    assert.equal(after['users'], original['users']);
    assert.equal(after['messages'], original['messages']);
    assert.equal(after['transactions']!.split(':')[0], '602'); // the two rows made after the backup are still there
    await withClient(target, async (c) => {
      const keys = await c.query(`SELECT conname FROM pg_constraint WHERE confrelid = 'users'::regclass ORDER BY 1`);
      assert.deepEqual(keys.rows.map((r) => r.conname), ['messages_user_id_fkey', 'transactions_user_id_fkey']);
      const triggers = await c.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal`);
      assert.deepEqual(triggers.rows.map((r) => r.tgname), ['users_touch']);
      // The serial sequence came back with its position: a new user gets the next id.
      assert.equal((await c.query(`INSERT INTO users (email) VALUES ('new@easymo.test') RETURNING id`)).rows[0].id, 201);
    });
    // Only the restored table is checked; the user added just above shows.
    await assert.rejects(postgresVerify({ connection: target, backup: 'latest', tables: ['users'], checks: allChecks, sql: [] }, { store, ...quiet }), {
      type: 'StepExpectationFailed',
      message: `Verification of ${target} against backup ${backup.id} failed 1 of 6 checks: rowCounts: 0/1 tables with the backup's row count (201 rows) (public.users: 201 rows, expected 200)`,
    });
  });

  it('partial recovery rolls back whole when a table cannot be dropped (a view depends on it)', async () => {
    const store = fsStore();
    const backup = await postgresBackup(backupInput(source), { store, ...quiet });
    const target = await freshDatabase(env.pgUrl, 'dr_bk_target');
    await postgresRestore({ target, backup: backup.id, jobs: 2, noOwner: false }, { store, ...quiet });
    await withClient(target, (c) => c.query(`CREATE VIEW big_spenders AS SELECT user_id FROM transactions WHERE amount > 400; DELETE FROM transactions WHERE id < 10`));
    await assert.rejects(postgresRestore({ target, backup: 'latest', tables: ['transactions'], jobs: 1, noOwner: false }, { store, ...quiet }), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'StepCommandFailed');
      assert.match(err.message, /^Restore into postgres:\/\/postgres@127\.0\.0\.1:\d+\/dr_bk_target failed: psql failed with exit code 3: psql/);
      assert.match(err.message, /cannot drop table transactions because other objects depend on it/);
      return true;
    });
    const counts = await withClient(target, (c) => c.query(`SELECT count(*)::int AS n FROM transactions`));
    assert.equal(counts.rows[0].n, 591); // untouched: the transaction rolled back
  });

  it('refuses a partial restore from a plain SQL backup, and a table the backup does not hold', async () => {
    const store = fsStore();
    await postgresBackup(backupInput(source, { format: 'plain' }), { store, ...quiet });
    const target = dbUrl(env.pgUrl, 'dr_bk_target');
    await assert.rejects(postgresRestore({ target, backup: 'latest', tables: ['users'], jobs: 1, noOwner: false }, { store, ...quiet }), {
      type: 'StepCommandFailed',
      message: /partial table restore needs a custom or directory backup, and \S+ is plain SQL/,
    });
    await postgresBackup(backupInput(source), { store, ...quiet });
    await assert.rejects(postgresRestore({ target, backup: 'latest', tables: ['nope'], jobs: 1, noOwner: false }, { store, ...quiet }), {
      type: 'BackupNotFound',
      message: new RegExp(`^Restore into postgres://postgres@127\\.0\\.0\\.1:\\d+/dr_bk_target not started: No complete PostgreSQL backup holding public\\.nope taken by .* in ${store.location}; it holds 2 complete backup\\(s\\)`),
    });
  });
});
