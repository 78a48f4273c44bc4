// A real Temporal cluster on this machine: `temporal-server start` (frontend, history, matching and
// worker services in one process) on PostgreSQL for persistence and visibility, its schemas made by
// the SQL tool, the namespace and search attributes registered, and the Temporal UI server pointed at
// it. It is set up exactly as docker-compose.yml's services are: the same built-in configuration
// template fed deploy/temporal/temporal.env, the same set-up scripts, the same dynamic config file.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertPortsFree } from './ports.js';
import type { LocalPostgres } from './postgres.js';
import { Supervisor, type SupervisedChild } from './process.js';
import {
  type ClusterPorts,
  type ClusterTls,
  clusterPorts, clusterServerEnv, clusterTlsEnv, clusterUiEnv, searchAttributeList } from './temporal-cluster-config.js';
import { ensureTemporalCli } from './temporal-cli.js';
import { TEMPORAL_SERVER_VERSION, ensureTemporalServer, ensureTemporalUi } from './temporal-build.js';
import { REPO_ROOT, indent, tailFile, waitUntil } from './util.js';

/** Runs a set-up script of deploy/temporal/ with `sh`, its output into `logFile`; throws with its tail. */
function runScript(script: string, env: NodeJS.ProcessEnv, logFile: string): void {
  const r = spawnSync('sh', [join(REPO_ROOT, 'deploy', 'temporal', script)], { env, encoding: 'utf8', timeout: 180_000 });
  appendFileSync(logFile, `$ sh deploy/temporal/${script}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (r.status !== 0) {
    throw new Error(`deploy/temporal/${script} failed (exit ${r.status ?? r.signal}); last lines of ${logFile}:\n${indent(tailFile(logFile, 20))}`);
  }
}

/** psql as the local superuser (trusted on loopback; see postgres.ts). */
function psql(pg: Pick<LocalPostgres, 'port' | 'bindir'>, sql: string, what: string): void {
  const args = ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql];
  const r = spawnSync(join(pg.bindir, 'psql'), args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
}

export interface TemporalCluster {
  address: string;
  port: number;
  uiPort: number | undefined;
  uiUrl: string | undefined;
  namespace: string;
  cli: string;
  ports: ClusterPorts;
  logFile: string;
  readonly child: SupervisedChild;
  uiChild: SupervisedChild | undefined;
  /** Stops the server (SIGTERM, or SIGKILL as when its machine is lost) and starts it again on the same data. */
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the cluster on the local PostgreSQL `pg` (from startPostgres) and waits until it serves
 * `namespace` with the search attributes; with `uiPort`, the UI server too. `fresh` drops Temporal's
 * databases first; `tls` (files) makes the frontend and the services speak mTLS. Returns { address,
 * uiUrl, cli, logFile, ports, restart(signal), stop() }: restart stops the server (SIGTERM, or SIGKILL
 * as when its machine is lost) and starts it on the same data.
 */
export async function startTemporalCluster({
  stateDir,
  port,
  uiPort,
  portBase,
  pg,
  namespace = 'default',
  databases,
  codecEndpoint,
  supervisor,
  fresh = false,
  cli = ensureTemporalCli(),
  tls,
  timeoutMs = 120_000,
}: {
  stateDir: string;
  port: number;
  uiPort?: number | undefined;
  portBase?: number;
  /** The PostgreSQL server to keep Temporal's databases in (startPostgres's result will do). */
  pg: Pick<LocalPostgres, 'port' | 'bindir'>;
  namespace?: string;
  databases?: { temporal: string; visibility: string };
  codecEndpoint?: string | undefined;
  supervisor?: Supervisor | undefined;
  fresh?: boolean;
  cli?: string;
  /** Certificate and key files: the cluster requires mTLS (no UI server then). */
  tls?: ClusterTls | undefined;
  timeoutMs?: number;
}): Promise<TemporalCluster> {
  if (tls && uiPort) throw new Error('startTemporalCluster: the UI server is not set up for a cluster with TLS');
  const build = ensureTemporalServer();
  const ui = uiPort ? ensureTemporalUi() : undefined;
  const sup = supervisor ?? new Supervisor();
  stateDir = resolve(stateDir);
  mkdirSync(stateDir, { recursive: true });
  const ports = clusterPorts(port, portBase);
  const named: Partial<Record<keyof ClusterPorts, string>> = { frontend: 'frontend gRPC', frontendHttp: 'frontend HTTP', metrics: 'metrics' };
  await assertPortsFree(
    [
      ...Object.entries(ports).map(([name, p]) => ({
        port: p,
        what: `Temporal cluster ${named[name as keyof ClusterPorts] ?? name.replace(/Membership$/, ' membership')}`,
      })),
      ...(uiPort ? [{ port: uiPort, what: 'Temporal UI' }] : []),
    ],
    'Stop that program, or choose other ports with TEMPORAL_PORT=... TEMPORAL_UI_PORT=... (the cluster takes the nine ports after the frontend\'s)',
  );

  const login = { user: 'temporal', password: 'temporal' };
  const tlsEnv: { server: Record<string, string>; cli: Record<string, string> } = tls ? clusterTlsEnv(tls) : { server: {}, cli: {} };
  const env: Record<string, string> = { ...clusterServerEnv({ ports, pg: { host: '127.0.0.1', port: pg.port, ...login }, databases }), ...tlsEnv.server };
  const cliEnv = { ...process.env, ...tlsEnv.cli };
  const setupLog = join(stateDir, 'temporal-setup.log');
  // The server only warns about a key it does not know (a typo would be silently ignored): refuse it.
  const dynamicConfig = env.DYNAMIC_CONFIG_FILE_PATH!;
  const checked = spawnSync(build.server, ['validate-dynamic-config', dynamicConfig], { encoding: 'utf8' });
  if (checked.status !== 0 || /^\s*(error|warning):/m.test(checked.stdout)) {
    throw new Error(`${dynamicConfig} is not valid dynamic config for Temporal ${TEMPORAL_SERVER_VERSION}:\n${indent(`${checked.stdout}${checked.stderr}`.trim())}`);
  }
  psql(pg, `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${login.user}') THEN CREATE ROLE "${login.user}" LOGIN CREATEDB PASSWORD '${login.password}'; END IF; END $$;`, 'could not create the role Temporal logs in as');
  if (fresh) for (const db of [env.DBNAME, env.VISIBILITY_DBNAME]) psql(pg, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`, `could not drop ${db}`);
  runScript('setup-schema.sh', { ...env, TEMPORAL_SQL_TOOL: build.sqlTool, TEMPORAL_SCHEMA_DIR: build.schemaDir }, setupLog);

  const address = `127.0.0.1:${port}`;
  const logFile = join(stateDir, 'temporal.log');
  const spawnServer = () =>
    sup.spawn('temporal', build.server, ['start'], { env, cwd: stateDir, logFile, stopSignal: 'SIGTERM', stopTimeoutMs: 30_000 });
  const healthy = (child: SupervisedChild) =>
    waitUntil(() => spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { env: cliEnv, stdio: 'ignore', timeout: 10_000 }).status === 0, {
      timeoutMs,
      intervalMs: 300,
      what: `the Temporal server did not answer on ${address} (log: ${logFile})`,
      abort: () => sup.deathReason(child),
    });
  let child = spawnServer();
  await healthy(child);
  runScript(
    'setup-temporal.sh',
    { ...env, ...tlsEnv.cli, TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, DR_SEARCH_ATTRIBUTES: searchAttributeList() },
    setupLog,
  );

  let uiChild: SupervisedChild | undefined;
  const uiUrl = uiPort ? `http://localhost:${uiPort}` : undefined;
  if (ui && uiPort) {
    // The temporalio/ui image's own template, configured by the variables docker-compose.yml sets.
    const uiEnv = clusterUiEnv({ address, uiPort, namespace, codecEndpoint });
    const uiLog = join(stateDir, 'temporal-ui.log');
    uiChild = sup.spawn('temporal-ui', ui.uiServer, ['--root', ui.root, '--env', 'docker', 'start'], { env: uiEnv, cwd: stateDir, logFile: uiLog, stopSignal: 'SIGTERM', stopTimeoutMs: 10_000 });
    await waitUntil(
      async () => {
        const res = await fetch(`http://127.0.0.1:${uiPort}/`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        return res.ok;
      },
      { timeoutMs: 30_000, intervalMs: 300, what: `the Temporal UI did not answer on port ${uiPort} (log: ${uiLog})`, abort: () => sup.deathReason(uiChild!) },
    );
  }

  return {
    address,
    port,
    uiPort,
    uiUrl,
    namespace,
    cli,
    ports,
    logFile,
    get child() {
      return child;
    },
    uiChild,
    async restart(signal = 'SIGTERM') {
      if (signal === 'SIGKILL' && child.pid !== undefined) {
        child.stopRequested = true;
        process.kill(-child.pid, 'SIGKILL');
        await child.exited;
      }
      await sup.stop(child);
      child = spawnServer();
      await healthy(child);
    },
    async stop() {
      if (uiChild) await sup.stop(uiChild);
      await sup.stop(child);
    },
  };
}
