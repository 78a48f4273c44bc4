// redis.persistence: the seed's "Setup Redis Persistence" (`CONFIG SET appendonly yes`,
// `CONFIG SET appendfsync everysec`), waiting for the first AOF rewrite that turning AOF on starts,
// then CONFIG REWRITE so a restart keeps the settings (a CONFIG SET alone is lost on restart).
import { activityHooks, cancellationError } from '../context.js';
import type { DataDeps, RedisPersistenceInput, RedisPersistenceResult } from '../data-types.js';
import { Redactor } from '../secrets.js';
import { closeRedis, connectRedis, info, redisTarget, waitForInfo, type RedisClient } from './connection.js';
import { asFailure, failure, FailureTypes, messageOf } from '../errors.js';

export async function redisPersistence(input: RedisPersistenceInput, deps: Omit<DataDeps, 'store'>): Promise<RedisPersistenceResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  let client: RedisClient;
  let shown: string;
  try {
    const target = redisTarget(input.url, redactor, hooks.env);
    shown = target.shown;
    client = await connectRedis(target);
  } catch (err) {
    throw failure(FailureTypes.StepCommandFailed, `Redis persistence set-up not started: ${messageOf(err)}`, redactor);
  }
  const what = `Redis persistence set-up of ${shown}`;
  try {
    const read = async () => {
      const c = await client.configGet(['appendonly', 'appendfsync']);
      return { appendonly: c.appendonly ?? '?', appendfsync: c.appendfsync ?? '?' };
    };
    const before = await read();
    const warnings: string[] = [];
    await client.configSet('appendfsync', input.appendfsync);
    const want = input.appendonly ? 'yes' : 'no';
    if (before.appendonly !== want) {
      const rewrites = Number((await info(client, 'persistence')).aof_rewrites ?? 0);
      await client.configSet('appendonly', want);
      if (input.appendonly) {
        const done = await waitForInfo(
          client,
          'persistence',
          (p) => p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0' && Number(p.aof_rewrites ?? 0) > rewrites,
          { hooks, what: 'the first AOF rewrite', show: ['aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_rewrites'] },
        );
        if (done.aof_last_bgrewrite_status !== 'ok') throw new Error(`the first AOF rewrite failed (aof_last_bgrewrite_status:${done.aof_last_bgrewrite_status})`);
      }
    }
    const configFile = (await info(client, 'server')).config_file || undefined;
    if (input.rewriteConfig) {
      if (configFile) await client.configRewrite();
      else warnings.push('Redis runs without a config file: the settings last until it restarts (start it from a config file to keep them)');
    }
    return { before, after: await read(), configFile: input.rewriteConfig ? configFile : undefined, warnings };
  } catch (err) {
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    throw asFailure(err, `${what} failed`, redactor);
  } finally {
    await closeRedis(client);
  }
}
