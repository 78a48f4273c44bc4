// The generic `runbook` workflow: loads the runbook (an activity, so the file is read once and its
// hash recorded), runs it, tracks budgets and the RTO while it goes, and returns the run report.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { formatDuration } from '../runbook/duration.js';
import { resolveInputs } from '../runbook/inputs.js';
import { MODES, type Mode } from '../runbook/model.js';
import { nextCheckInMs, plannedMs } from '../runbook/plan.js';
import type { RunReport, RtoStatus } from '../runbook/run.js';
import { describeFailure, runSequence, StepFailed } from './interpreter.js';
import { runDetails } from './details.js';
import { RunFailureTypes, type RunInput } from './messages.js';
import { rtoAlarm, runEnded, runStarted } from './observe.js';
import { modeKey, rtoDeadlineKey, rtoStatusKey, runbookKey, statusKey } from './search-attributes.js';
import { RunState } from './state.js';

const { loadRunbook } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
  summary: 'load runbook',
});
const { storeReport } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
  summary: 'store the report beside the backups',
});

/** Runs any runbook: `{"runbook": "<id>", "mode": "drill", "inputs": {...}}`. */
export async function runbook(input: RunInput): Promise<RunReport> {
  const mode = checkInput(input);
  const loaded = await loadRunbook({ id: input.runbook });
  const { values, errors } = resolveInputs(loaded.runbook, input.inputs ?? {});
  if (errors.length > 0) {
    throw ApplicationFailure.create({
      type: RunFailureTypes.InvalidInput,
      message: `Invalid inputs for runbook "${input.runbook}": ${errors.join('; ')}`,
      nonRetryable: true,
    });
  }
  const info = workflowInfo();
  const incidentAt = input.incidentAt ? Date.parse(input.incidentAt) : Date.now();
  const warnings = loaded.warnings.map((w) => `${w.file ?? loaded.file}:${w.line ?? '?'} ${w.message}`);
  const ids = { workflowId: info.workflowId, runId: info.runId };
  const state = new RunState(loaded, mode, values, ids, incidentAt, warnings, input.startedBy);
  state.registerHandlers();
  const main = new CancellationScope();
  state.setAbortHandler(() => main.cancel());
  state.event('run-started', `${mode} of ${loaded.runbook.id} (${loaded.file} sha256 ${loaded.sha256.slice(0, 12)})`);
  runStarted({ runbook: loaded.runbook.id, mode }, `${mode} of ${loaded.runbook.id}${input.startedBy ? ` by ${input.startedBy}` : ''}`, {
    plannedMs: plannedMs(loaded.runbook.steps, mode),
    rtoMs: loaded.runbook.objectives.rtoMs,
  });
  publish(state);
  void state.notifier.send({
    event: 'run-started',
    message: `${mode} of "${loaded.runbook.title}" started${input.startedBy ? ` by ${input.startedBy}` : ''}: dr status ${ids.workflowId} --watch`,
  });
  const monitoring = monitor(state);

  try {
    await main.run(() => runSequence(state, loaded.runbook.steps));
    state.status = mode === 'dry-run' ? 'planned' : 'succeeded';
  } catch (err) {
    if (err instanceof StepFailed) {
      state.status = 'failed';
      state.outcome = err.message;
    } else if (isCancellation(err)) {
      state.status = 'aborted';
      state.aborted ??= { by: 'temporal', at: Date.now(), comment: 'workflow cancelled' };
      state.outcome = `Aborted by ${state.aborted.by}${state.aborted.comment ? `: ${state.aborted.comment}` : ''}`;
    } else {
      throw err;
    }
  }
  return CancellationScope.nonCancellable(() => finish(state, monitoring));
}

async function finish(state: RunState, monitoring: Promise<void>): Promise<RunReport> {
  for (const record of state.records.values()) {
    if (record.status === 'running' || record.status === 'waiting') state.change(record, { status: 'cancelled' });
  }
  state.endedAt = Date.now();
  state.version++;
  await monitoring;
  checkRto(state);
  const verdict = rtoVerdict(state.rto.status, state.rto.elapsedMs, state.runbook.objectives.rtoMs);
  state.event('run-finished', `${state.status}${verdict}`);
  runEnded({ runbook: state.runbook.id, mode: state.mode }, state.status, state.rto.status, state.rto.elapsedMs, `${state.status}${verdict}`);
  publish(state);
  await state.notifier.send({
    event: 'run-finished',
    always: true,
    message: `${state.mode} of "${state.runbook.title}" ${state.status}${verdict}${state.outcome ? ` — ${state.outcome}` : ''}. Report: dr report ${state.ids.workflowId}`,
  });
  if (state.mode !== 'dry-run') {
    try {
      const stored = await storeReport({ report: state.report() });
      state.event('report-stored', `report written to ${stored.location}`);
    } catch (err) {
      // The run's outcome stands even when the store is down; the report says the copy is missing.
      state.warnings.push(`The report could not be written to the backup store: ${describeFailure(err)}`);
    }
  }
  const report = state.report();
  if (state.status === 'succeeded' || state.status === 'planned') return report;
  throw ApplicationFailure.create({
    type: state.status === 'aborted' ? RunFailureTypes.RunAborted : RunFailureTypes.RunFailed,
    message: state.outcome ?? state.status,
    nonRetryable: true,
    details: [report],
  });
}

function checkInput(input: RunInput): Mode {
  const mode = input?.mode ?? 'drill';
  const problem =
    typeof input !== 'object' || input === null || typeof input.runbook !== 'string' || input.runbook === ''
      ? `Expected input like {"runbook": "<id>", "mode": "drill"}, got ${JSON.stringify(input)}`
      : !MODES.includes(mode)
        ? `Expected mode to be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`
        : input.incidentAt !== undefined && Number.isNaN(Date.parse(input.incidentAt))
          ? `Expected incidentAt to be an ISO time, got ${JSON.stringify(input.incidentAt)}`
          : undefined;
  if (problem) throw ApplicationFailure.create({ type: RunFailureTypes.InvalidInput, message: problem, nonRetryable: true });
  return mode;
}

/** Watches budgets and the RTO between step boundaries, waking only when something can change. */
async function monitor(state: RunState): Promise<void> {
  try {
    while (state.endedAt === undefined) {
      checkOverruns(state);
      checkRto(state);
      publish(state);
      const seen = state.version;
      const delay = nextCheckInMs({
        records: state.records.values(),
        rto: state.rto,
        rtoMs: state.runbook.objectives.rtoMs,
        now: Date.now(),
      });
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
      void state.notifier.send({ event: 'step-overrun', key: `overrun:${record.id}`, message: detail, fields: { step: record.id } });
    }
  }
}

function checkRto(state: RunState): void {
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
  if (announce) void state.notifier.send({ event: type, message: `${state.runbook.title}: ${detail}`, always: type === 'rto-breached' });
}

/** Keeps search attributes and the UI's current details in step with the run. */
function publish(state: RunState): void {
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
  // The UI's "Current Details": status, RTO, what to send to whom, and every step's budget vs actual.
  setCurrentDetails(
    runDetails({
      title: state.runbook.title,
      mode: state.mode,
      status,
      rto: state.rto,
      rtoMs: state.runbook.objectives.rtoMs,
      workflowId: state.ids.workflowId,
      records: state.records.values(),
      waiting: state.waiting.entries(),
      outcome: state.outcome,
      now: Date.now(),
    }),
  );
}

function rtoVerdict(status: RtoStatus, elapsedMs: number, rtoMs: number | undefined): string {
  if (rtoMs === undefined || status === 'none') return '';
  const met = status !== 'breached';
  return `; RTO ${met ? 'met' : 'breached'} (${formatDuration(elapsedMs)} of ${formatDuration(rtoMs)})`;
}
