// The gates a step's effect class puts before it: a drill rehearses what changes state unless the
// runbook says the step is safe to rehearse; live mode asks an approval before a destructive step
// that no approval gates, unless the runbook says why not. The one place the interpreter asks.
import { isPeopleStep } from '../runbook/action-runtime.js';
import { effectOf } from '../runbook/effect.js';
import type { Step } from '../runbook/model.js';
import type { StepRecord } from '../runbook/run.js';
import { StepRejected } from './errors.js';
import { previewAction } from './perform.js';
import type { RunState } from './state.js';
import { waitForPeople } from './waits.js';

/** In a drill, a step that changes state is rehearsed unless the runbook vouches it is safe. */
export function needsRehearsal(state: RunState, step: Step): boolean {
  if (state.mode !== 'drill' || isPeopleStep(step)) return false;
  return step.safeToRehearse === undefined && effectOf(step) !== 'read-only';
}

/** In live mode, a destructive step waits for an approval unless one already gated it or the runbook opts out. */
export function needsApproval(state: RunState, step: Step): boolean {
  if (state.mode !== 'live' || isPeopleStep(step)) return false;
  if (effectOf(step) !== 'destructive' || step.noApproval !== undefined) return false;
  for (const [gate, gated] of state.gates) {
    if (gated.includes(step.id) && state.record(gate).status === 'succeeded') return false;
  }
  return true;
}

/** What a person is shown of the step: its action with templates applied as far as they go. */
export function describeStep(state: RunState, step: Step): string {
  const preview = previewAction(step.action, state.template) as Record<string, unknown>;
  const action = step.action;
  if (action.kind === 'shell') return typeof preview.script === 'string' ? preview.script : (preview.command as string[]).join(' ');
  if (action.kind === 'sql') return `SQL on ${action.connection}: ${String(preview.query)}`;
  if (action.kind === 'http') return `${String(preview.method)} ${String(preview.url)}`;
  const { kind, ...rest } = preview;
  return `${String(kind)} ${JSON.stringify(rest)}`;
}

const reasonsOf = (step: Step): string => (step.effect?.reasons.length ? step.effect.reasons.join('; ') : `${effectOf(step)} (no classification)`);

/**
 * Rehearses a step in a drill: nothing runs; a person does it in the drill environment (or not) and
 * says so. `complete` = done, `reject` = skipped; either way the run goes on.
 */
export async function rehearse(state: RunState, step: Step, record: StepRecord): Promise<void> {
  const command = describeStep(state, step);
  record.resolved = previewAction(step.action, state.template);
  record.guard = 'rehearsed';
  const instructions =
    `Drill: not run, because it ${effectOf(step) === 'destructive' ? 'is destructive' : 'changes state'} (${reasonsOf(step)}) ` +
    `and the runbook does not mark it safeToRehearse.\n` +
    `Rehearse it where it is safe (e.g. staging), then confirm with complete; reject marks it skipped.\n` +
    `Command: ${command}`;
  try {
    await waitForPeople(state, record, 'completion', { roles: [], required: 1, onTimeout: 'abort', instructions });
    const by = record.completedBy;
    state.change(record, { status: 'rehearsed', note: `rehearsed, not run: confirmed by ${by?.by ?? 'someone'}${by?.comment ? ` (${by.comment})` : ''}` });
  } catch (err) {
    if (!(err instanceof StepRejected)) throw err;
    const by = record.rejectedBy;
    state.change(record, { status: 'skipped', note: `rehearsal skipped by ${by?.by ?? 'someone'}${by?.comment ? ` (${by.comment})` : ''}; not run` });
  }
}

/** Waits for the approval a destructive step needs in live mode; throws StepRejected / WaitTimedOut as any gate. */
export async function approveDestructive(state: RunState, step: Step, record: StepRecord): Promise<void> {
  record.guard = 'approval';
  const chain = state.loaded.people.escalation;
  // The first role of the escalation chain answers first; a silent wait widens along it.
  const roles = chain.length > 0 ? [chain[0]!] : Object.keys(state.runbook.approvers).slice(0, 1);
  const instructions =
    `"${step.title}" is destructive (${reasonsOf(step)}) and no approval step gates it: it runs only once approved.\n` +
    `Command: ${describeStep(state, step)}`;
  await waitForPeople(state, record, 'approval', { roles, required: 1, onTimeout: 'abort', instructions });
}
