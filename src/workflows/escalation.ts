// Escalation of a wait nobody answers: the channel is told who must act; after `escalateAfterMs`
// of silence the wait widens to the next level of the escalation chain, until the chain runs out.
import { condition } from '@temporalio/workflow';
import { escalationLevels, rolesAtLevel } from '../runbook/escalation.js';
import type { StepRecord } from '../runbook/run.js';
import { describeRoles } from './people.js';
import type { PeopleWait } from './perform.js';
import type { RunState, Waiting } from './state.js';

/** Announces the wait and widens it while nobody answers; true when the whole chain stayed silent. */
export async function escalateUntilAnswered(
  state: RunState,
  record: StepRecord,
  waiting: Waiting,
  wait: PeopleWait,
  answered: () => boolean,
): Promise<boolean> {
  const chain = state.loaded.people.escalation;
  void announceWait(state, record, waiting, 0);
  const levels = escalationLevels(wait.roles, chain);
  for (let level = 0; ; level++) {
    if (wait.escalateAfterMs === undefined) {
      await condition(answered);
      return false;
    }
    if (await condition(answered, wait.escalateAfterMs, { summary: `${record.id}: escalate if nobody answers` })) return false;
    if (level >= levels) return true;
    waiting.roles = rolesAtLevel(wait.roles, chain, level + 1);
    record.escalations.push({ at: Date.now(), roles: [...waiting.roles] });
    state.event('escalated', `"${record.id}" escalated to ${describeRoles(state.runbook, waiting.roles)}`, record.id);
    void announceWait(state, record, waiting, level + 1);
  }
}

/** Tells the channel who must act, with the exact command and where to click. */
async function announceWait(state: RunState, record: StepRecord, waiting: Waiting, level: number): Promise<void> {
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
