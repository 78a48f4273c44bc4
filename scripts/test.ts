// `npm test [-- paths...]` (run through scripts/bootstrap.mjs): with no paths, type-check, lint, then
// every test file; with paths, only the test files there (tsc and eslint only with DR_TEST_CHECKS=run).
// Each run gets a test stack of its own, with only the services its files need (their tiers decide:
// scripts/lib/test-files.ts), so `npm test -- test/unit` starts none: Temporal on 7243 / UI 8243
// with a fresh SQLite file, PostgreSQL on 54329, S3 (versitygw) on 9329, Redis on 6390, Kafka on
// 9093, ports distinct from `npm start`'s so both can run at once. With DR_TEST_TEMPORAL=cluster,
// the real Temporal server on the test PostgreSQL replaces the dev server, and with no paths it runs
// the cluster profile (npm run test:cluster: scripts/lib/test-files.ts). Exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCli, staleReason } from './build-cli.mjs';
import { acquireLock } from './lib/lock.js';
import { ensureChromium } from './lib/chromium.js';
import { ensureKafka, startKafka, type LocalKafka } from './lib/kafka.js';
import { ensurePostgres, startPostgres, type LocalPostgres } from './lib/postgres.js';
import { assertPortsFree } from './lib/ports.js';
import { Supervisor, type SupervisedChild } from './lib/process.js';
import { ensurePgBackRest } from './lib/pgbackrest.js';
import { ensureRedis, startRedis, type LocalRedis } from './lib/redis.js';
import { ensureS3Server, startS3, type LocalS3 } from './lib/s3.js';
import { ensureTemporalCli } from './lib/temporal-cli.js';
import { ensureTemporalServer, ensureTemporalUi } from './lib/temporal-build.js';
import { clusterPorts } from './lib/temporal-cluster-config.js';
import { startTemporalCluster } from './lib/temporal-cluster.js';
import { startTemporal } from './lib/temporal-server.js';
import { clusterProfileFiles, findTestFiles, servicesForFiles } from './lib/test-files.js';
import { REPO_ROOT, say } from './lib/util.js';

function portFromEnv(name: string, fallback: number): number {
  const n = Number(process.env[name] || fallback);
  if (!Number.isInteger(n) || n <= 0 || n > 65_535) throw new Error(`${name}=${process.env[name]} is not a port number`);
  return n;
}
// Fixed by default so a developer knows them; overridable when something else on the machine holds one.
const TEST_TEMPORAL_PORT = portFromEnv('DR_TEST_TEMPORAL_PORT', 7243);
const TEST_TEMPORAL_UI_PORT = portFromEnv('DR_TEST_TEMPORAL_UI_PORT', 8243);
const TEST_PG_PORT = portFromEnv('DR_TEST_PG_PORT', 54329);
const TEST_PG_DATABASE = 'dr_test';
const TEST_S3_PORT = portFromEnv('DR_TEST_S3_PORT', 9329);
const TEST_S3_BUCKET = 'dr-test';
const TEST_REDIS_PORT = portFromEnv('DR_TEST_REDIS_PORT', 6390);
/** The broker's client port; its KRaft controller listens on the next port. */
const TEST_KAFKA_PORT = portFromEnv('DR_TEST_KAFKA_PORT', 9093);
/** Where the test UI expects `dr codec-server` (the UI tests start it); the UI is started pointing there. */
const TEST_CODEC_PORT = portFromEnv('DR_TEST_CODEC_PORT', 8289);
/**
 * DR_TEST_TEMPORAL=cluster runs the tests on the real Temporal server (built with Go on first use) on
 * the test PostgreSQL, with the Temporal UI server, instead of the dev server; `dev` (default) keeps it.
 */
const TEMPORAL_PROFILE = process.env.DR_TEST_TEMPORAL || 'dev';
/**
 * tsc and eslint run when no paths are given (what CI runs) and are left out when paths are (the
 * inner loop); DR_TEST_CHECKS=run or =skip decides either way (CI's second run skips them).
 */
function runChecks(paths: readonly string[]): boolean {
  const choice = process.env.DR_TEST_CHECKS;
  if (choice === 'run') return true;
  if (choice === 'skip') return false;
  if (choice) throw new Error(`DR_TEST_CHECKS must be \`run\` or \`skip\`, got \`${choice}\``);
  return paths.length === 0;
}
/** The whole run is cut off after this long, leaving CI (90 min) time to report. */
const TEST_RUN_LIMIT_MS = Number(process.env.DR_TEST_RUN_LIMIT_MIN || 70) * 60_000;

/** Runs a command to completion in our process group (Ctrl-C reaches it), its output inherited; resolves its exit code. */
function run(label: string, command: string, args: readonly string[], { env = process.env, limitMs }: { env?: NodeJS.ProcessEnv; limitMs?: number } = {}): Promise<number> {
  const started = Date.now();
  say(`${label}: ${[command, ...args].join(' ').replace(REPO_ROOT + '/', '')}`);
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    let timer: NodeJS.Timeout | undefined;
    if (limitMs) {
      timer = setTimeout(() => {
        say(`${label}: still running after ${Math.round(limitMs / 60_000)} min: stopping it.`);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }, limitMs);
    }
    const finish = (code: number) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      say(`${label}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s`);
      resolveRun(code);
    };
    child.on('error', (err) => {
      say(`${label}: could not run ${command}: ${err.message}`);
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const paths = process.argv.slice(2).filter((a) => a !== '--');
  const stateDir = resolve(REPO_ROOT, '.state', 'test');
  const checks = runChecks(paths);

  const taken = acquireLock(join(stateDir, 'npm-test.pid'), {}, { log: say, cmd: 'test.ts' });
  if (!taken.ok) {
    console.error(
      `npm test is already running in this folder (pid ${taken.holder.pid}); wait for it, or stop it with \`kill ${taken.holder.pid}\`.`,
    );
    process.exit(1);
  }
  const { lock } = taken;

  if (!['dev', 'cluster'].includes(TEMPORAL_PROFILE)) {
    throw new Error(`DR_TEST_TEMPORAL must be \`dev\` (the dev server, default) or \`cluster\` (the real server), got \`${TEMPORAL_PROFILE}\``);
  }
  const cluster = TEMPORAL_PROFILE === 'cluster';
  // The cluster profile with no paths runs its own list (CLUSTER_PROFILE and every chaos test).
  const files = cluster && paths.length === 0 ? clusterProfileFiles(REPO_ROOT) : findTestFiles(REPO_ROOT, paths);
  if (files.length === 0) {
    throw new Error(
      `no test files (*.test.ts) found under ${paths.length ? paths.join(', ') : 'test/'}: refusing to pass with no tests.`,
    );
  }
  const services = new Set(servicesForFiles(files));
  const want = {
    temporal: services.has('temporal'),
    // The cluster keeps its databases in the test PostgreSQL.
    postgres: services.has('postgres') || (cluster && services.has('temporal')),
    s3: services.has('s3'),
    redis: services.has('redis'),
    kafka: services.has('kafka'),
  };
  say(`${files.length} test file(s); services: ${[...services].join(', ') || 'none'}${checks ? '' : '; tsc and eslint left out (paths given: DR_TEST_CHECKS=run adds them)'}`);

  // The tests run `bin/dr.js`, which would recompile a stale dist/src itself; doing it once here keeps
  // that out of the first test's time.
  const staleCli = staleReason();
  if (staleCli) {
    say(`${staleCli}: compiling the CLI to dist/src`);
    await buildCli();
  }
  const cli = want.temporal ? ensureTemporalCli() : undefined;
  if (want.postgres) {
    ensurePostgres();
    ensurePgBackRest(); // the pgbackrest.* tests start their own archiving PostgreSQL (DR_TEST_PITR_PORT and the next 6)
  }
  if (want.s3) ensureS3Server(); // built with `go install` the first time (minutes), cached after
  if (cluster && want.temporal) {
    ensureTemporalServer(); // the same, for the Temporal server, its SQL tool and the UI server
    ensureTemporalUi();
  }
  if (want.redis) ensureRedis();
  if (want.kafka) ensureKafka();
  const chromium = services.has('chromium') ? ensureChromium() : undefined;
  // Fail fast, before a minute of type-checking, when a port of the test stack is taken.
  await assertPortsFree(
    [
      ...(!want.temporal
        ? []
        : cluster
          ? Object.entries(clusterPorts(TEST_TEMPORAL_PORT)).map(([name, port]) => ({ port, what: `test Temporal cluster (${name})` }))
          : [{ port: TEST_TEMPORAL_PORT, what: 'test Temporal frontend' }]),
      ...(want.temporal
        ? [
            { port: TEST_TEMPORAL_UI_PORT, what: 'test Temporal UI' },
            { port: TEST_CODEC_PORT, what: 'test codec server (UI tests)' },
          ]
        : []),
      ...(want.postgres ? [{ port: TEST_PG_PORT, what: 'test PostgreSQL' }] : []),
      ...(want.s3 ? [{ port: TEST_S3_PORT, what: 'test S3 server' }] : []),
      ...(want.redis ? [{ port: TEST_REDIS_PORT, what: 'test Redis' }] : []),
      ...(want.kafka
        ? [
            { port: TEST_KAFKA_PORT, what: 'test Kafka broker' },
            { port: TEST_KAFKA_PORT + 1, what: 'test Kafka controller' },
          ]
        : []),
    ],
    'Stop that program, or pick other ports: DR_TEST_TEMPORAL_PORT=... DR_TEST_TEMPORAL_UI_PORT=... DR_TEST_PG_PORT=... DR_TEST_S3_PORT=... DR_TEST_REDIS_PORT=... DR_TEST_KAFKA_PORT=... DR_TEST_CODEC_PORT=... npm test',
  );

  let serviceDied: SupervisedChild | undefined;
  const supervisor = new Supervisor({ onUnexpectedExit: (child) => (serviceDied = child) });
  supervisor.handleSignals(async () => {
    await supervisor.stopAll();
    lock.release();
  }, 130);

  // The services start while tsc and eslint run; each is undefined when no selected file needs it.
  const temporalOptions = {
    stateDir,
    port: TEST_TEMPORAL_PORT,
    uiPort: TEST_TEMPORAL_UI_PORT,
    cli: cli!,
    supervisor,
    fresh: true,
    codecEndpoint: `http://localhost:${TEST_CODEC_PORT}`,
  };
  const pgReady: Promise<LocalPostgres | undefined> = want.postgres
    ? startPostgres({ dataDir: join(stateDir, 'pg'), port: TEST_PG_PORT, database: TEST_PG_DATABASE, supervisor, fast: true })
    : Promise.resolve(undefined);
  const stack = Promise.all([
    !want.temporal
      ? undefined
      : cluster
        ? pgReady.then((pg) => startTemporalCluster({ ...temporalOptions, pg: pg! }))
        : startTemporal(temporalOptions),
    pgReady,
    want.s3 ? startS3({ dataDir: join(stateDir, 's3'), port: TEST_S3_PORT, buckets: [TEST_S3_BUCKET], supervisor, fresh: true }) : undefined,
    // Redis and Kafka for the redis.* / kafka.* / data-* tests, fresh each run.
    want.redis ? startRedis({ dataDir: join(stateDir, 'redis'), port: TEST_REDIS_PORT, supervisor, fresh: true }) : undefined,
    want.kafka ? startKafka({ dataDir: join(stateDir, 'kafka'), port: TEST_KAFKA_PORT, supervisor, fresh: true }) : undefined,
  ]);
  stack.catch(() => {}); // handled below; avoids an unhandled rejection while the checks run

  const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
  const results: Record<string, number> = {};
  // One after the other (on 2 cores side by side is no faster); a failure does not stop the tests.
  if (checks) {
    results.tsc = await run('tsc', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', '.cache/tsc/tsbuildinfo']);
    results.eslint = await run('eslint', bin('eslint'), ['.']);
  }

  let temporal, pg: LocalPostgres | undefined, s3: LocalS3 | undefined, redis: LocalRedis | undefined, kafka: LocalKafka | undefined;
  try {
    [temporal, pg, s3, redis, kafka] = await stack;
  } catch (err) {
    process.stderr.write(`[easymo-dr] ✖ the test stack did not start: ${err instanceof Error ? err.message : String(err)}\n`);
    await supervisor.stopAll();
    lock.release();
    return 1;
  }
  const up = [
    temporal && `Temporal ${cluster ? 'cluster ' : ''}${temporal.address} (UI ${temporal.uiUrl})`,
    pg && `PostgreSQL ${pg.url}`,
    s3 && `S3 ${s3.endpoint}`,
    redis && `Redis ${redis.url}`,
    kafka && `Kafka ${kafka.brokers}`,
  ].filter(Boolean);
  if (up.length > 0) say(`test stack up: ${up.join(', ')}`);

  // Coordinates of what runs, and none of what does not: a developer's own TEMPORAL_ADDRESS (say, for
  // their `npm start`) must not reach a test that was given no Temporal.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(TEMPORAL_ADDRESS|TEMPORAL_NAMESPACE|TEMPORAL_CLI_PATH|DR_TEST_(PG_URL|S3_.+|REDIS_URL|KAFKA_BROKERS|TEMPORAL_UI_URL|CODEC_URL|CHROMIUM))$/.test(name)) delete env[name];
  Object.assign(env, {
    DR_TEST_SERVICES: [...services].join(','),
    DR_TEST_STATE_DIR: stateDir,
    DR_TEST_TEMPORAL: TEMPORAL_PROFILE,
    ...(temporal
      ? {
          TEMPORAL_ADDRESS: temporal.address,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_CLI_PATH: cli,
          DR_TEST_TEMPORAL_UI_URL: temporal.uiUrl,
          DR_TEST_CODEC_URL: `http://localhost:${TEST_CODEC_PORT}`,
        }
      : {}),
    ...(pg ? { DR_TEST_PG_URL: pg.url } : {}),
    ...(s3
      ? { DR_TEST_S3_ENDPOINT: s3.endpoint, DR_TEST_S3_BUCKET: TEST_S3_BUCKET, DR_TEST_S3_ACCESS_KEY: s3.accessKey, DR_TEST_S3_SECRET_KEY: s3.secretKey }
      : {}),
    ...(redis ? { DR_TEST_REDIS_URL: redis.url } : {}),
    ...(kafka ? { DR_TEST_KAFKA_BROKERS: kafka.brokers } : {}),
    ...(chromium ? { DR_TEST_CHROMIUM: chromium } : {}),
  });
  say(`running ${files.length} test file(s)`);
  results.tests = await run(
    'tests',
    process.execPath,
    // A test that hangs (a wait nobody answers) fails alone instead of using up the whole run's limit.
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=1200000', ...files],
    { env, limitMs: Math.max(60_000, TEST_RUN_LIMIT_MS - (Date.now() - started)) },
  );

  await supervisor.stopAll();
  lock.release();
  if (serviceDied) say(`note: ${serviceDied.name} died during the run (see above); that may explain failures.`);
  const verdict = Object.entries(results).map(([k, code]) => `${k} ${code === 0 ? 'ok' : 'FAILED'}`);
  say(`${verdict.join(', ')} — ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  if (results.tests !== 0) return results.tests!;
  return (results.tsc ?? 0) !== 0 || (results.eslint ?? 0) !== 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[easymo-dr] ✖ ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
