// A Redis server as the redis.* activities see it: a client from a URL or reference (its password
// registered with the redactor), INFO sections as maps, and waits on INFO fields that heartbeat
// and honour cancellation.
import { createClient } from 'redis';
import { abortableSleep, type ActivityHooks } from '../context.js';
import { isSecretRef, type Redactor } from '../secrets.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisTarget {
  /** Full URL, password included: for the client only. */
  url: string;
  /** `redis://host:port/db`, or the reference when it was one: safe to print and store. */
  shown: string;
  host: string;
  port: number;
}

/** Resolves `ref` (a redis:// URL or a reference like env:REDIS_URL) and registers its password. */
export function redisTarget(ref: string, redactor: Redactor, env: NodeJS.ProcessEnv): RedisTarget {
  const url = redactor.resolve(ref, env);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`Expected a Redis URL like redis://127.0.0.1:6379${isSecretRef(ref) ? ` in ${ref}` : ''}, got something else`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`Expected a redis:// or rediss:// URL${isSecretRef(ref) ? ` in ${ref}` : ''}, got a ${u.protocol}// URL`);
  }
  redactor.add(decodeURIComponent(u.password));
  const host = u.hostname || '127.0.0.1';
  const port = Number(u.port || 6379);
  return { url, shown: isSecretRef(ref) ? ref : `${u.protocol}//${host}:${port}${u.pathname === '/' ? '' : u.pathname}`, host, port };
}

/** Connects once (no reconnects: a server that goes away is an answer, not something to hide). */
export async function connectRedis(target: RedisTarget, connectTimeoutMs = 10_000): Promise<RedisClient> {
  const client = createClient({ url: target.url, socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: false } });
  client.on('error', () => undefined); // reported through the failing command instead
  await client.connect();
  return client;
}

/** Connects, or resolves undefined when the server does not answer. */
export async function tryConnectRedis(target: RedisTarget, connectTimeoutMs = 3_000): Promise<RedisClient | undefined> {
  try {
    const client = await connectRedis(target, connectTimeoutMs);
    await client.ping();
    return client;
  } catch {
    return undefined;
  }
}

export async function closeRedis(client: RedisClient | undefined): Promise<void> {
  if (!client) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}

/** `INFO <section>` text as a map (`rdb_bgsave_in_progress` → `"0"`). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return out;
}

export async function info(client: RedisClient, section: string): Promise<Record<string, string>> {
  return parseInfo(String(await client.info(section)));
}

/** `INFO keyspace` as keys and expiring keys per database (`db0` → { keys, expires }). */
export function keyspace(fields: Record<string, string>): Record<string, { keys: number; expires: number }> {
  const out: Record<string, { keys: number; expires: number }> = {};
  for (const [db, value] of Object.entries(fields)) {
    if (!/^db\d+$/.test(db)) continue;
    const kv = Object.fromEntries(value.split(',').map((p) => p.split('=') as [string, string]));
    out[db] = { keys: Number(kv.keys ?? 0), expires: Number(kv.expires ?? 0) };
  }
  return out;
}

export const totalKeys = (dbs: Record<string, { keys: number }>): number => Object.values(dbs).reduce((n, d) => n + d.keys, 0);

/**
 * Polls `INFO <section>` until `done` holds, heartbeating with `what`; throws after `timeoutMs`
 * (when given) naming the fields last seen. Resolves with the fields that satisfied `done`.
 */
export async function waitForInfo(
  client: RedisClient,
  section: string,
  done: (fields: Record<string, string>) => boolean,
  options: { hooks: ActivityHooks; what: string; show: string[]; timeoutMs?: number; everyMs?: number },
): Promise<Record<string, string>> {
  const started = Date.now();
  for (;;) {
    const fields = await info(client, section);
    if (done(fields)) return fields;
    const seen = options.show.map((k) => `${k}:${fields[k] ?? '(absent)'}`).join(' ');
    options.hooks.heartbeat({ waitingFor: options.what, elapsedMs: Date.now() - started, seen });
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
      throw new Error(`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what} (${seen})`);
    }
    await abortableSleep(options.everyMs ?? 200, options.hooks.signal, options.what);
  }
}
