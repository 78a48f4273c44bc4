// Errors the CLI knows how to explain: one line for people, and where useful the next command.
// Type-only: the SDK's errors are recognised by name, so `dr --help` need not load the client library.
import type { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { RunFailureTypes } from '../workflows/messages.js';

// The failure type a refused message carries (checked against messages.ts, which is not loaded here).
const MESSAGE_REFUSED = 'MessageRefused' satisfies (typeof RunFailureTypes)['MessageRefused'];

/** An error whose message is ready for the terminal; `hint` suggests what to run next. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit code when a message was queued but not yet applied (EX_TEMPFAIL: try again / check later). */
export const EXIT_PENDING = 75;

/** A person's message sent to a run that no worker has applied yet: it may still apply. */
export class MessagePending extends CliError {
  constructor(message: string, hint: string) {
    super(message, hint, EXIT_PENDING);
  }
}

/** Turns SDK and network errors into CliErrors with a plain message. */
export function explain(err: unknown, address: string): CliError {
  if (err instanceof CliError) return err;
  const name = (err as Error | undefined)?.name;
  if (name === 'WorkflowNotFoundError') {
    return new CliError(`No run with id "${(err as WorkflowNotFoundError).workflowId}"`, 'dr list shows the runs');
  }
  // A message the run refused (its validator or its rules) fails the update with this type.
  if (name === 'WorkflowUpdateFailedError') {
    const failed = err as WorkflowUpdateFailedError;
    const cause = failed.cause as { name?: string; type?: string; message?: string } | undefined;
    if (cause?.name === 'ApplicationFailure' && cause.type === MESSAGE_REFUSED) return new CliError(`Refused: ${cause.message}`);
    return new CliError(`Not applied: ${cause?.message ?? failed.message}`);
  }
  if (name === 'WorkflowFailedError') {
    return new CliError(`Run failed: ${innermost(err as WorkflowFailedError)}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/Unknown encoding: binary\/encrypted/.test(message)) {
    return new CliError("The run's payloads are encrypted: set DR_CODEC_KEYS to the keys the worker uses", 'see docs/security.md, Encryption');
  }
  if (/ECONNREFUSED|Connection refused|transport error|failed to connect|tcp connect error/i.test(message)) {
    return new CliError(`Cannot reach Temporal at ${address}`, 'start the local stack with `npm start`, or set TEMPORAL_ADDRESS');
  }
  return new CliError(message);
}

/** The message of the innermost cause: "Activity task failed" wrappers say nothing to people. */
export function innermost(err: Error): string {
  let current: Error = err;
  while (current.cause instanceof Error) current = current.cause;
  return current.message;
}
