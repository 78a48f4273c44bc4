// The Temporal dev server (`temporal server start-dev`): SQLite file and log in the state dir, the
// engine's search attributes registered, bound to 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertPortsFree } from './ports.js';
import { Supervisor, type SupervisedChild } from './process.js';
import { searchAttributeArgs } from './search-attributes.js';
import { ensureTemporalCli } from './temporal-cli.js';
import { waitUntil } from './util.js';

/** The argv for `temporal server start-dev` (exported for tests). */
export function temporalServerArgs({
  dbFile,
  port,
  uiPort,
  namespace = 'default',
  logLevel = 'warn',
  codecEndpoint,
}: {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace?: string;
  logLevel?: string;
  codecEndpoint?: string | undefined;
}): string[] {
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--port', String(port), '--ui-port', String(uiPort)];
  args.push('--ip', '127.0.0.1', '--log-level', logLevel, '--ui-disable-news-fetch');
  if (namespace !== 'default') args.push('--namespace', namespace);
  // The UI decrypts payloads through `dr codec-server` there (and encrypts what it sends, so only
  // pass it when that server runs: without it the UI cannot start runs or send signals with input).
  if (codecEndpoint) args.push('--ui-codec-endpoint', codecEndpoint);
  args.push(...searchAttributeArgs());
  return args;
}

/**
 * Starts the dev server and waits until its frontend serves `namespace` and its UI answers.
 * `fresh` deletes the SQLite file first (tests). Returns { address, uiUrl, cli, child, stop() }.
 */
export interface TemporalServer {
  address: string;
  port: number;
  uiPort: number;
  uiUrl: string;
  namespace: string;
  cli: string;
  dbFile: string;
  logFile: string;
  child: SupervisedChild;
  stop(): Promise<void>;
}

export async function startTemporal({
  stateDir,
  port = 7233,
  uiPort = 8233,
  namespace = 'default',
  cli = ensureTemporalCli(),
  supervisor,
  fresh = false,
  timeoutMs = 90_000,
  codecEndpoint,
}: {
  stateDir: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  cli?: string;
  supervisor?: Supervisor | undefined;
  fresh?: boolean;
  timeoutMs?: number;
  codecEndpoint?: string | undefined;
}): Promise<TemporalServer> {
  const sup = supervisor ?? new Supervisor();
  stateDir = resolve(stateDir);
  mkdirSync(stateDir, { recursive: true });
  const dbFile = join(stateDir, 'temporal.sqlite');
  const logFile = join(stateDir, 'temporal.log');
  if (fresh) for (const suffix of ['', '-shm', '-wal', '-journal']) rmSync(dbFile + suffix, { force: true });
  await assertPortsFree(
    [
      { port, what: 'Temporal frontend' },
      { port: uiPort, what: 'Temporal UI' },
    ],
    'Stop that program, or choose other ports with TEMPORAL_PORT=... TEMPORAL_UI_PORT=...',
  );

  const child = sup.spawn('temporal', cli, temporalServerArgs({ dbFile, port, uiPort, namespace, codecEndpoint }), {
    logFile,
    cwd: stateDir,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 15_000,
  });
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://localhost:${uiPort}`;
  const abort = () => sup.deathReason(child);

  await waitUntil(
    () =>
      spawnSync(cli, ['operator', 'namespace', 'describe', '--namespace', namespace, '--address', address], {
        stdio: 'ignore',
        timeout: 10_000,
      }).status === 0,
    { timeoutMs, intervalMs: 300, what: `Temporal did not start serving namespace "${namespace}" on ${address} (log: ${logFile})`, abort },
  );
  await waitUntil(
    async () => {
      const res = await fetch(`http://127.0.0.1:${uiPort}/`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      return res.ok;
    },
    { timeoutMs: 30_000, intervalMs: 300, what: `the Temporal UI did not answer on port ${uiPort} (log: ${logFile})`, abort },
  );

  return { address, port, uiPort, uiUrl, namespace, cli, dbFile, logFile, child, stop: () => sup.stop(child) };
}
