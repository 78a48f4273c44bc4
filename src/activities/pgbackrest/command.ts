// One pgbackrest (or psql) invocation for a configured stanza: its config and include folder, run
// as the database's user, errors turned into the failure types a runbook reads. Shared by the actions.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Redactor } from '../secrets.js';
import { baseArgs, splitEndpoint, type StanzaPaths } from './config.js';
import { describeFailure, runCommand, type CommandResult, type RunAs } from './run.js';
import { failure, FailureTypes, PsqlError, type FailureType } from '../errors.js';

export interface PgBackRestDeps {
  /** Where stanza configs are generated (DR_PGBACKREST_DIR, default <DR_STATE_DIR>/pgbackrest). */
  baseDir: string;
  /** The pgbackrest binary (DR_PGBACKREST_BIN, default: PATH). */
  bin?: string;
  /** Folder of psql / pg_ctl (DR_PG_BIN_DIR); default: the server's own for the backup's version. */
  pgBinDir?: string;
}

export interface Invocation {
  paths: StanzaPaths;
  stanza: string;
  runAs: RunAs;
  redactor: Redactor;
  signal?: AbortSignal;
  heartbeat?: () => void;
  /** Where a different include folder is used (a restore with its own passphrase). */
  includeDir?: string;
  /** An S3 repository's host:port: probed once before the first command, since pgBackRest retries a refused connection for minutes. */
  s3Endpoint?: string;
  s3Reached?: boolean;
}

/** Resolves when a TCP connection to `endpoint` opens within `timeoutMs`; rejects with the reason otherwise. */
function probe(endpoint: string, timeoutMs = 5_000): Promise<void> {
  const [host, port] = splitEndpoint(endpoint);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(timeoutMs, () => (socket.destroy(), reject(new Error(`no answer within ${timeoutMs / 1000} s`))));
    socket.once('connect', () => (socket.destroy(), resolve()));
    socket.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
  });
}

/** Which failure type pgBackRest's error text means; the target of a restore is untouched in each case. */
export function classify(text: string): FailureType {
  if (/unable to (connect|get address)|connection refused|could not resolve|HostConnectError|\[049\]|timeout after \d+ms waiting for (read|write)|TLS/i.test(text)) {
    return FailureTypes.StoreUnavailable;
  }
  if (/\[095\]|CryptoError|unable to (decrypt|flush)|cipher|bad decrypt|block cipher/i.test(text)) return FailureTypes.RepositoryDecryptFailed;
  if (/checksum|invalid|corrupt|\[028\]|\[029\]|\[044\]|mismatch/i.test(text)) return FailureTypes.BackupCorrupt;
  return FailureTypes.StepCommandFailed;
}

/** Runs `pgbackrest <command> [args]` for the stanza; throws a typed failure when it fails. */
export async function pgbackrest(deps: PgBackRestDeps, inv: Invocation, command: string, args: string[] = [], operands: string[] = []): Promise<CommandResult> {
  const result = await pgbackrestRaw(deps, inv, command, args, operands);
  if (result.code !== 0) {
    const text = describeFailure(result);
    throw failure(classify(text), `pgbackrest ${command} for stanza "${inv.stanza}" failed: ${text}`, inv.redactor);
  }
  return result;
}

/** As pgbackrest(), returning a failed run instead of throwing (callers that read its output either way). */
export async function pgbackrestRaw(deps: PgBackRestDeps, inv: Invocation, command: string, args: string[] = [], operands: string[] = []): Promise<CommandResult> {
  if (inv.s3Endpoint && !inv.s3Reached) {
    await probe(inv.s3Endpoint).catch((err: Error) => {
      throw failure(FailureTypes.StoreUnavailable, `The S3 endpoint ${inv.s3Endpoint} of stanza "${inv.stanza}" is unreachable (${err.message}); nothing was changed`, inv.redactor);
    });
    inv.s3Reached = true;
  }
  const base = baseArgs(inv.paths, inv.stanza);
  if (inv.includeDir) base[1] = `--config-include-path=${inv.includeDir}`;
  return runCommand(deps.bin ?? 'pgbackrest', [...base, ...args, command, ...operands], {
    runAs: inv.runAs,
    redactor: inv.redactor,
    signal: inv.signal,
    heartbeat: inv.heartbeat,
  });
}

/** The folder holding psql and pg_ctl for PostgreSQL `version` (15, 16, ...). */
export function pgBinDir(configured: string | undefined, version?: string): string | undefined {
  if (configured) return configured;
  const base = '/usr/lib/postgresql';
  if (version && existsSync(join(base, version, 'bin', 'pg_ctl'))) return join(base, version, 'bin');
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && existsSync(join(fromConfig.stdout.trim(), 'pg_ctl'))) return fromConfig.stdout.trim();
  if (!existsSync(base)) return undefined;
  const newest = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(base, newest, 'bin') : undefined;
}

/** One psql query (-tAX), as the database's user; the first column of each row. */
export async function psql(
  bin: string | undefined,
  conn: { host: string; port: number; user: string; database?: string },
  query: string,
  inv: Pick<Invocation, 'runAs' | 'redactor' | 'signal'>,
): Promise<string[]> {
  const result = await runCommand(
    bin ? join(bin, 'psql') : 'psql',
    ['-h', conn.host, '-p', String(conn.port), '-U', conn.user, '-d', conn.database ?? 'postgres', '-X', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', query],
    { runAs: inv.runAs, redactor: inv.redactor, signal: inv.signal },
  );
  if (result.code !== 0) throw new PsqlError(describeFailure(result));
  return result.stdout.split('\n').filter((l) => l !== '');
}

/** A failure of the step, keeping an ApplicationFailure thrown below as it is. */
export function stepFailure(err: unknown, doing: string, redactor: Redactor): Error {
  if (err instanceof ApplicationFailure) return err;
  if ((err as { name?: string }).name === 'CancelledFailure') return err as Error;
  const message = err instanceof Error ? err.message : String(err);
  return failure(FailureTypes.StepCommandFailed, `${doing}: ${message}`, redactor);
}
