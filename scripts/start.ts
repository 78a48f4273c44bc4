// `npm start` (run through scripts/bootstrap.mjs, which installs node_modules first): the local stack
// on one machine, no Docker. Installs what is missing (the Temporal CLI), starts the Temporal dev server (SQLite in the state dir, UI, search attributes), the
// worker, and the demo PostgreSQL (unless --no-postgres); prints where to go; Ctrl-C stops it all.
// --cluster runs the real Temporal server on PostgreSQL with the UI server instead of the dev server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { acquireLock } from './lib/lock.js';
import { startPostgres, type LocalPostgres } from './lib/postgres.js';
import { ensurePgBackRest } from './lib/pgbackrest.js';
import { startKafka, type LocalKafka } from './lib/kafka.js';
import { startRedis, type LocalRedis } from './lib/redis.js';
import { startS3, type LocalS3 } from './lib/s3.js';
import { Supervisor, type SupervisedChild } from './lib/process.js';
import { ensureTemporalCli } from './lib/temporal-cli.js';
import { TEMPORAL_SERVER_VERSION, ensureTemporalServer, ensureTemporalUi } from './lib/temporal-build.js';
import { startTemporalCluster, type TemporalCluster } from './lib/temporal-cluster.js';
import { startTemporal, type TemporalServer } from './lib/temporal-server.js';
import { REPO_ROOT, say, waitUntil } from './lib/util.js';
import { demoDatabaseEnv, workerCommand } from './lib/worker-command.js';

const USAGE = `Usage: npm start [-- --cluster] [-- --no-postgres] [-- --with-s3] [-- --with-redis] [-- --with-kafka] [-- --no-worker]

Starts the Temporal dev server (UI on :8233), the easymo-dr worker and the demo PostgreSQL the
drills run against, on 127.0.0.1:54320 (its URL is given to the worker as DEMO_DATABASE_URL, and as
DATABASE_URL unless that is set; --no-postgres skips it). --with-s3 starts a local S3 server (versitygw, built with Go on first
use) on 127.0.0.1:9320 with bucket easymo-backups, and makes it the worker's backup store.
--with-redis starts a Redis on 127.0.0.1:6380 (REDIS_URL for the worker unless set); --with-kafka a
single-node Kafka on 127.0.0.1:9192 (KAFKA_BROKERS unless set; jars fetched from Maven Central once).
--no-worker starts the servers only (run the worker yourself: npm run worker).
--cluster runs the real Temporal server instead of the dev server (frontend, history, matching and
worker services, built with Go on first use) on its own PostgreSQL on 127.0.0.1:54330 (TEMPORAL_PG_PORT),
with the Temporal UI server; the cluster takes the nine ports after TEMPORAL_PORT.
Environment: DR_STATE_DIR (default .state), TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (TEMPORAL_PORT+1000),
TEMPORAL_NAMESPACE (default), DR_TASK_QUEUE (dr), TEMPORAL_CLI_PATH (use this temporal binary).`;

const DEMO_PG_PORT = Number(process.env.DEMO_PG_PORT ?? 54320);
const DEMO_S3_PORT = 9320;
const DEMO_S3_BUCKET = 'easymo-backups';
const DEMO_REDIS_PORT = 6380;
// Its KRaft controller takes the next port; 9192 keeps clear of a real 9092 and of npm test's 9093/9094.
const DEMO_KAFKA_PORT = 9192;

interface Options {
  withPostgres: boolean;
  withS3: boolean;
  withRedis: boolean;
  withKafka: boolean;
  worker: boolean;
  cluster: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  // The main job (npm run drill) needs the demo database, so it starts unless asked not to.
  const opts: Options = { withPostgres: true, withS3: false, withRedis: false, withKafka: false, worker: true, cluster: false };
  for (const arg of argv) {
    if (arg === '--cluster') opts.cluster = true;
    else if (arg === '--with-postgres') opts.withPostgres = true;
    else if (arg === '--no-postgres') opts.withPostgres = false;
    else if (arg === '--with-s3') opts.withS3 = true;
    else if (arg === '--with-redis') opts.withRedis = true;
    else if (arg === '--with-kafka') opts.withKafka = true;
    else if (arg === '--no-worker') opts.worker = false;
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`Unknown option ${arg}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return opts;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65_535) throw new Error(`${name}=${raw} is not a port number`);
  return n;
}

/** True once a worker whose identity is `<pid>@host` polls the task queue. */
function workerPolling(cli: string, { address, namespace, taskQueue, pid }: { address: string; namespace: string; taskQueue: string; pid: number | undefined }): boolean {
  const r = spawnSync(cli, ['task-queue', 'describe', '--task-queue', taskQueue, '--namespace', namespace, '--address', address, '-o', 'json'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0) return false;
  try {
    const pollers: { identity?: string }[] = (JSON.parse(r.stdout) as { pollers?: { identity?: string }[] }).pollers ?? [];
    return pollers.some((p) => String(p.identity ?? '').startsWith(`${pid}@`));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  const stateDir = resolve(REPO_ROOT, process.env.DR_STATE_DIR || '.state');
  const port = intFromEnv('TEMPORAL_PORT', 7233);
  const uiPort = intFromEnv('TEMPORAL_UI_PORT', port + 1000);
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const taskQueue = process.env.DR_TASK_QUEUE || 'dr';
  const uiUrl = `http://localhost:${uiPort}`;
  const address = `127.0.0.1:${port}`;

  const taken = acquireLock(join(stateDir, 'easymo-dr.pid'), { uiUrl, address, stateDir }, { log: say, cmd: 'start.ts' });
  if (!taken.ok) {
    const { pid } = taken.holder;
    const theirUi = typeof taken.holder.uiUrl === 'string' ? taken.holder.uiUrl : undefined;
    console.error(
      `easymo-dr is already running (pid ${pid}): UI at ${theirUi ?? uiUrl} — stop it with Ctrl-C in its terminal or \`kill ${pid}\``,
    );
    process.exit(1);
  }
  const { lock } = taken;

  let shuttingDown: Promise<void> | undefined;
  const supervisor = new Supervisor({ onUnexpectedExit: () => void shutdown(1) });
  const shutdown = (code: number): Promise<void> => {
    shuttingDown ??= (async () => {
      await supervisor.stopAll();
      lock.release();
      say(code === 0 ? 'stopped; nothing left running.' : 'stopped everything it had started.');
      process.exit(code);
    })();
    return shuttingDown;
  };
  supervisor.handleSignals(() => shutdown(0), 0);
  const recordChildren = () =>
    lock.update({ children: supervisor.livePids().map((c) => ({ ...c, cmd: CHILD_CMD[c.name] })) });

  try {
    const cli = ensureTemporalCli();
    if (opts.cluster) {
      ensureTemporalServer(); // built with `go install` the first time (minutes), cached after
      ensureTemporalUi();
    }
    // The pgbackrest.* steps run pgbackrest on the worker's host, next to the database it backs up.
    if (opts.withPostgres) ensurePgBackRest();
    if (opts.worker && !existsSync(join(REPO_ROOT, 'src', 'worker.ts'))) {
      throw new Error('src/worker.ts does not exist (yet): start the servers only with `npm start -- --no-worker`');
    }
    // With DR_CODEC_KEYS the worker encrypts payloads, and the UI decrypts them through `dr codec-server`.
    const codec = process.env.DR_CODEC_KEYS?.trim() ? startCodecServer({ uiUrl, supervisor, stateDir }) : undefined;
    say(`starting Temporal${opts.cluster ? ' (cluster)' : ''} on ${address} (UI ${uiUrl}), state in ${displayPath(stateDir)}/ ...`);
    const [temporal, pg, s3, redis, kafka] = await Promise.all([
      opts.cluster
        ? startClusterOnPostgres({ stateDir, port, uiPort, namespace, cli, supervisor, codecEndpoint: codec?.url })
        : startTemporal({ stateDir, port, uiPort, namespace, cli, supervisor, codecEndpoint: codec?.url }),
      opts.withPostgres
        ? startPostgres({ dataDir: join(stateDir, 'pg'), port: DEMO_PG_PORT, database: 'easymo_demo', supervisor })
        : undefined,
      opts.withS3 ? startS3({ dataDir: join(stateDir, 's3'), port: DEMO_S3_PORT, buckets: [DEMO_S3_BUCKET], supervisor }) : undefined,
      opts.withRedis ? startRedis({ dataDir: join(stateDir, 'redis'), port: DEMO_REDIS_PORT, supervisor }) : undefined,
      opts.withKafka ? startKafka({ dataDir: join(stateDir, 'kafka'), port: DEMO_KAFKA_PORT, supervisor }) : undefined,
    ]);
    CHILD_CMD.temporal = 'dbFile' in temporal ? temporal.dbFile : 'temporal-server';
    CHILD_CMD['temporal-postgres'] = 'pg' in temporal ? temporal.pg.dataDir : undefined;
    CHILD_CMD.postgres = pg ? pg.dataDir : undefined;
    recordChildren();

    let worker: SupervisedChild | undefined;
    if (opts.worker) {
      const env = {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: namespace,
        DR_TASK_QUEUE: taskQueue,
        DR_STATE_DIR: stateDir,
        DR_UI_URL: uiUrl,
        // runbooks/environments/local.yaml: the scenarios' inputs point at the demo PostgreSQL, so the
        // UI starts them with {"mode": "drill"} alone.
        DR_ENVIRONMENT: process.env.DR_ENVIRONMENT || 'local',
        ...(pg ? demoDatabaseEnv(pg.url) : {}),
        ...(redis ? { REDIS_URL: process.env.REDIS_URL || redis.url } : {}),
        ...(kafka ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS || kafka.brokers } : {}),
        ...(s3
          ? {
              DR_BACKUP_STORE: `s3://${DEMO_S3_BUCKET}`,
              DR_S3_ENDPOINT: s3.endpoint,
              DR_S3_FORCE_PATH_STYLE: 'true',
              AWS_ACCESS_KEY_ID: s3.accessKey,
              AWS_SECRET_ACCESS_KEY: s3.secretKey,
            }
          : {}),
      };
      const command = await workerCommand(stateDir);
      say(`starting the worker (${command.shown}) ...`);
      worker = supervisor.spawn('worker', process.execPath, command.args, {
        env: { ...env, ...command.env },
        cwd: REPO_ROOT,
        logFile: join(stateDir, 'worker.log'),
        echo: true,
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 20_000,
      });
      recordChildren();
      try {
        const spawned = worker;
        await waitUntil(() => workerPolling(cli, { address: temporal.address, namespace, taskQueue, pid: spawned.pid }), {
          timeoutMs: 120_000,
          intervalMs: 500,
          what: `the worker did not start polling task queue "${taskQueue}"`,
          abort: () => supervisor.deathReason(spawned),
        });
      } catch (err) {
        if (worker.exit) throw err; // it died: already reported, shutting down
        say(`warning: ${err instanceof Error ? err.message : String(err)}; it may still be starting (see ${join(stateDir, 'worker.log')}).`);
      }
    }
    if (codec) await codec.ready;
    printBanner({ started, uiUrl, address, namespace, taskQueue, stateDir, temporal, pg, s3, redis, kafka, worker, port, codec });
  } catch (err) {
    process.stderr.write(`\n[easymo-dr] ✖ ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
  }
}

/** Substrings of each service's command line, so a later run can tell them from unrelated processes. */
const CHILD_CMD: Record<string, string | undefined> = {
  temporal: 'start-dev',
  'temporal-ui': 'ui-server',
  'temporal-postgres': undefined,
  worker: 'src/worker.', // dist/src/worker.js, or src/worker.ts through tsx
  codec: 'codec-server',
  postgres: undefined,
  s3: 'versitygw',
  redis: 'redis.conf',
  kafka: 'kafka.Kafka',
};

/** --cluster: the real Temporal server on a PostgreSQL of its own (as in production), UI server beside it. */
async function startClusterOnPostgres({
  stateDir,
  ...options
}: Omit<Parameters<typeof startTemporalCluster>[0], 'pg'> & { supervisor: Supervisor }): Promise<TemporalCluster & { pg: LocalPostgres }> {
  const pgPort = intFromEnv('TEMPORAL_PG_PORT', 54330);
  const pg = await startPostgres({ dataDir: join(stateDir, 'temporal-pg'), port: pgPort, database: 'postgres', name: 'temporal-postgres', supervisor: options.supervisor });
  const cluster = await startTemporalCluster({ stateDir, pg, ...options });
  return { ...cluster, pg };
}

/** A path relative to the repo when inside it, else absolute. */
function displayPath(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** `dr codec-server` for the UI, on DR_CODEC_SERVER_PORT (8888); `ready` resolves once it answers. */
function startCodecServer({ uiUrl, supervisor, stateDir }: { uiUrl: string; supervisor: Supervisor; stateDir: string }): CodecServer {
  const port = intFromEnv('DR_CODEC_SERVER_PORT', 8888);
  const url = `http://localhost:${port}`;
  say(`payloads are encrypted (DR_CODEC_KEYS): starting dr codec-server on ${url} for the UI ...`);
  const child = supervisor.spawn('codec', process.execPath, ['bin/dr.js', 'codec-server', '--port', String(port), '--allow-origin', uiUrl], {
    cwd: REPO_ROOT,
    logFile: join(stateDir, 'codec-server.log'),
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5_000,
  });
  const ready = waitUntil(async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok, {
    timeoutMs: 30_000,
    intervalMs: 300,
    what: `dr codec-server did not answer on ${url}`,
    abort: () => supervisor.deathReason(child),
  });
  ready.catch(() => {}); // awaited before the banner
  return { url, child, ready };
}

interface CodecServer {
  url: string;
  child: SupervisedChild;
  ready: Promise<unknown>;
}

function printBanner({
  started,
  uiUrl,
  address,
  namespace,
  taskQueue,
  stateDir,
  temporal,
  pg,
  s3,
  redis,
  kafka,
  worker,
  port,
  codec,
}: {
  started: number;
  uiUrl: string;
  address: string;
  namespace: string;
  taskQueue: string;
  stateDir: string;
  temporal: TemporalServer | (TemporalCluster & { pg: LocalPostgres });
  pg: LocalPostgres | undefined;
  s3: LocalS3 | undefined;
  redis: LocalRedis | undefined;
  kafka: LocalKafka | undefined;
  worker: SupervisedChild | undefined;
  port: number;
  codec: CodecServer | undefined;
}): void {
  const rel = displayPath(stateDir);
  const rule = '─'.repeat(76);
  const lines = [
    '',
    rule,
    ` easymo-dr is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `   Temporal UI      ${uiUrl}`,
    'pg' in temporal
      ? `   Temporal cluster ${address}, namespace ${namespace}: temporal-server ${TEMPORAL_SERVER_VERSION} on PostgreSQL 127.0.0.1:${temporal.pg.port} (logs in ${rel}/)`
      : `   Temporal server  ${address}, namespace ${namespace} (state and logs in ${rel}/)`,
    worker
      ? `   Worker           pid ${worker.pid}, task queue \`${taskQueue}\` (log: ${rel}/worker.log)`
      : '   Worker           not started (--no-worker): run `npm run worker` yourself',
    ...(codec ? [`   Codec server     ${codec.url} (payloads encrypted; the UI shows them through it)`] : []),
    ...(pg ? [`   PostgreSQL       ${pg.url} (DEMO_DATABASE_URL)`] : []),
    ...(s3 ? [`   S3 (versitygw)   ${s3.endpoint}, bucket ${DEMO_S3_BUCKET}: the worker's backup store`] : []),
    ...(redis ? [`   Redis            ${redis.url} (REDIS_URL)`] : []),
    ...(kafka ? [`   Kafka            ${kafka.brokers} (KAFKA_BROKERS)`] : []),
    '',
    ' Start a scenario:',
    ...(port === 7233 ? [] : [`   export TEMPORAL_ADDRESS=${address}   (in the other terminal first)`]),
    '   npx dr start <runbook> --mode drill',
    `   or in the UI: Start Workflow, task queue \`${taskQueue}\`, workflow type \`runbook\`,`,
    '   input {"runbook": "<id>", "mode": "drill"}',
    '',
    ` Stop: Ctrl-C here (or \`kill ${process.pid}\`): everything started here stops with it.`,
    rule,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

await main();
