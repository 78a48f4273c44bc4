// Fencing: at most one copy of a step's processes, even when Temporal dispatches the step again
// after a worker crash or a server outage. Each dispatch records where it runs (host, boot id) and
// the process groups it started in its heartbeat details; the workflow hands the previous
// dispatches' records to the next one, which kills (and waits out) those groups before it starts.
// Within one worker the groups are also kept per step, which covers a dispatch whose heartbeat with
// its groups never reached the server.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { FINDING_KEY, type DispatchFinding } from '../runbook/redispatch.js';
import { beginDispatch, groupsOfStep, machine, noteFinding, startTimeOf, type Fence } from './dispatch-groups.js';
import { groupAlive, killGroup } from './process-group.js';

export type { Fence, FenceGroup } from './dispatch-groups.js';

/** The groups of earlier dispatches that are ours to stop: on this machine, since its last boot, still alive. */
export function groupsToFence(previous: readonly Fence[], key: string | undefined): number[] {
  const out = new Set<number>(key ? groupsOfStep(key) : []);
  for (const fence of previous) {
    if (fence.host !== machine.host || fence.bootId !== machine.bootId) continue;
    for (const g of fence.groups) {
      if (!groupAlive(g.pgid)) continue;
      const now = startTimeOf(g.pgid);
      // A live leader with another start time is a new process that reused the pid: not ours.
      if (now !== undefined && g.startTime !== undefined && now !== g.startTime) continue;
      out.add(g.pgid);
    }
  }
  return [...out].filter(groupAlive);
}

/** Kills the given groups (SIGTERM, SIGKILL after the grace) and resolves once all are gone. */
export async function fenceGroups(pgids: readonly number[], graceMs = 5_000): Promise<void> {
  if (pgids.length === 0) return;
  for (const pgid of pgids) killGroup(pgid, graceMs, () => {});
  const until = Date.now() + graceMs + 5_000;
  while (pgids.some(groupAlive)) {
    if (Date.now() > until) throw new Error(`Process groups ${pgids.filter(groupAlive).join(', ')} of an earlier dispatch did not stop`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Whether the lost dispatch's worker is still up: this very process, or another live process of
 * this machine; undefined when it ran elsewhere. A live worker means the server lost track of it.
 */
export function findingFor(previous: readonly Fence[]): DispatchFinding | undefined {
  const last = previous.at(-1);
  if (!last || last.host !== machine.host || last.bootId !== machine.bootId || typeof last.pid !== 'number') return undefined;
  return last.pid === process.pid || groupAlive(last.pid) || processAlive(last.pid) ? 'worker-alive' : 'worker-gone';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Other hosts' dispatches we cannot reach: named in the log so a person can check them. */
function remote(previous: readonly Fence[]): Fence[] {
  return previous.filter((f) => f.host !== machine.host || f.bootId !== machine.bootId);
}

/**
 * The worker's activity interceptor: records each dispatch's fence, and before a dispatch that the
 * workflow marked as a re-dispatch (input `fence`: the earlier dispatches' records) runs, stops
 * what those left behind on this machine.
 */
export const fenceInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const first: unknown = input.args[0];
      const arg = typeof first === 'object' && first !== null ? (first as { runId?: unknown; stepId?: unknown; fence?: unknown }) : {};
      const key = typeof arg.runId === 'string' && typeof arg.stepId === 'string' ? `${arg.runId}/${arg.stepId}` : undefined;
      beginDispatch(ctx, key);
      const previous = Array.isArray(arg.fence) ? (arg.fence as Fence[]) : [];
      const stale = groupsToFence(previous, key);
      if (stale.length > 0) {
        ctx.log.warn(`Stopping process groups ${stale.join(', ')} left by an earlier dispatch of this step before running it again`);
        await fenceGroups(stale);
      }
      for (const f of remote(previous)) {
        if (f.groups.length > 0) ctx.log.warn(`An earlier dispatch ran on ${f.host} (groups ${f.groups.map((g) => g.pgid).join(', ')}); it cannot be stopped from here`);
      }
      if (!('fence' in arg)) return next(input);
      const { fence: _fence, ...rest } = first as Record<string, unknown>;
      const finding = findingFor(previous);
      if (finding) noteFinding(ctx, finding);
      const result: unknown = await next({ ...input, args: [rest, ...input.args.slice(1)] });
      // Told back to the workflow (which strips it) so the report can say why the step ran again.
      return finding && typeof result === 'object' && result !== null && !Array.isArray(result) ? { ...result, [FINDING_KEY]: finding } : result;
    },
  },
});
