// How each action kind is carried out by the workflow: system actions become activities (with
// their inputs templated here), people actions become waits. The one dispatch over action kinds.
import { ActivityCancellationType, executeChild, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ShellResult } from '../activities/types.js';
import type { Action, ActionKind, ApprovalAction, Mode, Runbook, Step } from '../runbook/model.js';
import type { RunReport } from '../runbook/run.js';
import { isSecretReference } from '../runbook/inputs.js';
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

/** postgres.backup / postgres.verify: a connection (name or reference) and tables (a list input expands). */
function connectionAndTables(
  { kind: _kind, connection, tables, ...rest }: Extract<Action, { kind: 'postgres.backup' | 'postgres.verify' }>,
  ctx: PerformContext,
): Record<string, unknown> {
  return {
    ...renderTemplate(rest, ctx.template),
    connection: connectionOf(connection, ctx),
    tables: tables === undefined ? undefined : renderArgv(tables, ctx.template),
  };
}

const showConnection = (action: { connection: string }, resolved: Record<string, unknown>) => ({
  ...resolved,
  connection: shownConnection(action.connection, resolved.connection),
});

type SystemKind = Exclude<ActionKind, 'parallel' | 'manual' | 'approval' | 'wait' | 'runbook'>;

/**
 * System actions: the activity that carries each out, whether it heartbeats (long work; a dead
 * worker is then noticed within HEARTBEAT_TIMEOUT_MS), and how its input is templated when the
 * plain deep render is not enough. Adding an action = a schema entry, a line here, an activity.
 */
const SYSTEM: {
  [K in SystemKind]: {
    activity: keyof Activities;
    heartbeats: boolean | ((action: Extract<Action, { kind: K }>) => boolean);
    /** Whether running it twice is safe: a re-dispatched step that is not gets flagged for a person. */
    idempotent: boolean | ((action: Extract<Action, { kind: K }>) => boolean);
    resolve?: (action: Extract<Action, { kind: K }>, ctx: PerformContext) => Record<string, unknown>;
    /** What the record keeps of the resolved input, when that differs (e.g. a connection's name). */
    show?: (action: Extract<Action, { kind: K }>, resolved: Record<string, unknown>) => unknown;
    /** The step's output (what later steps' templates see), when not the activity's whole result. */
    output?: (result: never) => unknown;
  };
} = {
  shell: {
    idempotent: false,
    activity: 'runShell',
    heartbeats: true,
    resolve: (action, ctx) => ({
      command: action.command ? renderArgv(action.command, ctx.template) : undefined,
      script: action.script === undefined ? undefined : renderTemplate(action.script, ctx.template),
      env: renderTemplate(action.env, ctx.template),
      cwd: action.cwd === undefined ? undefined : renderTemplate(action.cwd, ctx.template),
      okExitCodes: action.okExitCodes,
    }),
    // Trimmed so `{{ steps.x.output.stdout }}` can be used as a value without its newline.
    output: (r: ShellResult) => ({ exitCode: r.exitCode, stdout: r.stdout.trim(), stderr: r.stderr.trim(), truncated: r.truncated }),
  },
  http: {
    idempotent: (action) => ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(action.method),
    activity: 'httpRequest',
    heartbeats: (action) => action.poll !== undefined,
    resolve: (action, ctx) => {
      const { kind: _kind, json, ...rest } = action;
      const rendered = renderTemplate(rest, ctx.template);
      return json === undefined ? rendered : { ...rendered, body: JSON.stringify(renderTemplate(json, ctx.template)) };
    },
  },
  sql: {
    idempotent: false,
    activity: 'runSql',
    heartbeats: true,
    resolve: (action, ctx) => ({
      connection: renderTemplate(ctx.runbook.connections[action.connection] ?? action.connection, ctx.template),
      query: renderTemplate(action.query, ctx.template),
      params: renderTemplate(action.params, ctx.template),
      expect: action.expect,
    }),
    show: (action, resolved) => ({ ...resolved, connection: action.connection }),
  },
  notify: {
    idempotent: false,
    activity: 'notify',
    heartbeats: false,
    resolve: (action, ctx) => {
      const webhook = action.webhook ?? ctx.runbook.notify.webhook;
      return {
        webhook: webhook === undefined ? undefined : renderTemplate(webhook, ctx.template),
        message: renderTemplate(action.message, ctx.template),
        event: 'step',
        fields: { runbook: ctx.runbook.id },
      };
    },
    // A webhook that is down is reported in the step's output, never a reason to fail the run.
  },
  'postgres.backup': {
    idempotent: true,
    activity: 'postgresBackup',
    heartbeats: true,
    resolve: connectionAndTables,
    show: showConnection,
  },
  'postgres.restore': {
    idempotent: true,
    activity: 'postgresRestore',
    heartbeats: true,
    resolve: ({ kind: _kind, target, tables, incidentAt, ...rest }, ctx) => ({
      ...renderTemplate(rest, ctx.template),
      target: connectionOf(target, ctx),
      // `tables: ["{{ inputs.tables }}"]` expands a list input, so one runbook does full and partial restores.
      tables: tables === undefined ? undefined : renderArgv(tables, ctx.template),
      incidentAt: incidentAt === undefined ? ctx.template.run.incidentAt : renderTemplate(incidentAt, ctx.template),
    }),
    show: (action, resolved) => ({ ...resolved, target: shownConnection(action.target, resolved.target) }),
  },
  'postgres.verify': {
    idempotent: true,
    activity: 'postgresVerify',
    heartbeats: true,
    resolve: connectionAndTables,
    show: showConnection,
  },
  'storage.list': { activity: 'storageList', heartbeats: false, idempotent: true },
  'storage.prune': { activity: 'storagePrune', heartbeats: true, idempotent: true },
  'redis.snapshot': { activity: 'redisSnapshot', heartbeats: true, idempotent: true, resolve: (a, ctx) => withUrl(a, ctx), show: showUrl },
  'redis.restore': {
    idempotent: true,
    activity: 'redisRestore',
    heartbeats: true,
    resolve: ({ stop, start, incidentAt, ...a }, ctx) => ({
      ...withUrl(a, ctx),
      stop: renderArgv(stop, ctx.template),
      start: renderArgv(start, ctx.template),
      incidentAt: incidentAt === undefined ? ctx.template.run.incidentAt : renderTemplate(incidentAt, ctx.template),
    }),
    show: showUrl,
  },
  'redis.persistence': { activity: 'redisPersistence', heartbeats: true, idempotent: true, resolve: (a, ctx) => withUrl(a, ctx), show: showUrl },
  'kafka.export': { activity: 'kafkaExport', heartbeats: true, idempotent: true, resolve: (a, ctx) => withLists(a, ctx, ['brokers', 'topics', 'groups']) },
  'kafka.restore': {
    idempotent: false,
    activity: 'kafkaRestore',
    heartbeats: true,
    resolve: ({ incidentAt, ...a }, ctx) => ({
      ...withLists(a, ctx, ['brokers', 'topics', 'groups']),
      incidentAt: incidentAt === undefined ? ctx.template.run.incidentAt : renderTemplate(incidentAt, ctx.template),
    }),
  },
  archive: { activity: 'archiveCreate', heartbeats: true, idempotent: true, resolve: (a, ctx) => withLists(a, ctx, ['paths', 'exclude']) },
  'archive.restore': {
    idempotent: true,
    activity: 'archiveRestore',
    heartbeats: true,
    resolve: ({ kind: _kind, incidentAt, ...a }, ctx) => ({
      ...renderTemplate(a, ctx.template),
      incidentAt: incidentAt === undefined ? ctx.template.run.incidentAt : renderTemplate(incidentAt, ctx.template),
    }),
  },
  // stanza-create and ALTER SYSTEM to the same values are repeatable; a second backup is one more set.
  'pgbackrest.stanza': { activity: 'pgbackrestStanza', heartbeats: true, idempotent: true },
  'pgbackrest.backup': { activity: 'pgbackrestBackup', heartbeats: true, idempotent: true },
  'pgbackrest.info': { activity: 'pgbackrestInfo', heartbeats: false, idempotent: true },
  'pgbackrest.check': { activity: 'pgbackrestCheck', heartbeats: true, idempotent: true },
  'pgbackrest.restore': {
    activity: 'pgbackrestRestore',
    heartbeats: true,
    // A second attempt finds the data directory of the first one and refuses it.
    idempotent: false,
    resolve: ({ kind: _kind, incidentAt, ...a }, ctx) => ({
      ...renderTemplate(a, ctx.template),
      incidentAt: incidentAt === undefined ? ctx.template.run.incidentAt : renderTemplate(incidentAt, ctx.template),
    }),
  },
};

/** A redis.* action's input: `url` may name one of the runbook's `connections`. */
function withUrl<A extends { kind: string; url: string }>({ kind: _kind, url, ...rest }: A, ctx: PerformContext): Record<string, unknown> {
  return { ...renderTemplate(rest, ctx.template), url: connectionOf(url, ctx) };
}

function showUrl(action: { url: string }, resolved: Record<string, unknown>): unknown {
  return { ...resolved, url: shownConnection(action.url, resolved.url) };
}

/** Templated input whose list fields expand list inputs (`topics: ["{{ inputs.topics }}"]`). */
function withLists<A extends { kind: string }>(action: A, ctx: PerformContext, lists: Array<keyof A & string>): Record<string, unknown> {
  const { kind: _kind, ...rest } = action;
  const out = renderTemplate(rest, ctx.template) as Record<string, unknown>;
  for (const key of lists) out[key] = renderArgv(action[key] as string[], ctx.template);
  return out;
}

/** What a record shows of a connection: the reference it resolved to, else the name as written (never a URL). */
function shownConnection(written: string, resolved: unknown): string {
  return isSecretReference(resolved) ? resolved : written;
}

/** A connection name looked up in the runbook's `connections` (else the reference itself), templated. */
function connectionOf(name: string, ctx: PerformContext): string {
  return renderTemplate(Object.hasOwn(ctx.runbook.connections, name) ? ctx.runbook.connections[name]! : name, ctx.template);
}

async function performSystem(action: Extract<Action, { kind: SystemKind }>, step: Step, record: StepRecord, ctx: PerformContext) {
  const spec = SYSTEM[action.kind] as (typeof SYSTEM)[SystemKind] & {
    heartbeats: boolean | ((a: unknown) => boolean);
    idempotent: boolean | ((a: unknown) => boolean);
    resolve?: (a: unknown, c: PerformContext) => Record<string, unknown>;
    show?: (a: unknown, r: Record<string, unknown>) => unknown;
    output?: (r: unknown) => unknown;
  };
  const { kind: _kind, ...plain } = action;
  const resolved = spec.resolve ? spec.resolve(action, ctx) : (renderTemplate(plain, ctx.template) as Record<string, unknown>);
  record.resolved = spec.show ? spec.show(action, resolved) : resolved;
  const heartbeats = typeof spec.heartbeats === 'function' ? spec.heartbeats(action) : spec.heartbeats;
  if (patched('dispatch-with-fence-and-limit')) {
    const idempotent = typeof spec.idempotent === 'function' ? spec.idempotent(action) : spec.idempotent;
    const input = { ...resolved, runId: ctx.workflowId, stepId: step.id };
    const result = await dispatch({ step, record, activity: spec.activity, input, heartbeats, idempotent });
    return spec.output ? spec.output(result) : result;
  }
  // Runs recorded before the patch: Temporal's retry policy re-dispatched, invisible to the record.
  const activity = activitiesFor(step, heartbeats)[spec.activity] as (input: unknown) => Promise<unknown>;
  const result = await activity({ ...resolved, runId: ctx.workflowId, stepId: step.id, timeoutMs: step.timeoutMs });
  return spec.output ? spec.output(result) : result;
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
    return ctx.waitForPeople(record, 'completion', { ...action, required: 1, instructions: renderTemplate(action.instructions, ctx.template) });
  },
  async approval(action, _step, record, ctx) {
    const instructions = action.instructions === undefined ? undefined : renderTemplate(action.instructions, ctx.template);
    return ctx.waitForPeople(record, 'approval', { ...action, instructions });
  },
};

/** Carries out a non-parallel step's action once; throws on failure. */
export function perform(step: Step, record: StepRecord, ctx: PerformContext): Promise<unknown> {
  const action = step.action;
  if (action.kind === 'parallel') throw new Error('parallel groups are run by the interpreter');
  if (action.kind === 'manual' || action.kind === 'approval' || action.kind === 'wait' || action.kind === 'runbook') {
    return (people[action.kind] as Performer<typeof action.kind>)(action as never, step, record, ctx);
  }
  return performSystem(action, step, record, ctx);
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
  if (action.kind === 'shell' && action.command) {
    try {
      return { ...action, command: renderArgv(action.command, template) };
    } catch {
      return action;
    }
  }
  return Object.fromEntries(Object.entries(action).map(([key, value]) => [key, preview(value)]));
}
