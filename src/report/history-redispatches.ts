// The same re-dispatch figures the run records, recounted from its raw event history: every
// activity that timed out (or failed with a retryable error) and was dispatched again, per step,
// with the reason and stall by the rule in src/runbook/redispatch.ts. Lets a test, or a person
// with `temporal workflow show`, check the report against what Temporal itself wrote down.
import { defaultPayloadConverter } from '@temporalio/common';
import proto, { type temporal } from '@temporalio/proto';
import { classifyLoss, FINDING_KEY, refineLoss, type DispatchFinding } from '../runbook/redispatch.js';
import type { RedispatchReason } from '../runbook/run.js';

type Event = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
const T = proto.temporal.api.enums.v1.EventType;

export interface CountedRedispatch {
  stepId: string;
  reason: RedispatchReason;
  stallMs: number;
}

const ms = (t: Event['eventTime']): number => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

function decode(payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown {
  const first = payloads?.payloads?.[0];
  return first ? defaultPayloadConverter.fromPayload(first) : undefined;
}

function timeoutOf(failure: Failure | null | undefined): Failure | undefined {
  for (let f = failure; f; f = f.cause) if (f.timeoutFailureInfo) return f;
  return undefined;
}

/** Re-dispatches per step, in order, from a run's history (payloads not encrypted, or decoded first). */
export function redispatchesFromHistory(history: temporal.api.history.v1.IHistory): CountedRedispatch[] {
  const events = history.events ?? [];
  const scheduled = new Map<string, { stepId: string; dispatchedAt: number }>();
  const out: CountedRedispatch[] = [];
  let lastTaskStarted = 0;
  let pending: Array<{ stepId: string; loss: Parameters<typeof classifyLoss>[0] | undefined }> = [];
  for (const [i, e] of events.entries()) {
    const id = String(e.eventId);
    if (e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
      lastTaskStarted = ms(e.eventTime);
      // The workflow sees a loss in the next task it runs, and dispatches again at that time.
      for (const p of pending) {
        if (!p.loss) continue;
        out.push({ stepId: p.stepId, ...pick(classifyLoss({ ...p.loss, noticedAt: lastTaskStarted })) });
        p.loss = undefined;
      }
      pending = pending.filter((p) => p.loss !== undefined);
    } else if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      const input = decode(e.activityTaskScheduledEventAttributes?.input) as { stepId?: unknown; fence?: unknown } | undefined;
      if (typeof input?.stepId === 'string') scheduled.set(id, { stepId: input.stepId, dispatchedAt: lastTaskStarted });
    } else if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
      const a = e.activityTaskTimedOutEventAttributes;
      const s = scheduled.get(String(a?.scheduledEventId));
      const t = timeoutOf(a?.failure);
      if (!s || !t || !redispatched(events, i, s.stepId)) continue;
      const details = decode(t.timeoutFailureInfo?.lastHeartbeatDetails) as { at?: unknown } | undefined;
      const timeoutType = proto.temporal.api.enums.v1.TimeoutType[t.timeoutFailureInfo?.timeoutType ?? 0]?.replace('TIMEOUT_TYPE_', '');
      const lastHeartbeatAt = typeof details?.at === 'number' ? details.at : undefined;
      pending.push({ stepId: s.stepId, loss: { timeoutType, lastHeartbeatAt, dispatchedAt: s.dispatchedAt, noticedAt: 0 } });
    } else if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      // A re-dispatch's result says whether the lost dispatch's worker was still up.
      const s = scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId));
      const result = decode(e.activityTaskCompletedEventAttributes?.result) as Record<string, unknown> | undefined;
      const finding = result?.[FINDING_KEY] as DispatchFinding | undefined;
      const last = s && finding ? out.filter((r) => r.stepId === s.stepId).at(-1) : undefined;
      if (last) last.reason = refineLoss(last.reason, finding).reason;
    }
  }
  return out;
}

const pick = ({ reason, stallMs }: { reason: RedispatchReason; stallMs: number }) => ({ reason, stallMs });

/** Whether the step was scheduled again after event `i` (the workflow re-dispatched rather than failed). */
function redispatched(events: Event[], i: number, stepId: string): boolean {
  for (const e of events.slice(i + 1)) {
    if (e.eventType !== T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
    const input = decode(e.activityTaskScheduledEventAttributes?.input) as { stepId?: unknown; fence?: unknown } | undefined;
    if (input?.stepId === stepId) return input.fence !== undefined;
  }
  return false;
}
