// postgres.backup: pg_dump → (gzip) → sha256 → store, streamed with bounded memory, inside one
// exported snapshot so the manifest's row counts are exactly the dump's. The manifest is written
// last and only after pg_dump exited 0 and every object is stored: a dump killed mid-way leaves
// objects without a manifest (deleted here, or by storage.prune), never a backup that looks complete.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { tierOf } from '../../runbook/retention.js';
import { activityHooks, cancellationError } from '../context.js';
import { Redactor } from '../secrets.js';
import { followFile } from '../storage/follow-file.js';
import { hashed } from '../storage/hash-stream.js';
import { writeManifest, type Manifest } from '../storage/manifest.js';
import { joinKey, type BackupStore } from '../storage/store.js';
import { pgConnection, type PgConnection } from './connection.js';
import { heartbeating, type BackupDeps } from './deps.js';
import { inventory, manifestTable, qualified } from './inventory.js';
import { checkPrefix, expectValue, newBackupId, qualifyTable } from './names.js';
import { isProgressLine, startTool, toolFailure, toolVersion } from './tools.js';
import type { PostgresBackupInput, PostgresBackupResult } from './types.js';
import { backupFailure } from '../backup-sets.js';
import { asFailure, failure, FailureTypes, messageOf } from '../errors.js';

type ObjectEntry = Manifest['objects'][number];

interface DumpContext {
  store: BackupStore;
  setKey: string;
  args: string[];
  conn: PgConnection;
  deps: BackupDeps;
  redactor: Redactor;
  signal: AbortSignal;
  storageClass?: string;
  progress: { phase: string; bytes: number };
}

/** Backs up a database (or some of its tables) into the store; resolves with the new backup. */
export async function postgresBackup(input: PostgresBackupInput, deps: BackupDeps): Promise<PostgresBackupResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  let conn: PgConnection;
  let tables: string[] | undefined;
  try {
    conn = pgConnection(input.connection, redactor, hooks.env);
    checkPrefix(input.prefix);
    expectValue(['custom', 'directory', 'plain'].includes(input.format), 'format', 'one of custom, directory, plain', input.format);
    tables = input.tables?.length ? input.tables.map((t) => qualifyTable(t)) : undefined;
  } catch (err) {
    throw asFailure(err, 'Backup not started', redactor);
  }
  const what = `Backup of ${conn.shown}`;
  try {
    await deps.store.check();
  } catch (err) {
    throw asFailure(err, `${what} not started`, redactor);
  }
  if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);

  const client = new pg.Client({ connectionString: conn.url, connectionTimeoutMillis: 10_000, application_name: 'easymo-dr' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw failure(FailureTypes.StepCommandFailed, `${what} not started: could not connect: ${messageOf(err)}`, redactor);
  }
  // Stops the dump and the uploads on cancellation or when another part of the backup fails.
  const stop = new AbortController();
  const onAbort = () => stop.abort(hooks.signal?.reason);
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  // The step's timeout, enforced here too so pg_dump stops at once and the error says so.
  let timedOut = false;
  const timer = input.timeoutMs ? setTimeout(() => ((timedOut = true), stop.abort(new Error('timed out'))), input.timeoutMs) : undefined;
  const progress = { phase: 'dump', bytes: 0 };
  const stopBeat = heartbeating(() => hooks.heartbeat({ ...progress, elapsedMs: Date.now() - started }), deps.heartbeatEveryMs);
  let setKey: string | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const server = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const pgDump = await toolVersion('pg_dump', { binDir: deps.binDir, redactor });
    const createdAt = new Date((deps.now ?? Date.now)());
    const id = newBackupId(createdAt, conn.database);
    setKey = joinKey(input.prefix, id);
    const tier = tierOf(input.prefix);
    const storageClass = input.storageClass ?? (tier === 'monthly' || tier === 'annual' ? deps.coldStorageClass : undefined);
    const args = [
      `--snapshot=${snapshot}`,
      `--compress=${input.compression}`,
      ...(tables ? ['--strict-names', ...tables.flatMap((t) => ['-t', t])] : []),
      '-d',
      conn.toolUrl,
    ];
    const ctx: DumpContext = { store: deps.store, setKey, args, conn, deps, redactor, signal: stop.signal, storageClass, progress };
    const dump = input.format === 'directory' ? dumpDirectory(ctx, input.jobs) : dumpStream(ctx, input.format, input.compression);
    // Counted inside the dump's snapshot while it runs; a failure on either side stops the other.
    const counted = inventory(client, { tables, counts: true });
    let firstError: unknown;
    const guard = <T>(p: Promise<T>) =>
      p.catch((err: unknown) => {
        firstError ??= err;
        stop.abort(err);
        throw err;
      });
    // Both settle before anything is cleaned up, so no upload can land after the clean-up.
    const [dumped, listed] = await Promise.allSettled([guard(dump), guard(counted)]);
    if (dumped.status === 'rejected' || listed.status === 'rejected') throw firstError;
    const objects = dumped.value;
    const live = listed.value;
    const manifest: Manifest = {
      version: 1,
      id,
      kind: 'postgres',
      prefix: input.prefix,
      createdAt: createdAt.toISOString(),
      completedAt: new Date().toISOString(),
      format: input.format,
      compression: { algorithm: 'gzip', level: input.compression },
      scope: tables ? { tables } : 'full',
      source: { host: conn.host, port: conn.port, database: conn.database, user: conn.user },
      tools: { pgDump, server },
      bytes: objects.reduce((sum, o) => sum + o.bytes, 0),
      objects: objects.map((o) => ({ ...o, ...(storageClass ? { storageClass } : {}) })),
      database: {
        tables: live.map(manifestTable),
        rlsTables: live.filter((t) => t.rls).map(qualified),
        foreignKeys: live.reduce((n, t) => n + t.foreignKeys.length, 0),
        indexes: live.reduce((n, t) => n + t.indexCount, 0),
      },
      durationMs: Date.now() - started,
    };
    progress.phase = 'manifest';
    if (stop.signal.aborted) throw stop.signal.reason;
    await writeManifest(deps.store, setKey, manifest); // last: from now on it is a backup
    await client.query('COMMIT');
    return {
      id,
      prefix: input.prefix,
      createdAt: manifest.createdAt,
      format: input.format,
      bytes: manifest.bytes,
      location: deps.store.urlOf(setKey),
      objects: objects.length,
      tables: live.length,
      rows: live.reduce((n, t) => n + t.rows, 0),
      storageClass,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    stop.abort(err);
    throw await backupFailure(err, { store: deps.store, setKey, signal: hooks.signal, what, redactor, timedOutAfterMs: timedOut ? input.timeoutMs : undefined });
  } finally {
    clearTimeout(timer);
    stopBeat();
    hooks.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/** custom (pg_dump compresses) or plain (we gzip): one object streamed from pg_dump's stdout. */
async function dumpStream(ctx: DumpContext, format: 'custom' | 'plain', level: number): Promise<ObjectEntry[]> {
  const plain = format === 'plain';
  // Plain SQL gets DROP ... IF EXISTS first, so `gunzip -c x.sql.gz | psql` also restores over a damaged database.
  const args = plain ? ['-Fp', '--clean', '--if-exists', ...ctx.args.filter((a) => !a.startsWith('--compress='))] : ['-Fc', ...ctx.args];
  const name = `${safeName(ctx.conn.database)}.${plain ? 'sql.gz' : 'dump'}`;
  const run = startTool('pg_dump', args, { ...toolOptions(ctx), stdout: 'pipe' });
  let source: Readable = run.stdout!;
  if (plain) source = pipeline(run.stdout!, createGzip({ level }), () => undefined);
  const counter = hashed(source, (bytes) => (ctx.progress.bytes = bytes));
  let putError: unknown;
  const put = ctx.store.put(joinKey(ctx.setKey, name), counter, { storageClass: ctx.storageClass, signal: ctx.signal }).catch((err: unknown) => {
    putError = err;
    run.stop();
  });
  const [exit] = await Promise.all([run.exited, put]);
  if (putError !== undefined) throw putError;
  const problem = toolFailure(run, exit);
  if (problem) throw new Error(problem);
  return [{ name, bytes: counter.bytes, sha256: counter.sha256 }];
}

/** `pg_dump: finished item 3379 TABLE DATA transactions` (-v, parallel mode): that item's file is complete. Not anchored: the leader and its workers share stderr. */
const FINISHED_ITEM = /finished item (\d+) /g;
/** A table's data file (`<dump id>.dat`, `.dat.gz`), complete when pg_dump reports its item finished. */
const ITEM_FILE = /^(\d+)\.dat(\.gz)?$/;

/**
 * directory format: `pg_dump -j` writes one file per table into scratch space. Each file is streamed
 * up while pg_dump still writes it (two at a time) and deleted once stored; toc.dat and any other
 * file go up once pg_dump has exited. A failure on either side stops the other.
 */
async function dumpDirectory(ctx: DumpContext, jobs: number): Promise<ObjectEntry[]> {
  const dir = await mkdtemp(join(ctx.deps.workDir ?? tmpdir(), 'dr-backup-'));
  const out = join(dir, 'dump');
  const finished = new Map<string, Deferred>();
  const exit = deferred();
  let running = true;
  // Once pg_dump has exited, a file whose end it never reported (-j1 reports none) is as done as pg_dump.
  const itemDone = (id: string): Deferred => {
    let d = finished.get(id);
    if (!d && !running) return exit;
    if (!d) finished.set(id, (d = deferred()));
    return d;
  };
  const onStderrLine = (line: string): boolean => {
    for (const [, id] of line.matchAll(FINISHED_ITEM)) itemDone(id!).resolve();
    return isProgressLine('pg_dump', line);
  };
  ctx.progress.phase = 'dump';
  const objects: ObjectEntry[] = [];
  try {
    const run = startTool('pg_dump', ['-Fd', '-j', String(jobs), '-v', '-f', out, ...ctx.args], { ...toolOptions(ctx), onStderrLine });
    let problem: string | undefined;
    const exited = run.exited.then((result) => {
      running = false;
      problem = toolFailure(run, result);
      const failed = problem || ctx.signal.aborted ? new Error(problem ?? 'pg_dump stopped') : undefined;
      for (const d of [exit, ...finished.values()]) {
        if (failed) d.reject(failed);
        else d.resolve();
      }
      if (!failed) ctx.progress.phase = 'upload';
    });
    const queued = new Set<string>();
    const queue: string[] = [];
    // New files show up in the folder: looked for while pg_dump runs, and once more after it exited.
    const look = async () => {
      for (const file of (await readdir(out).catch(() => [] as string[])).sort()) {
        if (queued.has(file)) continue;
        queued.add(file);
        queue.push(file);
      }
    };
    let uploaded = 0;
    let uploadError: unknown;
    const upload = async () => {
      for (;;) {
        let file = queue.shift();
        if (file === undefined && running) {
          await Promise.race([sleep(100), exited]);
          await look();
          continue;
        }
        if (file === undefined) {
          await look();
          file = queue.shift();
          if (file === undefined) return;
        }
        const item = ITEM_FILE.exec(file);
        // A table's file is followed while pg_dump writes it; any other (toc.dat) goes up after it exited.
        if (!item) await exited;
        if (problem || ctx.signal.aborted || uploadError !== undefined) return;
        const path = join(out, file);
        let sent = 0;
        const source = followFile(path, item ? itemDone(item[1]!).promise : exit.promise, { signal: ctx.signal });
        const counter = hashed(source, (n) => {
          uploaded += n - sent;
          sent = n;
          ctx.progress.bytes = uploaded;
        });
        await ctx.store.put(joinKey(ctx.setKey, file), counter, { storageClass: ctx.storageClass, signal: ctx.signal });
        objects.push({ name: file, bytes: counter.bytes, sha256: counter.sha256 });
        await rm(path, { force: true });
      }
    };
    let stoppedForUpload = false;
    const guarded = () =>
      upload().catch((err: unknown) => {
        uploadError ??= err;
        if (running) {
          stoppedForUpload = true;
          run.stop();
        }
      });
    await Promise.all([guarded(), guarded(), exited]);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // pg_dump's own failure explains a failed upload of its file better than the upload does.
    if (problem && !stoppedForUpload) throw new Error(problem);
    if (uploadError !== undefined) throw uploadError;
    return objects.sort((a, b) => (a.name < b.name ? -1 : 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // a file nobody followed fails nobody
  return { promise, resolve, reject };
}

function toolOptions(ctx: DumpContext) {
  return {
    binDir: ctx.deps.binDir,
    env: ctx.conn.toolEnv,
    redactor: ctx.redactor,
    signal: ctx.signal,
    killGraceMs: ctx.deps.killGraceMs,
    onSpawn: ctx.deps.onSpawn,
  };
}

function safeName(database: string): string {
  return database.replace(/[^A-Za-z0-9_.-]/g, '_') || 'database';
}
