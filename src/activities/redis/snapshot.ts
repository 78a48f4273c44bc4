// redis.snapshot: BGSAVE, wait for it through INFO persistence (not LASTSAVE, whose one-second
// clock cannot tell our save from one a moment earlier), then stream the RDB file into the store
// with its sha256; the manifest goes last. Key counts are read in the BGSAVE's own transaction, so
// they are the fork's: exactly what the file holds.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { tierOf } from '../../runbook/retention.js';
import { backupFailure, putObject, newSetId, writeSetManifest, type RedisManifest } from '../backup-sets.js';
import { activityHooks, type ActivityHooks } from '../context.js';
import type { DataDeps, RedisSnapshotInput, RedisSnapshotResult } from '../data-types.js';
import { checkPrefix } from '../postgres/names.js';
import { Redactor } from '../secrets.js';
import { joinKey } from '../storage/store.js';
import { closeRedis, connectRedis, info, keyspace, parseInfo, redisTarget, totalKeys, waitForInfo, type RedisClient, type RedisTarget } from './connection.js';
import { asFailure, failure, FailureTypes, messageOf } from '../errors.js';

const RDB_OBJECT = 'dump.rdb';
// A save that starts between our BGSAVE finishing and our opening the file replaces it; try again.
const ATTEMPTS = 3;

export async function redisSnapshot(input: RedisSnapshotInput, deps: DataDeps): Promise<RedisSnapshotResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  let target: RedisTarget;
  try {
    target = redisTarget(input.url, redactor, hooks.env);
    checkPrefix(input.prefix);
    await deps.store.check();
  } catch (err) {
    throw asFailure(err, 'Redis snapshot not started', redactor);
  }
  const what = `Redis snapshot of ${target.shown}`;
  let client: RedisClient;
  try {
    client = await connectRedis(target);
  } catch (err) {
    throw failure(FailureTypes.StepCommandFailed, `${what} not started: could not connect: ${messageOf(err)}`, redactor);
  }
  let setKey: string | undefined;
  try {
    const version = (await info(client, 'server')).redis_version ?? 'unknown';
    const config = await client.configGet(['dir', 'dbfilename', 'appendonly']);
    const path = join(config.dir ?? '', config.dbfilename ?? 'dump.rdb');

    let saved: Awaited<ReturnType<typeof bgsave>> | undefined;
    let file: Awaited<ReturnType<typeof open>> | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS && !file; attempt++) {
      saved = await bgsave(client, hooks);
      if (saved.saves !== saved.ours) continue; // a later save ran too: the file is not ours
      const candidate = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
        throw new Error(`cannot read the RDB file ${path} (${err.code ?? err.message}): the worker must run where Redis's data dir is visible`);
      });
      // rdb_saves counts saves started: unchanged means the file we opened is the one ours wrote.
      const now = await info(client, 'persistence');
      if (saved.saves === undefined || now.rdb_saves === saved.saves) file = candidate;
      else await candidate.close();
    }
    if (!file || !saved) throw new Error(`another save replaced ${path} ${ATTEMPTS} times before it could be read; try again when Redis saves less often`);

    const createdAt = new Date((deps.now ?? Date.now)());
    const id = newSetId(createdAt, `redis-${target.port}`);
    setKey = joinKey(input.prefix, id);
    const tier = tierOf(input.prefix);
    const storageClass = input.storageClass ?? (tier === 'monthly' || tier === 'annual' ? deps.coldStorageClass : undefined);
    const header = Buffer.alloc(9);
    await file.read(header, 0, 9, 0);
    if (!header.subarray(0, 5).equals(Buffer.from('REDIS'))) throw new Error(`${path} does not start with an RDB header`);
    const progress = { phase: 'upload', bytes: 0 };
    const beat = setInterval(() => hooks.heartbeat({ ...progress, elapsedMs: Date.now() - started }), deps.heartbeatEveryMs ?? 2_000);
    let object;
    try {
      object = await putObject(deps.store, setKey, RDB_OBJECT, file.createReadStream({ start: 0 }), {
        signal: hooks.signal,
        storageClass,
        onBytes: (n) => (progress.bytes = n),
      });
    } finally {
      clearInterval(beat);
      await file.close().catch(() => undefined);
    }
    const manifest: RedisManifest = {
      version: 1,
      id,
      kind: 'redis',
      prefix: input.prefix,
      createdAt: createdAt.toISOString(),
      completedAt: new Date().toISOString(),
      format: 'rdb',
      compression: 'none',
      source: { host: target.host, port: target.port },
      tools: { redis: version },
      redis: { rdbVersion: Number(header.subarray(5).toString('latin1')), databases: saved.databases, keys: totalKeys(saved.databases), aof: config.appendonly === 'yes' },
      bytes: object.bytes,
      objects: [object],
      durationMs: Date.now() - started,
    };
    await writeSetManifest(deps.store, setKey, manifest); // last: from now on it is a backup
    return {
      id,
      prefix: input.prefix,
      createdAt: manifest.createdAt,
      bytes: object.bytes,
      location: `${deps.store.location}/${setKey}`,
      keys: manifest.redis.keys,
      databases: saved.databases,
      bgsaveMs: saved.ms,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    throw await backupFailure(err, { store: deps.store, setKey, signal: hooks.signal, what, redactor });
  } finally {
    await closeRedis(client);
  }
}

const SHOWN = ['rdb_bgsave_in_progress', 'aof_rewrite_in_progress', 'rdb_saves', 'rdb_last_bgsave_status'];

/**
 * Starts a BGSAVE of our own and waits for it. Forks already running are waited out first, so
 * ours forks at once (not "scheduled"); the key counts come from the same MULTI, atomically.
 */
async function bgsave(client: RedisClient, hooks: ActivityHooks) {
  for (let attempt = 1; ; attempt++) {
    await waitForInfo(client, 'persistence', (p) => p.rdb_bgsave_in_progress === '0' && p.aof_rewrite_in_progress !== '1', {
      hooks,
      what: 'a background save or AOF rewrite already running to finish',
      show: SHOWN,
    });
    const forkedAt = Date.now();
    let replies: unknown[];
    try {
      replies = await client.multi().info('persistence').bgSave().info('keyspace').exec();
    } catch (err) {
      // Another fork won the race between our check and the MULTI: wait for it and try again.
      if (attempt < 5 && /in progress|already/i.test(messageOf(err))) continue;
      throw new Error(`BGSAVE was refused: ${messageOf(err)}`);
    }
    const before = parseInfo(String(replies[0]));
    const databases = keyspace(parseInfo(String(replies[2])));
    const done = await waitForInfo(
      client,
      'persistence',
      // Redis 7+ counts saves started (rdb_saves); older servers only show in_progress falling back to 0.
      (p) => p.rdb_bgsave_in_progress === '0' && (before.rdb_saves === undefined || Number(p.rdb_saves) > Number(before.rdb_saves)),
      { hooks, what: 'BGSAVE to finish', show: SHOWN },
    );
    if (done.rdb_last_bgsave_status !== 'ok') {
      throw new Error(`BGSAVE failed (rdb_last_bgsave_status:${done.rdb_last_bgsave_status ?? '?'}); the Redis log says why (disk full, permissions, ...)`);
    }
    // `ours` is the save count our fork made; a different count at the end means another save ran after it.
    const ours = before.rdb_saves === undefined ? undefined : String(Number(before.rdb_saves) + 1);
    return { databases, saves: done.rdb_saves, ours, ms: Date.now() - forkedAt };
  }
}
