// The runbook interpreter: one small recursive walk over sequence / parallel / step, with each
// step's retry policy, onFailure handling and the waits on people. State lives in RunState.
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { Step } from '../runbook/model.js';
import { TemplateError } from '../runbook/template.js';
import type { Attempt, StepRecord } from '../runbook/run.js';
import { describeFailure, StepFailed, StepRejected, WaitTimedOut } from './errors.js';
import { approveDestructive, needsApproval, needsRehearsal, rehearse } from './guards.js';
import { stepEnded } from './observe.js';
import { perform, previewAction, type PerformContext } from './perform.js';
import type { RunState } from './state.js';
import { waitForDecision, waitForPeople } from './waits.js';

/** Runs steps in order; throws StepFailed when one stops the run. */
export async function runSequence(state: RunState, steps: readonly Step[]): Promise<void> {
  for (const step of steps) await runStep(state, step);
}

function runStep(state: RunState, step: Step): Promise<void> {
  const record = state.record(step.id);
  // Since `flat-steps` a step that runs its own action now is one async function, its policy and its
  // end together: each layer costs the workflow thread promises (state.ts, CodePaths.flat).
  if (state.paths.flat && step.action.kind !== 'parallel' && state.mode !== 'dry-run' && step.modes.includes(state.mode) && !needsRehearsal(state, step)) {
    state.change(record, { status: 'running', startedAt: Date.now() });
    return runWithPolicy(state, step, record, true);
  }
  return runStepNested(state, step, record);
}

/** Skipped, planned (dry-run), rehearsed and parallel steps; every step of runs recorded before `flat-steps`. */
async function runStepNested(state: RunState, step: Step, record: StepRecord): Promise<void> {
  // A dry-run previews the live run: it skips what live would skip.
  if (!step.modes.includes(state.mode === 'dry-run' ? 'live' : state.mode)) {
    state.change(record, { status: 'skipped', note: `runs only in ${step.modes.join(', ')} mode` });
    if (state.mode !== 'dry-run') stepEnded({ runbook: state.runbook.id, mode: state.mode }, record);
    if (step.action.kind === 'parallel') await runSequence(state, step.action.steps);
    return;
  }
  if (state.mode === 'dry-run') {
    state.change(record, { status: 'planned', resolved: previewAction(step.action, state.template) });
    if (step.action.kind === 'parallel') await runSequence(state, step.action.steps);
    return;
  }
  state.change(record, { status: 'running', startedAt: Date.now() });
  try {
    if (step.action.kind === 'parallel') await runParallel(state, step.action.steps, record);
    else await runWithPolicy(state, step, record, false);
  } finally {
    endStep(state, record);
  }
}

function endStep(state: RunState, record: StepRecord): void {
  state.change(record, { endedAt: Date.now() });
  stepEnded({ runbook: state.runbook.id, mode: state.mode }, record);
}

async function runParallel(state: RunState, steps: readonly Step[], group: StepRecord): Promise<void> {
  // One failing branch cancels its siblings; all branches settle before the group ends.
  const scope = new CancellationScope();
  let firstFailure: unknown;
  await scope.run(() =>
    Promise.allSettled(
      steps.map((child) =>
        runStep(state, child).catch((err: unknown) => {
          if (firstFailure === undefined && !isCancellation(err)) {
            firstFailure = err;
            scope.cancel();
          }
          throw err;
        }),
      ),
    ),
  );
  const failed = steps.some((s) => state.record(s.id).status === 'failed');
  state.change(group, { status: firstFailure || failed ? 'failed' : 'succeeded' });
  if (firstFailure !== undefined) throw firstFailure;
}

/** A step's action under its retry policy and onFailure; with `ends`, the step's end is recorded here too. */
async function runWithPolicy(state: RunState, step: Step, record: StepRecord, ends: boolean): Promise<void> {
  if (needsRehearsal(state, step)) return rehearse(state, step, record); // never with `ends` (runStep)
  try {
    if (needsApproval(state, step)) {
      try {
        await approveDestructive(state, step, record);
      } catch (err) {
        if (!(err instanceof StepRejected || err instanceof WaitTimedOut)) throw err;
        // Never approved: the destructive command does not run, whatever onFailure says.
        state.change(record, { status: 'failed', error: `not approved: ${describeFailure(err)}` });
        throw new StepFailed(step.id, `Step "${step.id}" is destructive and was not approved: ${describeFailure(err)}`);
      }
    }
    for (;;) {
      for (let round = 1; round <= step.retry.attempts; round++) {
        const attempt: Attempt = { attempt: record.attempts.length + 1, startedAt: Date.now() };
        record.attempts.push(attempt);
        state.change(record, { status: 'running' });
        try {
          const output = await perform(step, record, performContext(state));
          Object.assign(attempt, { endedAt: Date.now(), outcome: 'succeeded' });
          state.change(record, { status: 'succeeded', output, error: undefined });
          return;
        } catch (err) {
          const message = describeFailure(err);
          Object.assign(attempt, { endedAt: Date.now(), outcome: 'failed', error: message });
          if (isCancellation(err)) {
            state.change(record, { status: 'cancelled', error: 'cancelled' });
            throw err;
          }
          if (err instanceof WaitTimedOut && err.proceed) {
            state.change(record, { status: 'skipped', note: `${message}; the run went on (onTimeout: continue)` });
            return;
          }
          state.change(record, { error: message });
          if (err instanceof StepRejected || err instanceof TemplateError || err instanceof WaitTimedOut) break;
          if (round < step.retry.attempts) await sleep(step.retry.backoffMs * 2 ** (round - 1), { summary: `${step.id}: back off before attempt ${round + 1}` });
        }
      }
      if (step.onFailure === 'continue') {
        state.change(record, { status: 'failed', note: 'failed; the run continued (onFailure: continue)' });
        return;
      }
      if (step.onFailure === 'abort') {
        state.change(record, { status: 'failed' });
        throw new StepFailed(step.id, `Step "${step.id}" failed: ${record.error ?? 'unknown error'}`);
      }
      const decision = await waitForDecision(state, record);
      if (decision.decision === 'skip') {
        state.change(record, { status: 'skipped', note: `skipped by ${decision.by} after it failed` });
        return;
      }
      if (decision.decision === 'abort') {
        state.change(record, { status: 'failed', note: `run aborted by ${decision.by} after the step failed` });
        throw new StepFailed(step.id, `Step "${step.id}" failed and ${decision.by} chose to abort: ${record.error ?? ''}`);
      }
    }
  } finally {
    if (ends) endStep(state, record);
  }
}

/** What performing a step's action needs from the run. */
function performContext(state: RunState): PerformContext {
  return {
    runbook: state.runbook,
    workflowId: state.ids.workflowId,
    mode: state.mode,
    startedBy: state.startedBy,
    template: state.template,
    // Runs started before `local-load-and-store` ask for the patch as they did (one marker, at the first system step).
    fenced: () => state.paths.current || patched('dispatch-with-fence-and-limit'),
    flat: state.paths.flat,
    waitForPeople: (record, waitingFor, wait) => waitForPeople(state, record, waitingFor, wait),
  };
}
