// How each action kind is carried out by the workflow: system actions become the activity their
// runtime entry names (src/runbook/action-runtime.ts, which also templates their input), people
// actions become waits. The one dispatch over action kinds.
import { ActivityCancellationType, executeChild, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { systemSpec, type SystemKind } from '../runbook/action-runtime.js';
import type { Action, ActionKind, ApprovalAction, Mode, Runbook, Step } from '../runbook/model.js';
import type { RunReport } from '../runbook/run.js';
import { renderArgv, renderTemplate, type TemplateContext } from '../runbook/template.js';
import type { StepRecord, WaitingFor } from '../runbook/run.js';
import { dispatch } from './redispatch.js';

/** Who a wait is for and how it escalates. */
export type PeopleWait = Pick<ApprovalAction, 'roles' | 'required' | 'escalateAfterMs' | 'onTimeout' | 'instructions'>;

/** What performing an action needs from the run. */
export interface PerformContext {
  runbook: Runbook;
  workflowId: string;
  mode: Mode;
  startedBy?: string;
  template: TemplateContext;
  /** Whether the run dispatches through dispatch() (redispatch.ts): always since `local-load-and-store`. */
  fenced(): boolean;
  /** Since `flat-steps`: a system action's activity is called with no async layer between (state.ts, CodePaths). */
  flat: boolean;
  /** Waits until people have acted on the step; resolves with what they said. */
  waitForPeople(record: StepRecord, waitingFor: WaitingFor, wait: PeopleWait): Promise<unknown>;
}

// Backstop when a step declares no timeout: long restores are legitimate; heartbeats catch dead workers.
const DEFAULT_START_TO_CLOSE_MS = 24 * 3_600_000;
const TIMEOUT_GRACE_MS = 30_000;
import { HEARTBEAT_TIMEOUT_MS } from '../runbook/redispatch.js';

function activitiesFor(step: Step, heartbeats: boolean): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: step.timeoutMs !== undefined ? step.timeoutMs + TIMEOUT_GRACE_MS : DEFAULT_START_TO_CLOSE_MS,
    heartbeatTimeout: heartbeats ? HEARTBEAT_TIMEOUT_MS : undefined,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // Only infrastructure failures (lost worker, backstop timeout) are retried by Temporal; a step's
    // own failures are non-retryable and go through the step's retry policy in the workflow.
    retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2 },
    summary: `${step.id}: ${step.title}`,
  });
}

type Performer<K extends ActionKind> = (
  action: Extract<Action, { kind: K }>,
  step: Step,
  record: StepRecord,
  ctx: PerformContext,
) => Promise<unknown>;

/** A system action's activity call, from its runtime entry (src/runbook/action-runtime.ts). */
function systemCall(action: Extract<Action, { kind: SystemKind }>, step: Step, record: StepRecord, ctx: PerformContext) {
  const spec = systemSpec(action.kind);
  const { kind: _kind, ...plain } = action;
  const resolved = spec.resolve ? spec.resolve(action, ctx) : (renderTemplate(plain, ctx.template) as Record<string, unknown>);
  record.resolved = spec.show ? spec.show(action, resolved) : resolved;
  return {
    activity: spec.activity as keyof Activities,
    input: { ...resolved, runId: ctx.workflowId, stepId: step.id },
    heartbeats: typeof spec.heartbeats === 'function' ? spec.heartbeats(action) : spec.heartbeats,
    idempotent: typeof spec.idempotent === 'function' ? spec.idempotent(action) : spec.idempotent,
    output: spec.output as ((result: unknown) => unknown) | undefined,
  };
}

/** A system action, on the paths before `flat-steps` (an async layer of its own; kept for replay). */
async function performSystem(action: Extract<Action, { kind: SystemKind }>, step: Step, record: StepRecord, ctx: PerformContext) {
  const { activity, input, heartbeats, idempotent, output } = systemCall(action, step, record, ctx);
  if (ctx.fenced()) {
    const result = await dispatch({ step, record, activity, input, heartbeats, idempotent });
    return output ? output(result) : result;
  }
  // Runs recorded before the patch: Temporal's retry policy re-dispatched, invisible to the record.
  const call = activitiesFor(step, heartbeats)[activity] as (input: unknown) => Promise<unknown>;
  const result = await call({ ...input, timeoutMs: step.timeoutMs });
  return output ? output(result) : result;
}

const people: { [K in 'manual' | 'approval' | 'wait' | 'runbook']: Performer<K> } = {
  async runbook(action, step, record, ctx) {
    // A child run: its own record, approvals and report; its id is derived so a retry finds it.
    const workflowId = `${ctx.workflowId}--${step.id}-${record.attempts.length}`;
    const input = {
      runbook: action.id,
      mode: action.mode ?? ctx.mode,
      inputs: renderTemplate(action.inputs, ctx.template),
      incidentAt: ctx.template.run.incidentAt,
      startedBy: ctx.startedBy,
    };
    record.resolved = { ...input, workflowId };
    const report = (await executeChild('runbook', { workflowId, args: [input], staticSummary: `${step.id} of ${ctx.workflowId}` })) as RunReport;
    return {
      workflowId,
      status: report.status,
      rto: report.rto.status,
      outputs: Object.fromEntries(report.steps.map((s) => [s.id, s.output])),
    };
  },
  async wait(action, step) {
    await sleep(action.durationMs, { summary: `${step.id}: ${step.title}` });
    return { waitedMs: action.durationMs };
  },
  async manual(action, _step, record, ctx) {
    return ctx.waitForPeople(record, ...askOf(action, ctx));
  },
  async approval(action, _step, record, ctx) {
    return ctx.waitForPeople(record, ...askOf(action, ctx));
  },
};

/** What a manual or approval step asks of people. */
function askOf(action: Extract<Action, { kind: 'manual' | 'approval' }>, ctx: PerformContext): [WaitingFor, PeopleWait] {
  if (action.kind === 'manual') return ['completion', { ...action, required: 1, instructions: renderTemplate(action.instructions, ctx.template) }];
  const instructions = action.instructions === undefined ? undefined : renderTemplate(action.instructions, ctx.template);
  return ['approval', { ...action, instructions }];
}

/** Carries out a non-parallel step's action once; throws on failure. */
export function perform(step: Step, record: StepRecord, ctx: PerformContext): Promise<unknown> {
  const action = step.action;
  if (action.kind === 'parallel') throw new Error('parallel groups are run by the interpreter');
  // Since `flat-steps` with no async layer of its own between the step and its wait (state.ts, CodePaths).
  if (ctx.flat && (action.kind === 'manual' || action.kind === 'approval')) return ctx.waitForPeople(record, ...askOf(action, ctx));
  if (action.kind === 'manual' || action.kind === 'approval' || action.kind === 'wait' || action.kind === 'runbook') {
    return (people[action.kind] as Performer<typeof action.kind>)(action as never, step, record, ctx);
  }
  if (!ctx.flat) return performSystem(action, step, record, ctx);
  const { activity, input, heartbeats, idempotent, output } = systemCall(action, step, record, ctx);
  return dispatch({ step, record, activity, input, heartbeats, idempotent, flat: { output } });
}

/** The action with templates applied as far as they can be before the run (dry-run). */
export function previewAction(action: Action, template: TemplateContext): unknown {
  if (action.kind === 'parallel') return { kind: 'parallel', steps: action.steps.map((s) => s.id) };
  const preview = (value: unknown): unknown => {
    try {
      // String lists expand list inputs as the run will (`stop: ["{{ inputs.redisStop }}"]`, `tables`).
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? renderArgv(value, template) : renderTemplate(value, template);
    } catch {
      return value; // refers to an output that only exists at run time
    }
  };
  const fields = Object.fromEntries(Object.entries(action).map(([key, value]) => [key, preview(value)]));
  if (action.kind === 'shell' && action.command) {
    // argv as the run builds it (a list input expands into several arguments); cwd and env as above.
    try {
      return { ...fields, command: renderArgv(action.command, template) };
    } catch {
      return { ...fields, command: action.command };
    }
  }
  return fields;
}
