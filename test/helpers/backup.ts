// Backup tests run against the real PostgreSQL and the real S3 server (versitygw) that `npm test`
// starts: scratch databases made from DR_TEST_PG_URL, a folder per test under the test bucket.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresBackupInput } from '../../src/activities/postgres/types.js';
import { FsBackupStore } from '../../src/activities/storage/fs-store.js';
import { S3BackupStore } from '../../src/activities/storage/s3-store.js';
import { withClient } from './pg.js';
import { pgUrl, s3 } from './services.js';

export interface BackupTestEnv {
  pgUrl: string;
  s3: { endpoint: string; bucket: string; accessKey: string; secretKey: string };
}

/** The servers' coordinates; throws (the test fails, never skips) when `npm test` did not start them. */
export function backupTestEnv(): BackupTestEnv {
  return { pgUrl: pgUrl(), s3: s3() };
}

/** The URL of database `name` on the test server. */
export function dbUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export { withClient };

/** (Re)creates an empty database and returns its URL. */
export async function freshDatabase(base: string, name: string): Promise<string> {
  await withClient(base, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  return dbUrl(base, name);
}

/**
 * A small EasyMO-shaped schema: users, transactions (FK to users), messages (identity column, FK,
 * RLS with a policy), a partial index, a trigger, and a table in a second schema.
 */
export async function seedShop(url: string, rows = 200): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`
      CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT '2024-03-01Z');
      CREATE TABLE transactions (
        id bigserial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), amount numeric(12,2) NOT NULL CHECK (amount <> 0),
        created_at timestamptz NOT NULL DEFAULT '2024-03-02Z');
      CREATE INDEX transactions_user_idx ON transactions(user_id);
      CREATE INDEX transactions_big_idx ON transactions(amount) WHERE amount > 100;
      CREATE TABLE messages (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int REFERENCES users(id), body text NOT NULL);
      ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
      CREATE POLICY messages_own ON messages USING (user_id = current_setting('app.user_id', true)::int);
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := NEW.created_at; RETURN NEW; END $$;
      CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE SCHEMA audit;
      CREATE TABLE audit.events (id bigserial PRIMARY KEY, what text);
    `);
    await c.query(`INSERT INTO users (email) SELECT 'user' || i || '@easymo.test' FROM generate_series(1, $1::int) i`, [rows]);
    await c.query(`INSERT INTO transactions (user_id, amount) SELECT 1 + i % $1::int, (i % 500) + 0.5 FROM generate_series(1, $1::int * 3) i`, [rows]);
    await c.query(`INSERT INTO messages (user_id, body) SELECT 1 + i % $1::int, 'hello ' || i FROM generate_series(1, $1::int * 2) i`, [rows]);
    await c.query(`INSERT INTO audit.events (what) SELECT 'event ' || i FROM generate_series(1, 10) i`);
  });
}

/** A fingerprint of every row of the shop's tables, to compare a restore with its source. */
export async function fingerprint(url: string): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const out: Record<string, string> = {};
    for (const t of ['users', 'transactions', 'messages', 'audit.events']) {
      const r = await c.query<{ n: string; h: string }>(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`);
      out[t] = `${r.rows[0]!.n}:${r.rows[0]!.h}`;
    }
    return out;
  });
}

export function fsStore(): FsBackupStore {
  return new FsBackupStore(mkdtempSync(join(tmpdir(), 'dr-store-')));
}

/** An S3 store rooted at a fresh folder of the test bucket. */
export function s3Store(env: BackupTestEnv, bucket = env.s3.bucket): S3BackupStore {
  return new S3BackupStore({
    bucket,
    root: `t-${randomBytes(4).toString('hex')}`,
    endpoint: env.s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.s3.accessKey, secretAccessKey: env.s3.secretKey },
    partSize: 5 * 1024 * 1024,
  });
}

/** A postgres.backup input with the schema's defaults (custom format, 2 jobs, gzip -1) and `extra` over them. */
export const backupInput = (connection: string, extra: Partial<PostgresBackupInput> = {}): PostgresBackupInput => ({
  connection,
  prefix: 'daily',
  format: 'custom',
  jobs: 2,
  compression: 1,
  ...extra,
});
