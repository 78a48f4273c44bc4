// What each dispatch of a step started, kept where both the process-group code (which reports a
// group starting or ending) and the fence (which stops an earlier dispatch's groups) can reach it
// without importing each other: the dispatch's fence travels in its heartbeats.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import { FINDING_KEY, type DispatchFinding } from '../runbook/redispatch.js';

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
  /** What a re-dispatch found of the dispatch before it; heartbeated, so it reaches the workflow even if this one is lost too. */
  finding?: DispatchFinding;
  details?: Record<string, unknown>;
  beat?: (details: unknown) => void;
}

const dispatches = new WeakMap<Context, Dispatch>();
// Groups per step (run id + step id) started by this worker process and still alive.
const byStep = new Map<string, Set<number>>();

export const machine = { host: hostname(), bootId: readBootId(), pid: process.pid };

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown'; // not Linux: a same-host fence then trusts the pid's start time only
  }
}

/** The leader's start time (clock ticks since boot, field 22 of /proc/<pid>/stat). */
export function startTimeOf(pid: number): string | undefined {
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

/** Heartbeat details with the dispatch's fence, the worker's clock (`at`) and a re-dispatch's finding added. */
export function withFence(ctx: Context, details: unknown): unknown {
  const d = dispatches.get(ctx);
  const plain = typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : { value: details };
  if (d) d.details = plain;
  return { ...plain, at: Date.now(), ...(d ? { fence: d.fence } : {}), ...(d?.finding ? { [FINDING_KEY]: d.finding } : {}) };
}

/** Records what this re-dispatch found of the one before it: its heartbeats carry it from now on. */
export function noteFinding(ctx: Context, finding: DispatchFinding): void {
  const d = dispatches.get(ctx);
  if (d) d.finding = finding;
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

/** Starts recording a dispatch: `key` (run id/step id) groups its process groups per step. */
export function beginDispatch(ctx: Context, key: string | undefined): void {
  dispatches.set(ctx, { key, fence: { ...machine, groups: [] } });
}

/** The live groups this worker process started for a step (run id/step id). */
export function groupsOfStep(key: string): Iterable<number> {
  return byStep.get(key) ?? [];
}
