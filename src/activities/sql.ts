// SQL checks and statements ("how many rows came back?"), one short-lived connection per step so a
// restore target that was just recreated is always seen fresh.
import pg from 'pg';
import { ApplicationFailure } from '@temporalio/common';
import { formatDuration } from '../runbook/duration.js';
import { activityHooks, cancellationError, type ActivityOptions } from './context.js';
import { Redactor, isSecretRef } from './secrets.js';
import { type SqlInput, type SqlResult } from './types.js';
import { checkComparison, jsonSafe } from './sql-values.js';
import { FailureTypes } from './errors.js';
import { cancelSession, pgClientUrl } from './postgres/connection.js';

const MAX_ROWS = 50;

export interface SqlOptions extends ActivityOptions {
  /** Default 10 s (or the step timeout when shorter). */
  connectTimeoutMs?: number;
}

/** Runs the query and checks its expectation; throws StepExpectationFailed, StepTimedOut or StepCommandFailed. */
export async function runSql(input: SqlInput, options: SqlOptions = {}): Promise<SqlResult> {
  const hooks = activityHooks(options);
  const redactor = new Redactor();
  const url = redactor.resolve(input.connection, hooks.env);
  redactor.add(passwordOf(url)); // pg error texts can echo parts of the URL; mask the password on its own too
  const shown = queryHead(input.query);
  const where = isSecretRef(input.connection) ? input.connection : describeUrl(url);
  const fail = (type: string, message: string) => ApplicationFailure.create({ type, nonRetryable: true, message: redactor.redact(message) });
  if (hooks.signal?.aborted) throw cancellationError(hooks.signal, shown);

  const config: pg.ClientConfig = {
    connectionString: pgClientUrl(url),
    connectionTimeoutMillis: Math.min(options.connectTimeoutMs ?? 10_000, input.timeoutMs ?? Infinity),
    application_name: 'easymo-dr',
    // Server-side limit, so the database stops working on it too; the client-side one covers a dead network.
    statement_timeout: input.timeoutMs,
    query_timeout: input.timeoutMs ? input.timeoutMs + 5_000 : undefined,
  };
  const client = new pg.Client(config);
  client.on('error', () => {}); // a backend dying after the query must not crash the worker
  const onAbort = () => void cancelSession(client, config);
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  const beat = setInterval(() => hooks.heartbeat({ elapsedMs: Date.now() - started }), 2_000);

  let result: pg.QueryResult;
  try {
    try {
      await client.connect();
    } catch (err) {
      if (hooks.signal?.aborted) throw cancellationError(hooks.signal, shown);
      throw fail(FailureTypes.StepCommandFailed, `Could not connect to ${where}: ${messageOf(err)}`);
    }
    try {
      const res: pg.QueryResult | pg.QueryResult[] = await client.query(input.query, input.params ?? []);
      result = Array.isArray(res) ? res[res.length - 1]! : res; // several statements: the last one answers
    } catch (err) {
      if (hooks.signal?.aborted) throw cancellationError(hooks.signal, shown);
      if ((err as { code?: string }).code === '57014' || /Query read timeout/.test(messageOf(err))) {
        throw fail(FailureTypes.StepTimedOut, `Query timed out after ${formatDuration(input.timeoutMs ?? 0)} (${shown})`);
      }
      throw fail(FailureTypes.StepCommandFailed, `Query failed: ${messageOf(err)} (${shown})`);
    }
  } finally {
    clearInterval(beat);
    hooks.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => {});
  }

  const safe = (v: unknown) => jsonSafe(v, (s) => redactor.redact(s));
  const rows = (result.rows ?? []).slice(0, MAX_ROWS).map((row) => safe(row) as Record<string, unknown>);
  const first = result.rows?.[0] as Record<string, unknown> | undefined;
  const value = first ? safe(Object.values(first)[0]) : null;
  const rowCount = result.rowCount ?? result.rows?.length ?? 0;
  const failure =
    (input.expect?.rowCount && checkComparison('rowCount', rowCount, input.expect.rowCount)) ||
    (input.expect?.value && checkComparison('value', first ? value : undefined, input.expect.value));
  if (failure) throw fail(FailureTypes.StepExpectationFailed, `${failure} (${shown})`);
  return { rowCount, rows, value };
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** `postgres://user@host:port/db`: enough to tell which database, never the password or query options. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'the database (unparsable connection string)';
  }
}

function queryHead(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
