// Notifications of a run to the incident channel (Slack-compatible webhook) and a generic JSON
// webhook: deduplicated (each event once per key), rate-limited (a burst is summarised, not
// spammed), and never able to fail the run.
import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const NOTIFY_OPTIONS = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 2 } } as const;

/** At most this many notifications per window; the rest are counted and mentioned in the next. */
const BURST = 6;
const WINDOW_MS = 60_000;

export interface NotifyEvent {
  event: string;
  message: string;
  /** Same key, same event: sent once per run (e.g. "waiting:gate:0"). Default: the event name. */
  key?: string;
  /** Bypasses the rate limit (the run's verdict is always sent). */
  always?: boolean;
  fields?: Record<string, string | number | boolean | null>;
}

/**
 * Sends without waiting. A notification started inside a step's scope is cancelled with the step (a
 * parallel sibling failed, the run was aborted); that cancellation belongs to the step, which handles
 * its own: left unhandled here it would fail every workflow task and hold the run until a timer fired.
 */
export function sendLater(sending: Promise<void>): void {
  sending.catch(() => undefined);
}

export class Notifier {
  readonly counts = { sent: 0, suppressed: 0, failed: 0 };
  private readonly seen = new Set<string>();
  private recent: number[] = [];
  private suppressedSinceLast = 0;

  constructor(
    private readonly runId: string,
    /** Webhooks (URLs or references); duplicates removed. Empty: nothing is sent. */
    private readonly targets: string[],
    private readonly base: Record<string, string | number | boolean | null>,
    private readonly enabled: boolean,
    /** With no targets: whether the activity is still called (its default webhook, DR_NOTIFY_WEBHOOK). */
    private readonly callDefault = true,
  ) {
    this.targets = [...new Set(targets)];
  }

  async send(e: NotifyEvent): Promise<void> {
    const key = e.key ?? e.event;
    if (!this.enabled || this.seen.has(key)) return;
    this.seen.add(key);
    const now = Date.now();
    this.recent = this.recent.filter((at) => now - at < WINDOW_MS);
    if (!e.always && this.recent.length >= BURST) {
      this.suppressedSinceLast++;
      this.counts.suppressed++;
      return;
    }
    this.recent.push(now);
    const note = this.suppressedSinceLast > 0 ? ` (+${this.suppressedSinceLast} more notifications held back by the rate limit)` : '';
    this.suppressedSinceLast = 0;
    // Counted and rate-limited as before either way; only the call that would go nowhere is left out.
    const targets = this.targets.length > 0 ? this.targets : this.callDefault ? [undefined] : [];
    if (targets.length === 0) return; // no promises to make: each costs the workflow thread a stack capture
    await Promise.all(
      targets.map(async (webhook) => {
        try {
          // One proxy per event so the UI's timeline says which notification each activity was.
          const { notify } = proxyActivities<Activities>({ ...NOTIFY_OPTIONS, summary: `notify: ${e.event}${e.fields?.step ? ` (${e.fields.step})` : ''}` });
          const result = await notify({
            runId: this.runId,
            webhook,
            event: e.event,
            message: e.message + note,
            fields: { ...this.base, ...e.fields },
          });
          if (result.delivered) this.counts.sent++;
          else if (webhook !== undefined) this.counts.failed++;
        } catch (err) {
          if (isCancellation(err)) throw err;
          this.counts.failed++;
        }
      }),
    );
  }
}
