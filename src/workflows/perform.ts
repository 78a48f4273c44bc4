// How each action kind is carried out by the workflow: system actions become activities (with
// their inputs templated here), people actions become waits. The one dispatch over action kinds.
import { ActivityCancellationType, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Action, ActionKind, Runbook, Step } from '../runbook/model.js';
import { renderArgv, renderTemplate, type TemplateContext } from '../runbook/template.js';
import type { StepRecord, WaitingFor } from '../runbook/run.js';

/** What performing an action needs from the run. */
export interface PerformContext {
  runbook: Runbook;
  workflowId: string;
  template: TemplateContext;
  /** Waits until people have acted on the step; resolves with what they said. */
  waitForPeople(record: StepRecord, waitingFor: WaitingFor, roles: string[], required: number): Promise<unknown>;
}

// Backstop when a step declares no timeout: long restores are legitimate; heartbeats catch dead workers.
const DEFAULT_START_TO_CLOSE_MS = 24 * 3_600_000;
const TIMEOUT_GRACE_MS = 30_000;
// A worker that dies mid-step is noticed after this long and the step is retried elsewhere.
export const HEARTBEAT_TIMEOUT_MS = 10_000;

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

type Performers = { [K in Exclude<ActionKind, 'parallel'>]: Performer<K> };

const performers: Performers = {
  async shell(action, step, record, ctx) {
    const resolved = {
      command: action.command ? renderArgv(action.command, ctx.template) : undefined,
      script: action.script === undefined ? undefined : renderTemplate(action.script, ctx.template),
      env: renderTemplate(action.env, ctx.template),
      cwd: action.cwd === undefined ? undefined : renderTemplate(action.cwd, ctx.template),
      okExitCodes: action.okExitCodes,
    };
    record.resolved = resolved;
    const result = await activitiesFor(step, true).runShell({
      ...resolved,
      runId: ctx.workflowId,
      stepId: step.id,
      timeoutMs: step.timeoutMs,
    });
    return { exitCode: result.exitCode, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  },
  async http(action, step, record, ctx) {
    const { kind: _kind, json, ...rest } = action;
    const rendered = renderTemplate(rest, ctx.template);
    const resolved = json === undefined ? rendered : { ...rendered, body: JSON.stringify(renderTemplate(json, ctx.template)) };
    record.resolved = resolved;
    const result = await activitiesFor(step, resolved.poll !== undefined).httpRequest({
      ...resolved,
      runId: ctx.workflowId,
      stepId: step.id,
      timeoutMs: step.timeoutMs,
    });
    return { status: result.status, body: result.body, requests: result.requests };
  },
  async sql(action, step, record, ctx) {
    const named = ctx.runbook.connections[action.connection];
    const resolved = {
      connection: renderTemplate(named ?? action.connection, ctx.template),
      query: renderTemplate(action.query, ctx.template),
      params: renderTemplate(action.params, ctx.template),
      expect: action.expect,
    };
    record.resolved = { ...resolved, connection: named === undefined ? resolved.connection : action.connection };
    const result = await activitiesFor(step, false).runSql({
      ...resolved,
      runId: ctx.workflowId,
      stepId: step.id,
      timeoutMs: step.timeoutMs,
    });
    return { rowCount: result.rowCount, value: result.value, rows: result.rows };
  },
  async notify(action, step, record, ctx) {
    const webhook = action.webhook ?? ctx.runbook.notify.webhook;
    const resolved = {
      webhook: webhook === undefined ? undefined : renderTemplate(webhook, ctx.template),
      message: renderTemplate(action.message, ctx.template),
    };
    record.resolved = resolved;
    const result = await activitiesFor(step, false).notify({
      ...resolved,
      runId: ctx.workflowId,
      event: 'step',
      fields: { runbook: ctx.runbook.id, step: step.id },
    });
    // A webhook that is down is reported, never a reason to fail the run.
    return result;
  },
  async wait(action) {
    await sleep(action.durationMs);
    return { waitedMs: action.durationMs };
  },
  async manual(action, _step, record, ctx) {
    return ctx.waitForPeople(record, 'completion', action.roles, 1);
  },
  async approval(action, _step, record, ctx) {
    return ctx.waitForPeople(record, 'approval', action.roles, action.required);
  },
};

/** Carries out a non-parallel step's action once; throws on failure. */
export function perform(step: Step, record: StepRecord, ctx: PerformContext): Promise<unknown> {
  const action = step.action;
  if (action.kind === 'parallel') throw new Error('parallel groups are run by the interpreter');
  const performer = performers[action.kind] as Performer<typeof action.kind>;
  return performer(action as never, step, record, ctx);
}

/** The action with templates applied as far as they can be before the run (dry-run). */
export function previewAction(action: Action, template: TemplateContext): unknown {
  if (action.kind === 'parallel') return { kind: 'parallel', steps: action.steps.map((s) => s.id) };
  const preview = (value: unknown): unknown => {
    try {
      return renderTemplate(value, template);
    } catch {
      return value; // refers to an output that only exists at run time
    }
  };
  if (action.kind === 'shell' && action.command) {
    try {
      return { ...action, command: renderArgv(action.command, template) };
    } catch {
      return action;
    }
  }
  return Object.fromEntries(Object.entries(action).map(([key, value]) => [key, preview(value)]));
}
