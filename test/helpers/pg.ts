// One short-lived client per call: tests talk to several servers (the test stack's, PITR sources,
// restored instances) and should leave no connection open behind them.
import pg from 'pg';

/** A connection URL, or the host/port/user/database of a local server. */
export type PgTarget = string | pg.ClientConfig;

export async function withClient<T>(target: PgTarget, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(typeof target === 'string' ? { connectionString: target } : target);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The rows of one query. */
export async function queryRows<T extends pg.QueryResultRow>(target: PgTarget, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(target, async (c) => (await c.query<T>(sql, params)).rows);
}
