// The run's message handlers: every signal and update from people (approve, reject, complete,
// decide, abort) is checked against the rules in people.ts, recorded in the audit trail either way,
// and applied to the state; the queries answer from queries.ts.
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { Acknowledgement, AuditEntry } from '../runbook/run.js';
import { MessageRefused } from './errors.js';
import * as m from './messages.js';
import { auditEntry, checkFourEyes, checkShape, checkStepMessage, type StepMessageKind } from './people.js';
import { progressOf, reportOf } from './queries.js';
import type { RunState } from './state.js';

/** Registers every signal, update and query of a run. */
export function registerHandlers(state: RunState): void {
  const kinds: Array<[StepMessageKind, typeof m.approveSignal, typeof m.approveUpdate]> = [
    ['approve', m.approveSignal, m.approveUpdate],
    ['reject', m.rejectSignal, m.rejectUpdate],
    ['complete', m.completeSignal, m.completeUpdate],
    ['decide', m.decideSignal as typeof m.approveSignal, m.decideUpdate as typeof m.approveUpdate],
  ];
  for (const [kind, signal, update] of kinds) {
    setHandler(signal, (message) => void receive(state, kind, 'signal', message), { description: m.MESSAGE_DESCRIPTIONS[kind] });
    setHandler(update, (message) => receiveOrFail(state, kind, message), {
      validator: (message) => checkShape(kind, message),
      description: m.MESSAGE_DESCRIPTIONS[kind],
    });
  }
  setHandler(m.abortSignal, (message) => void receive(state, 'abort', 'signal', message), { description: m.MESSAGE_DESCRIPTIONS.abort });
  setHandler(m.abortUpdate, (message) => receiveOrFail(state, 'abort', message), {
    validator: (message) => checkShape('abort', message),
    description: m.MESSAGE_DESCRIPTIONS.abort,
  });
  setHandler(m.progressQuery, () => progressOf(state), { description: m.MESSAGE_DESCRIPTIONS.progress });
  setHandler(m.reportQuery, () => reportOf(state), { description: m.MESSAGE_DESCRIPTIONS.report });
}

function receiveOrFail(state: RunState, kind: StepMessageKind | 'abort', message: m.StepMessage | m.AbortMessage): m.MessageAck {
  const result = receive(state, kind, 'update', message);
  if (result instanceof MessageRefused) {
    throw ApplicationFailure.create({ type: m.RunFailureTypes.MessageRefused, message: result.reason, nonRetryable: true });
  }
  return result;
}

/** Applies a message under the rules; records it either way. Returns the refusal instead of throwing. */
function receive(
  state: RunState,
  kind: StepMessageKind | 'abort',
  via: AuditEntry['via'],
  message: m.StepMessage | m.AbortMessage,
): m.MessageAck | MessageRefused {
  try {
    checkShape(kind, message);
    const ack = kind === 'abort' ? applyAbort(state, message) : applyStepMessage(state, kind, message as m.DecideMessage);
    state.audit.push(auditEntry(Date.now(), kind, via, message));
    state.version++;
    return ack;
  } catch (err) {
    if (!(err instanceof MessageRefused)) throw err;
    state.audit.push(auditEntry(Date.now(), kind, via, message, err));
    state.version++;
    return err;
  }
}

function applyAbort(state: RunState, message: m.AbortMessage): m.MessageAck {
  if (state.endedAt !== undefined || state.aborted) {
    throw new MessageRefused(`abort: the run has already ${state.aborted ? 'been aborted' : 'finished'}`);
  }
  state.aborted = { by: message.by, at: Date.now(), comment: message.comment };
  state.onAbort();
  return { accepted: true, detail: `run aborted by ${message.by}` };
}

function applyStepMessage(state: RunState, kind: StepMessageKind, message: m.DecideMessage): m.MessageAck {
  const waiting = state.waiting.get(message.step);
  const required = waiting?.required ?? 1;
  const record = checkStepMessage({
    kind,
    message,
    runbook: state.runbook,
    record: state.records.get(message.step),
    waitingFor: waiting?.for,
    roles: waiting?.roles ?? [],
    required,
  });
  if (kind === 'approve') {
    checkFourEyes({
      mode: state.mode,
      startedBy: state.startedBy,
      runbook: state.runbook,
      // A destructive step waiting for its own approval gates itself.
      gated: state.gates.get(record.id) ?? (record.destructive ? [record.id] : []),
      record,
      by: message.by,
      required,
      roles: waiting?.roles ?? [],
    });
  }
  const ack: Acknowledgement = { by: message.by, at: Date.now(), comment: message.comment };
  if (kind === 'approve') record.approvals.push(ack);
  if (kind === 'reject') record.rejectedBy = ack;
  if (kind === 'complete') record.completedBy = ack;
  if (kind === 'decide') {
    const decided = { ...ack, decision: message.decision };
    record.decisions.push(decided);
    state.pendingDecisions.set(record.id, decided);
  }
  const detail = kind === 'approve' ? `${record.approvals.length} of ${required} approvals for "${record.id}"` : `${kind} accepted for "${record.id}"`;
  return { accepted: true, step: record.id, stepStatus: record.status, detail };
}
