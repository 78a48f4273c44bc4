// The same re-dispatch figures the run records, recounted from its raw event history: every
// activity that timed out or failed with a retryable error and was dispatched again, per step,
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
  const scheduled = new Map<string, { stepId: string; dispatchedAt: number; redispatch: boolean }>();
  const out: CountedRedispatch[] = [];
  let lastTaskStarted = 0;
  // Lost dispatches per step, waiting for the workflow task that dispatches the step again: the
  // workflow's clock in that task (its WorkflowTaskStarted time) is when the loss was acted on.
  const lost = new Map<string, Parameters<typeof classifyLoss>[0]>();
  for (const e of events) {
    const id = String(e.eventId);
    if (e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
      lastTaskStarted = ms(e.eventTime);
    } else if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      const input = decode(e.activityTaskScheduledEventAttributes?.input) as { stepId?: unknown; fence?: unknown } | undefined;
      if (typeof input?.stepId !== 'string') continue;
      scheduled.set(id, { stepId: input.stepId, dispatchedAt: lastTaskStarted, redispatch: input.fence !== undefined });
      const loss = lost.get(input.stepId);
      if (loss && input.fence !== undefined) out.push({ stepId: input.stepId, ...pick(classifyLoss({ ...loss, noticedAt: lastTaskStarted })) });
      lost.delete(input.stepId);
    } else if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
      const a = e.activityTaskTimedOutEventAttributes;
      const s = scheduled.get(String(a?.scheduledEventId));
      const t = timeoutOf(a?.failure);
      if (!s || !t) continue;
      const details = decode(t.timeoutFailureInfo?.lastHeartbeatDetails) as { at?: unknown; [FINDING_KEY]?: DispatchFinding } | undefined;
      // A lost re-dispatch heartbeated what it had found of the dispatch before it.
      const before = details?.[FINDING_KEY] ? out.filter((r) => r.stepId === s.stepId).at(-1) : undefined;
      if (before && s.redispatch) before.reason = refineLoss(before.reason, details![FINDING_KEY]).reason;
      const timeoutType = proto.temporal.api.enums.v1.TimeoutType[t.timeoutFailureInfo?.timeoutType ?? 0]?.replace('TIMEOUT_TYPE_', '');
      const lastHeartbeatAt = typeof details?.at === 'number' ? details.at : undefined;
      lost.set(s.stepId, { timeoutType, lastHeartbeatAt, dispatchedAt: s.dispatchedAt, noticedAt: 0 });
    } else if (e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_FAILED) {
      // An error the activity did not mark final: the workflow dispatches again after a back-off.
      const a = e.activityTaskFailedEventAttributes;
      const s = scheduled.get(String(a?.scheduledEventId));
      const f = a?.failure;
      if (!s || !f?.applicationFailureInfo || f.applicationFailureInfo.nonRetryable) continue;
      lost.set(s.stepId, { dispatchedAt: s.dispatchedAt, error: f.message ?? undefined, noticedAt: 0 });
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
