// What an activity needs from Temporal (cancellation, heartbeats, a logger), with fallbacks so the
// same functions run outside a worker: integration tests pass an AbortSignal and a heartbeat spy.
import { CancelledFailure, Context } from '@temporalio/activity';
import { withFence } from './dispatch-groups.js';

/** The logger activities write to; Temporal's activity logger and `console` both fit. */
export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** Options every activity function accepts; createActivities fills them from its deps. */
export interface ActivityOptions {
  /** Environment that `env:NAME` references resolve against (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Cancellation (default: the activity's cancellationSignal, when running in a worker). */
  signal?: AbortSignal;
  /** Heartbeat sink (default: Context.current().heartbeat, when running in a worker). */
  heartbeat?: (details: unknown) => void;
  log?: Logger;
}

export interface ActivityHooks {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal | undefined;
  heartbeat: (details: unknown) => void;
  log: Logger;
}

const consoleLogger: Logger = {
  info: (message, meta) => console.info(message, meta ?? ''),
  warn: (message, meta) => console.warn(message, meta ?? ''),
};

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // not inside an activity (unit/integration tests, CLI dry runs)
  }
}

/** Resolves the hooks for one call: explicit options win over the activity context. */
export function activityHooks(options: ActivityOptions = {}): ActivityHooks {
  const ctx = currentContext();
  return {
    env: options.env ?? process.env,
    signal: options.signal ?? ctx?.cancellationSignal,
    heartbeat: options.heartbeat ?? (ctx ? (d) => ctx.heartbeat(withFence(ctx, d)) : () => {}),
    log: options.log ?? ctx?.log ?? consoleLogger,
  };
}

/** The error to throw once cancelled: Temporal's own reason when there is one, so the worker reports a cancellation. */
export function cancellationError(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof CancelledFailure) return reason;
  return new CancelledFailure(`Cancelled: ${what}`, [], reason instanceof Error ? reason : undefined);
}

/** Sleeps `ms`, rejecting early with the cancellation error when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancellationError(signal, what));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancellationError(signal!, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
