// HTTP checks ("is the API healthy again?"): one request, or polling until the expectation holds,
// with a per-request timeout so one hung connection cannot eat the whole polling window.
import { ApplicationFailure } from '@temporalio/common';
import { formatDuration } from '../runbook/duration.js';
import { abortableSleep, activityHooks, cancellationError, type ActivityOptions } from './context.js';
import { isSecretRef, Redactor } from './secrets.js';
import { type HttpInput, type HttpResult } from './types.js';
import { FailureTypes } from './errors.js';

const BODY_CAP = 4_096;
/** Bytes read for the body expectation; beyond that the response is dropped unread. */
const MATCH_CAP = 1_048_576;
const DEFAULT_TIMEOUT_MS = 30_000;

type Attempt = { status: number; body: string } | { error: string };

/** Sends the request (repeatedly when polling) until the expectation holds; throws StepExpectationFailed otherwise. */
export async function httpRequest(input: HttpInput, options: ActivityOptions = {}): Promise<HttpResult> {
  const hooks = activityHooks(options);
  const redactor = new Redactor();
  const url = redactor.resolve(input.url, hooks.env);
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k, redactor.resolve(v, hooks.env)]));
  const method = (input.method ?? 'GET').toUpperCase();
  // A URL given as a reference (it may carry a token) is shown as the reference.
  const display = `${method} ${isSecretRef(input.url) ? input.url : withoutPassword(url)}`;
  const expectStatus = input.expect?.status?.length ? input.expect.status : [200];
  const started = Date.now();
  // The polling window and the step's hard limit both end the loop; a hung request must not outlive either.
  const deadline = started + Math.min(input.poll?.forMs ?? Infinity, input.timeoutMs ?? Infinity);
  let requests = 0;
  let last: Attempt;

  for (;;) {
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, display);
    requests++;
    const perRequestMs = Math.min(input.timeoutMs ?? DEFAULT_TIMEOUT_MS, input.poll ? Math.max(1_000, deadline - Date.now()) : Infinity);
    last = await attempt(url, { method, headers, body: input.body }, perRequestMs, hooks.signal, redactor);
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, display);
    hooks.heartbeat({ requests, elapsedMs: Date.now() - started, last: 'error' in last ? last.error : last.status });
    if ('status' in last && expectStatus.includes(last.status) && (input.expect?.body === undefined || last.body.includes(input.expect.body))) {
      return { status: last.status, body: last.body.slice(0, BODY_CAP), requests };
    }
    // Connection errors and wrong answers alike mean "not yet" while the window is open.
    if (!input.poll || Date.now() + input.poll.everyMs > deadline) break;
    await abortableSleep(input.poll.everyMs, hooks.signal, display);
  }

  const wanted = expectStatus.join(' or ') + (input.expect?.body !== undefined ? ` with a body containing ${JSON.stringify(input.expect.body)}` : '');
  const got = 'error' in last ? last.error : `${last.status}`;
  const after = input.poll ? ` after ${requests} request${requests === 1 ? '' : 's'} in ${formatDuration(Date.now() - started)}` : '';
  const head = 'body' in last && last.body ? `: ${oneLine(last.body)}` : '';
  throw ApplicationFailure.create({
    type: FailureTypes.StepExpectationFailed,
    nonRetryable: true,
    message: `Expected ${display} to answer ${wanted}, got ${got}${after}${head}`,
    details: [{ requests, status: 'status' in last ? last.status : null, body: 'body' in last ? last.body.slice(0, BODY_CAP) : '' }],
  });
}

async function attempt(url: string, init: RequestInit, timeoutMs: number, signal: AbortSignal | undefined, redactor: Redactor): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return { status: res.status, body: redactor.redact(await readCapped(res, MATCH_CAP)) };
  } catch (err) {
    if (timeout.aborted) return { error: `no answer within ${formatDuration(timeoutMs)}` };
    if (signal?.aborted) return { error: 'cancelled' };
    return { error: redactor.redact(describe(err)) };
  }
}

/** Reads at most `cap` bytes of the body and drops the rest, so a huge answer stays cheap. */
async function readCapped(res: Response, cap: number): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  while (size < cap) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, cap).toString('utf8');
}

/** fetch hides the reason in `cause` ("fetch failed" alone says nothing): ECONNREFUSED, ENOTFOUND... */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `connection error (${cause.code})`;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url; // untouched: URL.toString() would normalise what people typed
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function oneLine(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
