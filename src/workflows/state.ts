// What a run knows while it goes: step records, who is being waited on, the audit trail, events
// and the RTO state. The modules that change it under the rules: waits.ts (people), escalation.ts,
// handlers.ts (messages); queries.ts reads it for the `progress` and `report` queries.
import type { LoadRunbookResult } from '../activities/types.js';
import type { Mode, Runbook, Step } from '../runbook/model.js';
import { flattenSteps, gatedDestructiveSteps, plannedMs, rtoState, rtoStatus } from '../runbook/plan.js';
import { renderTemplate } from '../runbook/template.js';
import type { Acknowledgement, AuditEntry, Decision, RunEvent, RunStatus, RtoState, StepRecord, WaitingFor } from '../runbook/run.js';
import type { TemplateContext } from '../runbook/template.js';
import { Notifier } from './notifier.js';

/** A step waiting on people: for what, from whom, how many. */
export interface Waiting {
  for: WaitingFor;
  roles: string[];
  required: number;
  /** What the people are asked to do (templated). */
  instructions?: string;
}

/**
 * The code paths a run was recorded on. Each is a `patched()` marker (runbook.ts), so runs recorded
 * before it replay the commands they recorded; a later path implies the earlier ones.
 */
export interface CodePaths {
  /**
   * Since `lean-monitor-and-notifications`: no notify activity for a target that is not configured,
   * one monitor timer kept across changes, no search-attribute upsert before the first RTO look.
   */
  lean: boolean;
  /**
   * Since `local-load-and-store`: the runbook loaded and the report stored by local activities, and
   * no `dispatch-with-fence-and-limit` patch asked for (implied).
   */
  current: boolean;
  /**
   * Since `flat-steps`: a system step's activity is called without async layers of its own (each
   * costs the workflow thread a promise and the SDK's stack capture), and the monitor first looks
   * once the first step has started, so its one timer is armed once.
   */
  flat: boolean;
}

export class RunState {
  readonly runbook: Runbook;
  readonly records = new Map<string, StepRecord>();
  readonly waiting = new Map<string, Waiting>();
  readonly audit: AuditEntry[] = [];
  readonly events: RunEvent[] = [];
  readonly template: TemplateContext;
  readonly startedAt = Date.now();
  endedAt?: number;
  status: RunStatus = 'running';
  outcome?: string;
  aborted?: Acknowledgement;
  rto: RtoState;
  /**
   * When the RTO clock started: the run's start, or the end of its drill set-up (src/runbook/setup.ts);
   * undefined while the set-up runs (the clock has not started: elapsed 0).
   */
  rtoFrom: number | undefined;
  /** Bumped on every change, so waiters (the monitor) notice. */
  version = 0;
  /** What was last written to search attributes, so unchanged values are not upserted again. */
  published?: string;
  /** What Current Details last showed (monitor.ts), so an unchanged view is not rendered again. */
  detailsShown?: string;
  readonly notifier: Notifier;
  /** Approval step → the destructive steps it gates (four eyes). */
  readonly gates: Map<string, string[]>;
  /** Decisions (retry, skip, abort) on failed steps, until the waiting step takes them. */
  readonly pendingDecisions = new Map<string, Acknowledgement & { decision: Decision }>();
  /** Called when an accepted abort arrives. */
  onAbort: () => void = () => undefined;

  constructor(
    readonly loaded: LoadRunbookResult,
    readonly mode: Mode,
    readonly inputs: Record<string, unknown>,
    readonly ids: { workflowId: string; runId: string },
    public incidentAt: number,
    readonly warnings: string[],
    readonly startedBy: string | undefined,
    /** Which recorded code path the run follows (runbook.ts decides it from the run's patch markers). */
    readonly paths: CodePaths = { lean: false, current: false, flat: false },
    /** A drill's set-up sub-runs (src/runbook/setup.ts): recorded first, run before the runbook's steps. */
    readonly setupSteps: readonly Step[] = [],
  ) {
    this.runbook = loaded.runbook;
    this.gates = gatedDestructiveSteps(this.runbook.steps);
    const targets = [loaded.people.notify.slack, loaded.people.notify.webhook, this.runbook.notify.webhook].filter(
      (t): t is string => t !== undefined,
    );
    this.notifier = new Notifier(
      ids.workflowId,
      targets.map((t) => renderTemplate(t, { inputs, steps: {}, run: { id: ids.workflowId, mode, runbook: this.runbook.id } })),
      { runbook: this.runbook.id, mode },
      mode !== 'dry-run',
      // The notify activity falls back to the worker's DR_NOTIFY_WEBHOOK; without one it goes nowhere.
      !paths.lean || loaded.defaultWebhook !== false,
    );
    for (const step of setupSteps) this.records.set(step.id, { ...newRecord(step, undefined), phase: 'setup' });
    for (const { step, parentId } of flattenSteps(this.runbook.steps)) this.records.set(step.id, newRecord(step, parentId));
    this.rtoFrom = setupSteps.length > 0 ? undefined : this.startedAt;
    this.template = { inputs, steps: {}, run: { id: ids.workflowId, mode, runbook: this.runbook.id, incidentAt: new Date(incidentAt).toISOString() } };
    // 'none' until the monitor's first look, so a run that starts at risk records it as an event.
    this.rto = { ...this.computeRto(), status: 'none' };
  }

  record(id: string): StepRecord {
    const record = this.records.get(id);
    if (!record) throw new Error(`no step record "${id}"`);
    return record;
  }

  /** Applies a change to a step record and lets later steps' templates see its outcome. */
  change(record: StepRecord, patch: Partial<StepRecord>): void {
    Object.assign(record, patch);
    if (patch.status !== undefined || patch.output !== undefined) {
      this.template.steps[record.id] = { status: record.status, output: record.output };
    }
    this.version++;
  }

  computeRto(now = Date.now()): RtoState {
    const rtoMs = this.runbook.objectives.rtoMs;
    if (this.mode === 'dry-run') {
      // A dry-run forecasts the live run it previews.
      const forecastMs = plannedMs(this.runbook.steps, 'live');
      return { status: rtoStatus(0, forecastMs, rtoMs), elapsedMs: 0, forecastMs };
    }
    return rtoState({
      steps: this.runbook.steps,
      mode: this.mode,
      records: this.records,
      // While a drill's set-up runs, the clock has not started.
      startedAt: this.rtoFrom ?? this.endedAt ?? now,
      now: this.endedAt ?? now,
      rtoMs,
    });
  }

  /** The drill's set-up ended: the RTO clock starts now, and the incident is now unless the run named one. */
  setupEnded(incidentGiven: boolean): void {
    const now = Date.now();
    this.rtoFrom = now;
    if (!incidentGiven) {
      this.incidentAt = now;
      this.template.run.incidentAt = new Date(now).toISOString();
    }
    this.version++;
  }

  event(type: RunEvent['type'], detail: string, step?: string): void {
    this.events.push({ at: Date.now(), type, step, detail });
    this.version++;
  }

  /** The run's status as people see it: waiting while any step waits on them. */
  currentStatus(): RunStatus {
    if (this.endedAt !== undefined) return this.status;
    return this.waiting.size > 0 ? 'waiting' : 'running';
  }
}

function newRecord(step: Step, parentId: string | undefined): StepRecord {
  return {
    id: step.id,
    title: step.title,
    kind: step.action.kind,
    parentId,
    budgetMs: step.budgetMs,
    timeoutMs: step.timeoutMs,
    destructive: step.destructive,
    effect: step.effect,
    safeToRehearse: step.safeToRehearse,
    noApproval: step.noApproval,
    status: 'pending',
    attempts: [],
    waits: [],
    approvals: [],
    decisions: [],
    escalations: [],
  };
}
