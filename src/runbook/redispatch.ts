// Why a step's action was dispatched again, and how long the run stalled on it: one rule shared by
// the workflow (which records it as it happens) and by the recount from raw history (report tests,
// `dr` tooling). Pure: times are epoch milliseconds handed in.
import { formatDuration } from './duration.js';
import type { RedispatchReason } from './run.js';

/** How long a worker may go without a heartbeat before Temporal gives its dispatch up. */
export const HEARTBEAT_TIMEOUT_MS = 10_000;
/** At most this many dispatches of one attempt of a step; the step then fails like any failure. */
export const MAX_DISPATCHES = 10;

/** What the workflow (or the history) saw of a lost dispatch. */
export interface LostDispatch {
  /** START_TO_CLOSE, HEARTBEAT, SCHEDULE_TO_START; undefined for a retryable error. */
  timeoutType?: string;
  /** The worker's clock at the dispatch's last heartbeat, from its heartbeat details. */
  lastHeartbeatAt?: number;
  /** When the dispatch was scheduled. */
  dispatchedAt: number;
  /** When the loss reached the workflow (it dispatches again at once). */
  noticedAt: number;
  /** A retryable error's message. */
  error?: string;
}

/** The reason, in a word and in words, and the stall: last sign of life → dispatched again. */
export function classifyLoss(loss: LostDispatch): { reason: RedispatchReason; detail: string; stallMs: number } {
  const since = loss.lastHeartbeatAt ?? loss.dispatchedAt;
  const stallMs = Math.max(0, loss.noticedAt - since);
  if (loss.timeoutType === undefined) return { reason: 'transient-error', detail: `retryable error: ${loss.error ?? 'unknown'}`, stallMs };
  if (loss.timeoutType === 'SCHEDULE_TO_START') return { reason: 'no-worker', detail: 'no worker picked the step up', stallMs };
  if (loss.timeoutType === 'START_TO_CLOSE') {
    return { reason: 'worker-lost', detail: 'no result before the start-to-close backstop: the worker was lost', stallMs };
  }
  return { reason: 'heartbeat-timeout', detail: `no heartbeat for ${formatDuration(HEARTBEAT_TIMEOUT_MS)}: the worker was lost or cut off`, stallMs };
}

/** Where a re-dispatch's result carries its finding; the workflow removes it before anyone sees the result. */
export const FINDING_KEY = '__drDispatchFinding';

/** What the next dispatch found of the lost one on its machine (src/activities/fence.ts). */
export type DispatchFinding = 'worker-alive' | 'worker-gone';

/** A heartbeat timeout explained by what the next dispatch found: a live worker means the server lost track. */
export function refineLoss(reason: RedispatchReason, finding: DispatchFinding | undefined): { reason: RedispatchReason; detail?: string } {
  if (reason !== 'heartbeat-timeout' || finding === undefined) return { reason };
  if (finding === 'worker-alive') {
    return { reason: 'server-unavailable', detail: 'the worker stayed up but its heartbeats or result did not reach the server: the server was unavailable' };
  }
  return { reason: 'worker-lost', detail: `no heartbeat for ${formatDuration(HEARTBEAT_TIMEOUT_MS)} and the worker process was gone: the worker was lost` };
}

/** The line a report shows for a non-idempotent step that ran more than once. */
export function checkRedispatchNote(kind: string, dispatches: number): string {
  return `${kind} is not idempotent and was dispatched ${dispatches} times: check that an earlier dispatch did not also take effect`;
}
