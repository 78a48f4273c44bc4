// One restore of a database at a time, whatever the cause of a second one (a re-dispatch after a
// lost worker, two runs, a person running the runbook twice): a session-level advisory lock in the
// target database, held for the whole restore. Advisory locks are per database, so the key is the
// same everywhere and the database is the scope. A lost worker's session ends with its TCP
// connection, which releases the lock.
import pg from 'pg';
import { abortableSleep } from '../context.js';
import type { Redactor } from '../secrets.js';
import type { PgConnection } from './connection.js';
import { failure, FailureTypes } from '../errors.js';

const KEY = "hashtext('easymo-dr:postgres.restore')";

/** Who holds the lock now, in words, for the heartbeat and the log. */
async function holder(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date }>(
    `SELECT a.pid, a.application_name, a.client_addr::text, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (${KEY})::oid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const r = rows[0];
  return r ? `backend ${r.pid} (${r.application_name || 'no name'}${r.client_addr ? ` from ${r.client_addr}` : ''}, since ${r.backend_start.toISOString()})` : 'a session that just ended';
}

/**
 * Takes the target's restore lock, waiting (with `onWait` told who holds it) while another restore
 * runs; resolves with the release. Throws when the target cannot be reached.
 */
export async function lockTarget(
  target: PgConnection,
  what: string,
  redactor: Redactor,
  signal: AbortSignal,
  onWait: (holder: string) => void,
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000, application_name: 'easymo-dr restore lock' });
  client.on('error', () => undefined); // a dropped session is noticed by the restore's own tools
  try {
    await client.connect();
  } catch (err) {
    throw failure(FailureTypes.StepCommandFailed, `${what} not started: could not connect: ${err instanceof Error ? err.message : String(err)}`, redactor);
  }
  try {
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${KEY}) AS locked`);
      if (rows[0]?.locked) break;
      onWait(await holder(client));
      await abortableSleep(1_000, signal, what);
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return () => client.end().catch(() => undefined);
}
