// Every error of the activities layer: the local error classes activities throw among themselves
// (recognised by `name`, never by `instanceof` on one copy of a module), the ApplicationFailure
// types the workflow reads, and the one function that turns the former into the latter.
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Redactor } from './secrets.js';

/** ApplicationFailure types thrown by activities; the workflow recognises failures by these. */
export const FailureTypes = {
  RunbookNotFound: 'RunbookNotFound',
  RunbookInvalid: 'RunbookInvalid',
  StepCommandFailed: 'StepCommandFailed',
  StepTimedOut: 'StepTimedOut',
  StepExpectationFailed: 'StepExpectationFailed',
  SecretUnresolved: 'SecretUnresolved',
  /** The backup store cannot be used: bucket missing, access denied, folder not writable, disk full. */
  StoreUnavailable: 'StoreUnavailable',
  /** No complete backup matches (`latest` with none, an unknown id, a table not in the backup). */
  BackupNotFound: 'BackupNotFound',
  /** An object does not match its manifest (sha256 or size): the restore target was not touched. */
  BackupCorrupt: 'BackupCorrupt',
  /** A WAL segment a point-in-time restore needs is not in the archive: the target was not touched. */
  WalMissing: 'WalMissing',
  /** The repository could not be decrypted (wrong cipher passphrase): the target was not touched. */
  RepositoryDecryptFailed: 'RepositoryDecryptFailed',
} as const;
export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];

/** No complete backup matches; the message says where it looked and what the store does hold. */
export class BackupNotFoundError extends Error {
  override readonly name = 'BackupNotFoundError';
}

/** A stored object differs from its manifest: never used for a restore. */
export class BackupCorruptError extends Error {
  override readonly name = 'BackupCorruptError';
}

/** The store could not be reached or used; the message says which and why. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`Backup store ${location} is unavailable: ${reason}`);
  }
}

/** A key that should exist does not. */
export class StoreObjectMissingError extends Error {
  override readonly name = 'StoreObjectMissingError';
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`Object ${key} not found in backup store ${location}`);
  }
}

/** psql (run by the pgbackrest activities) exited non-zero; the message is its failure. */
export class PsqlError extends Error {
  override name = 'PsqlError';
}

/** A pgbackrest.* step names a stanza no pgbackrest.stanza step configured on this worker. */
export class StanzaNotConfiguredError extends Error {
  override name = 'StanzaNotConfiguredError';
  constructor(
    readonly stanza: string,
    readonly dir: string,
  ) {
    super(`Stanza "${stanza}" is not configured on this worker: expected ${join(dir, 'stanza.json')} (run a pgbackrest.stanza step first)`);
  }
}

/** A non-retryable ApplicationFailure of a known type, its message with secrets masked. */
export function failure(type: FailureType, message: string, redactor: Redactor, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message: redactor.redact(message), details: details ? [details] : undefined });
}

/** `err` as an ApplicationFailure (or the cancellation it is), its message prefixed with what was being done. */
export function asFailure(err: unknown, doing: string, redactor: Redactor): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  const name = (err as { name?: string } | undefined)?.name;
  const message = `${doing}: ${messageOf(err)}`;
  if (name === 'StoreUnavailableError') return failure(FailureTypes.StoreUnavailable, message, redactor);
  if (name === 'StoreObjectMissingError' || name === 'BackupNotFoundError') return failure(FailureTypes.BackupNotFound, message, redactor);
  if (name === 'BackupCorruptError') return failure(FailureTypes.BackupCorrupt, message, redactor);
  return failure(FailureTypes.StepCommandFailed, message, redactor);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
