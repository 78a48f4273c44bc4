// Killing a step's whole process group: `bash -c 'a & b'` or pg_restore -j 4 start children that a
// kill of the direct child would orphan, still holding locks and connections during a restore.

import { forgetGroup, noteGroup } from './dispatch-groups.js';

const live = new Set<number>();
let exitHookInstalled = false;

/** Sends `signal` to the group led by `pid`; false when the group no longer exists. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0);
}

/**
 * SIGTERM to the group, SIGKILL after `graceMs` if anything is left, then `giveUp` a moment later:
 * a process that escaped the group (setsid) may hold our pipes open, and the step must still end.
 */
export function killGroup(pid: number, graceMs: number, giveUp: () => void): void {
  track(pid);
  if (!signalGroup(pid, 'SIGTERM')) return void live.delete(pid);
  const poll = setInterval(() => {
    if (!groupAlive(pid)) {
      clearInterval(poll);
      clearTimeout(force);
      live.delete(pid);
      forgetGroup(pid);
    }
  }, 100);
  const force = setTimeout(() => {
    clearInterval(poll);
    signalGroup(pid, 'SIGKILL');
    live.delete(pid);
    setTimeout(giveUp, 2_000).unref();
  }, graceMs);
  poll.unref();
  force.unref();
}

/** Forgets a group whose leader ended normally (background daemons it started are its business). */
export function untrack(pid: number): void {
  live.delete(pid);
  forgetGroup(pid);
}

/** Remembers a group so that a worker exiting mid-step does not leave it running. */
export function track(pid: number): void {
  if (!live.has(pid)) noteGroup(pid);
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) signalGroup(p, 'SIGKILL');
  });
}
