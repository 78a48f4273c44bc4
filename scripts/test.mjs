#!/usr/bin/env node
// `npm test [-- paths...]`: type-check, lint, then every test file against a test stack of its own
// (Temporal on 7243 / UI 8243 with a fresh SQLite file, PostgreSQL on 54329, S3 (versitygw) on 9329, Redis on 6390, Kafka on
// 9093 when Kafka tests are selected), ports distinct from
// `npm start`'s so both can run at once. With DR_TEST_TEMPORAL=cluster, the real Temporal server on the
// test PostgreSQL replaces the dev server, and with no paths it runs the cluster profile (npm run
// test:cluster: scripts/lib/test-files.mjs). Exits non-zero when anything failed.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCli, staleReason } from './build-cli.mjs';
import { acquireLock } from './lib/lock.mjs';
import { ensureChromium } from './lib/chromium.mjs';
import { ensureKafka, startKafka } from './lib/kafka.mjs';
import { ensureNodeModules } from './lib/node-modules.mjs';
import { ensurePostgres, startPostgres } from './lib/postgres.mjs';
import { assertPortsFree } from './lib/ports.mjs';
import { Supervisor } from './lib/process.mjs';
import { ensurePgBackRest } from './lib/pgbackrest.mjs';
import { ensureRedis, startRedis } from './lib/redis.mjs';
import { ensureS3Server, startS3 } from './lib/s3.mjs';
import { ensureTemporalCli } from './lib/temporal-cli.mjs';
import { ensureTemporalServer, ensureTemporalUi } from './lib/temporal-build.mjs';
import { clusterPorts } from './lib/temporal-cluster-config.mjs';
import { startTemporalCluster } from './lib/temporal-cluster.mjs';
import { startTemporal } from './lib/temporal-server.mjs';
import { clusterProfileFiles, findTestFiles } from './lib/test-files.mjs';
import { REPO_ROOT, say } from './lib/util.mjs';

function portFromEnv(name, fallback) {
  const n = Number(process.env[name] || fallback);
  if (!Number.isInteger(n) || n <= 0 || n > 65_535) throw new Error(`${name}=${process.env[name]} is not a port number`);
  return n;
}
// Fixed by default so a developer knows them; overridable when something else on the machine holds one.
export const TEST_TEMPORAL_PORT = portFromEnv('DR_TEST_TEMPORAL_PORT', 7243);
export const TEST_TEMPORAL_UI_PORT = portFromEnv('DR_TEST_TEMPORAL_UI_PORT', 8243);
export const TEST_PG_PORT = portFromEnv('DR_TEST_PG_PORT', 54329);
export const TEST_PG_DATABASE = 'dr_test';
export const TEST_S3_PORT = portFromEnv('DR_TEST_S3_PORT', 9329);
export const TEST_S3_BUCKET = 'dr-test';
export const TEST_REDIS_PORT = portFromEnv('DR_TEST_REDIS_PORT', 6390);
/** The broker's client port; its KRaft controller listens on the next port. */
export const TEST_KAFKA_PORT = portFromEnv('DR_TEST_KAFKA_PORT', 9093);
/** Where the test UI expects `dr codec-server` (the UI tests start it); the UI is started pointing there. */
export const TEST_CODEC_PORT = portFromEnv('DR_TEST_CODEC_PORT', 8289);
/** Debian's Chromium is installed (apt-get) only when a browser test is selected. */
const NEEDS_BROWSER = /(^|\/)test\/e2e\/ui[^/]*$/;
/** Kafka (a JVM, ~400 MB) starts only for test files named kafka* or data-*; a full `npm test` (CI) always has them. */
const NEEDS_KAFKA = /(^|\/)test\/[^/]+\/(kafka|data-)[^/]*$/;
/**
 * DR_TEST_TEMPORAL=cluster runs the tests on the real Temporal server (built with Go on first use) on
 * the test PostgreSQL, with the Temporal UI server, instead of the dev server; `dev` (default) keeps it.
 */
const TEMPORAL_PROFILE = process.env.DR_TEST_TEMPORAL || 'dev';
/** DR_TEST_CHECKS=skip leaves out tsc and eslint (CI runs them once, in the first of its two runs). */
const RUN_CHECKS = process.env.DR_TEST_CHECKS !== 'skip';
/** The whole run is cut off after this long, leaving CI (90 min) time to report. */
const TEST_RUN_LIMIT_MS = Number(process.env.DR_TEST_RUN_LIMIT_MIN || 70) * 60_000;

/**
 * Runs a command to completion in our process group (Ctrl-C reaches it). Output is inherited, or with
 * `buffer` collected and printed in one block at the end (for commands that run side by side).
 */
function run(label, command, args, { env = process.env, limitMs, buffer = false } = {}) {
  const started = Date.now();
  say(`${label}: ${[command, ...args].join(' ').replace(REPO_ROOT + '/', '')}`);
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', buffer ? 'pipe' : 'inherit', buffer ? 'pipe' : 'inherit'] });
    const chunks = [];
    if (buffer) {
      child.stdout.on('data', (d) => chunks.push(d));
      child.stderr.on('data', (d) => chunks.push(d));
    }
    let timer;
    if (limitMs) {
      timer = setTimeout(() => {
        say(`${label}: still running after ${Math.round(limitMs / 60_000)} min: stopping it.`);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }, limitMs);
    }
    const finish = (code) => {
      clearTimeout(timer);
      if (chunks.length > 0) process.stdout.write(Buffer.concat(chunks));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      say(`${label}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s`);
      resolveRun(code);
    };
    child.on('error', (err) => {
      say(`${label}: could not run ${command}: ${err.message}`);
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}

async function main() {
  const started = Date.now();
  const paths = process.argv.slice(2).filter((a) => a !== '--');
  const stateDir = resolve(REPO_ROOT, '.state', 'test');

  const taken = acquireLock(join(stateDir, 'npm-test.pid'), {}, { log: say, cmd: 'test.mjs' });
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

  ensureNodeModules();
  // The tests run `bin/dr.js`, which would recompile a stale dist/src itself; doing it once here keeps
  // that out of the first test's time.
  const staleCli = staleReason();
  if (staleCli) {
    say(`${staleCli}: compiling the CLI to dist/src`);
    await buildCli();
  }
  const cli = ensureTemporalCli();
  ensurePostgres();
  ensureS3Server(); // built with `go install` the first time (minutes), cached after
  if (cluster) {
    ensureTemporalServer(); // the same, for the Temporal server, its SQL tool and the UI server
    ensureTemporalUi();
  }
  ensureRedis();
  ensurePgBackRest(); // the pgbackrest.* tests start their own archiving PostgreSQL (DR_TEST_PITR_PORT and the next 6)
  const wantKafka = files.some((f) => NEEDS_KAFKA.test(f));
  if (wantKafka) ensureKafka();
  const chromium = files.some((f) => NEEDS_BROWSER.test(f)) ? ensureChromium() : undefined;
  // Fail fast, before a minute of type-checking, when a port of the test stack is taken.
  await assertPortsFree(
    [
      ...(cluster
        ? Object.entries(clusterPorts(TEST_TEMPORAL_PORT)).map(([name, port]) => ({ port, what: `test Temporal cluster (${name})` }))
        : [{ port: TEST_TEMPORAL_PORT, what: 'test Temporal frontend' }]),
      { port: TEST_TEMPORAL_UI_PORT, what: 'test Temporal UI' },
      { port: TEST_CODEC_PORT, what: 'test codec server (UI tests)' },
      { port: TEST_PG_PORT, what: 'test PostgreSQL' },
      { port: TEST_S3_PORT, what: 'test S3 server' },
      { port: TEST_REDIS_PORT, what: 'test Redis' },
      ...(wantKafka ? [{ port: TEST_KAFKA_PORT, what: 'test Kafka broker' }, { port: TEST_KAFKA_PORT + 1, what: 'test Kafka controller' }] : []),
    ],
    'Stop that program, or pick other ports: DR_TEST_TEMPORAL_PORT=... DR_TEST_TEMPORAL_UI_PORT=... DR_TEST_PG_PORT=... DR_TEST_S3_PORT=... DR_TEST_REDIS_PORT=... DR_TEST_KAFKA_PORT=... DR_TEST_CODEC_PORT=... npm test',
  );

  let serviceDied;
  const supervisor = new Supervisor({ onUnexpectedExit: (child) => (serviceDied = child) });
  supervisor.handleSignals(async () => {
    await supervisor.stopAll();
    lock.release();
  }, 130);

  // The services start while tsc and eslint run.
  const temporalOptions = {
    stateDir,
    port: TEST_TEMPORAL_PORT,
    uiPort: TEST_TEMPORAL_UI_PORT,
    cli,
    supervisor,
    fresh: true,
    codecEndpoint: `http://localhost:${TEST_CODEC_PORT}`,
  };
  const pgReady = startPostgres({ dataDir: join(stateDir, 'pg'), port: TEST_PG_PORT, database: TEST_PG_DATABASE, supervisor, fast: true });
  const stack = Promise.all([
    // The cluster keeps its two databases in the test PostgreSQL, beside the tests' own.
    cluster ? pgReady.then((pg) => startTemporalCluster({ ...temporalOptions, pg })) : startTemporal(temporalOptions),
    pgReady,
    startS3({ dataDir: join(stateDir, 's3'), port: TEST_S3_PORT, buckets: [TEST_S3_BUCKET], supervisor, fresh: true }),
  ]);
  stack.catch(() => {}); // handled below; avoids an unhandled rejection while the checks run
  // Redis and Kafka for the redis.* / kafka.* integration tests, fresh each run.
  const dataServices = Promise.all([
    startRedis({ dataDir: join(stateDir, 'redis'), port: TEST_REDIS_PORT, supervisor, fresh: true }),
    wantKafka ? startKafka({ dataDir: join(stateDir, 'kafka'), port: TEST_KAFKA_PORT, supervisor, fresh: true }) : undefined,
  ]);
  dataServices.catch(() => {});

  const bin = (name) => join(REPO_ROOT, 'node_modules', '.bin', name);
  const results = {};
  // One after the other (on 2 cores side by side is no faster); a failure does not stop the tests.
  if (RUN_CHECKS) {
    results.tsc = await run('tsc', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', '.cache/tsc/tsbuildinfo']);
    results.eslint = await run('eslint', bin('eslint'), ['.']);
  }

  let temporal;
  let pg;
  let s3;
  let redis;
  let kafka;
  try {
    [temporal, pg, s3] = await stack;
    [redis, kafka] = await dataServices;
  } catch (err) {
    process.stderr.write(`[easymo-dr] ✖ the test stack did not start: ${err.message}\n`);
    await supervisor.stopAll();
    return 1;
  }
  say(`test stack up: Temporal ${cluster ? 'cluster ' : ''}${temporal.address} (UI ${temporal.uiUrl}), PostgreSQL ${pg.url}, S3 ${s3.endpoint}`);
  say(`  Redis ${redis.url}, Kafka ${kafka ? kafka.brokers : 'not started (no kafka* or data-* test file selected)'}`);

  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_CLI_PATH: cli,
    DR_TEST_PG_URL: pg.url,
    DR_TEST_S3_ENDPOINT: s3.endpoint,
    DR_TEST_S3_BUCKET: TEST_S3_BUCKET,
    DR_TEST_S3_ACCESS_KEY: s3.accessKey,
    DR_TEST_S3_SECRET_KEY: s3.secretKey,
    DR_TEST_REDIS_URL: redis.url,
    ...(kafka ? { DR_TEST_KAFKA_BROKERS: kafka.brokers } : {}),
    DR_TEST_STATE_DIR: stateDir,
    DR_TEST_TEMPORAL: TEMPORAL_PROFILE,
    DR_TEST_TEMPORAL_UI_URL: temporal.uiUrl,
    DR_TEST_CODEC_URL: `http://localhost:${TEST_CODEC_PORT}`,
    ...(chromium ? { DR_TEST_CHROMIUM: chromium } : {}),
  };
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
  if (results.tests !== 0) return results.tests;
  return (results.tsc ?? 0) !== 0 || (results.eslint ?? 0) !== 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[easymo-dr] ✖ ${err.message}\n`);
    process.exit(1);
  },
);
