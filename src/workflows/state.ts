// What a run knows while it goes: step records, who is being waited on, the audit trail, events
// and the RTO state; and the message handlers that change it under the rules in people.ts.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { LoadRunbookResult } from '../activities/types.js';
import type { Mode, Runbook, Step } from '../runbook/model.js';
import { formatDuration } from '../runbook/duration.js';
import { escalationLevels, rolesAtLevel } from '../runbook/escalation.js';
import { flattenSteps, gatedDestructiveSteps, plannedMs, rtoState, rtoStatus } from '../runbook/plan.js';
import { rpoAchieved } from '../runbook/rpo.js';
import { renderTemplate } from '../runbook/template.js';
import type {
  Acknowledgement,
  AuditEntry,
  Decision,
  RunEvent,
  RunReport,
  RunStatus,
  RtoState,
  StepRecord,
  WaitingFor,
} from '../runbook/run.js';
import type { TemplateContext } from '../runbook/template.js';
import * as m from './messages.js';
import { rejected, WaitTimedOut } from './interpreter.js';
import { Notifier } from './notifier.js';
import { stepProgress } from './progress.js';
import type { PeopleWait, PerformContext } from './perform.js';
import { auditEntry, checkShape, checkStepMessage, describeRoles, MessageRefused, type StepMessageKind } from './people.js';

interface Waiting {
  for: WaitingFor;
  roles: string[];
  required: number;
  /** What the people are asked to do (templated). */
  instructions?: string;
}

export class RunState {
  readonly runbook: Runbook;
  readonly records = new Map<string, StepRecord>();
  readonly waiting = new Map<string, Waiting>();
  readonly audit: AuditEntry[] = [];
  readonly events: RunEvent[] = [];
  readonly template: TemplateContext;
  readonly performContext: PerformContext;
  readonly startedAt = Date.now();
  endedAt?: number;
  status: RunStatus = 'running';
  outcome?: string;
  aborted?: Acknowledgement;
  rto: RtoState;
  /** Bumped on every change, so waiters (the monitor) notice. */
  version = 0;
  /** What was last written to search attributes, so unchanged values are not upserted again. */
  published?: string;
  readonly notifier: Notifier;
  /** Approval step → the destructive steps it gates (four eyes). */
  readonly gates: Map<string, string[]>;
  private readonly pendingDecisions = new Map<string, Acknowledgement & { decision: Decision }>();
  private onAbort: () => void = () => undefined;

  constructor(
    readonly loaded: LoadRunbookResult,
    readonly mode: Mode,
    readonly inputs: Record<string, unknown>,
    readonly ids: { workflowId: string; runId: string },
    readonly incidentAt: number,
    readonly warnings: string[],
    readonly startedBy: string | undefined,
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
    );
    for (const { step, parentId } of flattenSteps(this.runbook.steps)) this.records.set(step.id, newRecord(step, parentId));
    this.template = { inputs, steps: {}, run: { id: ids.workflowId, mode, runbook: this.runbook.id, incidentAt: new Date(incidentAt).toISOString() } };
    this.performContext = {
      runbook: this.runbook,
      workflowId: ids.workflowId,
      mode,
      startedBy,
      template: this.template,
      waitForPeople: (record, waitingFor, wait) => this.waitForPeople(record, waitingFor, wait),
    };
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
      startedAt: this.startedAt,
      now: this.endedAt ?? now,
      rtoMs,
    });
  }

  event(type: RunEvent['type'], detail: string, step?: string): void {
    this.events.push({ at: Date.now(), type, step, detail });
    this.version++;
  }

  /** Called when an accepted abort arrives. */
  setAbortHandler(fn: () => void): void {
    this.onAbort = fn;
  }

  /**
   * Waits until people have acted on the step. Without an answer within `escalateAfterMs`, the
   * wait widens to the next role of the escalation chain (and notifies it); once the chain is
   * exhausted, `onTimeout` says whether the step fails or the run goes on without it.
   */
  async waitForPeople(record: StepRecord, waitingFor: WaitingFor, wait: PeopleWait): Promise<unknown> {
    const period = { for: waitingFor, since: Date.now() } as StepRecord['waits'][number];
    record.waits.push(period);
    const chain = this.loaded.people.escalation;
    const waiting: Waiting = { for: waitingFor, roles: rolesAtLevel(wait.roles, chain, 0), required: wait.required, instructions: wait.instructions };
    this.waiting.set(record.id, waiting);
    this.change(record, { status: 'waiting', rejectedBy: undefined });
    const answered = () => record.rejectedBy !== undefined || satisfied(record, waitingFor, wait.required, this.pendingDecisions);
    let timedOut = false;
    try {
      void this.announceWait(record, waitingFor, waiting, 0);
      const levels = escalationLevels(wait.roles, chain);
      for (let level = 0; ; level++) {
        if (wait.escalateAfterMs === undefined) {
          await condition(answered);
          break;
        }
        if (await condition(answered, wait.escalateAfterMs, { summary: `${record.id}: escalate if nobody answers` })) break;
        if (level >= levels) {
          timedOut = true;
          break;
        }
        waiting.roles = rolesAtLevel(wait.roles, chain, level + 1);
        record.escalations.push({ at: Date.now(), roles: [...waiting.roles] });
        this.event('escalated', `"${record.id}" escalated to ${describeRoles(this.runbook, waiting.roles)}`, record.id);
        void this.announceWait(record, waitingFor, waiting, level + 1);
      }
    } finally {
      period.until = Date.now();
      this.waiting.delete(record.id);
      this.change(record, { status: 'running' });
    }
    if (timedOut) {
      const detail = `nobody answered "${record.id}" within ${formatDuration(Date.now() - period.since)} (asked: ${describeRoles(this.runbook, waiting.roles)})`;
      this.event('wait-timed-out', detail, record.id);
      void this.notifier.send({ event: 'wait-timed-out', key: `timeout:${record.id}`, message: detail, always: true });
      throw new WaitTimedOut(detail, wait.onTimeout === 'continue');
    }
    if (record.rejectedBy) rejected(record);
    if (waitingFor === 'approval') return { approvedBy: record.approvals.map((a) => a.by) };
    return { completedBy: record.completedBy?.by, comment: record.completedBy?.comment };
  }

  /** Tells the channel who must act, with the exact command and where to click. */
  private async announceWait(record: StepRecord, waitingFor: WaitingFor, waiting: Waiting, level: number): Promise<void> {
    const verb = waitingFor === 'approval' ? 'approve' : 'complete';
    const who = describeRoles(this.runbook, waiting.roles);
    const gated = this.gates.get(record.id) ?? [];
    const message =
      `${level > 0 ? `Escalated (level ${level}): ` : ''}"${record.title}" waits for ${waitingFor} from ${who}` +
      (waitingFor === 'approval' ? ` (${waiting.required} needed)` : '') +
      (gated.length > 0 ? `; it gates destructive step(s) ${gated.join(', ')}` : '') +
      `. Run: dr ${verb} ${this.ids.workflowId} ${record.id} --as <you>` +
      (waiting.instructions ? `\n${waiting.instructions.trim()}` : '');
    await this.notifier.send({
      event: level > 0 ? 'escalated' : 'waiting',
      key: `wait:${record.id}:${record.waits.length}:${level}`,
      message,
      fields: { step: record.id, waitingFor, roles: waiting.roles.join(',') },
    });
  }

  async waitForDecision(record: StepRecord): Promise<Acknowledgement & { decision: Decision }> {
    this.pendingDecisions.delete(record.id);
    const period = { for: 'decision', since: Date.now() } as StepRecord['waits'][number];
    record.waits.push(period);
    this.waiting.set(record.id, { for: 'decision', roles: [], required: 1 });
    this.change(record, { status: 'waiting' });
    try {
      await condition(() => this.pendingDecisions.has(record.id));
    } finally {
      period.until = Date.now();
      this.waiting.delete(record.id);
      this.version++;
    }
    const decision = this.pendingDecisions.get(record.id)!;
    this.pendingDecisions.delete(record.id);
    return decision;
  }

  /** Registers every signal, update and query of a run. */
  registerHandlers(): void {
    const kinds: Array<[StepMessageKind, typeof m.approveSignal, typeof m.approveUpdate]> = [
      ['approve', m.approveSignal, m.approveUpdate],
      ['reject', m.rejectSignal, m.rejectUpdate],
      ['complete', m.completeSignal, m.completeUpdate],
      ['decide', m.decideSignal as typeof m.approveSignal, m.decideUpdate as typeof m.approveUpdate],
    ];
    for (const [kind, signal, update] of kinds) {
      setHandler(signal, (message) => void this.receive(kind, 'signal', message), { description: m.MESSAGE_DESCRIPTIONS[kind] });
      setHandler(update, (message) => this.receiveOrFail(kind, message), {
        validator: (message) => checkShape(kind, message),
        description: m.MESSAGE_DESCRIPTIONS[kind],
      });
    }
    setHandler(m.abortSignal, (message) => void this.receive('abort', 'signal', message), { description: m.MESSAGE_DESCRIPTIONS.abort });
    setHandler(m.abortUpdate, (message) => this.receiveOrFail('abort', message), {
      validator: (message) => checkShape('abort', message),
      description: m.MESSAGE_DESCRIPTIONS.abort,
    });
    setHandler(m.progressQuery, () => this.progress(), { description: m.MESSAGE_DESCRIPTIONS.progress });
    setHandler(m.reportQuery, () => this.report(), { description: m.MESSAGE_DESCRIPTIONS.report });
  }

  private receiveOrFail(kind: StepMessageKind | 'abort', message: m.StepMessage | m.AbortMessage): m.MessageAck {
    const result = this.receive(kind, 'update', message);
    if (result instanceof MessageRefused) {
      throw ApplicationFailure.create({ type: m.RunFailureTypes.MessageRefused, message: result.reason, nonRetryable: true });
    }
    return result;
  }

  /** Applies a message under the rules; records it either way. Returns the refusal instead of throwing. */
  private receive(
    kind: StepMessageKind | 'abort',
    via: AuditEntry['via'],
    message: m.StepMessage | m.AbortMessage,
  ): m.MessageAck | MessageRefused {
    try {
      checkShape(kind, message);
      const ack = kind === 'abort' ? this.applyAbort(message) : this.applyStepMessage(kind, message as m.DecideMessage);
      this.audit.push(auditEntry(Date.now(), kind, via, message));
      this.version++;
      return ack;
    } catch (err) {
      if (!(err instanceof MessageRefused)) throw err;
      this.audit.push(auditEntry(Date.now(), kind, via, message, err));
      this.version++;
      return err;
    }
  }

  private applyAbort(message: m.AbortMessage): m.MessageAck {
    if (this.endedAt !== undefined || this.aborted) {
      throw new MessageRefused(`abort: the run has already ${this.aborted ? 'been aborted' : 'finished'}`);
    }
    this.aborted = { by: message.by, at: Date.now(), comment: message.comment };
    this.onAbort();
    return { accepted: true, detail: `run aborted by ${message.by}` };
  }

  private applyStepMessage(kind: StepMessageKind, message: m.DecideMessage): m.MessageAck {
    const waiting = this.waiting.get(message.step);
    const record = checkStepMessage({
      kind,
      message,
      runbook: this.runbook,
      record: this.records.get(message.step),
      waitingFor: waiting?.for,
      roles: waiting?.roles ?? [],
      required: waiting?.required ?? 1,
    });
    if (kind === 'approve') this.checkFourEyes(record, message.by, waiting?.required ?? 1);
    const ack: Acknowledgement = { by: message.by, at: Date.now(), comment: message.comment };
    if (kind === 'approve') record.approvals.push(ack);
    if (kind === 'reject') record.rejectedBy = ack;
    if (kind === 'complete') record.completedBy = ack;
    if (kind === 'decide') {
      const decided = { ...ack, decision: message.decision };
      record.decisions.push(decided);
      this.pendingDecisions.set(record.id, decided);
    }
    const detail =
      kind === 'approve'
        ? `${record.approvals.length} of ${waiting?.required ?? 1} approvals for "${record.id}"`
        : `${kind} accepted for "${record.id}"`;
    return { accepted: true, step: record.id, stepStatus: record.status, detail };
  }

  /**
   * Four eyes: in live mode the person who started the run cannot be the only approver of a step
   * that gates destructive steps. They may be one of several required approvers.
   */
  private checkFourEyes(record: StepRecord, by: string, required: number): void {
    // A destructive step waiting for its own approval gates itself.
    const gated = this.gates.get(record.id) ?? (record.destructive ? [record.id] : []);
    if (this.mode !== 'live' || gated.length === 0 || by !== this.startedBy) return;
    const others = record.approvals.filter((a) => a.by !== by).length;
    if (others === 0 && required <= 1) {
      throw new MessageRefused(
        `approve: "${by}" started this run and cannot be the only approver of step "${record.id}", which gates destructive step(s) ${gated.join(', ')}; someone else from ${describeRoles(this.runbook, this.waiting.get(record.id)?.roles ?? [])} must approve`,
      );
    }
  }

  /** The run's status as people see it: waiting while any step waits on them. */
  currentStatus(): RunStatus {
    if (this.endedAt !== undefined) return this.status;
    return this.waiting.size > 0 ? 'waiting' : 'running';
  }

  /** The live view the CLI's status table and the UI show. */
  progress(): m.Progress {
    const now = this.endedAt ?? Date.now();
    return {
      runbook: this.runbook.id,
      mode: this.mode,
      status: this.currentStatus(),
      startedAt: this.startedAt,
      now,
      rto: this.computeRto(now),
      steps: [...this.records.values()].map((r) => {
        const waiting = this.waiting.get(r.id);
        if (!waiting) return stepProgress(r, now);
        return {
          ...stepProgress(r, now),
          waitingFor: waiting.for,
          waitingOn: waiting.for === 'decision' ? 'retry, skip or abort' : describeRoles(this.runbook, waiting.roles),
          approvals: waiting.for === 'approval' ? `${r.approvals.length}/${waiting.required}` : undefined,
          instructions: waiting.instructions,
        };
      }),
    };
  }

  report(): RunReport {
    return {
      workflowId: this.ids.workflowId,
      runId: this.ids.runId,
      runbook: { id: this.runbook.id, title: this.runbook.title, file: this.loaded.file, sha256: this.loaded.sha256 },
      mode: this.mode,
      status: this.currentStatus(),
      startedBy: this.startedBy,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      incidentAt: this.incidentAt,
      inputs: this.inputs,
      objectives: this.runbook.objectives,
      rto: this.computeRto(),
      rpo: rpoAchieved([...this.records.values()]),
      steps: [...this.records.values()],
      events: this.events,
      audit: this.audit,
      warnings: this.warnings,
      notifications: { ...this.notifier.counts },
      outcome: this.outcome,
    };
  }
}

function satisfied(
  record: StepRecord,
  waitingFor: WaitingFor,
  required: number,
  decisions: Map<string, unknown>,
): boolean {
  if (waitingFor === 'approval') return record.approvals.length >= required;
  if (waitingFor === 'completion') return record.completedBy !== undefined;
  return decisions.has(record.id);
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
