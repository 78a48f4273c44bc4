// Running pg_dump, pg_restore and psql: each in its own process group (a cancelled step kills it
// and every worker process it forked, e.g. pg_restore -j), with a bounded, redacted stderr tail
// for error messages and the password passed in the environment, never in argv.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { groupAlive, killGroup, track, untrack } from '../process-group.js';
import type { Redactor } from '../secrets.js';
import { supervised, supervisorSpawnError } from '../supervise.js';
import { lastLines, TailBuffer } from '../tail.js';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

/** True for a tool's own progress line (its -v output), as opposed to errors, warnings and their details. */
export function isProgressLine(tool: PgTool, line: string): boolean {
  const prefix = `${tool}: `;
  let rest = line;
  while (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  return rest !== line && !/^(error|warning|detail|hint):/.test(rest);
}

export interface ToolOptions {
  /** Folder of the PostgreSQL client tools (DR_PG_BIN_DIR); default: PATH. */
  binDir?: string;
  env?: Record<string, string>;
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
  redactor: Redactor;
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL to the group; default 5 s. */
  killGraceMs?: number;
  /** Told the pid and arguments of every tool started (tests kill one mid-way with it). */
  onSpawn?: (pid: number, tool: PgTool, args: readonly string[]) => void;
  /** Told each line of stderr; a line it returns true for is progress, kept out of the error tail. */
  onStderrLine?: (line: string) => boolean;
}

export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process could not be started (e.g. ENOENT). */
  error?: string;
}

export interface ToolRun {
  readonly display: string;
  readonly stdout: Readable | null;
  readonly stdin: Writable | null;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<ToolExit>;
  /** True once stop() was called (cancellation or a failure elsewhere in the pipeline). */
  readonly stopped: boolean;
  stop(): void;
  /** The last lines of stderr, redacted. */
  stderrTail(lines?: number): string;
}

export function startTool(tool: PgTool, args: string[], options: ToolOptions): ToolRun {
  const file = options.binDir ? join(options.binDir, tool) : tool;
  const display = options.redactor.redact([tool, ...args].join(' '));
  // Output Node reads (an archive, COPY rows) leaves the tool in 1 MiB writes, not 4 KB ones.
  const run = supervised(file, args, options.killGraceMs ?? 5_000, options.stdout === 'pipe' ? { stdoutBuffer: 1 << 20 } : {});
  const child: ChildProcess = spawn(run.file, run.args, {
    env: { ...process.env, PGAPPNAME: 'easymo-dr', PGCONNECT_TIMEOUT: '10', ...options.env },
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    detached: true, // leads a new process group, which dies with the worker (supervise.ts)
  });
  if (child.pid !== undefined) {
    track(child.pid);
    options.onSpawn?.(child.pid, tool, args);
  }
  const err = new TailBuffer(16_384, 16_384 + options.redactor.longest);
  const onLine = options.onStderrLine;
  if (onLine) {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const take = (text: string, last: boolean) => {
      const lines = (partial + text).split('\n');
      partial = last ? '' : lines.pop()!;
      const kept = lines.filter((l) => l !== '' && !onLine(l));
      if (kept.length) err.push(Buffer.from(kept.join('\n') + '\n'));
    };
    child.stderr?.on('data', (c: Buffer) => take(decoder.write(c), false));
    child.stderr?.on('end', () => take(decoder.end(), true));
  } else child.stderr?.on('data', (c: Buffer) => err.push(c));
  let stopped = false;
  const stop = () => {
    if (stopped || child.pid === undefined) return;
    stopped = true;
    killGroup(child.pid, options.killGraceMs ?? 5_000, () => [child.stdout, child.stderr, child.stdin].forEach((s) => s?.destroy()));
  };
  const onAbort = () => stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // A leader that died leaves its group orphaned (pg_dump -j's workers each finish their table
  // first); stopped at once, so nothing dumps on and the failure is reported now. An empty group
  // is left to untrack below, as after a clean end.
  child.once('exit', (code, signal) => {
    if ((code !== 0 || signal) && child.pid !== undefined && groupAlive(child.pid)) stop();
  });
  if (options.signal?.aborted) stop();
  const notFound = `${file} not found (install the PostgreSQL client tools or set DR_PG_BIN_DIR)`;
  const exited = new Promise<ToolExit>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error: e.code === 'ENOENT' ? notFound : e.message }));
    child.once('close', (code, signal) => {
      const spawnError = run.wrapped ? supervisorSpawnError(code, err.text(options.redactor)) : undefined;
      if (spawnError) resolve({ code: null, signal: null, error: spawnError === 'ENOENT' ? notFound : `${file} is not executable` });
      else resolve({ code, signal });
    });
  }).finally(() => {
    options.signal?.removeEventListener('abort', onAbort);
    if (!stopped && child.pid !== undefined) untrack(child.pid);
  });
  return {
    display,
    stdout: child.stdout,
    stdin: child.stdin,
    exited,
    get stopped() {
      return stopped;
    },
    stop,
    stderrTail: (lines = 15) => lastLines(err.text(options.redactor), lines),
  };
}

/** Undefined when the tool succeeded; otherwise `pg_dump failed with exit code 1: <command>` and its stderr tail. */
export function toolFailure(run: ToolRun, exit: ToolExit): string | undefined {
  if (exit.error) return `${run.display.split(' ')[0]} could not run: ${exit.error}`;
  if (exit.code === 0) return undefined;
  const how = exit.signal ? `was killed with ${exit.signal}` : `failed with exit code ${exit.code}`;
  const tail = run.stderrTail();
  return `${run.display.split(' ')[0]} ${how}: ${run.display}${tail ? `\n${tail}` : ''}`;
}

/** `pg_dump (PostgreSQL) 15.18`: the first line of `<tool> --version`. */
export async function toolVersion(tool: PgTool, options: Pick<ToolOptions, 'binDir' | 'redactor'>): Promise<string> {
  const run = startTool(tool, ['--version'], { ...options, stdout: 'pipe' });
  const chunks: Buffer[] = [];
  run.stdout?.on('data', (c: Buffer) => chunks.push(c));
  const exit = await run.exited;
  const failure = toolFailure(run, exit);
  if (failure) throw new Error(failure);
  return Buffer.concat(chunks).toString('utf8').trim().split('\n')[0] ?? tool;
}
