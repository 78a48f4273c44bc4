// The run's message handlers: every signal and update from people (approve, reject, complete,
// decide, abort) is checked against the rules in people.ts, recorded in the audit trail either way,
// and applied to the state; the queries answer from queries.ts.
import { ApplicationFailure, setDefaultSignalHandler, setHandler } from '@temporalio/workflow';
import type { Step } from '../runbook/model.js';
import type { Acknowledgement, AuditEntry, StepStatus } from '../runbook/run.js';
import { MessageRefused } from './errors.js';
import * as m from './messages.js';
import { showDetails } from './monitor.js';
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
    // No validator: a malformed update is accepted into history, then refused by the handler, so
    // it is kept in the audit trail like every other message (a validator's refusal leaves no trace).
    setHandler(update, (message) => receiveOrFail(state, kind, message), { description: m.MESSAGE_DESCRIPTIONS[kind] });
  }
  setHandler(m.abortSignal, (message) => void receive(state, 'abort', 'signal', message), { description: m.MESSAGE_DESCRIPTIONS.abort });
  setHandler(m.abortUpdate, (message) => receiveOrFail(state, 'abort', message), { description: m.MESSAGE_DESCRIPTIONS.abort });
  // A signal name the run does not know (`approv`) would otherwise wait unread forever: it is
  // recorded as refused and shown at once. Only Current Details is redrawn (no version bump), so the
  // monitor's timers, and thus the run's commands, stay what they were before this handler existed.
  setDefaultSignalHandler((name, ...args) => {
    const payload = (args[0] ?? {}) as Partial<m.DecideMessage>;
    const known = ['approve', 'reject', 'complete', 'decide', 'abort'];
    const reason = `unknown signal "${name}"; expected one of ${known.join(', ')}`;
    state.audit.push({ ...auditEntry(Date.now(), 'unknown', 'signal', payload, new MessageRefused(reason)), name });
    showDetails(state);
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
  return { accepted: true, step: record.id, ...outcome(state, kind, record.id, record.kind, message.decision, record.approvals.length, required) };
}

/** What an accepted step message does, in words and as the step's status it leads to. */
function outcome(
  state: RunState,
  kind: StepMessageKind,
  id: string,
  stepKind: string,
  decision: m.DecideMessage['decision'],
  approvals: number,
  required: number,
): { stepStatus: StepStatus; detail: string } {
  if (kind === 'approve' && approvals < required) {
    return { stepStatus: 'waiting', detail: `${approvals} of ${required} approvals for "${id}"; it waits for ${required - approvals} more` };
  }
  if (kind === 'approve' && stepKind !== 'approval') return { stepStatus: 'running', detail: `${approvals} of ${required} approvals for "${id}"; it runs now` };
  if (kind === 'approve') return { stepStatus: 'succeeded', detail: `${approvals} of ${required} approvals for "${id}"; ${next(state, id)}` };
  if (kind === 'complete') return { stepStatus: 'succeeded', detail: `completed "${id}"; ${next(state, id)}` };
  if (kind === 'reject') return { stepStatus: 'failed', detail: `rejected "${id}": it fails, and its onFailure decides what follows` };
  const status: Record<m.DecideMessage['decision'], StepStatus> = { retry: 'running', skip: 'skipped', abort: 'failed' };
  return { stepStatus: status[decision], detail: `${decision} for "${id}"${decision === 'skip' ? `; ${next(state, id)}` : ''}` };
}

/** "the run goes on with provision-local", or the group a parallel step belongs to. */
function next(state: RunState, id: string): string {
  const runs = (s: Step) => s.modes.includes(state.mode);
  const find = (steps: Step[], parent?: Step): string | undefined => {
    const i = steps.findIndex((s) => s.id === id);
    if (i >= 0) {
      if (parent) return `the group "${parent.id}" goes on`;
      const after = steps.slice(i + 1).find(runs);
      return after ? `the run goes on with "${after.id}"` : 'it was the last step';
    }
    for (const s of steps) {
      const found = s.action.kind === 'parallel' ? find(s.action.steps, s) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  return find(state.runbook.steps) ?? 'the run goes on';
}
