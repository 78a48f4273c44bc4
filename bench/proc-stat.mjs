// @ts-check
// CPU figures from /proc/<pid>/stat for the benchmarks (Linux): one reading of its fields, shared by
// the backup bench, its child process (plain JavaScript, so it runs without tsx) and the engine bench.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks a second, the unit of the CPU fields. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * A process's parent and CPU so far (user + system, ms): its own, and that of its children that ended
 * and were waited for. Throws when the process is gone.
 * @param {number | 'self'} pid
 */
export function procCpu(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces and parentheses), from `state`:
  // ppid 1, utime 11, stime 12, cutime 13, cstime 14.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  const ms = (/** @type {number} */ a, /** @type {number} */ b) => (((f[a] ?? 0) + (f[b] ?? 0)) * 1000) / CLOCK_TICKS;
  return { ppid: f[1] ?? 0, ownMs: ms(11, 12), waitedChildrenMs: ms(13, 14) };
}
