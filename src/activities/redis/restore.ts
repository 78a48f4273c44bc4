// redis.restore: the seed's "stop Redis, copy the RDB back, start Redis, check DBSIZE", made safe
// with AOF on. A Redis that starts with `appendonly yes` loads its AOF and ignores the RDB (the
// restore silently does nothing), and one whose AOF is missing starts EMPTY and then overwrites the
// RDB at its next save. So the procedure is:
//   1. download the RDB beside the live one and verify its sha256 (Redis untouched until this passed);
//   2. stop Redis with the runbook's command and wait until it no longer answers;
//   3. move the old AOF aside (kept, never deleted), rename the RDB into place;
//   4. if the config file says `appendonly yes`, set it to `no` there, so Redis loads the RDB;
//   5. start Redis with the runbook's command, wait until it has loaded, compare keys per database
//      with the manifest;
//   6. if AOF was on: `CONFIG SET appendonly yes` (Redis writes a new AOF from the loaded data),
//      wait for that rewrite, then `CONFIG REWRITE` (puts `appendonly yes` back in the config file).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chown, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findSet, readVerified, restoredFrom } from '../backup-sets.js';
import { abortableSleep, activityHooks, cancellationError, type ActivityHooks } from '../context.js';
import type { DataDeps, RedisRestoreInput, RedisRestoreResult } from '../data-types.js';
import { checkBackupRef, checkPrefix } from '../postgres/names.js';
import { Redactor } from '../secrets.js';
import { runShell } from '../shell.js';
import { closeRedis, info, keyspace, redisTarget, totalKeys, tryConnectRedis, waitForInfo, type RedisClient, type RedisTarget } from './connection.js';
import { asFailure, failure, FailureTypes, messageOf } from '../errors.js';

/** Where the server keeps its files and how it starts, asked of it or given by the runbook. */
interface Layout {
  dir: string;
  dbfilename: string;
  /** The config file the start command uses; undefined when Redis runs without one. */
  configFile?: string;
  /** AOF file (Redis < 7) and folder (Redis 7+) names. */
  aofNames: string[];
  /** AOF on in the running server before the restore. */
  aofRunning: boolean;
  /** `appendonly yes` in the config file: what the next start would do. */
  aofInFile: boolean;
}

export async function redisRestore(input: RedisRestoreInput, deps: DataDeps): Promise<RedisRestoreResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  const now = (deps.now ?? Date.now)();
  let target: RedisTarget;
  try {
    target = redisTarget(input.url, redactor, hooks.env);
    checkPrefix(input.prefix);
    checkBackupRef(input.backup);
    await deps.store.check();
  } catch (err) {
    throw asFailure(err, 'Redis restore not started', redactor);
  }
  const what = `Redis restore of ${target.shown}`;
  const incidentAt = input.incidentAt ? new Date(input.incidentAt) : new Date(now);
  let client = await tryConnectRedis(target);
  const wasDown = client === undefined;
  let scratch: string | undefined;
  try {
    const set = await findSet(deps.store, 'redis', input.prefix, input.backup, incidentAt);
    const object = set.manifest.objects.find((o) => o.name === 'dump.rdb') ?? set.manifest.objects[0]!;
    const layout = await layoutOf(client, input);
    if (layout.aofRunning && !layout.configFile) {
      throw new Error(
        'Redis runs with appendonly yes but without a config file (INFO server config_file is empty): it would start again with AOF on, ' +
          'load the old AOF and ignore the restored RDB. Start Redis from a config file, or give `configFile`',
      );
    }
    const rdbPath = join(layout.dir, layout.dbfilename);

    // 1. Download and verify beside the live file (same filesystem: the rename in 3 is atomic).
    scratch = join(layout.dir, `.${layout.dbfilename}.dr-restore-${randomBytes(3).toString('hex')}`);
    const progress = { phase: 'download', bytes: 0 };
    const beat = setInterval(() => hooks.heartbeat({ ...progress, elapsedMs: Date.now() - started }), deps.heartbeatEveryMs ?? 2_000);
    try {
      await readVerified(deps.store, set.key, object, createWriteStream(scratch), { signal: hooks.signal, onBytes: (n) => (progress.bytes = n) });
    } finally {
      clearInterval(beat);
    }

    // 2. Stop.
    await closeRedis(client);
    client = undefined;
    if (!wasDown) {
      await command(input.stop, 'stop', input, hooks);
      await waitUntil(async () => !(await answers(target)), 'Redis to stop after the stop command', hooks, 120_000);
    }

    // 3. Files: the old AOF aside, the RDB in place with the data dir's owner.
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const movedAside: string[] = [];
    for (const name of layout.aofNames) {
      const path = join(layout.dir, name);
      if (await exists(path)) {
        await rename(path, `${path}.before-restore-${stamp}`);
        movedAside.push(`${path}.before-restore-${stamp}`);
      }
    }
    await matchOwner(scratch, layout.dir);
    await rename(scratch, rdbPath);
    scratch = undefined;

    // 4. Start without AOF when the config file would turn it on.
    if (layout.aofInFile) await setAppendonlyNo(layout.configFile!);

    // 5. Start, wait until loaded, count.
    await command(input.start, 'start', input, hooks);
    client = await waitUntil(() => tryConnectRedis(target), 'Redis to answer after the start command', hooks, 120_000);
    await waitForInfo(client, 'persistence', (p) => p.loading === '0', { hooks, what: 'Redis to load the RDB', show: ['loading', 'loading_loaded_perc'] });
    const restored = keyspace(await info(client, 'keyspace'));

    // 6. AOF back on, rebuilt from what was just loaded.
    const aof = layout.aofRunning || layout.aofInFile;
    if (aof) await enableAof(client, layout.configFile, hooks);

    const keys = compareKeys(set.manifest.redis.databases, restored);
    const result: RedisRestoreResult = {
      backup: restoredFrom(deps.store, set, incidentAt),
      target: target.shown,
      rdbPath,
      wasDown,
      aof: { enabled: aof, movedAside },
      keys: { expected: set.manifest.redis.keys, restored: totalKeys(restored), databases: keys.databases },
      durationMs: Date.now() - started,
    };
    if (keys.problems.length > 0) {
      throw failure(FailureTypes.StepExpectationFailed, `${what}: key counts do not match the backup ${set.manifest.id}: ${keys.problems.join('; ')}`, redactor, { ...result });
    }
    return result;
  } catch (err) {
    if (scratch) await rm(scratch, { force: true });
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    throw asFailure(err, `${what} failed`, redactor);
  } finally {
    await closeRedis(client);
  }
}

async function layoutOf(client: RedisClient | undefined, input: RedisRestoreInput): Promise<Layout> {
  let running: Record<string, string> = {};
  let configFile = input.configFile;
  if (client) {
    running = await client.configGet(['dir', 'dbfilename', 'appendonly', 'appenddirname', 'appendfilename']);
    configFile ??= (await info(client, 'server')).config_file || undefined;
  }
  const text = configFile ? await readFile(configFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read the Redis config file ${configFile} (${err.code ?? err.message})`);
  }) : '';
  const dir = input.dir ?? running.dir ?? confValue(text, 'dir');
  if (!dir) throw new Error('Redis does not answer and no `dir` was given: cannot tell where its RDB file lives');
  const names = [running.appenddirname ?? confValue(text, 'appenddirname') ?? 'appendonlydir', running.appendfilename ?? confValue(text, 'appendfilename') ?? 'appendonly.aof'];
  return {
    dir,
    dbfilename: input.dbfilename ?? running.dbfilename ?? confValue(text, 'dbfilename') ?? 'dump.rdb',
    configFile,
    aofNames: [...new Set(names)],
    aofRunning: running.appendonly === 'yes',
    aofInFile: confValue(text, 'appendonly')?.toLowerCase() === 'yes',
  };
}

/** The last value a redis.conf gives `key` (later lines win, as in Redis); quotes removed. */
export function confValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+(.*?)\s*$/.exec(line);
    if (m && m[1]!.toLowerCase() === key) value = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return value;
}

/** Rewrites every `appendonly` line of the config file to `appendonly no` (atomically). */
async function setAppendonlyNo(file: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const next = text.replace(/^[ \t]*appendonly[ \t]+\S+.*$/gim, 'appendonly no');
  const tmp = `${file}.dr-restore-${randomBytes(3).toString('hex')}`;
  await writeFile(tmp, next, { mode: (await stat(file)).mode });
  await matchOwner(tmp, file);
  await rename(tmp, file);
}

async function enableAof(client: RedisClient, configFile: string | undefined, hooks: ActivityHooks): Promise<void> {
  const before = await info(client, 'persistence');
  await client.configSet('appendonly', 'yes');
  const done = await waitForInfo(
    client,
    'persistence',
    (p) => p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0' && Number(p.aof_rewrites ?? 0) > Number(before.aof_rewrites ?? 0),
    { hooks, what: 'the AOF rewrite after CONFIG SET appendonly yes', show: ['aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_rewrites'] },
  );
  if (done.aof_last_bgrewrite_status !== 'ok') throw new Error(`the AOF rewrite failed (aof_last_bgrewrite_status:${done.aof_last_bgrewrite_status}); Redis runs on the restored data without AOF`);
  if (configFile) await client.configRewrite();
}

/** Per database: restored keys must lie between the backup's keys less those with a TTL (they may have expired) and the backup's keys. */
function compareKeys(expected: Record<string, { keys: number; expires: number }>, restored: Record<string, { keys: number }>) {
  const problems: string[] = [];
  const databases: RedisRestoreResult['keys']['databases'] = {};
  for (const db of [...new Set([...Object.keys(expected), ...Object.keys(restored)])].sort()) {
    const want = expected[db] ?? { keys: 0, expires: 0 };
    const got = restored[db]?.keys ?? 0;
    databases[db] = { expected: want.keys, expires: want.expires, restored: got };
    if (got > want.keys || got < want.keys - want.expires) {
      problems.push(`${db}: ${got} keys, expected ${want.expires ? `${want.keys - want.expires}-${want.keys}` : want.keys}`);
    }
  }
  return { problems, databases };
}

async function command(argv: string[], which: 'stop' | 'start', input: RedisRestoreInput, hooks: ActivityHooks): Promise<void> {
  try {
    await runShell(
      { runId: input.runId ?? 'redis.restore', stepId: `${input.stepId ?? 'redis.restore'}:${which}`, command: argv, env: {}, okExitCodes: [0], timeoutMs: 300_000 },
      { env: hooks.env, signal: hooks.signal, heartbeat: hooks.heartbeat, log: hooks.log },
    );
  } catch (err) {
    throw new Error(`the ${which} command failed: ${messageOf(err)}`, { cause: err });
  }
}

async function answers(target: RedisTarget): Promise<boolean> {
  const client = await tryConnectRedis(target, 1_000);
  await closeRedis(client);
  return client !== undefined;
}

async function waitUntil<T>(probe: () => Promise<T | undefined | false>, what: string, hooks: ActivityHooks, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    hooks.heartbeat({ waitingFor: what, elapsedMs: Date.now() - started });
    await abortableSleep(250, hooks.signal, what);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** Gives `path` the owner of `like` (a restore run as root must leave files the redis user can replace). */
async function matchOwner(path: string, like: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const st = await stat(like).catch(() => stat(dirname(like)));
  await chown(path, st.uid, st.gid);
}
