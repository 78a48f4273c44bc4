// postgres.verify: the seed's validation checklist run against a database and the manifest of the
// backup it was restored from — accessible, tables present with the manifest's row counts, foreign
// keys present, validated and without orphan rows, indexes present and valid, RLS enabled with its
// policies where it was — plus custom SQL checks. Each check reports pass/fail with the figure seen.
import pg from 'pg';
import { activityHooks, cancellationError } from '../context.js';
import { Redactor } from '../secrets.js';
import { checkComparison, jsonSafe, show } from '../sql-values.js';
import type { Manifest } from '../storage/manifest.js';
import { findBackup } from '../storage/select.js';
import { pgConnection, type PgConnection } from './connection.js';
import { heartbeating, type BackupDeps } from './deps.js';
import { inventory, qualified, type LiveTable } from './inventory.js';
import { checkBackupRef, checkPrefix, qualifyTable } from './names.js';
import { refOf } from './restore.js';
import type { CheckResult, PostgresVerifyInput, PostgresVerifyResult } from './types.js';
import { asFailure, BackupNotFoundError, failure, FailureTypes } from '../errors.js';

const MAX_PROBLEMS = 20;

// Columns of each foreign key, for the orphan-row check (MATCH SIMPLE: a row with a NULL key is not checked).
const FK_COLUMNS = `
  SELECT k.conname AS name, cn.nspname AS schema, c.relname AS table, rn.nspname AS ref_schema, r.relname AS ref_table,
    ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS cols,
    ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i) AS ref_cols
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
  WHERE k.contype = 'f' AND k.conrelid = ANY($1::oid[]) ORDER BY cn.nspname, c.relname, k.conname`;

/** Checks a database against a backup's manifest; throws StepExpectationFailed listing every check when one fails. */
export async function postgresVerify(input: PostgresVerifyInput, deps: BackupDeps): Promise<PostgresVerifyResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  let conn: PgConnection;
  let only: string[] | undefined;
  try {
    conn = pgConnection(input.connection, redactor, hooks.env);
    checkBackupRef(input.backup);
    checkPrefix(input.prefix || undefined);
    only = input.tables?.length ? input.tables.map((t) => qualifyTable(t)) : undefined;
  } catch (err) {
    throw asFailure(err, 'Verification not started', redactor);
  }
  const what = `Verification of ${conn.shown}`;
  let manifest: Manifest;
  try {
    manifest = (await findBackup(deps.store, { backup: input.backup, prefix: input.prefix || undefined, tables: only })).manifest;
    const missing = only?.filter((t) => !manifest.database.tables.some((x) => qualified(x) === t));
    if (missing?.length) throw new BackupNotFoundError(`backup ${manifest.id} does not hold ${missing.join(', ')}`);
  } catch (err) {
    throw asFailure(err, `${what} not started`, redactor);
  }
  const client = new pg.Client({ connectionString: conn.url, connectionTimeoutMillis: 10_000, application_name: 'easymo-dr' });
  client.on('error', () => undefined);
  const stopBeat = heartbeating(() => hooks.heartbeat({ phase: 'verify', elapsedMs: Date.now() - started }), deps.heartbeatEveryMs);
  const onAbort = () => void client.end().catch(() => undefined);
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const checks: CheckResult[] = [];
  try {
    try {
      await client.connect();
    } catch (err) {
      throw failure(FailureTypes.StepCommandFailed, `${what} failed: could not connect: ${err instanceof Error ? err.message : String(err)}`, redactor);
    }
    const t0 = Date.now();
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    checks.push({ name: 'connection', ok: true, figure: `PostgreSQL ${version} answered in ${Date.now() - t0}ms` });
    // One snapshot for every figure, so counts and catalog agree with each other.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const expected = manifest.database.tables.filter((t) => !only || only.includes(qualified(t)));
    const live = await inventory(client, { tables: expected.map(qualified), counts: input.checks.includes('rowCounts') });
    const byName = new Map(live.map((t) => [qualified(t), t]));
    const present = expected.filter((t) => byName.has(qualified(t)));
    const pairs = present.map((t) => [t, byName.get(qualified(t))!] as const);
    for (const check of input.checks) {
      if (check === 'tables') {
        const missing = expected.filter((t) => !byName.has(qualified(t))).map((t) => `${qualified(t)} is missing`);
        checks.push(result('tables', missing, `${present.length}/${expected.length} tables present`));
      } else if (check === 'rowCounts') {
        const off = pairs.filter(([m, l]) => m.rows !== l.rows).map(([m, l]) => `${qualified(m)}: ${l.rows} rows, expected ${m.rows}`);
        const total = pairs.reduce((n, [, l]) => n + l.rows, 0);
        checks.push(result('rowCounts', off, `${pairs.length - off.length}/${pairs.length} tables with the backup's row count (${total} rows)`));
      } else if (check === 'foreignKeys') {
        checks.push(await foreignKeys(client, pairs));
      } else if (check === 'indexes') {
        const problems = pairs.flatMap(([m, l]) => [
          ...(l.indexCount < m.indexCount ? [`${qualified(m)}: ${l.indexCount} indexes, expected ${m.indexCount}`] : []),
          ...l.invalidIndexes.map((i) => `${qualified(m)}: index ${i} is not valid`),
        ]);
        const valid = pairs.reduce((n, [, l]) => n + l.indexCount - l.invalidIndexes.length, 0);
        checks.push(result('indexes', problems, `${valid} valid indexes, ${manifest.database.indexes} in the backup`));
      } else if (check === 'rls') {
        const rls = pairs.filter(([m]) => m.rls);
        const problems = rls.flatMap(([m, l]) => [
          ...(l.rls ? [] : [`${qualified(m)}: row level security is disabled`]),
          ...(m.rlsForced && !l.rlsForced ? [`${qualified(m)}: row level security is no longer forced`] : []),
          ...m.policies.filter((p) => !l.policies.includes(p)).map((p) => `${qualified(m)}: policy ${p} is missing`),
        ]);
        const active = rls.filter(([, l]) => l.rls).length;
        checks.push(result('rls', problems, `RLS enabled on ${active}/${rls.length} tables that had it, ${rls.reduce((n, [, l]) => n + l.policies.length, 0)} policies`));
      }
    }
    await client.query('COMMIT');
    for (const custom of input.sql) checks.push(await sqlCheck(client, custom, redactor));
  } catch (err) {
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    throw asFailure(err, `${what} failed`, redactor);
  } finally {
    stopBeat();
    hooks.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
  const failed = checks.filter((c) => !c.ok);
  const outcome: PostgresVerifyResult = { backup: refOf(manifest), checks, passed: checks.length - failed.length, failed: failed.length };
  if (failed.length > 0) {
    const lines = failed.map((c) => `${c.name}: ${c.figure}${c.problems?.length ? ` (${c.problems.slice(0, 3).join('; ')}${c.problems.length > 3 ? '; …' : ''})` : ''}`);
    throw failure(
      FailureTypes.StepExpectationFailed,
      `${what} against backup ${manifest.id} failed ${failed.length} of ${checks.length} checks: ${lines.join('; ')}`,
      redactor,
      outcome as unknown as Record<string, unknown>,
    );
  }
  return outcome;
}

function result(name: string, problems: string[], figure: string): CheckResult {
  return { name, ok: problems.length === 0, figure, ...(problems.length ? { problems: problems.slice(0, MAX_PROBLEMS) } : {}) };
}

async function foreignKeys(client: pg.Client, pairs: ReadonlyArray<readonly [Manifest['database']['tables'][number], LiveTable]>): Promise<CheckResult> {
  const problems: string[] = [];
  let expected = 0;
  for (const [m, l] of pairs) {
    for (const fk of m.foreignKeys) {
      expected++;
      if (!l.foreignKeys.some((k) => k.name === fk.name && k.references === fk.references)) problems.push(`${qualified(m)}: foreign key ${fk.name} is missing`);
      else if (l.unvalidatedForeignKeys.includes(fk.name)) problems.push(`${qualified(m)}: foreign key ${fk.name} is NOT VALID`);
    }
  }
  const id = (s: string) => client.escapeIdentifier(s);
  let orphans = 0;
  const keys = (await client.query<{ name: string; schema: string; table: string; ref_schema: string; ref_table: string; cols: string[]; ref_cols: string[] }>(FK_COLUMNS, [pairs.map(([, l]) => l.oid)])).rows;
  for (const k of keys) {
    const notNull = k.cols.map((c) => `x.${id(c)} IS NOT NULL`).join(' AND ');
    const match = k.cols.map((c, i) => `y.${id(k.ref_cols[i]!)} = x.${id(c)}`).join(' AND ');
    const q = `SELECT count(*)::bigint AS n FROM ${id(k.schema)}.${id(k.table)} x WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${id(k.ref_schema)}.${id(k.ref_table)} y WHERE ${match})`;
    const n = Number((await client.query<{ n: string }>(q)).rows[0]!.n);
    orphans += n;
    if (n > 0) problems.push(`${k.schema}.${k.table}: ${n} rows break foreign key ${k.name}`);
  }
  const intact = expected - problems.filter((p) => / is (missing|NOT VALID)$/.test(p)).length;
  return result('foreignKeys', problems, `${intact}/${expected} foreign keys present and valid, ${orphans} orphan rows`);
}

async function sqlCheck(client: pg.Client, check: PostgresVerifyInput['sql'][number], redactor: Redactor): Promise<CheckResult> {
  try {
    const res = await client.query(check.query);
    const first = res.rows[0] as Record<string, unknown> | undefined;
    const value = first ? jsonSafe(Object.values(first)[0], (s) => redactor.redact(s)) : undefined;
    const problem = checkComparison('value', value, check.expect);
    return { name: check.name, ok: problem === undefined, figure: problem ?? `value ${show(value)}` };
  } catch (err) {
    return { name: check.name, ok: false, figure: `query failed: ${redactor.redact(err instanceof Error ? err.message : String(err))}` };
  }
}
