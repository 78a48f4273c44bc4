// Fencing: at most one copy of a step's processes, even when Temporal dispatches the step again
// after a worker crash or a server outage. Each dispatch records where it runs (host, boot id) and
// the process groups it started in its heartbeat details; the workflow hands the previous
// dispatches' records to the next one, which kills (and waits out) those groups before it starts.
// Within one worker the groups are also kept per step, which covers a dispatch whose heartbeat with
// its groups never reached the server.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { FINDING_KEY, type DispatchFinding } from '../runbook/redispatch.js';
import { groupAlive, killGroup } from './process-group.js';

/** A process group a dispatch started: its leader's pid and start time (pids are reused). */
export interface FenceGroup {
  pgid: number;
  startTime?: string;
}

/** Where a dispatch ran and what it started; travels in heartbeat details as `fence`. */
export interface Fence {
  host: string;
  bootId: string;
  /** The worker process that ran the dispatch. */
  pid: number;
  groups: FenceGroup[];
}

interface Dispatch {
  key?: string;
  fence: Fence;
  details?: Record<string, unknown>;
  beat?: (details: unknown) => void;
}

const dispatches = new WeakMap<Context, Dispatch>();
// Groups per step (run id + step id) started by this worker process and still alive.
const byStep = new Map<string, Set<number>>();

const machine = { host: hostname(), bootId: readBootId(), pid: process.pid };

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown'; // not Linux: a same-host fence then trusts the pid's start time only
  }
}

/** The leader's start time (clock ticks since boot, field 22 of /proc/<pid>/stat). */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // outside an activity (integration tests call activity functions directly)
  }
}

/** Heartbeat details with the dispatch's fence and the worker's clock (`at`) added. */
export function withFence(ctx: Context, details: unknown): unknown {
  const d = dispatches.get(ctx);
  const plain = typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : { value: details };
  if (d) d.details = plain;
  return { ...plain, at: Date.now(), ...(d ? { fence: d.fence } : {}) };
}

/** Called when a process group starts: recorded for this step, and heartbeated at once. */
export function noteGroup(pgid: number): void {
  const ctx = currentContext();
  const d = ctx ? dispatches.get(ctx) : undefined;
  if (!ctx || !d) return;
  d.fence.groups.push({ pgid, startTime: startTimeOf(pgid) });
  if (d.key) {
    const set = byStep.get(d.key) ?? new Set<number>();
    set.add(pgid);
    byStep.set(d.key, set);
  }
  ctx.heartbeat(withFence(ctx, d.details ?? { phase: 'started' }));
}

/** Forgets a group that ended. */
export function forgetGroup(pgid: number): void {
  for (const [key, set] of byStep) if (set.delete(pgid) && set.size === 0) byStep.delete(key);
}

/** The groups of earlier dispatches that are ours to stop: on this machine, since its last boot, still alive. */
export function groupsToFence(previous: readonly Fence[], key: string | undefined): number[] {
  const out = new Set<number>(key ? (byStep.get(key) ?? []) : []);
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
      dispatches.set(ctx, { key, fence: { ...machine, groups: [] } });
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
      const result: unknown = await next({ ...input, args: [rest, ...input.args.slice(1)] });
      // Told back to the workflow (which strips it) so the report can say why the step ran again.
      return finding && typeof result === 'object' && result !== null && !Array.isArray(result) ? { ...result, [FINDING_KEY]: finding } : result;
    },
  },
});
