// A local S3-compatible server for the tests and `npm start -- --with-s3`: versitygw (Apache-2.0,
// a single Go binary) serving a folder through its posix backend. Built once per machine with
// `go install` from the Go module proxy into ${XDG_CACHE_HOME:-~/.cache}/easymo-dr/versitygw-<v>/;
// a bucket is a folder under the served root, so creating one needs no S3 call.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { goInstall } from './go.js';
import { assertPortsFree } from './ports.js';
import { Supervisor, type SupervisedChild } from './process.js';
import { cacheDir, waitUntil } from './util.js';

/** The pinned versitygw version: the only place it is written. */
export const VERSITYGW_VERSION = '1.7.0';
const MODULE = 'github.com/versity/versitygw/cmd/versitygw';

export interface LocalS3 {
  endpoint: string;
  port: number;
  dataDir: string;
  accessKey: string;
  secretKey: string;
  buckets: string[];
  /** The self-signed certificate, with `tls`. */
  caFile: string | undefined;
  logFile: string;
  child: SupervisedChild;
  stop(): Promise<void>;
}

/** Where the binary is cached: ${XDG_CACHE_HOME:-$HOME/.cache}/easymo-dr/versitygw-<version>/versitygw. */
export function versitygwCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), `versitygw-${VERSITYGW_VERSION}`, 'versitygw');
}

/**
 * Returns the path of a versitygw binary: $VERSITYGW_PATH when set, else the cached build, building it
 * with `go install` the first time (a few minutes; needs Go and the Go module proxy).
 */
export function ensureS3Server(env: NodeJS.ProcessEnv = process.env): string {
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

function healthy(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const send = tls ? httpsRequest : request;
    // Our own self-signed certificate: the probe only asks whether the server answers.
    const req = send({ host: '127.0.0.1', port, path: '/health', timeout: 2_000, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolveProbe(res.statusCode === 200);
    });
    req.on('error', () => resolveProbe(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * A self-signed certificate for 127.0.0.1 (made once with openssl into `dir`): clients that speak
 * HTTPS only, such as pgBackRest's S3 repository, trust it through its file (`caFile`).
 */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  mkdirSync(dir, { recursive: true });
  // The IP as a DNS name too: pgBackRest 2.45 matches the host against DNS names only.
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '3650',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl could not make a self-signed certificate: ${r.stderr || r.error?.message}`);
  return { cert, key };
}

/**
 * Starts versitygw on 127.0.0.1:`port` serving `dataDir` with one root account and the given buckets
 * (folders). `fresh` empties the folder first; `tls` serves HTTPS with a self-signed certificate
 * (its file is `caFile` in the result). Returns { endpoint, port, dataDir, accessKey, secretKey,
 * buckets, caFile, child, stop() }.
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
  tls = false,
  timeoutMs = 30_000,
}: {
  dataDir: string;
  port: number;
  buckets?: string[];
  accessKey?: string;
  secretKey?: string;
  supervisor?: Supervisor | undefined;
  logFile?: string;
  fresh?: boolean;
  tls?: boolean;
  timeoutMs?: number;
}): Promise<LocalS3> {
  const bin = ensureS3Server();
  const sup = supervisor ?? new Supervisor();
  dataDir = resolve(dataDir);
  logFile = logFile ?? `${dataDir}.log`;
  await assertPortsFree([{ port, what: 'S3 server' }]);
  if (fresh) rmSync(dataDir, { recursive: true, force: true });
  for (const bucket of buckets) mkdirSync(join(dataDir, bucket), { recursive: true });
  const certs = tls ? selfSignedCert(`${dataDir}-tls`) : undefined;
  const args = ['--port', `127.0.0.1:${port}`, '--health', '/health', '--quiet', ...(certs ? ['--cert', certs.cert, '--key', certs.key] : []), 'posix', dataDir];
  const child = sup.spawn('s3', bin, args, {
    // The keys go in the environment, not argv, where any user's `ps` would show them.
    env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKey, ROOT_SECRET_ACCESS_KEY: secretKey },
    logFile,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  await waitUntil(() => healthy(port, tls), {
    timeoutMs,
    intervalMs: 100,
    what: `the S3 server (versitygw) on 127.0.0.1:${port} did not become ready`,
    abort: () => sup.deathReason(child),
  });
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    caFile: certs?.cert,
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
