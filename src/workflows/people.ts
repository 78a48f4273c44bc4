// The rules for messages from people: who may act on which waiting step, and the four-eyes rule.
// Every message, accepted or refused, lands in the audit trail; a refused one changes nothing else.
import type { Mode, Runbook } from '../runbook/model.js';
import type { AuditEntry, StepRecord, WaitingFor } from '../runbook/run.js';
import { MessageRefused } from './errors.js';
import type { AbortMessage, DecideMessage, StepMessage } from './messages.js';

export type StepMessageKind = 'approve' | 'reject' | 'complete' | 'decide';

/** Which waits a message kind may act on. */
const ACTS_ON: Record<StepMessageKind, WaitingFor[]> = {
  approve: ['approval'],
  reject: ['approval', 'completion'],
  complete: ['completion'],
  decide: ['decision'],
};

/** People who hold any of the roles; empty roles mean anyone may act. */
export function peopleFor(runbook: Runbook, roles: readonly string[]): string[] | undefined {
  if (roles.length === 0) return undefined;
  return [...new Set(roles.flatMap((role) => runbook.approvers[role] ?? []))];
}

/** "dba (alice, bob), lead (carol)" — who a step waits on, for people to read. */
export function describeRoles(runbook: Runbook, roles: readonly string[]): string {
  if (roles.length === 0) return 'anyone';
  return roles.map((role) => `${role} (${(runbook.approvers[role] ?? []).join(', ') || 'nobody'})`).join(', ');
}

/** Checks the payload's shape; malformed messages are refused before any rule is applied. */
export function checkShape(kind: StepMessageKind | 'abort', input: unknown): void {
  const value = input as Partial<DecideMessage & AbortMessage> | undefined;
  if (typeof value !== 'object' || value === null) {
    throw new MessageRefused(`${kind}: expected a JSON object like {"step": "...", "by": "..."}, got ${JSON.stringify(input)}`);
  }
  if (typeof value.by !== 'string' || value.by.trim() === '') {
    throw new MessageRefused(`${kind}: expected \`by\` to name the person sending it, got ${JSON.stringify(value.by)}`);
  }
  if (kind !== 'abort' && (typeof value.step !== 'string' || value.step === '')) {
    throw new MessageRefused(`${kind}: expected \`step\` to be a step id, got ${JSON.stringify(value.step)}`);
  }
  if (kind === 'decide' && !['retry', 'skip', 'abort'].includes(value.decision as string)) {
    throw new MessageRefused(`decide: expected \`decision\` to be retry, skip or abort, got ${JSON.stringify(value.decision)}`);
  }
  if (value.comment !== undefined && typeof value.comment !== 'string') {
    throw new MessageRefused(`${kind}: expected \`comment\` to be text, got ${JSON.stringify(value.comment)}`);
  }
}

/** Applies the rules to a step message; returns the waiting step it acts on, or throws MessageRefused. */
export function checkStepMessage(args: {
  kind: StepMessageKind;
  message: StepMessage;
  runbook: Runbook;
  record: StepRecord | undefined;
  waitingFor: WaitingFor | undefined;
  roles: readonly string[];
  required: number;
}): StepRecord {
  const { kind, message, record, waitingFor } = args;
  if (!record) throw new MessageRefused(`${kind}: no step "${message.step}" in runbook "${args.runbook.id}"`);
  if (waitingFor === undefined || !ACTS_ON[kind].includes(waitingFor)) {
    const expected = ACTS_ON[kind].join(' or ');
    const now = waitingFor ? `waiting for ${waitingFor}` : record.status;
    throw new MessageRefused(`${kind}: step "${record.id}" is not waiting for ${expected} (it is ${now})`);
  }
  if (waitingFor !== 'decision') {
    const allowed = peopleFor(args.runbook, args.roles);
    if (allowed && !allowed.includes(message.by)) {
      throw new MessageRefused(
        `${kind}: "${message.by}" may not act on step "${record.id}"; expected one of ${describeRoles(args.runbook, args.roles)}`,
      );
    }
  }
  if (kind === 'approve' && record.approvals.some((a) => a.by === message.by)) {
    throw new MessageRefused(
      `approve: "${message.by}" already approved step "${record.id}"; ${args.required} distinct approvals needed, ${record.approvals.length} given`,
    );
  }
  return record;
}

/**
 * Four eyes: in live mode the person who started the run cannot be the only approver of a step
 * that gates destructive steps. They may be one of several required approvers.
 */
export function checkFourEyes(args: {
  mode: Mode;
  startedBy: string | undefined;
  runbook: Runbook;
  /** The destructive steps this approval gates. */
  gated: readonly string[];
  record: StepRecord;
  by: string;
  required: number;
  roles: readonly string[];
}): void {
  const { record, by, gated } = args;
  if (args.mode !== 'live' || gated.length === 0 || by !== args.startedBy) return;
  const others = record.approvals.filter((a) => a.by !== by).length;
  if (others === 0 && args.required <= 1) {
    throw new MessageRefused(
      `approve: "${by}" started this run and cannot be the only approver of step "${record.id}", which gates destructive step(s) ${gated.join(', ')}; someone else from ${describeRoles(args.runbook, args.roles)} must approve`,
    );
  }
}

/** The audit entry for a message, accepted or refused. */
export function auditEntry(
  at: number,
  kind: AuditEntry['message'],
  via: AuditEntry['via'],
  message: Partial<DecideMessage> & { by?: unknown },
  refused?: MessageRefused,
): AuditEntry {
  return {
    at,
    message: kind,
    via,
    by: typeof message?.by === 'string' ? message.by : '(unknown)',
    step: typeof message?.step === 'string' ? message.step : undefined,
    comment: typeof message?.comment === 'string' ? message.comment : undefined,
    decision: message?.decision,
    accepted: refused === undefined,
    reason: refused?.reason,
  };
}
