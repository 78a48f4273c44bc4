// Waits on people: a step waits for approvals or a completion (widening along the escalation chain
// when nobody answers, escalation.ts), or for a decision on a failed step. The messages that end a
// wait arrive through handlers.ts; the wait periods land in the step's record.
import { condition } from '@temporalio/workflow';
import { formatDuration } from '../runbook/duration.js';
import { escalationLevels, rolesAtLevel } from '../runbook/escalation.js';
import type { Acknowledgement, Decision, StepRecord, WaitingFor } from '../runbook/run.js';
import { rejected, WaitTimedOut } from './errors.js';
import { announceWait, escalate } from './escalation.js';
import { describeRoles } from './people.js';
import { sendLater } from './notifier.js';
import type { PeopleWait } from './perform.js';
import type { RunState, Waiting } from './state.js';

/**
 * Waits until people have acted on the step. Without an answer within `escalateAfterMs`, the
 * wait widens to the next role of the escalation chain (and notifies it); once the chain is
 * exhausted, `onTimeout` says whether the step fails or the run goes on without it.
 */
export async function waitForPeople(state: RunState, record: StepRecord, waitingFor: WaitingFor, wait: PeopleWait): Promise<unknown> {
  const period = { for: waitingFor, since: Date.now() } as StepRecord['waits'][number];
  record.waits.push(period);
  const chain = state.loaded.people.escalation;
  const waiting: Waiting = { for: waitingFor, roles: rolesAtLevel(wait.roles, chain, 0), required: wait.required, instructions: wait.instructions };
  state.waiting.set(record.id, waiting);
  state.change(record, { status: 'waiting', rejectedBy: undefined });
  const answered = () => record.rejectedBy !== undefined || satisfied(record, waitingFor, wait.required, state.pendingDecisions);
  let timedOut = false;
  try {
    // The awaits stay in this function: moving them into a helper would add a microtask hop and
    // reorder commands against the monitor's, which running workflows' histories would not replay.
    sendLater(announceWait(state, record, waiting, 0));
    const levels = escalationLevels(wait.roles, chain);
    for (let level = 0; ; level++) {
      if (wait.escalateAfterMs === undefined) {
        await condition(answered);
        break;
      }
      if (await condition(answered, wait.escalateAfterMs, { summary: `${record.id}: escalate if nobody answers` })) break;
      if (level >= levels) {
        timedOut = true;
        break;
      }
      escalate(state, record, waiting, wait, level + 1);
    }
  } finally {
    period.until = Date.now();
    state.waiting.delete(record.id);
    state.change(record, { status: 'running' });
  }
  if (timedOut) {
    const detail = `nobody answered "${record.id}" within ${formatDuration(Date.now() - period.since)} (asked: ${describeRoles(state.runbook, waiting.roles)})`;
    state.event('wait-timed-out', detail, record.id);
    sendLater(state.notifier.send({ event: 'wait-timed-out', key: `timeout:${record.id}`, message: detail, always: true }));
    throw new WaitTimedOut(detail, wait.onTimeout === 'continue');
  }
  if (record.rejectedBy) rejected(record);
  if (waitingFor === 'approval') return { approvedBy: record.approvals.map((a) => a.by) };
  return { completedBy: record.completedBy?.by, comment: record.completedBy?.comment };
}

/** Waits for someone to decide what happens to a failed step: retry, skip or abort. */
export async function waitForDecision(state: RunState, record: StepRecord): Promise<Acknowledgement & { decision: Decision }> {
  state.pendingDecisions.delete(record.id);
  const period = { for: 'decision', since: Date.now() } as StepRecord['waits'][number];
  record.waits.push(period);
  state.waiting.set(record.id, { for: 'decision', roles: [], required: 1 });
  state.change(record, { status: 'waiting' });
  try {
    await condition(() => state.pendingDecisions.has(record.id));
  } finally {
    period.until = Date.now();
    state.waiting.delete(record.id);
    state.version++;
  }
  const decision = state.pendingDecisions.get(record.id)!;
  state.pendingDecisions.delete(record.id);
  return decision;
}

function satisfied(record: StepRecord, waitingFor: WaitingFor, required: number, decisions: Map<string, unknown>): boolean {
  if (waitingFor === 'approval') return record.approvals.length >= required;
  if (waitingFor === 'completion') return record.completedBy !== undefined;
  return decisions.has(record.id);
}
