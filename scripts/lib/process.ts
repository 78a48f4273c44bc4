// Child-process supervision for the local stack: every service runs in its own process group (so a
// Ctrl-C in the terminal reaches only us, and we stop each service in order), its output goes to a
// log file in the state dir, and a service that dies on its own is reported with the tail of its log.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { indent, say, sleep, tailFile } from './util.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Output to our stdout too, besides the log file. */
  echo?: boolean;
  uid?: number;
  gid?: number;
  stopSignal?: NodeJS.Signals;
  signalLeaderOnly?: boolean;
  stopTimeoutMs?: number;
}

/** A service the supervisor started. */
export interface SupervisedChild {
  name: string;
  command: string;
  proc: ChildProcess;
  pid: number | undefined;
  logFile: string;
  stopSignal: NodeJS.Signals;
  signalLeaderOnly: boolean;
  stopTimeoutMs: number;
  exit: ChildExit | undefined;
  stopRequested: boolean;
  exited: Promise<ChildExit>;
}

const errorCode = (err: unknown): unknown => (err as NodeJS.ErrnoException | undefined)?.code;

/** True while any process of process group `pgid` is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/** True while process `pid` is alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves true if `promise` settles within `ms`, false otherwise; leaves no timer behind. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

function describeExit({ code, signal, error }: ChildExit): string {
  if (error) return error.message;
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export class Supervisor {
  readonly children: SupervisedChild[] = [];
  private stopping = false;
  private readonly onUnexpectedExit: ((child: SupervisedChild) => void) | undefined;

  constructor({ onUnexpectedExit }: { onUnexpectedExit?: (child: SupervisedChild) => void } = {}) {
    this.onUnexpectedExit = onUnexpectedExit;
    process.on('exit', () => this.killAllNow());
  }

  /**
   * Starts `command` in its own process group. Output goes to `logFile` (and to our stdout too when
   * `echo`). `stopSignal` is sent to the leader only when `signalLeaderOnly`, else to the whole group.
   */
  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions): SupervisedChild {
    const {
      env = process.env,
      cwd,
      logFile,
      echo = false,
      uid,
      gid,
      stopSignal = 'SIGTERM',
      signalLeaderOnly = false,
      stopTimeoutMs = 15_000,
    } = options;
    mkdirSync(dirname(logFile), { recursive: true });
    let fd: number | undefined;
    let stdio: StdioOptions;
    if (echo) {
      stdio = ['ignore', 'pipe', 'pipe'];
    } else {
      fd = openSync(logFile, 'a');
      stdio = ['ignore', fd, fd];
    }
    const proc = spawn(command, args, { env, cwd, stdio, detached: true, uid, gid });
    if (fd !== undefined) closeSync(fd);
    const child: SupervisedChild = {
      name,
      command,
      proc,
      pid: proc.pid,
      logFile,
      stopSignal,
      signalLeaderOnly,
      stopTimeoutMs,
      exit: undefined,
      stopRequested: false,
      exited: Promise.resolve({ code: null, signal: null }), // replaced below
    };
    if (echo) {
      const log = createWriteStream(logFile, { flags: 'a' });
      proc.stdout?.on('data', (d: Buffer) => {
        process.stdout.write(d);
        log.write(d);
      });
      proc.stderr?.on('data', (d: Buffer) => {
        process.stderr.write(d);
        log.write(d);
      });
      proc.on('close', () => log.end());
    }
    child.exited = new Promise<ChildExit>((resolve) => {
      const done = (exit: ChildExit) => {
        if (child.exit) return;
        child.exit = exit;
        resolve(exit);
        if (!this.stopping && !child.stopRequested) this.reportUnexpected(child);
      };
      proc.on('error', (error) => done({ code: null, signal: null, error }));
      proc.on('exit', (code, signal) => done({ code, signal }));
    });
    this.children.push(child);
    return child;
  }

  private reportUnexpected(child: SupervisedChild): void {
    const tail = tailFile(child.logFile, 40);
    process.stderr.write(
      `\n[easymo-dr] ✖ ${child.name} (pid ${child.pid ?? '-'}) exited unexpectedly: ${describeExit(child.exit!)}.\n` +
        (tail ? `[easymo-dr]   last lines of ${child.logFile}:\n${indent(tail)}\n` : `[easymo-dr]   (its log ${child.logFile} is empty)\n`),
    );
    if (this.onUnexpectedExit) this.onUnexpectedExit(child);
  }

  /** If `child` has exited, a one-line reason (used to stop waiting for a service that died). */
  deathReason(child: SupervisedChild): string | undefined {
    if (!child.exit) return undefined;
    const tail = tailFile(child.logFile, 40);
    return `${child.name} exited (${describeExit(child.exit)})` + (tail ? `; last lines of ${child.logFile}:\n${indent(tail)}` : '');
  }

  /** Stops one child: its stop signal, then SIGKILL to its group after its timeout. */
  async stop(child: SupervisedChild): Promise<void> {
    child.stopRequested = true;
    if (child.pid === undefined) return;
    if (!child.exit) {
      killQuietly(child.signalLeaderOnly ? child.pid : -child.pid, child.stopSignal);
      if (!(await settlesWithin(child.exited, child.stopTimeoutMs))) {
        say(`${child.name} did not stop within ${child.stopTimeoutMs / 1000} s; killing it.`);
        killQuietly(-child.pid, 'SIGKILL');
        await settlesWithin(child.exited, 5_000);
      }
    }
    // Anything the leader left behind in its group (postgres backends, grandchildren) goes too.
    if (groupAlive(child.pid)) {
      killQuietly(-child.pid, 'SIGTERM');
      for (let i = 0; i < 20 && groupAlive(child.pid); i++) await sleep(100);
      if (groupAlive(child.pid)) killQuietly(-child.pid, 'SIGKILL');
    }
  }

  /** Stops every child, the last started first. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const child of [...this.children].reverse()) {
      if (child.exit && !groupAlive(child.pid ?? -1)) continue;
      await this.stop(child);
    }
  }

  /** Last resort on process exit: SIGKILL every group still alive (synchronous). */
  killAllNow(): void {
    for (const child of this.children) {
      if (child.pid !== undefined && (!child.exit || groupAlive(child.pid))) killQuietly(-child.pid, 'SIGKILL');
    }
  }

  /** PIDs of the live children, recorded in the lock file so a later run can clean up after a crash. */
  livePids(): { name: string; pid: number }[] {
    return this.children.flatMap((c) => (c.pid !== undefined && !c.exit ? [{ name: c.name, pid: c.pid }] : []));
  }

  /**
   * On SIGINT / SIGTERM / SIGHUP: run `onStop` (which should stop everything) then exit with
   * `exitCode`. A second signal while stopping kills everything at once.
   */
  handleSignals(onStop: () => unknown, exitCode = 0): void {
    let count = 0;
    const handler = (signal: NodeJS.Signals) => {
      count += 1;
      if (count === 1) {
        say(`${signal} received: stopping...`);
        Promise.resolve()
          .then(onStop)
          .catch((err: unknown) => process.stderr.write(`[easymo-dr] error while stopping: ${err instanceof Error ? err.stack : String(err)}\n`))
          .finally(() => process.exit(exitCode));
      } else {
        say('stopping at once (second signal).');
        this.killAllNow();
        process.exit(130);
      }
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handler);
  }
}
