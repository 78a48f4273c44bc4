// A local S3-compatible server for the tests and `npm start -- --with-s3`: versitygw (Apache-2.0,
// a single Go binary) serving a folder through its posix backend. Built once per machine with
// `go install` from the Go module proxy into ${XDG_CACHE_HOME:-~/.cache}/easymo-dr/versitygw-<v>/;
// a bucket is a folder under the served root, so creating one needs no S3 call.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { goInstall } from './go.mjs';
import { assertPortsFree } from './ports.mjs';
import { Supervisor } from './process.mjs';
import { cacheDir, waitUntil } from './util.mjs';

/** The pinned versitygw version: the only place it is written. */
export const VERSITYGW_VERSION = '1.7.0';
const MODULE = 'github.com/versity/versitygw/cmd/versitygw';

/** Where the binary is cached: ${XDG_CACHE_HOME:-$HOME/.cache}/easymo-dr/versitygw-<version>/versitygw. */
export function versitygwCachePath(env = process.env) {
  return join(cacheDir(env), `versitygw-${VERSITYGW_VERSION}`, 'versitygw');
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
  goInstall({
    what: 'versitygw',
    version: `v${VERSITYGW_VERSION}`,
    binaries: { [target]: MODULE },
    hint: 'or build versitygw yourself and set VERSITYGW_PATH.',
    env,
  });
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
