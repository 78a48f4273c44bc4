// A PostgreSQL connection as the backup activities use it: the URL for the pg client, the same
// URL without its password plus PGPASSWORD for pg_dump / pg_restore / psql (so the password never
// shows in `ps`), and a description safe to print and to store in a manifest.
import pg from 'pg';
import { isSecretRef, type Redactor } from '../secrets.js';

/**
 * The URL as the pg client should read it: `sslmode` with libpq's meaning, as pg_dump, pg_restore
 * and psql read the same URL. node-postgres otherwise takes `require` (and `prefer`, `verify-ca`) for
 * `verify-full`, so a URL that the tools accept (a Supabase pooler's `?sslmode=require`, whose
 * certificate chain ends in Supabase's own root) fails in the same step with "self-signed
 * certificate in certificate chain". To verify the server, say `verify-full` (with `sslrootcert`).
 * The parameter is for the pg client only: libpq refuses it.
 */
export function pgClientUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.searchParams.has('sslmode') || u.searchParams.has('uselibpqcompat')) return url;
  u.searchParams.set('uselibpqcompat', 'true');
  return u.toString();
}

export interface PgConnection {
  /** Full URL, password included, sslmode as libpq means it (pgClientUrl): for the pg client only. */
  url: string;
  /** URL without password, for the tools' `-d`. */
  toolUrl: string;
  /** Environment for the tools (PGPASSWORD when there is one). */
  toolEnv: Record<string, string>;
  /** `postgres://user@host:port/db`, or the reference when it was one. */
  shown: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

/** Resolves `ref` (a URL or a reference like env:DATABASE_URL) and registers its secrets with `redactor`. */
export function pgConnection(ref: string, redactor: Redactor, env: NodeJS.ProcessEnv): PgConnection {
  const url = redactor.resolve(ref, env);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`Expected a connection URL like postgres://user@host:5432/db${isSecretRef(ref) ? ` in ${ref}` : ''}, got something else`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`Expected a postgres:// connection URL${isSecretRef(ref) ? ` in ${ref}` : ''}, got a ${u.protocol}// URL`);
  }
  const password = decodeURIComponent(u.password);
  redactor.add(password);
  const tool = new URL(url);
  tool.password = '';
  const user = decodeURIComponent(u.username) || env.PGUSER || 'postgres';
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  const host = u.hostname || 'localhost';
  const port = Number(u.port || 5432);
  return {
    url: pgClientUrl(url),
    toolUrl: tool.toString(),
    toolEnv: password ? { PGPASSWORD: password } : {},
    shown: isSecretRef(ref) ? ref : `postgres://${user}@${host}:${port}/${database}`,
    host,
    port,
    database,
    user,
  };
}

/**
 * Stops the statement running in `client`'s session (pg_cancel_backend from a second session made
 * with the same `config`). If the cancel cannot get through, the session's socket is destroyed 2 s
 * later, which frees the caller all the same. The caller ends `client` afterwards.
 */
export async function cancelSession(client: pg.Client, config: pg.ClientConfig): Promise<void> {
  const pid = (client as unknown as { processID: number | null }).processID;
  setTimeout(() => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(), pid ? 2_000 : 0).unref();
  if (!pid) return;
  const canceller = new pg.Client({ ...config, statement_timeout: undefined, query_timeout: 5_000, connectionTimeoutMillis: 5_000 });
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // the timer above ends the session anyway
  } finally {
    await canceller.end().catch(() => {});
  }
}
