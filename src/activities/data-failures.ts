// What went wrong in a Redis, Kafka or archive backup or restore, as the ApplicationFailure the
// workflow reads: a known type, a message that says what was being done, secrets masked.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { asFailure } from './postgres/failures.js';
import type { Redactor } from './secrets.js';
import { FailureTypes, type FailureType } from './types.js';

export function dataFailure(type: FailureType, message: string, redactor: Redactor, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message: redactor.redact(message), details: details ? [details] : undefined });
}

/** `err` as an ApplicationFailure (or the cancellation it is), prefixed with `doing`. */
export function asDataFailure(err: unknown, doing: string, redactor: Redactor): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const name = (err as { name?: string } | undefined)?.name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'BackupNotFoundError') return dataFailure(FailureTypes.BackupNotFound, `${doing}: ${message}`, redactor);
  if (name === 'BackupCorruptError') return dataFailure(FailureTypes.BackupCorrupt, `${doing}: ${message}`, redactor);
  return asFailure(err, doing, redactor);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
