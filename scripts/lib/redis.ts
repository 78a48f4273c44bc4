// A throw-away local Redis (no Docker): Debian's redis-server, run from a config file written into
// its data dir on first use (so CONFIG REWRITE, which the restore procedure relies on, has a file to
// rewrite), bound to 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { assertPortsFree } from './ports.js';
import { Supervisor, type SupervisedChild } from './process.js';
import { isRoot, say, waitUntil } from './util.js';

const APT_PACKAGE = 'redis-server';

export interface RedisConfOptions {
  port: number;
  dataDir: string;
  daemonize?: boolean;
  pidFile?: string;
  logFile?: string;
  appendonly?: boolean;
}

export interface LocalRedis {
  url: string;
  port: number;
  dataDir: string;
  confFile: string;
  logFile: string;
  child: SupervisedChild;
  stop(): Promise<void>;
}

function which(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Returns the path of `redis-server`. Installs Debian's redis-server package (which brings
 * redis-cli) when it is missing and we are root; otherwise says what to install.
 */
export function ensureRedis(): string {
  const found = which('redis-server');
  if (found) return found;
  const canApt = isRoot() && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    throw new Error(
      `redis-server was not found on PATH. Install it, e.g. \`sudo apt-get install -y ${APT_PACKAGE}\` (Debian/Ubuntu), then run this again.`,
    );
  }
  say(`redis-server not found: installing ${APT_PACKAGE} with apt-get (one time) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // The package's own service is not wanted here: policy-rc.d is honoured by invoke-rc.d only, and
  // there is no init in a container anyway; we run our own instance.
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', APT_PACKAGE]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  const installed = which('redis-server');
  if (!installed) throw new Error(`${APT_PACKAGE} was installed but redis-server is not on PATH`);
  return installed;
}

/** The config file text for a local instance (exported for tests). */
export function redisConfText({ port, dataDir, daemonize = false, pidFile, logFile, appendonly = false }: RedisConfOptions): string {
  const lines = [
    '# Written by easymo-dr scripts/lib/redis.ts on first start; CONFIG REWRITE may change it later.',
    'bind 127.0.0.1',
    'protected-mode yes',
    `port ${port}`,
    `dir ${dataDir}`,
    'dbfilename dump.rdb',
    // No automatic snapshots: a test decides when Redis saves.
    'save ""',
    `appendonly ${appendonly ? 'yes' : 'no'}`,
    'appendfsync everysec',
    `daemonize ${daemonize ? 'yes' : 'no'}`,
  ];
  if (pidFile) lines.push(`pidfile ${pidFile}`);
  lines.push(`logfile "${logFile ?? ''}"`);
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `dataDir/redis.conf` unless it exists (a restart keeps what CONFIG REWRITE put there)
 * and returns its path. `fresh` writes it anew.
 */
export function writeRedisConf({ dataDir, fresh = false, ...options }: RedisConfOptions & { fresh?: boolean }): string {
  dataDir = resolve(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'redis.conf');
  if (fresh || !existsSync(file)) writeFileSync(file, redisConfText({ dataDir, ...options }));
  return file;
}

/** Resolves true when a RESP PING on 127.0.0.1:port answers +PONG within `timeoutMs`. */
export function redisPing(port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePing(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

/**
 * Starts redis-server in the foreground under `supervisor` with its data and config file in
 * `dataDir`, on 127.0.0.1:`port`. `fresh` starts from an empty data dir and a new config file.
 * Returns { url, port, dataDir, confFile, logFile, child, stop() }.
 */
export async function startRedis({
  dataDir,
  port,
  supervisor,
  logFile,
  fresh = false,
  timeoutMs = 30_000,
}: {
  dataDir: string;
  port: number;
  supervisor?: Supervisor | undefined;
  logFile?: string;
  fresh?: boolean;
  timeoutMs?: number;
}): Promise<LocalRedis> {
  const server = ensureRedis();
  const sup = supervisor ?? new Supervisor();
  dataDir = resolve(dataDir);
  logFile = logFile ?? `${dataDir}.log`;
  await assertPortsFree([{ port, what: 'Redis' }]);
  if (fresh) rmSync(dataDir, { recursive: true, force: true });
  const confFile = writeRedisConf({ dataDir, port });
  const child = sup.spawn('redis', server, [confFile], {
    logFile,
    cwd: dataDir,
    stopSignal: 'SIGTERM', // redis-server saves nothing (save "") and exits cleanly on SIGTERM
    signalLeaderOnly: true,
    stopTimeoutMs: 10_000,
  });
  await waitUntil(() => redisPing(port), {
    timeoutMs,
    intervalMs: 100,
    what: `Redis on 127.0.0.1:${port} did not answer PING`,
    abort: () => sup.deathReason(child),
  });
  return { url: `redis://127.0.0.1:${port}`, port, dataDir, confFile, logFile, child, stop: () => sup.stop(child) };
}
