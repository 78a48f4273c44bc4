// Notifications to the incident channel. Best effort by design: a run restoring the database must
// not fail because Slack is down, so this never throws; the result says whether it got through.
import { formatDuration } from '../runbook/duration.js';
import { activityHooks, type ActivityOptions } from './context.js';
import { Redactor } from './secrets.js';
import type { NotifyInput, NotifyResult } from './types.js';

const TIMEOUT_MS = 5_000;

export interface NotifyOptions extends ActivityOptions {
  /** Webhook used when the input names none (DR_NOTIFY_WEBHOOK). */
  defaultWebhook?: string;
  /** Links the run in the Temporal Web UI: `${ui}/namespaces/${namespace}/workflows/${runId}`. */
  ui?: { url: string; namespace: string };
  timeoutMs?: number;
}

/**
 * POSTs `{ text, event, runId, fields }`: Slack incoming webhooks show `text`, generic receivers
 * get the structured fields alongside.
 */
export async function notify(input: NotifyInput, options: NotifyOptions = {}): Promise<NotifyResult> {
  const hooks = activityHooks(options);
  const redactor = new Redactor();
  const ref = input.webhook ?? options.defaultWebhook;
  const context = { runId: input.runId, event: input.event };
  const undelivered = (error: string, status?: number): NotifyResult => {
    hooks.log.warn(`Notification not delivered: ${error}`, context);
    return status === undefined ? { delivered: false, error } : { delivered: false, status, error };
  };
  if (!ref) return undelivered('No webhook configured (set notify.webhook in the runbook or DR_NOTIFY_WEBHOOK)');

  let url: string;
  try {
    url = redactor.resolve(ref, hooks.env);
  } catch (err) {
    return undelivered((err as Error).message); // names the reference, never a value
  }
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return undelivered('Webhook is not an http(s) URL');
  const link = options.ui
    ? `${options.ui.url}/namespaces/${encodeURIComponent(options.ui.namespace)}/workflows/${encodeURIComponent(input.runId)}`
    : undefined;
  const text = link ? `${input.message}\n<${link}|Open the run in the Temporal UI>` : input.message;
  const body = JSON.stringify({ text, event: input.event, runId: input.runId, link, fields: input.fields ?? {} });
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: hooks.signal ? AbortSignal.any([hooks.signal, timeout]) : timeout,
    });
    await res.body?.cancel().catch(() => {}); // the answer's body is of no interest; free the socket
    if (res.ok) return { delivered: true, status: res.status };
    return undelivered(`Webhook answered ${res.status} ${res.statusText}`.trim(), res.status);
  } catch (err) {
    if (timeout.aborted) return undelivered(`Webhook did not answer within ${formatDuration(timeoutMs)}`);
    if (hooks.signal?.aborted) return undelivered('Cancelled before the webhook answered');
    // The URL is left out on purpose: a Slack webhook URL is itself a credential.
    return undelivered(`Webhook unreachable: ${redactor.redact(describe(err))}`);
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
