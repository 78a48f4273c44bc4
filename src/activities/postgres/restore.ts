// postgres.restore: download every object of the backup and check its sha256 and size against the
// manifest BEFORE the target is touched; then restore the whole database (pg_restore -j, or psql in
// one transaction for plain SQL) or drop-and-restore some tables in one transaction. The result
// names the backup used and its age at the incident: the RPO evidence.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { formatDuration } from '../../runbook/duration.js';
import { activityHooks, cancellationError } from '../context.js';
import { Redactor } from '../secrets.js';
import { hashed } from '../storage/hash-stream.js';
import type { Manifest } from '../storage/manifest.js';
import { findBackup } from '../storage/select.js';
import { joinKey, type BackupStore } from '../storage/store.js';
import { pgConnection, type PgConnection } from './connection.js';
import { heartbeating, type BackupDeps } from './deps.js';
import { checkBackupRef, checkPrefix, expectValue, qualifyTable } from './names.js';
import { planRestore, splitsATable } from './restore-plan.js';
import { runSchedule, type ScheduleItem } from './restore-schedule.js';
import { pgCopySessions, splitLoad } from './split-load.js';
import { lockTarget } from './target-lock.js';
import { dropKeysSql, dropSql, parseToc, selectEntries } from './toc.js';
import { isProgressLine, startTool, toolFailure, type ToolOptions } from './tools.js';
import type { BackupRef, PostgresRestoreInput, PostgresRestoreResult } from './types.js';
import { asFailure, failure, FailureTypes } from '../errors.js';

/** Restores a backup into the target; throws BackupCorrupt (target untouched) when an object does not match. */
export async function postgresRestore(input: PostgresRestoreInput, deps: BackupDeps): Promise<PostgresRestoreResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  let target: PgConnection;
  let tables: string[] | undefined;
  let incidentAt: number;
  try {
    target = pgConnection(input.target, redactor, hooks.env);
    checkBackupRef(input.backup);
    checkPrefix(input.prefix || undefined);
    tables = input.tables?.length ? input.tables.map((t) => qualifyTable(t)) : undefined;
    incidentAt = input.incidentAt ? Date.parse(input.incidentAt) : (deps.now ?? Date.now)();
    expectValue(!Number.isNaN(incidentAt), 'incidentAt', 'an ISO time like 2024-03-15T11:30:00Z', input.incidentAt);
  } catch (err) {
    throw asFailure(err, 'Restore not started', redactor);
  }
  const what = `Restore into ${target.shown}`;
  const progress: { phase: string; bytes: number; waitingFor?: string } = { phase: 'download', bytes: 0 };
  const stopBeat = heartbeating(() => hooks.heartbeat({ ...progress, elapsedMs: Date.now() - started }), deps.heartbeatEveryMs);
  // Cancellation, or the step's timeout (enforced here so pg_restore / psql stop at once).
  const stop = new AbortController();
  const onAbort = () => stop.abort(hooks.signal?.reason);
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = input.timeoutMs ? setTimeout(() => ((timedOut = true), stop.abort(new Error('timed out'))), input.timeoutMs) : undefined;
  let dir: string | undefined;
  let unlock: (() => Promise<void>) | undefined;
  try {
    let chosen;
    try {
      await deps.store.check();
      chosen = await findBackup(deps.store, { backup: input.backup, prefix: input.prefix || undefined, tables, before: input.backup === 'latest' ? incidentAt : undefined });
    } catch (err) {
      throw asFailure(err, `${what} not started`, redactor);
    }
    const { manifest } = chosen;
    if (tables && manifest.format === 'plain') {
      throw failure(
        FailureTypes.StepCommandFailed,
        `${what} not started: partial table restore needs a custom or directory backup, and ${manifest.id} is plain SQL; restore it whole, or take the tables from its SQL by hand`,
        redactor,
      );
    }
    for (const t of tables ?? []) {
      if (!manifest.database.tables.some((x) => `${x.schema}.${x.name}` === t)) {
        throw failure(FailureTypes.BackupNotFound, `${what} not started: table ${t} is not in backup ${manifest.id}`, redactor);
      }
    }
    dir = await mkdtemp(join(deps.workDir ?? tmpdir(), 'dr-restore-'));
    await download(deps.store, chosen.key, manifest, dir, progress, stop.signal, redactor, what);
    if (stop.signal.aborted) throw stop.signal.reason;
    progress.phase = 'lock';
    unlock = await lockTarget(target, what, redactor, stop.signal, (holder) => {
      if (progress.waitingFor !== holder) hooks.log.warn(`${what} waits: another restore of this database holds its lock: ${holder}`);
      progress.waitingFor = holder;
    });
    progress.waitingFor = undefined;

    progress.phase = 'restore';
    const tool: Omit<ToolOptions, 'stdin' | 'stdout'> = {
      binDir: deps.binDir,
      env: target.toolEnv,
      redactor,
      signal: stop.signal,
      killGraceMs: deps.killGraceMs,
      onSpawn: deps.onSpawn,
    };
    const archive = manifest.format === 'directory' ? dir : join(dir, manifest.objects[0]!.name);
    if (tables) await restoreTables(archive, tables, manifest, target, tool, dir);
    else if (manifest.format === 'plain') await restorePlain(archive, target, tool);
    else {
      const owner = input.noOwner ? ['--no-owner'] : [];
      // The server's own maintenance_work_mem unless the action sets one: 256 MB, which pg_restore's
      // documentation suggests raising, made restores of 1 GB slower on 2 cores, not faster
      // (BENCHMARKS.md: 0.85 s over 7 pairs on EasyMO, 0.4 s on pgbench).
      const memory = input.maintenanceWorkMemMB;
      const tuned = memory === undefined ? tool : { ...tool, env: { ...tool.env, PGOPTIONS: `${process.env.PGOPTIONS ?? ''} -c maintenance_work_mem=${memory}MB`.trim() } };
      const restore = ['--exit-on-error', ...owner, '-d', target.toolUrl];
      if (input.jobs > 1) {
        await restoreScheduled(archive, manifest, { restore, jobs: input.jobs, target, tool: tuned, dir, progress });
      } else {
        // One job: all of it or nothing (--single-transaction cannot be combined with -j).
        await runTool('pg_restore', ['--clean', '--if-exists', '--single-transaction', ...restore, archive], tuned);
      }
    }
    const createdAt = Date.parse(manifest.createdAt);
    return {
      backup: refOf(manifest),
      target: target.shown,
      restored: tables ?? 'all',
      incidentAt: new Date(incidentAt).toISOString(),
      backupAgeMs: incidentAt - createdAt,
      backupAge: formatDuration(incidentAt - createdAt),
      durationMs: Date.now() - started,
    };
  } catch (err) {
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    if (timedOut) throw failure(FailureTypes.StepTimedOut, `${what} timed out after ${formatDuration(input.timeoutMs!)}`, redactor);
    throw asFailure(err, `${what} failed`, redactor);
  } finally {
    clearTimeout(timer);
    hooks.signal?.removeEventListener('abort', onAbort);
    stopBeat();
    await unlock?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

export function refOf(m: Manifest): BackupRef {
  return { id: m.id, prefix: m.prefix, createdAt: m.createdAt, format: m.format, bytes: m.bytes };
}

/** Fetches every object into `dir`, checking size and sha256; throws BackupCorrupt on the first mismatch. */
async function download(
  store: BackupStore,
  setKey: string,
  manifest: Manifest,
  dir: string,
  progress: { bytes: number },
  signal: AbortSignal | undefined,
  redactor: Redactor,
  what: string,
): Promise<void> {
  let done = 0;
  for (const object of manifest.objects) {
    let counter;
    try {
      counter = hashed(await store.get(joinKey(setKey, object.name), signal), (n) => (progress.bytes = done + n));
      await pipeline(counter, createWriteStream(join(dir, object.name)), { signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw failure(FailureTypes.StepCommandFailed, `${what} not started: no space left in ${dir} for ${object.name} (${object.bytes} bytes; set DR_BACKUP_WORK_DIR to a larger disk)`, redactor);
      }
      throw asFailure(err, `${what} not started: backup ${manifest.id} cannot be read`, redactor);
    }
    done += counter.bytes;
    if (counter.bytes !== object.bytes || counter.sha256 !== object.sha256) {
      throw failure(
        FailureTypes.BackupCorrupt,
        `${what} refused: backup ${manifest.id} is damaged: ${object.name} has ${counter.bytes} bytes with sha256 ${counter.sha256.slice(0, 16)}…, ` +
          `the manifest says ${object.bytes} bytes with sha256 ${object.sha256.slice(0, 16)}…; the target was not touched`,
        redactor,
        { backup: manifest.id, object: object.name, bytes: counter.bytes, expectedBytes: object.bytes, sha256: counter.sha256, expectedSha256: object.sha256 },
      );
    }
  }
}

/**
 * A full restore on `jobs` sessions: the definitions first. Then, when no table dominates the data
 * (the manifest's sizes tell), `pg_restore -j` for the rest; when one does, our own schedule, planned
 * from the archive's table of contents (restore-plan.ts): the tables' rows at once (the dominant one through several COPY
 * sessions), each table's indexes and constraints as soon as its rows are in, a foreign key once
 * both its tables are complete; then the rest (sequence values, comments, grants).
 */
async function restoreScheduled(
  archive: string,
  manifest: Manifest,
  o: { restore: string[]; jobs: number; target: PgConnection; tool: Omit<ToolOptions, 'stdin' | 'stdout'>; dir: string; progress: { phase: string; bytes: number } },
): Promise<void> {
  // --clean drops in reverse archive order, and the keys that could block a drop come back only
  // with post-data: drop them first.
  const keys = manifest.database.tables.flatMap((t) => t.foreignKeys.map((k) => ({ schema: t.schema, table: t.name, name: k.name })));
  if (keys.length) await runTool('psql', [...PSQL, '-d', o.target.toolUrl], o.tool, Readable.from([Buffer.from(dropKeysSql(keys))]));
  o.progress.phase = 'restore definitions';
  await runTool('pg_restore', ['--clean', '--if-exists', '--section=pre-data', ...o.restore, archive], o.tool);

  if (!splitsATable(manifest.database.tables, o.jobs)) {
    // Nothing to split: pg_restore -j orders the same work (biggest tables first, each table's
    // indexes and keys once its rows are in, no two items locking a table against each other) with
    // one session per job for the whole restore, where the schedule below starts a pg_restore per
    // item. Side by side on 1 GB EasyMO, 2 cores: 0.9 s faster on average over 11 pairs (BENCHMARKS.md).
    await restoreWithJobs(archive, o);
    return;
  }
  const [data, post] = await Promise.all([
    capture('pg_restore', ['-l', '--section=data', archive], o.tool),
    capture('pg_restore', ['-l', '--section=post-data', archive], o.tool),
  ]);
  const plan = planRestore({ data, post }, manifest.database.tables, o.jobs);
  let lists = 0;
  /** pg_restore of just these TOC entries (`-j` when it has several sessions). */
  const entries = async (lines: string[], signal: AbortSignal, jobs = 1) => {
    const list = join(o.dir, `restore-${lists++}.list`);
    await writeFile(list, lines.join('\n') + '\n');
    await runTool('pg_restore', [...(jobs > 1 ? ['-j', String(jobs)] : []), '-L', list, ...o.restore, archive], { ...o.tool, signal });
  };
  const items: ScheduleItem[] = [];
  const rowsOf = (t: string) => `rows of ${t}`;
  const complete = new Map<string, string[]>(); // table -> the items after which it is complete
  if (plan.light.lines.length) {
    const name = `tables ${plan.light.tables.join(', ')}`;
    const slots = Math.min(o.jobs, Math.max(1, Math.ceil(plan.light.share * o.jobs)));
    // First: the keys into small tables wait on them, and those keys take turns on their table.
    items.push({ name, slots, after: [], locks: [], cost: 1 + plan.light.share / slots, run: (signal) => entries(plan.light.lines, signal, slots) });
    for (const t of plan.light.tables) complete.set(t, [name]);
  }
  const total = plan.heavy.reduce((n, h) => n + h.weight, 0) / Math.max(1e-9, 1 - plan.light.share);
  for (const h of plan.heavy) {
    const share = h.weight / total;
    const after: string[] = [];
    if (h.data) {
      const line = h.data;
      after.push(rowsOf(h.table));
      items.push({
        name: rowsOf(h.table),
        slots: h.sessions,
        after: [],
        locks: [{ table: h.table, exclusive: false }],
        // Its whole share even when split: its sessions are then all busy, and it should go first.
        cost: share,
        run: (signal) => (h.sessions > 1 ? splitTable(line, h.sessions, signal) : entries([line], signal)),
      });
    }
    for (const p of h.post) {
      // An index or a key's index costs about a third of loading the rows; policies, RLS, triggers nothing.
      const cost = p.type === 'INDEX' || p.type === 'CONSTRAINT' ? share / 3 : 0;
      items.push({ name: p.line, slots: 1, after: [...after], locks: [{ table: h.table, exclusive: p.exclusive }], cost, run: (signal) => entries([p.line], signal) });
    }
    complete.set(h.table, [...after, ...h.post.map((p) => p.line)]);
  }
  for (const k of plan.keys) {
    // The referencing table's rows and the referenced table's keys must be in; the referencing
    // table's own indexes need not (the lock model keeps them apart).
    const rows = plan.heavy.some((h) => h.table === k.table && h.data) ? [rowsOf(k.table)] : (complete.get(k.table) ?? []);
    items.push({
      name: k.line,
      slots: 1,
      after: [...new Set([...rows, ...(complete.get(k.references) ?? [])])],
      locks: [...new Set([k.table, k.references])].map((table) => ({ table, exclusive: true })),
      cost: (plan.heavy.find((h) => h.table === k.table)?.weight ?? 0) / total / 2, // a scan of the referencing table, a hash of the other
      run: (signal) => entries([k.line], signal),
    });
  }

  /** A table's rows through `sessions` COPY sessions at once (split-load.ts). */
  const splitTable = async (line: string, sessions: number, signal: AbortSignal) => {
    const list = join(o.dir, `restore-${lists++}.list`);
    await writeFile(list, line + '\n');
    const source = startTool('pg_restore', ['-a', '-f', '-', '-L', list, archive], { ...o.tool, signal, stdout: 'pipe' });
    await splitLoad(source, sessions, pgCopySessions(o.target.url), (sent) => (o.progress.bytes = sent), signal);
  };
  await runSchedule(items, o.jobs, o.tool.signal, (running) => (o.progress.phase = `restore: ${running.map((r) => shortName(r)).join('; ')}`));
  if (plan.rest.length) {
    o.progress.phase = 'restore sequences, comments and grants';
    await entries(plan.rest, o.tool.signal!, o.jobs);
  }
}

/**
 * `pg_restore: launching item 3379 TABLE DATA transactions` (-v): which item starts or ends. Not
 * anchored: the leader and its workers share stderr and write a message's prefix and text
 * separately, so two messages can share a line.
 */
const VERBOSE_ITEM = /(launching|finished) item (\d+) (.+?)(?= ?pg_restore: |$)/g;

/** The rows and post-data sections through `pg_restore -j`, its -v lines telling which items run. */
async function restoreWithJobs(archive: string, o: { restore: string[]; jobs: number; tool: Omit<ToolOptions, 'stdin' | 'stdout'>; progress: { phase: string } }): Promise<void> {
  const running = new Map<string, string>();
  o.progress.phase = 'restore';
  const onStderrLine = (line: string): boolean => {
    let seen = false;
    for (const [, what, id, item] of line.matchAll(VERBOSE_ITEM)) {
      seen = true;
      if (what === 'launching') running.set(id!, item!.trim().replace(/^TABLE DATA /, 'rows of '));
      else running.delete(id!);
    }
    if (seen) o.progress.phase = running.size ? `restore: ${[...running.values()].join('; ')}` : 'restore';
    return seen || isProgressLine('pg_restore', line);
  };
  await runTool('pg_restore', ['-v', '-j', String(o.jobs), '--section=data', '--section=post-data', ...o.restore, archive], { ...o.tool, onStderrLine });
}

/** `INDEX public.transactions_user_id_idx` for a TOC line; other names as they are. */
function shortName(item: string): string {
  const m = /^\d+; \d+ \d+ (.+) \S+$/.exec(item);
  return m ? m[1]! : item;
}

async function runTool(tool: 'pg_restore' | 'psql', args: string[], options: Omit<ToolOptions, 'stdin' | 'stdout'>, stdin?: Readable): Promise<void> {
  const run = startTool(tool, args, { ...options, stdin: stdin ? 'pipe' : 'ignore' });
  let feedError: unknown;
  const feed = stdin
    ? pipeline(stdin, run.stdin!).catch((err: unknown) => {
        feedError = err;
        run.stop();
      })
    : Promise.resolve();
  const [exit] = await Promise.all([run.exited, feed]);
  const problem = toolFailure(run, exit);
  if (problem) throw new Error(problem);
  if (feedError !== undefined) throw feedError;
}

// psql reads the SQL from stdin; ON_ERROR_STOP and one transaction: all of it or nothing.
const PSQL = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-o', '/dev/null'];

async function restorePlain(file: string, target: PgConnection, tool: Omit<ToolOptions, 'stdin' | 'stdout'>): Promise<void> {
  const sql = createReadStream(file).pipe(createGunzip());
  await runTool('psql', [...PSQL, '-d', target.toolUrl], tool, sql);
}

/** The seed's drop-and-restore of some tables, from a full backup, in one transaction. */
async function restoreTables(
  archive: string,
  tables: string[],
  manifest: Manifest,
  target: PgConnection,
  tool: Omit<ToolOptions, 'stdin' | 'stdout'>,
  dir: string,
): Promise<void> {
  const listing = await capture('pg_restore', ['-l', archive], tool);
  const entries = selectEntries(parseToc(listing), tables, manifest.database.tables);
  if (!entries.some((e) => e.type === 'TABLE')) throw new Error(`the archive of backup ${manifest.id} has no definition of ${tables.join(', ')}`);
  const listFile = join(dir, 'restore.list');
  await writeFile(listFile, entries.map((e) => e.line).join('\n') + '\n');
  const script = startTool('pg_restore', ['-f', '-', '-L', listFile, archive], { ...tool, stdout: 'pipe' });
  const sql = Readable.from(
    (async function* () {
      yield Buffer.from(dropSql(tables, manifest.database.tables));
      for await (const chunk of script.stdout!) yield chunk as Buffer;
    })(),
  );
  try {
    await runTool('psql', [...PSQL, '-d', target.toolUrl], tool, sql);
  } catch (err) {
    script.stop(); // it may be blocked writing to a psql that is gone
    await script.exited;
    throw err;
  }
  const problem = toolFailure(script, await script.exited);
  if (problem) throw new Error(problem);
}

async function capture(tool: 'pg_restore', args: string[], options: Omit<ToolOptions, 'stdin' | 'stdout'>): Promise<string> {
  const run = startTool(tool, args, { ...options, stdout: 'pipe' });
  const chunks: Buffer[] = [];
  run.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const problem = toolFailure(run, await run.exited);
  if (problem) throw new Error(problem);
  return Buffer.concat(chunks).toString('utf8');
}
