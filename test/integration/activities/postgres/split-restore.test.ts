// postgres.restore with jobs > 1 loads a big table (≥ SPLIT_LOAD_MIN_ROWS) that holds most of the
// data through several COPY sessions at once; the other tables load whole. Real PostgreSQL, real archives: rows with newlines, tabs, backslashes, `\.`,
// NULLs, non-ASCII text and a row of megabytes come back byte for byte; keys between big tables
// hold; a restore over an existing copy works, whatever statement_timeout the target sets; a
// session that dies fails the restore with its error, without hanging.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { postgresBackup } from '../../../../src/activities/postgres/backup.js';
import { postgresRestore } from '../../../../src/activities/postgres/restore.js';
import { SPLIT_LOAD_MIN_ROWS } from '../../../../src/activities/postgres/split-load.js';
import { postgresVerify } from '../../../../src/activities/postgres/verify.js';
import { findBackup } from '../../../../src/activities/storage/select.js';
import { VERIFY_CHECKS } from '../../../../src/runbook/model.js';
import { backupTestEnv, fingerprint, freshDatabase, fsStore, seedShop, withClient, type BackupTestEnv } from '../../../helpers/backup.js';

const quiet = { heartbeat: () => undefined };
const ROWS = SPLIT_LOAD_MIN_ROWS + 10_000;

/**
 * Watches the server for the restore's COPY sessions (held by the activity itself, not by a tool it
 * spawns) until `stop`; `onSession` hears of each one once. From pg_stat_activity, polled: a session
 * lives as long as its share of the table's rows takes to load.
 */
function watchCopySessions(url: string, onSession: (pid: number, query: string, client: pg.Client) => Promise<void> | void): { stop: () => Promise<void> } {
  const client = new pg.Client({ connectionString: url });
  let running = true;
  const seen = new Set<number>();
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ pid: number; query: string }>(
        `SELECT pid, query FROM pg_stat_activity WHERE application_name = 'easymo-dr restore' AND query LIKE 'COPY %' AND state = 'active'`,
      );
      for (const r of rows) {
        if (seen.has(r.pid)) continue;
        seen.add(r.pid);
        await onSession(r.pid, r.query, client);
      }
      await delay(2);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
    },
  };
}

/** The restore's sessions still on the server, once those ending have had a moment to leave the view. */
async function sessionsLeft(url: string): Promise<unknown[]> {
  const left = () => withClient(url, async (c) => (await c.query(`SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'easymo-dr restore'`)).rows);
  for (let i = 0; i < 100 && (await left()).length; i++) await delay(20);
  return left();
}

async function notesPrint(url: string): Promise<string> {
  return withClient(url, async (c) => {
    const r = await c.query<{ n: string; h: string }>(`SELECT count(*) AS n, md5(string_agg(coalesce(body, '<null>') || ref, '|' ORDER BY id)) AS h FROM notes`);
    return `${r.rows[0]!.n}:${r.rows[0]!.h}`;
  });
}

describe('PostgreSQL restore of big tables through several sessions', () => {
  let env: BackupTestEnv;
  let source: string;
  let original: Record<string, string>;
  let notes: string;
  const store = fsStore();
  let backupId: string;

  before(async () => {
    env = backupTestEnv();
    source = await freshDatabase(env.pgUrl, 'dr_split_source');
    // transactions gets 3 x 20k rows, with a foreign key to users and two indexes; notes dominates
    // the data (over the two thirds that split a table on 2 sessions), with a foreign key to transactions.
    await seedShop(source, 20_000);
    await withClient(source, (c) =>
      c.query(`
        CREATE TABLE notes (id bigint PRIMARY KEY, body text, ref bigint NOT NULL REFERENCES transactions(id));
        INSERT INTO notes SELECT i,
          CASE i % 6 WHEN 0 THEN E'line one\\nline two' WHEN 1 THEN E'tab\\there' WHEN 2 THEN E'\\\\.' WHEN 3 THEN NULL
                     WHEN 4 THEN E'back\\\\slash \\\\N' ELSE 'ünïcode ✓ ' || i END,
          1 + i % 60000
        FROM generate_series(1, ${ROWS}) i;
        UPDATE notes SET body = repeat('long row ', 300000) WHERE id = 7; -- 2.7 MB: one row over many pipe chunks
        ANALYZE;`),
    );
    original = await fingerprint(source);
    notes = await notesPrint(source);
    backupId = (await postgresBackup({ connection: source, prefix: 'daily', format: 'custom', jobs: 2, compression: 1 }, { store, ...quiet })).id;
  });
  after(async () => {
    if (!env) return;
    await withClient(env.pgUrl, async (c) => {
      for (const db of ['dr_split_source', 'dr_split_target']) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  });

  it('the manifest says which table dominates the data', async () => {
    const { manifest } = await findBackup(store, { backup: backupId });
    const bytes = Object.fromEntries(manifest.database.tables.map((t) => [`${t.schema}.${t.name}`, t.bytes ?? 0]));
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    assert.ok(bytes['public.notes']! / total > 2 / 3, JSON.stringify(bytes));
  });

  it('restores into an empty database and again over the restored one: same rows, keys and indexes', async () => {
    const target = await freshDatabase(env.pgUrl, 'dr_split_target');
    const copies: string[] = [];
    const watch = watchCopySessions(env.pgUrl, (_pid, query) => void copies.push(query));
    const runs: string[][] = []; // the TOC entries of each pg_restore started, in order
    // From the arguments given, not /proc: a quick index build may be gone before /proc is read.
    const onSpawn = (_pid: number, tool: string, argv: readonly string[]) => {
      const list = argv[argv.indexOf('-L') + 1];
      if (tool === 'pg_restore' && argv.includes('-L') && list) runs.push(readFileSync(list, 'utf8').trim().split('\n'));
    };
    // A database-wide timeout that would cut every COPY session: they take pg_restore's settings.
    const timeout = (value: string) => withClient(env.pgUrl, (c) => c.query(`ALTER DATABASE dr_split_target SET statement_timeout = ${value}`));
    for (let i = 0; i < 2; i++) {
      runs.length = 0;
      await timeout(`'50ms'`);
      await postgresRestore({ target, backup: backupId, jobs: 2, noOwner: false }, { store, ...quiet, onSpawn });
      await timeout('DEFAULT');
      assert.deepEqual(await fingerprint(target), original);
      assert.equal(await notesPrint(target), notes);
    }
    await watch.stop();
    // Our own schedule: each big table's indexes and keys on their own, as soon as its rows are in,
    // not in one pass at the end; a foreign key after both of its tables' rows and keys.
    const single = runs.filter((r) => r.length === 1).map((r) => r[0]!);
    for (const name of ['transactions_user_idx', 'transactions_big_idx', 'transactions transactions_pkey', 'notes notes_pkey']) {
      assert.ok(single.some((l) => l.includes(` ${name} `)), `${name} restored on its own:\n${runs.map((r) => r.join(' + ')).join('\n')}`);
    }
    const at = (pattern: RegExp) => runs.findIndex((r) => r.some((l) => pattern.test(l)));
    const fk = at(/FK CONSTRAINT public notes notes_ref_fkey/);
    assert.ok(fk > at(/TABLE DATA public notes /) && fk > at(/TABLE DATA public transactions /) && fk > at(/CONSTRAINT public transactions transactions_pkey/), runs.join('\n'));
    // Two sessions for the table that dominates the data, each run; the others load whole.
    assert.equal(copies.filter((c) => c.startsWith('COPY public.notes ')).length, 4, copies.join('\n'));
    assert.equal(copies.filter((c) => !c.startsWith('COPY public.notes ')).length, 0, copies.join('\n'));
    const verified = await postgresVerify({ connection: target, backup: backupId, checks: [...VERIFY_CHECKS], sql: [] }, { store, ...quiet });
    assert.equal(verified.failed, 0, JSON.stringify(verified.checks));
    const broken = await withClient(target, async (c) => {
      await c.query('BEGIN');
      const refused = await c.query('INSERT INTO notes VALUES (0, NULL, 999999999)').then(
        () => 'inserted',
        (err: Error) => err.message,
      );
      await c.query('ROLLBACK');
      return refused;
    });
    assert.match(broken, /violates foreign key constraint/);
  });

  it('a COPY session that dies fails the restore with its error, and nothing hangs', async () => {
    const target = await freshDatabase(env.pgUrl, 'dr_split_target');
    let killed = 0;
    const watch = watchCopySessions(env.pgUrl, async (pid, _query, client) => {
      if (killed) return;
      killed = pid;
      await client.query('SELECT pg_terminate_backend($1)', [pid]);
    });
    try {
      await assert.rejects(postgresRestore({ target, backup: backupId, jobs: 2, noOwner: false }, { store, ...quiet, killGraceMs: 200 }), (err: Error) => {
        assert.match(err.message, /COPY session [12] \(COPY public\.notes .*\) failed: (terminating connection due to administrator command|Connection terminated unexpectedly|the server closed the connection \()/);
        return true;
      });
    } finally {
      await watch.stop();
    }
    assert.ok(killed);
    // Nothing of the restore is left on the server: the other session's COPY was stopped too.
    assert.deepEqual(await sessionsLeft(env.pgUrl), []);
  });

  it('a cancelled restore stops its COPY sessions on the server before it returns', async () => {
    const target = await freshDatabase(env.pgUrl, 'dr_split_target');
    const cancel = new AbortController();
    const watch = watchCopySessions(env.pgUrl, () => cancel.abort(new Error('cancelled by the test')));
    try {
      await assert.rejects(postgresRestore({ target, backup: backupId, jobs: 2, noOwner: false }, { store, ...quiet, signal: cancel.signal }), /Cancelled/);
    } finally {
      await watch.stop();
    }
    assert.ok(cancel.signal.aborted, 'the COPY sessions were seen');
    assert.deepEqual(await sessionsLeft(env.pgUrl), []);
    const rows = await withClient(target, async (c) => (await c.query<{ n: string }>('SELECT count(*) AS n FROM notes')).rows[0]!.n);
    assert.equal(rows, '0', 'the cancelled COPY sessions were rolled back');
  });
});
