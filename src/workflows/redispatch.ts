// Dispatching a step's action to a worker: the step's `timeout:` as a hard limit (a workflow timer
// cancels the activity, whose processes are killed, and the step fails once), and dispatches lost
// to the infrastructure (a dead worker, a server outage) sent again here rather than by Temporal's
// retry policy, so each one is recorded apart from the step's own attempts, with why and how long
// the run stalled, and the next dispatch is handed the lost one's fence (src/activities/fence.ts).
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  sleep,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { formatDuration } from '../runbook/duration.js';
import type { Step } from '../runbook/model.js';
import { checkRedispatchNote, classifyLoss, FINDING_KEY, HEARTBEAT_TIMEOUT_MS, MAX_DISPATCHES, refineLoss, type DispatchFinding } from '../runbook/redispatch.js';
import type { StepRecord } from '../runbook/run.js';

// Backstop when a step declares no timeout: long restores are legitimate; heartbeats catch dead workers.
const DEFAULT_START_TO_CLOSE_MS = 24 * 3_600_000;
// Past the step's limit, the time a cancelled activity has to stop its processes and answer.
const CANCEL_GRACE_MS = 30_000;

export interface Dispatch {
  step: Step;
  record: StepRecord;
  activity: keyof Activities;
  input: Record<string, unknown>;
  heartbeats: boolean;
  /** Whether running the action twice is safe (the report flags the step otherwise). */
  idempotent: boolean;
  /**
   * Since `flat-steps` (state.ts, CodePaths): the step's output taken from the result here, and no
   * limit wrapper for a step without a timeout, so the activity is awaited with no async layer between.
   */
  flat?: { output?: (result: unknown) => unknown };
}

/** Runs the step's activity once for this attempt, dispatching it again when a dispatch is lost. */
export async function dispatch({ step, record, activity, input, heartbeats, idempotent, flat }: Dispatch): Promise<unknown> {
  const attempt = record.attempts.length;
  const deadline = step.timeoutMs === undefined ? undefined : Date.now() + step.timeoutMs;
  const fences: unknown[] = [];
  for (let n = 1; ; n++) {
    const remaining = deadline === undefined ? undefined : deadline - Date.now();
    if (remaining !== undefined && remaining <= 0) throw timedOut(step);
    const call = proxyActivities<Activities>({
      startToCloseTimeout: remaining === undefined ? DEFAULT_START_TO_CLOSE_MS : remaining + CANCEL_GRACE_MS,
      heartbeatTimeout: heartbeats ? HEARTBEAT_TIMEOUT_MS : undefined,
      // Heartbeating activities run processes: the step ends only once they are stopped.
      cancellationType: heartbeats ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED : ActivityCancellationType.TRY_CANCEL,
      retry: { maximumAttempts: 1 },
      summary: `${step.id}: ${step.title}`,
    })[activity] as (input: unknown) => Promise<unknown>;
    const dispatchedAt = Date.now();
    // A re-dispatch always carries `fence` (maybe empty): it marks it in history, and the worker fences.
    const args = { ...input, timeoutMs: remaining, ...(n > 1 ? { fence: fences } : {}) };
    try {
      if (!flat) return explained(record, await withinLimit(step, remaining, () => call(args)));
      const result = explained(record, await (remaining === undefined ? call(args) : withinLimit(step, remaining, () => call(args))));
      return flat.output ? flat.output(result) : result;
    } catch (err) {
      const lost = lostDispatch(err, dispatchedAt);
      if (!lost || n >= MAX_DISPATCHES) throw err;
      if (lost.backoffMs) await sleep(lost.backoffMs * 2 ** (n - 1), { summary: `${step.id}: back off before dispatching again` });
      // What the lost dispatch, itself a re-dispatch, had found of the one before it (its heartbeats carry it).
      const previous = n > 1 ? record.redispatches?.at(-1) : undefined;
      if (previous && lost.finding) Object.assign(previous, refineLoss(previous.reason, lost.finding));
      const at = Date.now();
      const { reason, detail, stallMs } = classifyLoss({ ...lost, noticedAt: at });
      (record.redispatches ??= []).push({ attempt, at, reason, detail, stallMs, lastHeartbeatAt: lost.lastHeartbeatAt });
      if (!idempotent) record.checkRedispatch = checkRedispatchNote(step.action.kind, n + 1);
      if (lost.fence !== undefined) fences.push(lost.fence);
    }
  }
}

/** Takes the re-dispatch's finding off its result and applies it to the last re-dispatch's reason. */
function explained(record: StepRecord, result: unknown): unknown {
  if (typeof result !== 'object' || result === null || !(FINDING_KEY in result)) return result;
  const { [FINDING_KEY]: finding, ...rest } = result as Record<string, unknown>;
  const last = record.redispatches?.at(-1);
  if (last) Object.assign(last, refineLoss(last.reason, finding as DispatchFinding));
  return rest;
}

/** The loss, when the error is one the infrastructure caused; undefined for the step's own failures. */
function lostDispatch(err: unknown, dispatchedAt: number) {
  if (!(err instanceof ActivityFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof TimeoutFailure) {
    const details = (cause.lastHeartbeatDetails ?? {}) as { at?: unknown; fence?: unknown; [FINDING_KEY]?: DispatchFinding };
    const lastHeartbeatAt = typeof details.at === 'number' ? details.at : undefined;
    return { timeoutType: cause.timeoutType as string, lastHeartbeatAt, dispatchedAt, fence: details.fence, finding: details[FINDING_KEY], backoffMs: 0 };
  }
  // An error the activity did not mark final (a dropped connection, a bug): Temporal's old policy
  // retried these with 1 s, 2 s, 4 s ... between them, and so does this.
  if (cause instanceof ApplicationFailure && !cause.nonRetryable) {
    return { dispatchedAt, error: cause.message, backoffMs: 1_000, lastHeartbeatAt: undefined, fence: undefined, finding: undefined, timeoutType: undefined };
  }
  return undefined;
}

function timedOut(step: Step, cause?: unknown): ApplicationFailure {
  // The activity's own timeout message (with the command's last output) wins when it has one.
  if (cause instanceof ActivityFailure && cause.cause instanceof ApplicationFailure && cause.cause.type === 'StepTimedOut') return cause.cause;
  return ApplicationFailure.create({ type: 'StepTimedOut', nonRetryable: true, message: `timed out after ${formatDuration(step.timeoutMs ?? 0)}` });
}

/** Runs `fn` with the step's remaining time as a hard limit: at the limit the activity is cancelled. */
async function withinLimit<T>(step: Step, remainingMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (remainingMs === undefined) return fn();
  const work = new CancellationScope();
  const timer = new CancellationScope();
  let expired = false;
  timer
    .run(() => sleep(remainingMs, { summary: `${step.id}: timeout ${formatDuration(step.timeoutMs ?? 0)}` }))
    .then(() => {
      expired = true;
      work.cancel();
    })
    .catch(() => undefined); // cancelled: the work ended first
  try {
    const result = await work.run(fn);
    if (expired) throw timedOut(step);
    return result;
  } catch (err) {
    if (expired) throw timedOut(step, err);
    throw err;
  } finally {
    timer.cancel();
  }
}
