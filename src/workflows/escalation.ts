// Escalation of a wait nobody answers: the channel is told who must act, and after `escalateAfterMs`
// of silence (timed by waits.ts) the wait widens to the next level of the escalation chain.
import { rolesAtLevel } from '../runbook/escalation.js';
import type { StepRecord } from '../runbook/run.js';
import { describeRoles } from './people.js';
import { sendLater } from './notifier.js';
import type { PeopleWait } from './perform.js';
import type { RunState, Waiting } from './state.js';

/**
 * Widens a wait nobody answered to the next level of the chain: records it, and tells the channel.
 * Synchronous on purpose: the wait's awaits stay in waits.ts, in the order recorded histories expect.
 */
export function escalate(state: RunState, record: StepRecord, waiting: Waiting, wait: PeopleWait, level: number): void {
  waiting.roles = rolesAtLevel(wait.roles, state.loaded.people.escalation, level);
  record.escalations.push({ at: Date.now(), roles: [...waiting.roles] });
  state.event('escalated', `"${record.id}" escalated to ${describeRoles(state.runbook, waiting.roles)}`, record.id);
  sendLater(announceWait(state, record, waiting, level));
}

/** Tells the channel who must act, with the exact command and where to click. */
export async function announceWait(state: RunState, record: StepRecord, waiting: Waiting, level: number): Promise<void> {
  const waitingFor = waiting.for;
  const verb = waitingFor === 'approval' ? 'approve' : 'complete';
  const who = describeRoles(state.runbook, waiting.roles);
  const gated = state.gates.get(record.id) ?? [];
  const message =
    `${level > 0 ? `Escalated (level ${level}): ` : ''}"${record.title}" waits for ${waitingFor} from ${who}` +
    (waitingFor === 'approval' ? ` (${waiting.required} needed)` : '') +
    (gated.length > 0 ? `; it gates destructive step(s) ${gated.join(', ')}` : '') +
    `. Run: dr ${verb} ${state.ids.workflowId} ${record.id} --as <you>` +
    (waiting.instructions ? `\n${waiting.instructions.trim()}` : '');
  await state.notifier.send({
    event: level > 0 ? 'escalated' : 'waiting',
    key: `wait:${record.id}:${record.waits.length}:${level}`,
    message,
    fields: { step: record.id, waitingFor, roles: waiting.roles.join(',') },
  });
}
