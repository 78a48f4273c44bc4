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
