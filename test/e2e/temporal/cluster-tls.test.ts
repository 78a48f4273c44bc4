// The worker and the `dr` CLI on a real Temporal cluster that requires mTLS (the cluster profile
// only: it starts its own cluster): frontend and services with a server certificate from a test CA,
// client certificates required. With TEMPORAL_TLS_CERT / _KEY / _CA / _SERVER_NAME a run goes
// through; without a client certificate, or in plaintext, the CLI is turned away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from '../../../scripts/lib/process.js';
import type { TemporalCluster } from '../../../scripts/lib/temporal-cluster.js';
import type { ClusterTls } from '../../../scripts/lib/temporal-cluster-config.js';
import { onCluster, skipUnlessCluster, startOwnCluster } from '../../helpers/own-cluster.js';
import { dr, startWorker, stopProcess } from '../../helpers/processes.js';

const skip = skipUnlessCluster('test/e2e/temporal/cluster-tls.test.ts');
const supervisor = new Supervisor();
const dir = mkdtempSync(join(tmpdir(), 'dr-tls-'));
const taskQueue = `tls-${randomUUID()}`;
let cluster: TemporalCluster;
let worker: ChildProcess | undefined;
let tls: ClusterTls;
let startMs = 0;

/** A CA, a server certificate for localhost / 127.0.0.1 (also used as a client between services), a client certificate. */
function makeCertificates(): ClusterTls {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-days', '2', '-subj', '/CN=easymo-dr test CA', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const sign = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', ...key, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  };
  sign('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  sign('client', '/CN=easymo-dr-worker', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    serverName: 'localhost',
  };
}

before(async () => {
  if (!onCluster) return;
  tls = makeCertificates();
  const started = Date.now();
  cluster = await startOwnCluster('tls', 1, supervisor, tls);
  startMs = Date.now() - started;
});

after(async () => {
  if (worker) await stopProcess(worker);
  await supervisor.stopAll();
});

test('mTLS: the worker and the CLI connect with client certificates; without one they are refused', { skip, timeout: 240_000 }, async () => {
  const mtls = {
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_TLS_CERT: tls.clientCert,
    TEMPORAL_TLS_KEY: tls.clientKey,
    TEMPORAL_TLS_CA: tls.ca,
    TEMPORAL_TLS_SERVER_NAME: tls.serverName,
    DR_TASK_QUEUE: taskQueue,
  };
  worker = await startWorker(taskQueue, mtls);
  const log = join(dir, 'run.log');
  const run = await dr(['start', 'durable', '-i', `log=${log}`, '-i', 'seconds=1', '--wait'], mtls);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /: succeeded$/m);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['first', 'long-start', 'long-end', 'last']);
  const id = /Started drill of durable: (\S+)/.exec(run.stdout)![1]!;

  const noClientCert = await dr(['status', id], { ...mtls, TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' });
  assert.notEqual(noClientCert.code, 0, 'a client without a certificate is refused');
  assert.match(noClientCert.stderr, /Cannot reach Temporal at 127\.0\.0\.1:\d+/);
  const plaintext = await dr(['status', id], { TEMPORAL_ADDRESS: cluster.address, DR_TASK_QUEUE: taskQueue });
  assert.notEqual(plaintext.code, 0, 'a plaintext client is refused');
  const withCert = await dr(['status', id], mtls);
  assert.equal(withCert.code, 0, withCert.stderr);
  console.log(`[tls] mTLS cluster ready in ${(startMs / 1000).toFixed(1)} s (schemas, server, namespace); run ${id} succeeded over mTLS`);
});
