// runSql against the real PostgreSQL `npm test` starts.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runSql } from '../../../src/activities/sql.js';
import type { SqlInput } from '../../../src/activities/types.js';
import { withClient } from '../../helpers/pg.js';
import { waitUntil } from '../../helpers/wait.js';
import { pgUrl } from '../../helpers/services.js';

const PG_URL = pgUrl();
const table = `dr_sql_test_${process.pid}`;
const sql = (input: Partial<SqlInput>, env: NodeJS.ProcessEnv = {}, signal?: AbortSignal) =>
  runSql({ runId: 'run-1', stepId: 'check', connection: PG_URL, query: 'SELECT 1', params: [], ...input }, { env, signal });

const admin = <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => withClient(PG_URL, fn);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('runSql', () => {

  before(async () => {
    await admin(async (c) => {
      await c.query(`DROP TABLE IF EXISTS ${table}`);
      await c.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, email text, created_at timestamptz, data bytea, payload jsonb)`);
      await c.query(
        `INSERT INTO ${table} (email, created_at, data, payload)
         SELECT 'user' || i || '@easymo.test', timestamptz '2024-01-02 03:04:05Z', '\\x0102'::bytea, jsonb_build_object('n', i)
         FROM generate_series(1, 60) AS i`,
      );
    });
  });
  after(async () => {
    await admin((c) => c.query(`DROP TABLE IF EXISTS ${table}`));
  });

  it('returns the first 50 rows as JSON-safe values, the row count and the first value', async () => {
    const result = await sql({ query: `SELECT id, email, created_at, data, payload FROM ${table} ORDER BY id` });
    assert.equal(result.rowCount, 60);
    assert.equal(result.rows.length, 50);
    assert.deepEqual(result.rows[0], { id: '1', email: 'user1@easymo.test', created_at: '2024-01-02T03:04:05.000Z', data: '\\x0102', payload: { n: 1 } });
    assert.equal(result.value, '1');
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  });

  it('checks value and rowCount expectations, comparing numeric strings as numbers', async () => {
    const count = `SELECT count(*) FROM ${table} WHERE email = $1`;
    assert.equal((await sql({ query: count, params: ['user7@easymo.test'], expect: { value: { min: 1, max: 1, equals: 1 } } })).value, '1');
    await assert.rejects(sql({ query: count, params: ['nobody@easymo.test'], expect: { value: { min: 1 } } }), {
      name: 'ApplicationFailure',
      type: 'StepExpectationFailed',
      nonRetryable: true,
      message: `Expected value >= 1, got 0 (${count})`,
    });
    await assert.rejects(sql({ query: `SELECT count(*) FROM ${table}`, expect: { value: { max: 10 } } }), { message: `Expected value <= 10, got 60 (SELECT count(*) FROM ${table})` });
    await assert.rejects(sql({ query: `SELECT email FROM ${table} WHERE id = 2`, expect: { value: { equals: 'user1@easymo.test' } } }), {
      message: `Expected value = "user1@easymo.test", got "user2@easymo.test" (SELECT email FROM ${table} WHERE id = 2)`,
    });
    await assert.rejects(sql({ query: `SELECT id FROM ${table} WHERE false`, expect: { rowCount: { min: 1 } } }), {
      message: `Expected rowCount >= 1, got 0 (SELECT id FROM ${table} WHERE false)`,
    });
    await assert.rejects(sql({ query: `SELECT id FROM ${table} WHERE false`, expect: { value: { equals: 'x' } } }), {
      message: `Expected value = "x", got no rows (SELECT id FROM ${table} WHERE false)`,
    });
  });

  it('answers with the last statement of a script', async () => {
    const result = await sql({ query: 'CREATE TEMP TABLE t (a int); INSERT INTO t VALUES (1), (2); SELECT count(*) AS n FROM t' });
    assert.deepEqual(result, { rowCount: 1, rows: [{ n: '2' }], value: '2' });
  });

  it('resolves a connection reference', async () => {
    assert.equal((await sql({ connection: 'env:DR_TEST_DB', query: 'SELECT 42' }, { DR_TEST_DB: PG_URL })).value, 42);
    await assert.rejects(sql({ connection: 'env:DR_TEST_NO_DB' }), {
      type: 'SecretUnresolved',
      message: 'Secret env:DR_TEST_NO_DB is not set: environment variable DR_TEST_NO_DB is undefined on the worker',
    });
  });

  it('reports query errors with the query', async () => {
    await assert.rejects(sql({ query: 'SELECT * FROM dr_missing_table' }), {
      type: 'StepCommandFailed',
      nonRetryable: true,
      message: 'Query failed: relation "dr_missing_table" does not exist (SELECT * FROM dr_missing_table)',
    });
  });

  it('never shows the password of the connection string', async () => {
    const port = await closedPort();
    const url = `postgres://postgres:Sup3r-S3cret@127.0.0.1:${port}/dr_test?sslmode=disable`;
    await assert.rejects(sql({ connection: url }), {
      type: 'StepCommandFailed',
      message: `Could not connect to postgres://postgres@127.0.0.1:${port}/dr_test: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    // Behind a reference the whole URL is secret: its host (and user) are masked too.
    await assert.rejects(sql({ connection: 'env:DR_TEST_DB' }, { DR_TEST_DB: url }), {
      message: 'Could not connect to env:DR_TEST_DB: connect ECONNREFUSED ***',
    });
  });

  it('times out on the server with statement_timeout', async () => {
    const started = Date.now();
    await assert.rejects(sql({ query: 'SELECT pg_sleep(5)', timeoutMs: 300 }), {
      type: 'StepTimedOut',
      nonRetryable: true,
      message: 'Query timed out after 300ms (SELECT pg_sleep(5))',
    });
    assert.ok(Date.now() - started < 2_000, 'the server stopped the statement');
  });

  it('cancels the running statement on the server when the activity is cancelled', async () => {
    const query = 'SELECT pg_sleep(30) /* dr-cancel-test */';
    const running = () => admin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND state = 'active'`, [query])).rows[0].n as number);
    const controller = new AbortController();
    const started = Date.now();
    const promise = sql({ query }, {}, controller.signal);
    promise.catch(() => {});
    assert.equal(await waitUntil('the query to show in pg_stat_activity', async () => (await running()) || undefined, { everyMs: 50 }), 1);
    controller.abort();
    await assert.rejects(promise, { name: 'CancelledFailure' });
    assert.ok(Date.now() - started < 5_000);
    assert.equal(await running(), 0);
  });
});
