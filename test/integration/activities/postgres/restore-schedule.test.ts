// A full restore with several sessions is planned from the archive's table of contents
// (restore-plan.ts). When no table dominates the data, as here, the rows and post-data go through one
// `pg_restore -j`, whose -v lines give the step's progress. On real PostgreSQL, with a schema of
// several tables whose keys point at big and small tables and at themselves: the restored database
// has the same rows, the same valid constraints and indexes, RLS and policies, and its keys hold.
// (split-restore.test.ts covers our own schedule, taken when a table is split.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresBackup } from '../../../../src/activities/postgres/backup.js';
import { postgresRestore } from '../../../../src/activities/postgres/restore.js';
import { postgresVerify } from '../../../../src/activities/postgres/verify.js';
import { VERIFY_CHECKS } from '../../../../src/runbook/model.js';
import { backupTestEnv, freshDatabase, fsStore, withClient, type BackupTestEnv } from '../../../helpers/backup.js';

const quiet = { heartbeat: () => undefined };
const TABLES = ['users', 'currencies', 'transactions', 'messages', 'audit.events'];

/** Rows, constraints (validated or not), indexes (valid or not), RLS and policies: what a restore must bring back. */
async function shape(url: string): Promise<Record<string, unknown>> {
  return withClient(url, async (c) => {
    const rows: Record<string, string> = {};
    for (const t of TABLES) {
      const r = await c.query<{ n: string; h: string }>(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`);
      rows[t] = `${r.rows[0]!.n}:${r.rows[0]!.h}`;
    }
    const list = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
    return {
      rows,
      constraints: await list(`SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated AS x
                               FROM pg_constraint WHERE connamespace IN ('public'::regnamespace, 'audit'::regnamespace) ORDER BY 1`),
      indexes: await list(`SELECT pg_get_indexdef(indexrelid) || ' valid=' || indisvalid AS x FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                           WHERE c.relnamespace IN ('public'::regnamespace, 'audit'::regnamespace) ORDER BY 1`),
      rls: await list(`SELECT relname || ' ' || relrowsecurity AS x FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`),
      policies: await list(`SELECT tablename || ' ' || policyname || ' ' || qual AS x FROM pg_policies ORDER BY 1`),
      sequences: await list(`SELECT sequencename || ' ' || last_value AS x FROM pg_sequences ORDER BY 1`),
    };
  });
}

describe('PostgreSQL restore scheduled from the table of contents', () => {
  let env: BackupTestEnv;
  let source: string;
  let original: Record<string, unknown>;
  const store = fsStore();
  const backups: Record<string, string> = {};

  before(async () => {
    env = backupTestEnv();
    source = await freshDatabase(env.pgUrl, 'dr_sched_source');
    await withClient(source, (c) =>
      c.query(`
        CREATE TABLE users (id bigserial PRIMARY KEY, phone text NOT NULL UNIQUE, name text NOT NULL);
        CREATE TABLE currencies (code text PRIMARY KEY, name text NOT NULL);
        CREATE TABLE transactions (
          id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          currency text NOT NULL REFERENCES currencies(code), amount numeric(12,2) NOT NULL CHECK (amount <> 0),
          created_at timestamptz NOT NULL);
        CREATE INDEX transactions_user_id_idx ON transactions(user_id);
        CREATE INDEX transactions_created_at_idx ON transactions(created_at);
        CREATE TABLE messages (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sender_id bigint NOT NULL REFERENCES users(id),
          reply_to bigint REFERENCES messages(id), body text NOT NULL);
        CREATE INDEX messages_sender_id_idx ON messages(sender_id);
        ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
        CREATE POLICY messages_sender ON messages USING (sender_id::text = current_setting('app.user_id', true));
        CREATE SCHEMA audit;
        CREATE TABLE audit.events (id bigserial PRIMARY KEY, user_id bigint REFERENCES users(id), what text);
        INSERT INTO users (phone, name) SELECT '+2507' || lpad(i::text, 8, '0'), 'user ' || md5(i::text) FROM generate_series(1, 30000) i;
        INSERT INTO currencies VALUES ('RWF', 'Rwandan franc'), ('USD', 'US dollar'), ('EUR', 'Euro'), ('UGX', 'Ugandan shilling'), ('KES', 'Kenyan shilling');
        INSERT INTO transactions (user_id, currency, amount, created_at)
          SELECT 1 + (i::bigint * 7919) % 30000, (ARRAY['RWF', 'RWF', 'RWF', 'USD', 'EUR', 'UGX', 'KES'])[1 + i % 7], (i % 9000) + 0.5, '2024-01-01Z'::timestamptz + i * interval '37 seconds'
          FROM generate_series(1, 120000) i;
        INSERT INTO messages (sender_id, reply_to, body)
          SELECT 1 + (i::bigint * 104729) % 30000, CASE WHEN i > 1 AND i % 3 = 0 THEN i - 1 END, 'message ' || md5(i::text) FROM generate_series(1, 60000) i;
        INSERT INTO audit.events (user_id, what) SELECT i, 'signed up' FROM generate_series(1, 10) i;
        ANALYZE;`),
    );
    original = await shape(source);
    for (const format of ['custom', 'directory'] as const) {
      backups[format] = (await postgresBackup({ connection: source, prefix: 'daily', format, jobs: 2, compression: 1 }, { store, ...quiet })).id;
    }
  });
  after(async () => {
    if (!env) return;
    await withClient(env.pgUrl, async (c) => {
      for (const db of ['dr_sched_source', 'dr_sched_target']) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  });

  for (const [format, jobs] of [['custom', 2], ['directory', 3]] as const) {
    it(`${format} backup, ${jobs} sessions: into an empty database and again over it; same rows, valid keys and indexes, keys hold`, async () => {
      const target = await freshDatabase(env.pgUrl, 'dr_sched_target');
      const restores: string[][] = []; // the arguments of each pg_restore started
      const onSpawn = (_pid: number, tool: string, argv: readonly string[]) => tool === 'pg_restore' && restores.push([...argv]);
      const phases = new Set<string>();
      const heartbeat = (d: unknown) => phases.add((d as { phase: string }).phase);
      for (let i = 0; i < 2; i++) {
        restores.length = 0;
        await postgresRestore({ target, backup: backups[format]!, jobs, noOwner: false }, { store, heartbeat, heartbeatEveryMs: 2, onSpawn });
        assert.deepEqual(await shape(target), original);
      }
      // Definitions first, then the rest in one pg_restore with a session per job; none per item.
      const loads = restores.filter((a) => a.includes('--section=data') && !a.includes('-l')); // -l only lists
      assert.equal(loads.length, 1, restores.map((a) => a.join(' ')).join('\n'));
      assert.deepEqual(loads[0]!.slice(0, 5), ['-v', '-j', String(jobs), '--section=data', '--section=post-data']);
      assert.ok(!restores.some((a) => a.includes('-L')), restores.map((a) => a.join(' ')).join('\n'));
      // Progress names what runs, from pg_restore's -v lines.
      assert.ok([...phases].some((p) => /^restore: (.+; )?rows of transactions/.test(p)), [...phases].join('\n'));

      const verified = await postgresVerify({ connection: target, backup: backups[format]!, checks: [...VERIFY_CHECKS], sql: [] }, { store, ...quiet });
      assert.equal(verified.failed, 0, JSON.stringify(verified.checks));
      const refused = await withClient(target, async (c) => {
        const tries = [
          `INSERT INTO transactions (user_id, currency, amount, created_at) VALUES (999999, 'RWF', 1, now())`,
          `INSERT INTO transactions (user_id, currency, amount, created_at) VALUES (1, 'XXX', 1, now())`,
          `INSERT INTO messages (sender_id, reply_to, body) VALUES (1, 99999999, 'x')`,
          `INSERT INTO users (phone, name) VALUES ('+250700000001', 'again')`,
        ];
        const out: string[] = [];
        for (const sql of tries) out.push(await c.query(sql).then(() => 'inserted', (err: Error) => err.message));
        return out;
      });
      assert.match(refused[0]!, /violates foreign key constraint "transactions_user_id_fkey"/);
      assert.match(refused[1]!, /violates foreign key constraint "transactions_currency_fkey"/);
      assert.match(refused[2]!, /violates foreign key constraint "messages_reply_to_fkey"/);
      assert.match(refused[3]!, /duplicate key value violates unique constraint "users_phone_key"/);
    });
  }

  it('maintenanceWorkMemMB reaches every session that builds an index or key; unset, the server\'s own applies', async () => {
    const target = await freshDatabase(env.pgUrl, 'dr_sched_target');
    // An event trigger of the target (pg_restore --clean leaves it) notes the setting of each session
    // that builds an index or adds a key, in a table the archive does not have.
    await withClient(target, (c) =>
      c.query(`
        CREATE TABLE mwm_seen (tag text, setting text);
        CREATE FUNCTION note_mwm() RETURNS event_trigger LANGUAGE plpgsql AS $$
          BEGIN INSERT INTO public.mwm_seen VALUES (tg_tag, pg_catalog.current_setting('maintenance_work_mem')); END $$;
        CREATE EVENT TRIGGER note_mwm ON ddl_command_end WHEN TAG IN ('CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION note_mwm();`),
    );
    const seen = async () =>
      withClient(target, async (c) => {
        const rows = (await c.query<{ tag: string; setting: string }>('SELECT DISTINCT tag, setting FROM mwm_seen ORDER BY 1, 2')).rows;
        await c.query('TRUNCATE mwm_seen');
        return rows.map((r) => `${r.tag} ${r.setting}`);
      });
    const serverDefault = await withClient(target, async (c) => (await c.query<{ m: string }>("SELECT current_setting('maintenance_work_mem') AS m")).rows[0]!.m);
    assert.notEqual(serverDefault, '77MB');
    for (const jobs of [2, 1]) {
      await postgresRestore({ target, backup: backups.custom!, jobs, noOwner: false, maintenanceWorkMemMB: 77 }, { store, ...quiet });
      assert.deepEqual(await seen(), ['ALTER TABLE 77MB', 'CREATE INDEX 77MB'], `jobs ${jobs}`);
    }
    await postgresRestore({ target, backup: backups.custom!, jobs: 2, noOwner: false }, { store, ...quiet });
    assert.deepEqual(await seen(), [`ALTER TABLE ${serverDefault}`, `CREATE INDEX ${serverDefault}`]);
    await withClient(target, (c) => c.query('DROP EVENT TRIGGER note_mwm; DROP FUNCTION note_mwm; DROP TABLE mwm_seen'));
    assert.deepEqual(await shape(target), original);
  });

  it('a failing item fails the restore with pg_restore\'s error, not its progress lines', async () => {
    const target = await freshDatabase(env.pgUrl, 'dr_sched_target');
    // An event trigger of the target refuses index builds; pg_restore --clean leaves it in place.
    await withClient(target, (c) =>
      c.query(`
        CREATE FUNCTION refuse_index() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no index builds here'; END $$;
        CREATE EVENT TRIGGER refuse_index ON ddl_command_start WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION refuse_index();`),
    );
    await assert.rejects(postgresRestore({ target, backup: backups.custom!, jobs: 2, noOwner: false }, { store, ...quiet }), (err: Error) => {
      assert.match(err.message, /pg_restore failed with exit code 1: pg_restore -v -j 2 --section=data --section=post-data/);
      assert.match(err.message, /pg_restore: error: could not execute query: ERROR: {2}no index builds here/);
      assert.match(err.message, /Command was: CREATE INDEX/);
      assert.doesNotMatch(err.message, /launching item|finished item|processing item/);
      return true;
    });
  });
});
