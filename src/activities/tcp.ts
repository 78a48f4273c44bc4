// tcp.check ("is the database port open yet?"): opens a TCP connection within a timeout and closes
// it at once, sending nothing. Read-only and safe to repeat.
import { connect } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { formatDuration } from '../runbook/duration.js';
import type { ActionOf } from '../runbook/actions.js';
import { activityHooks, cancellationError, type ActivityOptions } from './context.js';
import { FailureTypes } from './errors.js';
import type { StepRef } from './types.js';

export type TcpCheckInput = Partial<StepRef> & Omit<ActionOf<'tcp.check'>, 'kind'> & { timeoutMs?: number };

export interface TcpCheckResult {
  host: string;
  port: number;
  /** The address the connection reached (what the host name resolved to). */
  address: string;
  connectMs: number;
}

/** Connects to host:port; throws StepExpectationFailed naming host, port and the cause when it cannot. */
export async function tcpCheck(input: TcpCheckInput, options: ActivityOptions = {}): Promise<TcpCheckResult> {
  const hooks = activityHooks(options);
  const port = Number(input.port);
  const target = `${input.host.includes(':') ? `[${input.host}]` : input.host}:${input.port}`;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw ApplicationFailure.create({
      type: FailureTypes.StepExpectationFailed,
      nonRetryable: true,
      message: `Expected a port number from 1 to 65535 for ${input.host}, got ${JSON.stringify(input.port)}`,
    });
  }
  // The step's hard limit bounds the connect timeout too.
  const limitMs = Math.min(input.connectTimeoutMs, input.timeoutMs ?? Infinity);
  if (hooks.signal?.aborted) throw cancellationError(hooks.signal, `tcp.check ${target}`);
  const started = Date.now();
  return new Promise<TcpCheckResult>((resolve, reject) => {
    const socket = connect({ host: input.host, port });
    const end = (outcome: () => void) => {
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      outcome();
    };
    const fail = (cause: string) =>
      end(() =>
        reject(
          ApplicationFailure.create({
            type: FailureTypes.StepExpectationFailed,
            nonRetryable: true,
            message: `Expected ${target} to accept a TCP connection, got ${cause}`,
            details: [{ host: input.host, port, cause }],
          }),
        ),
      );
    const timer = setTimeout(() => fail(`no answer within ${formatDuration(limitMs)}`), limitMs);
    const onAbort = () => end(() => reject(cancellationError(hooks.signal!, `tcp.check ${target}`)));
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => end(() => resolve({ host: input.host, port, address: socket.remoteAddress ?? input.host, connectMs: Date.now() - started })));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(describe(err)));
  });
}

/** The cause in words, with the system's code: "connection refused (ECONNREFUSED)". */
function describe(err: NodeJS.ErrnoException): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed (temporary)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset',
  };
  return err.code && words[err.code] ? `${words[err.code]} (${err.code})` : err.message;
}
