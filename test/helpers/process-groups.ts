// Process groups seen from /proc, for tests that a tool's group ended with it.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of group `pgid` still running; zombies (left to an init that does not reap them) are not. */
export function runningInGroup(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return group === String(pgid) && state !== 'Z' ? [Number(d)] : [];
      } catch {
        return []; // ended while we looked
      }
    });
}

/**
 * The group's pids still running after up to `withinMs`. A process closes its files before the
 * kernel marks it exited, so a tool's stdio can end a moment before its last member is gone.
 */
export async function leftInGroup(pgid: number, withinMs = 2_000): Promise<number[]> {
  const until = Date.now() + withinMs;
  let left = runningInGroup(pgid);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    left = runningInGroup(pgid);
  }
  return left;
}
