// A local S3-compatible server for the tests and `npm start -- --with-s3`: versitygw (Apache-2.0,
// a single Go binary) serving a folder through its posix backend. Built once per machine with
// `go install` from the Go module proxy into ${XDG_CACHE_HOME:-~/.cache}/easymo-dr/versitygw-<v>/;
// a bucket is a folder under the served root, so creating one needs no S3 call.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { assertPortsFree } from './ports.mjs';
import { Supervisor } from './process.mjs';
import { cacheDir, say, waitUntil } from './util.mjs';

/** The pinned versitygw version: the only place it is written. */
export const VERSITYGW_VERSION = '1.7.0';
const MODULE = 'github.com/versity/versitygw/cmd/versitygw';

/** Where the binary is cached: ${XDG_CACHE_HOME:-$HOME/.cache}/easymo-dr/versitygw-<version>/versitygw. */
export function versitygwCachePath(env = process.env) {
  return join(cacheDir(env), `versitygw-${VERSITYGW_VERSION}`, 'versitygw');
}

function findGo(env) {
  for (const candidate of [env.GO ?? 'go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * Returns the path of a versitygw binary: $VERSITYGW_PATH when set, else the cached build, building it
 * with `go install` the first time (a few minutes; needs Go and the Go module proxy).
 */
export function ensureS3Server(env = process.env) {
  if (env.VERSITYGW_PATH) {
    if (!existsSync(env.VERSITYGW_PATH)) throw new Error(`VERSITYGW_PATH=${env.VERSITYGW_PATH} does not exist`);
    return env.VERSITYGW_PATH;
  }
  const target = versitygwCachePath(env);
  if (existsSync(target)) return target;
  const go = findGo(env);
  if (!go) {
    throw new Error(
      'The local S3 server (versitygw) is built with Go, which was not found. Install Go 1.24+ ' +
        '(e.g. `apt-get install -y golang-go` or from go.dev), or build versitygw yourself and set VERSITYGW_PATH.',
    );
  }
  const started = Date.now();
  say(`Building versitygw ${VERSITYGW_VERSION} with go install (one time, a few minutes) into ${target} ...`);
  const bin = join(target, '..');
  mkdirSync(bin, { recursive: true });
  const r = spawnSync(go, ['install', `${MODULE}@v${VERSITYGW_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...env, GOBIN: bin, GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
  });
  if (r.status !== 0 || !existsSync(target)) {
    throw new Error(`go install ${MODULE}@v${VERSITYGW_VERSION} failed (exit ${r.status ?? r.signal}); set VERSITYGW_PATH to a versitygw binary to skip the build.`);
  }
  say(`versitygw ${VERSITYGW_VERSION} built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return target;
}

function healthy(port) {
  return new Promise((resolveProbe) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', timeout: 2_000 }, (res) => {
      res.resume();
      resolveProbe(res.statusCode === 200);
    });
    req.on('error', () => resolveProbe(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts versitygw on 127.0.0.1:`port` serving `dataDir` with one root account and the given buckets
 * (folders). `fresh` empties the folder first. Returns { endpoint, port, dataDir, accessKey,
 * secretKey, buckets, child, stop() }.
 */
export async function startS3({
  dataDir,
  port,
  buckets = ['easymo-backups'],
  accessKey = 'easymo-dr',
  secretKey = 'easymo-dr-local-secret',
  supervisor,
  logFile,
  fresh = false,
  timeoutMs = 30_000,
}) {
  const bin = ensureS3Server();
  const sup = supervisor ?? new Supervisor();
  dataDir = resolve(dataDir);
  logFile = logFile ?? `${dataDir}.log`;
  await assertPortsFree([{ port, what: 'S3 server' }]);
  if (fresh) rmSync(dataDir, { recursive: true, force: true });
  for (const bucket of buckets) mkdirSync(join(dataDir, bucket), { recursive: true });
  const args = ['--port', `127.0.0.1:${port}`, '--health', '/health', '--quiet', 'posix', dataDir];
  const child = sup.spawn('s3', bin, args, {
    // The keys go in the environment, not argv, where any user's `ps` would show them.
    env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKey, ROOT_SECRET_ACCESS_KEY: secretKey },
    logFile,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  await waitUntil(() => healthy(port), {
    timeoutMs,
    intervalMs: 100,
    what: `the S3 server (versitygw) on 127.0.0.1:${port} did not become ready`,
    abort: () => sup.deathReason(child),
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    accessKey,
    secretKey,
    buckets,
    logFile,
    child,
    stop: () => sup.stop(child),
  };
}
