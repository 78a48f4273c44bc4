// Turning what went wrong in a backup, restore or verification into the ApplicationFailure the
// workflow reads: a known type, a message that says what happened, secrets masked.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Redactor } from '../secrets.js';
import { FailureTypes, type FailureType } from '../types.js';

export function failure(type: FailureType, message: string, redactor: Redactor, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message: redactor.redact(message), details: details ? [details] : undefined });
}

/** `err` as an ApplicationFailure (or the cancellation it is), prefixed with what was being done. */
export function asFailure(err: unknown, doing: string, redactor: Redactor): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const name = (err as { name?: string }).name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'StoreUnavailableError') return failure(FailureTypes.StoreUnavailable, `${doing}: ${message}`, redactor);
  if (name === 'StoreObjectMissingError' || name === 'BackupNotFoundError') return failure(FailureTypes.BackupNotFound, `${doing}: ${message}`, redactor);
  return failure(FailureTypes.StepCommandFailed, `${doing}: ${message}`, redactor);
}
