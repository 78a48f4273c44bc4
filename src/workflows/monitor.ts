// The run's monitor: between step boundaries it notices budget overruns and RTO changes (events,
// metrics, notifications) and keeps the search attributes and the UI's Current Details current.
import { CancellationScope, condition, isCancellation, setCurrentDetails, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { formatDuration } from '../runbook/duration.js';
import { nextCheckInMs } from '../runbook/plan.js';
import { rpoAchieved } from '../runbook/rpo.js';
import type { RtoStatus } from '../runbook/run.js';
import { runDetails } from './details.js';
import { rtoAlarm } from './observe.js';
import { describeRoles } from './people.js';
import { sendLater } from './notifier.js';
import { modeKey, rtoDeadlineKey, rtoStatusKey, runbookKey, statusKey } from './search-attributes.js';
import type { RunState } from './state.js';

/** Watches budgets and the RTO between step boundaries, waking only when something can change. */
export async function monitor(state: RunState): Promise<void> {
  const timer = new WakeTimer();
  try {
    while (state.endedAt === undefined) {
      checkOverruns(state);
      checkRto(state);
      publish(state);
      const seen = state.version;
      const delay = nextCheck(state);
      if (delay !== undefined) timer.wakeBy(Date.now() + delay);
      await condition(() => state.endedAt !== undefined || state.version !== seen || timer.rang);
      timer.consume();
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
}

/** When budgets or the RTO next need a look, if ever (ms from now). */
function nextCheck(state: RunState): number | undefined {
  return nextCheckInMs({
    // A set-up sub-run has no budget of the run's to overrun.
    records: [...state.records.values()].filter((r) => r.phase !== 'setup'),
    rto: state.rto,
    rtoMs: state.runbook.objectives.rtoMs,
    now: Date.now(),
  });
}

/**
 * The monitor's one timer. A step boundary mostly leaves the next check where it was or later (the
 * next step's budget ends after the current one's): the armed timer is then kept, and a check that
 * comes early finds nothing and arms the next. Only a check that must come sooner cancels and re-arms.
 * Left pending when the run ends: a finished workflow drops its timers without a command.
 */
class WakeTimer {
  private at: number | undefined;
  private scope: CancellationScope | undefined;
  rang = false;

  wakeBy(at: number): void {
    if (this.at !== undefined && this.at <= at) return;
    this.scope?.cancel();
    const scope = new CancellationScope();
    this.scope = scope;
    this.at = at;
    scope
      .run(() => sleep(Math.max(1, at - Date.now()), { summary: 'next budget / RTO check' }))
      .then(
        () => {
          if (this.scope === scope) this.rang = true;
        },
        () => undefined, // cancelled: a sooner check replaced it, or the run was cancelled
      );
  }

  /** After a wake-up: a timer that rang is spent. */
  consume(): void {
    if (!this.rang) return;
    this.rang = false;
    this.at = undefined;
    this.scope = undefined;
  }
}

/** The monitor of runs recorded before `lean`: re-arms its timer at every change (kept for replay). */
export async function monitorRearming(state: RunState): Promise<void> {
  try {
    while (state.endedAt === undefined) {
      checkOverruns(state);
      checkRto(state);
      publish(state);
      const seen = state.version;
      const delay = nextCheck(state);
      const changed = () => state.endedAt !== undefined || state.version !== seen;
      if (delay === undefined) await condition(changed);
      else await condition(changed, delay, { summary: 'next budget / RTO check' });
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
}

function checkOverruns(state: RunState): void {
  const now = Date.now();
  for (const record of state.records.values()) {
    const live = record.status === 'running' || record.status === 'waiting';
    if (!live || record.kind === 'parallel' || record.startedAt === undefined || record.budgetMs === 0) continue;
    if (record.overrunAt === undefined && now - record.startedAt > record.budgetMs) {
      state.change(record, { overrunAt: now });
      const detail = `"${record.id}" passed its ${formatDuration(record.budgetMs)} budget`;
      state.event('step-overrun', detail, record.id);
      sendLater(state.notifier.send({ event: 'step-overrun', key: `overrun:${record.id}`, message: detail, fields: { step: record.id } }));
    }
  }
}

export function checkRto(state: RunState): void {
  const before = state.rto.status;
  state.rto = state.computeRto();
  const after = state.rto.status;
  if (after === before || after === 'none') return;
  const rtoMs = state.runbook.objectives.rtoMs ?? 0;
  const seen = new Set(state.events.map((e) => e.type));
  const type = after === 'breached' ? 'rto-breached' : after === 'at-risk' ? 'rto-at-risk' : 'rto-on-track';
  const detail =
    after === 'breached'
      ? `RTO ${formatDuration(rtoMs)} breached`
      : `forecast ${formatDuration(state.rto.forecastMs)} against RTO ${formatDuration(rtoMs)}`;
  // Each alarm is raised once per run; a forecast that recovers is recorded but not re-announced.
  const announce = type !== 'rto-on-track' && !seen.has(type);
  if (type === 'rto-on-track' && before !== 'at-risk') return;
  state.event(type, detail);
  // A breach is never held back by the rate limit.
  if (announce && after !== 'on-track') rtoAlarm({ runbook: state.runbook.id, mode: state.mode }, after, detail);
  if (announce) sendLater(state.notifier.send({ event: type, message: `${state.runbook.title}: ${detail}`, always: type === 'rto-breached' }));
}

/** Keeps search attributes and the UI's current details in step with the run. */
export function publish(state: RunState): void {
  const status = state.currentStatus();
  const rtoStatus: RtoStatus = state.rto.status;
  const key = `${status}|${rtoStatus}`;
  if (key !== state.published) {
    state.published = key;
    upsertSearchAttributes([
      { key: runbookKey, value: state.runbook.id },
      { key: modeKey, value: state.mode },
      { key: statusKey, value: status },
      { key: rtoStatusKey, value: rtoStatus },
      { key: rtoDeadlineKey, value: state.rto.deadline === undefined ? null : new Date(state.rto.deadline) },
    ]);
  }
  showDetails(state);
}

/**
 * The UI's "Current Details": status, RTO (and the verdicts once the run ended), who may answer
 * what, messages refused, the next action, and every step's budget vs actual. Not a command: it is
 * rendered again only when something it shows changed state; its times are as of that change.
 */
export function showDetails(state: RunState): void {
  const shown = detailsKey(state, state.currentStatus());
  if (shown === state.detailsShown) return;
  state.detailsShown = shown;
  setCurrentDetails(
    runDetails({
      title: state.runbook.title,
      mode: state.mode,
      status: state.currentStatus(),
      rto: state.rto,
      rtoMs: state.runbook.objectives.rtoMs,
      rpoMs: state.runbook.objectives.rpoMs,
      rpo: state.endedAt === undefined ? undefined : rpoAchieved([...state.records.values()].filter((r) => r.phase !== 'setup')),
      workflowId: state.ids.workflowId,
      records: state.records.values(),
      waiting: [...state.waiting.entries()].map(([id, w]) => {
        const approvals = state.records.get(id)?.approvals.length ?? 0;
        return [id, { for: w.for, who: describeRoles(state.runbook, w.roles), approvals: w.for === 'approval' ? `${approvals} of ${w.required}` : undefined }];
      }),
      refused: state.audit.filter((a) => !a.accepted),
      outcome: state.outcome,
      now: Date.now(),
    }),
  );
}

/** What Current Details shows, less the clock: a step's status, overrun, attempts and waits; who is waited on. */
function detailsKey(state: RunState, status: string): string {
  const parts = [status, state.rto.status, state.outcome ?? '', String(state.audit.length), String(state.endedAt ?? '')];
  for (const [id, w] of state.waiting) parts.push(`${id}:${w.for}`);
  for (const r of state.records.values()) {
    parts.push(`${r.status}${r.approvals.length}${r.overrunAt === undefined ? '' : '!'}${r.startedAt === undefined ? '' : '>'}${r.endedAt === undefined ? '' : '<'}${r.attempts.length}.${r.waits.length}`);
  }
  return parts.join('|');
}
