// Shell steps: argv commands (no shell, values arrive verbatim) or explicit bash scripts, run in
// their own process group so a timeout or a cancellation kills everything they started.
import { statSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { execa, type Result } from 'execa';
import { formatDuration } from '../runbook/duration.js';
import { activityHooks, cancellationError, type ActivityOptions } from './context.js';
import { killGroup, track, untrack } from './process-group.js';
import { Redactor } from './secrets.js';
import { supervised, supervisorSpawnError } from './supervise.js';
import { TailBuffer, lastLines } from './tail.js';
import { type ShellInput, type ShellResult } from './types.js';
import { FailureTypes } from './errors.js';

export interface ShellOptions extends ActivityOptions {
  /** Bytes of stdout and of stderr kept (the tail); default 16 KiB (DR_OUTPUT_CAP_BYTES). */
  outputCapBytes?: number;
  /** Time between SIGTERM and SIGKILL to the group; default 5 s. */
  killGraceMs?: number;
  heartbeatEveryMs?: number;
}

/** Runs a shell step; resolves on an accepted exit code, throws an ApplicationFailure otherwise. */
export async function runShell(input: ShellInput, options: ShellOptions = {}): Promise<ShellResult> {
  const hooks = activityHooks(options);
  const cap = options.outputCapBytes ?? 16_384;
  const redactor = new Redactor();
  const env = Object.fromEntries(Object.entries(input.env ?? {}).map(([k, v]) => [k, redactor.resolve(v, hooks.env)]));
  const [file, args] = argvOf(input);
  const display = redactor.redact(displayOf(input));
  const fail = (type: string, message: string, extra: Record<string, unknown> = {}) =>
    ApplicationFailure.create({ type, nonRetryable: true, message, details: [{ display, ...extra }] });

  // Spawning in a missing cwd also reports ENOENT; say which one is missing.
  if (input.cwd !== undefined && !isDirectory(input.cwd)) throw fail(FailureTypes.StepCommandFailed, `Working directory not found: ${input.cwd}`);
  if (hooks.signal?.aborted) throw cancellationError(hooks.signal, display);

  const started = Date.now();
  const out = new TailBuffer(cap, cap + redactor.longest);
  const err = new TailBuffer(cap, cap + redactor.longest);
  let latest = out;
  const grace = options.killGraceMs ?? 5_000;
  const run = supervised(file, args, grace);
  const child = execa(run.file, run.args, {
    env,
    cwd: input.cwd,
    shell: false,
    detached: true, // the child leads a new process group: one kill reaches its descendants
    cleanup: false, // the supervisor (supervise.ts) and process-group.ts kill the group when the worker dies
    stdin: 'ignore', // a command waiting for input would hang until the timeout
    buffer: false, // streamed into bounded tails instead
    reject: false,
  });
  if (child.pid !== undefined) track(child.pid);
  child.stdout?.on('data', (c: Buffer) => ((latest = out), out.push(c)));
  child.stderr?.on('data', (c: Buffer) => ((latest = err), err.push(c)));

  let stopped: 'timeout' | 'cancel' | undefined;
  const stop = (why: 'timeout' | 'cancel') => {
    if (stopped || child.pid === undefined) return;
    stopped = why;
    killGroup(child.pid, grace, () => [child.stdout, child.stderr].forEach((s) => s?.destroy()));
  };
  const timer = input.timeoutMs ? setTimeout(() => stop('timeout'), input.timeoutMs) : undefined;
  const onAbort = () => stop('cancel');
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const beat = setInterval(
    () => hooks.heartbeat({ elapsedMs: Date.now() - started, lastLine: redactor.redact(latest.lastLine) }),
    options.heartbeatEveryMs ?? 2_000,
  );

  let result: Result;
  try {
    result = (await child) as Result;
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    hooks.signal?.removeEventListener('abort', onAbort);
    if (!stopped && child.pid !== undefined) untrack(child.pid);
  }

  const stdout = out.text(redactor);
  const stderr = err.text(redactor);
  const tail = lastLines(stderr || stdout, 20);
  const withTail = (head: string) => (tail ? `${head}\n${tail}` : head);
  const details = { exitCode: result.exitCode ?? null, stdout, stderr };

  if (stopped === 'cancel') throw cancellationError(hooks.signal!, display);
  if (stopped === 'timeout') {
    throw fail(FailureTypes.StepTimedOut, withTail(`Command timed out after ${formatDuration(input.timeoutMs!)}: ${display}`), details);
  }
  const code = result.code ?? (run.wrapped ? supervisorSpawnError(result.exitCode, stderr) : undefined);
  if (code === 'ENOENT') throw fail(FailureTypes.StepCommandFailed, `Command not found: ${file}`, details);
  if (code === 'EACCES') throw fail(FailureTypes.StepCommandFailed, `Command not executable (permission denied): ${file}`, details);
  if (result.signal) throw fail(FailureTypes.StepCommandFailed, withTail(`Command was killed with ${result.signal}: ${display}`), details);
  if (result.exitCode === undefined) {
    const why = result.code ?? redactor.redact(result.originalMessage ?? 'unknown error');
    throw fail(FailureTypes.StepCommandFailed, withTail(`Command could not run (${why}): ${display}`), details);
  }
  const ok = input.okExitCodes?.length ? input.okExitCodes : [0];
  if (!ok.includes(result.exitCode)) {
    throw fail(FailureTypes.StepCommandFailed, withTail(`Command failed with exit code ${result.exitCode}: ${display}`), details);
  }
  return { exitCode: result.exitCode, stdout, stderr, truncated: out.truncated || err.truncated, durationMs: Date.now() - started, display };
}

function argvOf(input: ShellInput): [string, string[]] {
  if (input.script !== undefined) return ['bash', ['-euo', 'pipefail', '-c', input.script]];
  const [file, ...args] = input.command ?? [];
  if (!file) throw ApplicationFailure.create({ type: FailureTypes.StepCommandFailed, nonRetryable: true, message: 'Expected a shell step with `command` or `script`, got neither' });
  return [file, args];
}

/** The command as a person would type it: arguments quoted where a shell would need it. */
export function displayOf(input: Pick<ShellInput, 'command' | 'script'>): string {
  if (input.script !== undefined) {
    const lines = input.script.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.length > 1 ? `${lines[0]} …` : (lines[0] ?? '');
  }
  return (input.command ?? []).map(quote).join(' ');
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
