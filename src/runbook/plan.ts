// Plan and forecast math: how long a runbook should take, how long is left, and where the run
// stands against its RTO. Pure functions over the model and the run record.
import type { Mode, Step } from './model.js';
import type { RtoState, RtoStatus, StepRecord, StepStatus } from './run.js';

const DONE: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled', 'planned', 'rehearsed'];

/** Planned duration of steps run in sequence, in a mode: sums along sequences, max across parallel groups. */
export function plannedMs(steps: readonly Step[], mode: Mode): number {
  let total = 0;
  for (const step of steps) total += plannedStepMs(step, mode);
  return total;
}

function plannedStepMs(step: Step, mode: Mode): number {
  if (!step.modes.includes(mode)) return 0;
  if (step.action.kind === 'parallel') {
    return Math.max(0, ...step.action.steps.map((child) => plannedStepMs(child, mode)));
  }
  return step.budgetMs;
}

/** Budget still ahead on the longest path, given what the run has recorded so far. */
export function remainingMs(
  steps: readonly Step[],
  mode: Mode,
  records: ReadonlyMap<string, StepRecord>,
  now: number,
): number {
  let total = 0;
  for (const step of steps) total += remainingStepMs(step, mode, records, now);
  return total;
}

function remainingStepMs(step: Step, mode: Mode, records: ReadonlyMap<string, StepRecord>, now: number): number {
  const record = records.get(step.id);
  if (!step.modes.includes(mode) || (record && DONE.includes(record.status))) return 0;
  if (step.action.kind === 'parallel') {
    return Math.max(0, ...step.action.steps.map((child) => remainingStepMs(child, mode, records, now)));
  }
  if (record?.startedAt !== undefined) return Math.max(0, step.budgetMs - (now - record.startedAt));
  return step.budgetMs;
}

/** Where a run stands against its RTO: breached once elapsed passes it, at risk once the forecast does. */
export function rtoStatus(elapsedMs: number, forecastMs: number, rtoMs: number | undefined): RtoStatus {
  if (rtoMs === undefined) return 'none';
  if (elapsedMs > rtoMs) return 'breached';
  if (forecastMs > rtoMs) return 'at-risk';
  return 'on-track';
}

/** The RTO state of a run at `now`. */
export function rtoState(args: {
  steps: readonly Step[];
  mode: Mode;
  records: ReadonlyMap<string, StepRecord>;
  startedAt: number;
  now: number;
  rtoMs?: number;
}): RtoState {
  const elapsedMs = args.now - args.startedAt;
  const forecastMs = elapsedMs + remainingMs(args.steps, args.mode, args.records, args.now);
  return {
    status: rtoStatus(elapsedMs, forecastMs, args.rtoMs),
    elapsedMs,
    forecastMs,
    deadline: args.rtoMs === undefined ? undefined : args.startedAt + args.rtoMs,
  };
}

/**
 * Milliseconds until the RTO state could next change without any step finishing: a running step
 * reaching its budget, an overrunning forecast crossing the RTO, or the RTO deadline itself.
 * Undefined when nothing can change until a step ends.
 */
export function nextCheckInMs(args: {
  records: Iterable<StepRecord>;
  rto: RtoState;
  rtoMs?: number;
  now: number;
}): number | undefined {
  const candidates: number[] = [];
  let growing = false;
  for (const record of args.records) {
    if ((record.status !== 'running' && record.status !== 'waiting') || record.kind === 'parallel') continue;
    if (record.startedAt === undefined) continue;
    const budgetEnd = record.startedAt + record.budgetMs - args.now;
    if (budgetEnd > 0) candidates.push(budgetEnd);
    else growing = true;
  }
  if (args.rtoMs !== undefined && args.rto.status !== 'breached') {
    candidates.push(args.rtoMs - args.rto.elapsedMs + 1);
    if (growing && args.rto.status === 'on-track') candidates.push(args.rtoMs - args.rto.forecastMs + 1);
  }
  const positive = candidates.filter((ms) => ms > 0);
  return positive.length === 0 ? undefined : Math.max(1, Math.min(...positive));
}

/** Every step of a runbook, parallel children included, in plan order, with their group. */
export function flattenSteps(steps: readonly Step[], parentId?: string): Array<{ step: Step; parentId?: string }> {
  return steps.flatMap((step) => [
    { step, parentId },
    ...(step.action.kind === 'parallel' ? flattenSteps(step.action.steps, step.id) : []),
  ]);
}

/**
 * The destructive steps each approval gates: those after it in its sequence (inside later parallel
 * groups too) up to the next approval. Four-eyes rules apply to approvals that gate any.
 */
export function gatedDestructiveSteps(steps: readonly Step[]): Map<string, string[]> {
  const gates = new Map<string, string[]>();
  const destructiveIn = (step: Step): string[] =>
    step.action.kind === 'parallel'
      ? step.action.steps.flatMap(destructiveIn)
      : step.destructive
        ? [step.id]
        : [];
  const walk = (sequence: readonly Step[]): void => {
    let gate: string | undefined;
    for (const step of sequence) {
      if (step.action.kind === 'approval') {
        gate = step.id;
        gates.set(gate, []);
        continue;
      }
      if (gate !== undefined) gates.get(gate)!.push(...destructiveIn(step));
      if (step.action.kind === 'parallel') walk(step.action.steps);
    }
  };
  walk(steps);
  return gates;
}
