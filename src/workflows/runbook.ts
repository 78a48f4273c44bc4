// The generic `runbook` workflow: loads the runbook (an activity, so the file is read once and its
// hash recorded), runs it, tracks budgets and the RTO while it goes, and returns the run report.
import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { formatDuration } from '../runbook/duration.js';
import { resolveInputs } from '../runbook/inputs.js';
import { MODES, type Mode } from '../runbook/model.js';
import { plannedMs } from '../runbook/plan.js';
import { drillSetup } from '../runbook/setup.js';
import type { RunReport, RtoStatus } from '../runbook/run.js';
import { describeFailure, StepFailed } from './errors.js';
import { registerHandlers } from './handlers.js';
import { runSequence } from './interpreter.js';
import { RunFailureTypes, type RunInput } from './messages.js';
import { checkRto, monitor, monitorRearming, publish } from './monitor.js';
import { runEnded, runStarted } from './observe.js';
import { sendLater } from './notifier.js';
import { reportOf } from './queries.js';
import { RunState } from './state.js';

const LOAD_OPTIONS = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 3 }, summary: 'load runbook' } as const;
const STORE_OPTIONS = { startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 }, summary: 'store the report beside the backups' } as const;
/** Runs recorded before `local-load-and-store`: loadRunbook and storeReport as (server) activities. */
const { loadRunbook } = proxyActivities<Activities>(LOAD_OPTIONS);
const { storeReport } = proxyActivities<Activities>(STORE_OPTIONS);
// Local activities: run by the worker that runs the workflow task, recorded as one marker each
// instead of 3 activity events and a workflow task of 3 more. Every worker registers both.
const local = {
  loadRunbook: proxyLocalActivities<Activities>(LOAD_OPTIONS).loadRunbook,
  storeReport: proxyLocalActivities<Activities>(STORE_OPTIONS).storeReport,
};

/** Fewer history events per run (state.ts says which); a patch so runs recorded before it replay. */
const LEAN_PATCH = 'lean-monitor-and-notifications';
/**
 * loadRunbook and storeReport as local activities; implies `lean-monitor-and-notifications` and
 * `dispatch-with-fence-and-limit` (perform.ts), so a run started since records one patch marker
 * (each costs a marker and a TemporalChangeVersion upsert) instead of two. Runs recorded before it
 * take the older paths, asking for those patches as they did.
 */
const LOCAL_PATCH = 'local-load-and-store';
/** Implies `local-load-and-store` (and so the rest): what it changes is in state.ts, CodePaths.flat. */
const FLAT_PATCH = 'flat-steps';

/** Runs any runbook: `{"runbook": "<id>", "mode": "drill", "inputs": {...}}`. */
export async function runbook(input: RunInput): Promise<RunReport> {
  const mode = checkInput(input);
  const flat = patched(FLAT_PATCH);
  const current = flat || patched(LOCAL_PATCH);
  const loaded = await (current ? local.loadRunbook : loadRunbook)({ id: input.runbook, inputs: input.inputs ?? {}, mode });
  // The run's own inputs over the worker's environment defaults over the runbook's.
  const { values, errors } = resolveInputs(loaded.runbook, { ...(loaded.inputDefaults ?? {}), ...(input.inputs ?? {}) });
  errors.push(...(loaded.inputProblems ?? []));
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
  // A drill's preparation (drill.setup), unless the run says it is done already ({"setup": false}).
  const setup = input.setup === false ? { steps: [], leftOut: [] } : drillSetup(loaded.runbook, mode, loaded.environment);
  const paths = { lean: current || patched(LEAN_PATCH), current, flat };
  const state = new RunState(loaded, mode, values, ids, incidentAt, warnings, input.startedBy, paths, setup.steps);
  for (const { runbook: id, environments } of setup.leftOut) {
    warnings.push(`Drill set-up "${id}" left out: it runs only on workers of ${environments.join(', ')} (this worker's DR_ENVIRONMENT is ${loaded.environment ?? 'not set'})`);
  }
  registerHandlers(state);
  const main = new CancellationScope();
  state.onAbort = () => main.cancel();
  state.event('run-started', `${mode} of ${loaded.runbook.id} (${loaded.file} sha256 ${loaded.sha256.slice(0, 12)})`);
  runStarted({ runbook: loaded.runbook.id, mode }, `${mode} of ${loaded.runbook.id}${input.startedBy ? ` by ${input.startedBy}` : ''}`, {
    plannedMs: plannedMs(loaded.runbook.steps, mode),
    rtoMs: loaded.runbook.objectives.rtoMs,
  });
  // The monitor's first look publishes with the RTO status it finds; before it, the status is 'none'.
  if (!paths.lean) publish(state);
  sendLater(
    state.notifier.send({
      event: 'run-started',
      message: `${mode} of "${loaded.runbook.title}" started${input.startedBy ? ` by ${input.startedBy}` : ''}: dr status ${ids.workflowId} --watch`,
    }),
  );
  // Called directly (no wrapper): an extra async hop would reorder recorded commands. Since
  // `flat-steps` it starts once the first step has: its first look then arms the timer that step's
  // budget needs, not one for the RTO that the step's start cancels at once.
  let monitoring = flat ? undefined : paths.lean ? monitor(state) : monitorRearming(state);

  try {
    const body = main.run(async () => {
      if (setup.steps.length > 0) {
        await runSequence(state, setup.steps);
        state.setupEnded(input.incidentAt !== undefined);
        state.event('setup-finished', `drill set-up done (${setup.steps.map((s) => s.action.kind === 'runbook' && s.action.id).join(', ')}): the RTO clock starts`);
      }
      await runSequence(state, loaded.runbook.steps);
    });
    monitoring ??= monitor(state);
    await body;
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
  return CancellationScope.nonCancellable(() => finish(state, monitoring ?? Promise.resolve()));
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
      const stored = await (state.paths.current ? local.storeReport : storeReport)({ report: reportOf(state) });
      state.event('report-stored', `report written to ${stored.location}`);
    } catch (err) {
      // The run's outcome stands even when the store is down; the report says the copy is missing.
      state.warnings.push(`The report could not be written to the backup store: ${describeFailure(err)}`);
    }
  }
  const report = reportOf(state);
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

function rtoVerdict(status: RtoStatus, elapsedMs: number, rtoMs: number | undefined): string {
  if (rtoMs === undefined || status === 'none') return '';
  const met = status !== 'breached';
  return `; RTO ${met ? 'met' : 'breached'} (${formatDuration(elapsedMs)} of ${formatDuration(rtoMs)})`;
}
