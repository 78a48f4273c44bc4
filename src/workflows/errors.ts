// The errors of a run, below every module that throws or catches them (the interpreter, the waits
// on people, the message handlers), so none of those needs another to know them.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { StepRecord } from '../runbook/run.js';

/** A step failed and its policy says the run stops. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
  constructor(readonly stepId: string, message: string) {
    super(message);
  }
}

/** Nobody answered a wait on people, even after escalation; `proceed` when the runbook says continue. */
export class WaitTimedOut extends Error {
  override readonly name = 'WaitTimedOut';
  constructor(
    message: string,
    readonly proceed: boolean,
  ) {
    super(message);
  }
}

/** A person rejected the step: never retried, the step's onFailure decides what follows. */
export class StepRejected extends Error {
  override readonly name = 'StepRejected';
}

/** A message refused by the rules; `reason` is what the sender is told and what the audit keeps. */
export class MessageRefused extends Error {
  override readonly name = 'MessageRefused';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Throws StepRejected when a person said no to the step. */
export function rejected(record: StepRecord): never {
  const by = record.rejectedBy;
  throw new StepRejected(`rejected by ${by?.by ?? 'someone'}${by?.comment ? `: ${by.comment}` : ''}`);
}

/** One line for people: the activity's own message rather than Temporal's wrapper. */
export function describeFailure(err: unknown): string {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof TimeoutFailure) return `the worker stopped answering (${cause.timeoutType} timeout)`;
    if (cause instanceof ApplicationFailure) return cause.message;
    return cause?.message ?? err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
