// A pid/lock file in the state dir: one stack per state dir. A second `npm start` on the same state
// dir learns who runs it instead of failing on a busy port; a lock left by a process that died
// (kill -9, power loss) is taken over, and the services it recorded are stopped first.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pidAlive } from './process.js';

export interface LockChild {
  name: string;
  pid: number;
  /** A substring of the child's command line, to tell it from an unrelated process that reused its pid. */
  cmd?: string | undefined;
}

export interface LockData {
  pid: number;
  cmd?: string;
  startedAt: string;
  children: LockChild[];
  [key: string]: unknown;
}

export interface HeldLock {
  file: string;
  readonly data: LockData;
  /** Merges `patch` into the stored info (e.g. the children's pids once they run). */
  update(patch: Partial<LockData>): void;
  release(): void;
}

type Log = (message: string) => void;

/** The command line of a live process, or undefined (not Linux, or gone). */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** Reads the lock file; undefined when missing or unreadable. */
export function readLock(file: string): LockData | undefined {
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return data && typeof data === 'object' && Number.isInteger((data as { pid?: unknown }).pid) ? (data as LockData) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the lock's owner is still running. A live pid whose command line no longer contains the
 * recorded `cmd` (the pid was reused by another program) counts as dead.
 */
export function lockOwnerAlive(lock: LockData | undefined): boolean {
  if (!lock || !pidAlive(lock.pid)) return false;
  if (!lock.cmd) return true;
  const cmd = processCommandLine(lock.pid);
  return cmd === undefined || cmd.includes(lock.cmd);
}

/** Kills the services recorded by a dead owner if they are still running (matched by command line). */
export function cleanupStaleChildren(lock: LockData | undefined, log: Log = () => {}): LockChild[] {
  const cleaned: LockChild[] = [];
  for (const child of lock?.children ?? []) {
    if (!pidAlive(child.pid)) continue;
    const cmd = processCommandLine(child.pid);
    if (child.cmd && (cmd === undefined || !cmd.includes(child.cmd))) continue;
    log(`stopping ${child.name} (pid ${child.pid}) left running by a previous run that did not stop cleanly`);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    cleaned.push(child);
  }
  // Wait (briefly) until they are gone, so their ports are free for the new run.
  for (let i = 0; i < 50 && cleaned.some((c) => pidAlive(c.pid)); i++) sleepSync(100);
  return cleaned;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeAtomic(file: string, data: LockData): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, file);
}

/**
 * Takes the lock at `file` for this process. Returns { ok: true, lock } with update() and release(),
 * or { ok: false, holder } when a live process holds it. A stale lock is cleaned up and taken.
 * `info` is stored in the file (e.g. the UI URL, for the "already running" message).
 */
export function acquireLock(
  file: string,
  info: Record<string, unknown> = {},
  { log = () => {}, cmd = 'node' }: { log?: Log; cmd?: string } = {},
): { ok: true; lock: HeldLock } | { ok: false; holder: LockData } {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(file);
      if (holder && lockOwnerAlive(holder)) return { ok: false, holder };
      if (!holder) {
        // Being written right now by another starter, or garbage: give a writer a moment.
        const age = Date.now() - (safeMtime(file) ?? 0);
        if (age < 2_000) {
          sleepSync(200);
          continue;
        }
      }
      cleanupStaleChildren(holder, log);
      rmSync(file, { force: true });
      continue;
    }
    let data: LockData = { pid: process.pid, cmd, startedAt: new Date().toISOString(), ...info, children: [] };
    writeFileSync(fd, JSON.stringify(data, null, 2) + '\n');
    closeSync(fd);
    const release = () => {
      const current = readLock(file);
      if (current && current.pid === process.pid) rmSync(file, { force: true });
      process.removeListener('exit', release);
    };
    process.on('exit', release);
    const lock: HeldLock = {
      file,
      get data() {
        return data;
      },
      update(patch) {
        data = { ...data, ...patch };
        if (existsSync(file)) writeAtomic(file, data);
      },
      release,
    };
    return { ok: true, lock };
  }
  throw new Error(`could not take the lock ${file}: it keeps changing; is another start racing this one?`);
}

function safeMtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
