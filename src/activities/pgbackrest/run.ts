// Running pgbackrest, psql and pg_ctl for the pgbackrest.* activities: as the operating-system user
// that owns the PostgreSQL data directory (pgBackRest and the server's archive_command must agree on
// file ownership in the repository, lock and spool folders), each in its own process group killed on
// cancellation, with stdout collected and a redacted stderr tail for errors. Secrets never go in argv.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { killGroup, track, untrack } from '../process-group.js';
import type { Redactor } from '../secrets.js';
import { lastLines, TailBuffer } from '../tail.js';

/** The uid/gid commands run as: the owner of `path` when the worker is root, else the worker's own. */
export interface RunAs {
  uid?: number;
  gid?: number;
}

export function ownerOf(path: string): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const st = statSync(path);
  // A root-owned data directory is not a PostgreSQL one (postgres refuses to run as root): stay root.
  return st.uid === 0 ? {} : { uid: st.uid, gid: st.gid };
}

export interface CommandOptions {
  runAs: RunAs;
  redactor: Redactor;
  signal?: AbortSignal;
  /** Extra environment (e.g. PGBACKREST_REPO1_CIPHER_PASS), on top of a minimal one. */
  env?: Record<string, string>;
  /** Called every few seconds while the command runs. */
  heartbeat?: () => void;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last lines of stderr, redacted. */
  stderr: string;
  display: string;
  error?: string;
}

/** Runs `file args` to completion; never rejects (the caller decides what a failure means). */
export function runCommand(file: string, args: string[], options: CommandOptions): Promise<CommandResult> {
  const display = options.redactor.redact([file, ...args].join(' '));
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      // PATH for pgbackrest's own helpers; HOME is not the root's when running as postgres.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PGAPPNAME: 'easymo-dr', PGCONNECT_TIMEOUT: '10', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      uid: options.runAs.uid,
      gid: options.runAs.gid,
      cwd: '/',
    });
    if (child.pid !== undefined) track(child.pid);
    const out: Buffer[] = [];
    const err = new TailBuffer(32_768, 32_768 + options.redactor.longest);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const beat = options.heartbeat ? setInterval(options.heartbeat, 5_000) : undefined;
    const onAbort = () => {
      if (child.pid !== undefined) killGroup(child.pid, 5_000, () => [child.stdout, child.stderr].forEach((s) => s.destroy()));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: string) => {
      clearInterval(beat);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.pid !== undefined) untrack(child.pid);
      resolve({
        code,
        signal,
        stdout: options.redactor.redact(Buffer.concat(out).toString('utf8')),
        stderr: lastLines(err.text(options.redactor), 20),
        display,
        error,
      });
    };
    child.once('error', (e: NodeJS.ErrnoException) => finish(null, null, e.code === 'ENOENT' ? `${file} not found` : e.message));
    child.once('close', (code, signal) => finish(code, signal));
  });
}

/** `pgbackrest backup failed with exit code 55: <command>` and the tail of its stderr. */
export function describeFailure(result: CommandResult): string {
  if (result.error) return `${result.display.split(' ')[0]} could not run: ${result.error}`;
  const how = result.signal ? `was killed with ${result.signal}` : `failed with exit code ${result.code}`;
  const tail = result.stderr || lastLines(result.stdout, 20);
  return `${result.display.split(' ')[0]} ${how}: ${result.display}${tail ? `\n${tail}` : ''}`;
}
