// How the workflow carries out each action of the registry (actions.ts): for a system action, the
// activity it runs, whether that heartbeats, whether running it twice is safe, how its input is
// templated, what the record shows of it and what later steps see of its result; for an action the
// workflow carries out itself, whether it is people's. Apart from the schemas so that workflow code,
// which imports this and not actions.ts, bundles without zod: the SDK evaluates every module of the
// bundle at each run's first workflow task (test/unit/workflows/bundle.test.ts keeps it so). Pure, and
// only types come from actions.ts.
import type { ActionOf, RegisteredKind } from './actions.js';
import { isSecretReference } from './inputs.js';
import type { Runbook, Step } from './model.js';
import { renderArgv, renderTemplate, type TemplateContext } from './template.js';

/** What templating an action's input needs from the run. */
export interface ResolveContext {
  runbook: Runbook;
  template: TemplateContext;
}

type Flag<A> = boolean | ((action: A) => boolean);

/** An action a worker carries out: an activity. */
export interface SystemRuntime<A> {
  /** The activity's name (the worker registers the implementation under it). */
  activity: string;
  /** Long work: heartbeats, so a dead worker is noticed within HEARTBEAT_TIMEOUT_MS. */
  heartbeats: Flag<A>;
  /** Running it twice is safe: a re-dispatched step that is not gets flagged for a person. */
  idempotent: Flag<A>;
  /** The activity's input, when the plain deep render of the action is not enough. */
  resolve?: (action: A, ctx: ResolveContext) => Record<string, unknown>;
  /** What the record keeps of the resolved input, when that differs (e.g. a connection's name). */
  show?: (action: A, resolved: Record<string, unknown>) => unknown;
  /** The step's output (what later steps' templates see), when not the activity's whole result. */
  output?: (result: never) => unknown;
}

/** An action the workflow itself carries out: a wait on people, a timer, a child run. */
export interface WorkflowRuntime {
  /** None: what tells it from a system action. */
  activity?: never;
  /** People carry it out or decide it, or it only waits: no gate (rehearsal, approval) goes before it. */
  people?: true;
}

/** A connection name looked up in the runbook's `connections` (else the reference itself), templated. */
function connectionOf(name: string, ctx: ResolveContext): string {
  return renderTemplate(Object.hasOwn(ctx.runbook.connections, name) ? ctx.runbook.connections[name]! : name, ctx.template);
}

/**
 * What a record shows of a connection: the reference it resolved to; else, when it was written as a
 * template, the URL it rendered to without password or query (the run's inputs already hold it);
 * else the name as written.
 */
function shownConnection(written: string, resolved: unknown): string {
  if (isSecretReference(resolved)) return resolved;
  if (typeof resolved === 'string' && resolved !== written && /^[a-z][a-z0-9+.-]*:\/\//i.test(resolved)) {
    return resolved.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/i, '$1:***@').replace(/[?#].*$/, '');
  }
  return written;
}

/** postgres.backup / postgres.verify: a connection (name or reference) and tables (a list input expands). */
function connectionAndTables({ kind: _kind, connection, tables, ...rest }: { kind: string; connection: string; tables?: string[] }, ctx: ResolveContext) {
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

/** A redis.* action's input: `url` may name one of the runbook's `connections`. */
function withUrl<A extends { kind: string; url: string }>({ kind: _kind, url, ...rest }: A, ctx: ResolveContext): Record<string, unknown> {
  return { ...renderTemplate(rest, ctx.template), url: connectionOf(url, ctx) };
}

function showUrl(action: { url: string }, resolved: Record<string, unknown>): unknown {
  return { ...resolved, url: shownConnection(action.url, resolved.url) };
}

/** Templated input whose list fields expand list inputs (`topics: ["{{ inputs.topics }}"]`). */
function withLists<A extends { kind: string }>(action: A, ctx: ResolveContext, lists: Array<keyof A & string>): Record<string, unknown> {
  const { kind: _kind, ...rest } = action;
  const out = renderTemplate(rest, ctx.template) as Record<string, unknown>;
  for (const key of lists) out[key] = renderArgv(action[key] as string[], ctx.template);
  return out;
}

/** The incident time of a restore: as written (templated), else the run's. */
const incidentAt = (written: string | undefined, ctx: ResolveContext) =>
  written === undefined ? ctx.template.run.incidentAt : renderTemplate(written, ctx.template);

/**
 * Every kind of the registry, in its order. The `satisfies` ties the two tables: a kind in one and not
 * the other does not compile; `as const` keeps the activity names literal for the Activities type.
 */
export const ACTION_RUNTIME = {
  shell: {
    activity: 'runShell',
    heartbeats: true,
    idempotent: false,
    resolve: (action, ctx) => ({
      command: action.command ? renderArgv(action.command, ctx.template) : undefined,
      script: action.script === undefined ? undefined : renderTemplate(action.script, ctx.template),
      env: renderTemplate(action.env, ctx.template),
      cwd: action.cwd === undefined ? undefined : renderTemplate(action.cwd, ctx.template),
      okExitCodes: action.okExitCodes,
    }),
    // Trimmed so `{{ steps.x.output.stdout }}` can be used as a value without its newline.
    output: (r: { exitCode: number; stdout: string; stderr: string; truncated: boolean }) => ({
      exitCode: r.exitCode,
      stdout: r.stdout.trim(),
      stderr: r.stderr.trim(),
      truncated: r.truncated,
    }),
  },
  http: {
    activity: 'httpRequest',
    heartbeats: (action) => action.poll !== undefined,
    idempotent: (action) => ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(action.method),
    resolve: (action, ctx) => {
      const { kind: _kind, json, ...rest } = action;
      const rendered = renderTemplate(rest, ctx.template);
      return json === undefined ? rendered : { ...rendered, body: JSON.stringify(renderTemplate(json, ctx.template)) };
    },
  },
  sql: {
    activity: 'runSql',
    heartbeats: true,
    idempotent: false,
    resolve: (action, ctx) => ({
      connection: renderTemplate(ctx.runbook.connections[action.connection] ?? action.connection, ctx.template),
      query: renderTemplate(action.query, ctx.template),
      params: renderTemplate(action.params, ctx.template),
      expect: action.expect,
    }),
    show: (action, resolved) => ({ ...resolved, connection: shownConnection(action.connection, resolved.connection) }),
  },
  manual: {
    people: true,
  },
  approval: {
    people: true,
  },
  wait: {
    people: true,
  },
  notify: {
    activity: 'notify',
    heartbeats: false,
    idempotent: false,
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
    activity: 'postgresBackup',
    heartbeats: true,
    idempotent: true,
    resolve: connectionAndTables,
    show: showConnection,
  },
  'postgres.restore': {
    activity: 'postgresRestore',
    heartbeats: true,
    idempotent: true,
    resolve: ({ kind: _kind, target, tables, incidentAt: at, ...rest }, ctx) => ({
      ...renderTemplate(rest, ctx.template),
      target: connectionOf(target, ctx),
      // `tables: ["{{ inputs.tables }}"]` expands a list input, so one runbook does full and partial restores.
      tables: tables === undefined ? undefined : renderArgv(tables, ctx.template),
      incidentAt: incidentAt(at, ctx),
    }),
    show: (action, resolved) => ({ ...resolved, target: shownConnection(action.target, resolved.target) }),
  },
  'postgres.verify': {
    activity: 'postgresVerify',
    heartbeats: true,
    idempotent: true,
    resolve: connectionAndTables,
    show: showConnection,
  },
  'storage.list': {
    activity: 'storageList',
    heartbeats: false,
    idempotent: true,
  },
  'storage.prune': {
    activity: 'storagePrune',
    heartbeats: true,
    idempotent: true,
  },
  'redis.snapshot': {
    activity: 'redisSnapshot',
    heartbeats: true,
    idempotent: true,
    resolve: (a, ctx) => withUrl(a, ctx),
    show: showUrl,
  },
  'redis.restore': {
    activity: 'redisRestore',
    heartbeats: true,
    idempotent: true,
    resolve: ({ stop, start, incidentAt: at, ...a }, ctx) => ({
      ...withUrl(a, ctx),
      stop: renderArgv(stop, ctx.template),
      start: renderArgv(start, ctx.template),
      incidentAt: incidentAt(at, ctx),
    }),
    show: showUrl,
  },
  'redis.persistence': {
    activity: 'redisPersistence',
    heartbeats: true,
    idempotent: true,
    resolve: (a, ctx) => withUrl(a, ctx),
    show: showUrl,
  },
  'kafka.export': {
    activity: 'kafkaExport',
    heartbeats: true,
    idempotent: true,
    resolve: (a, ctx) => withLists(a, ctx, ['brokers', 'topics', 'groups']),
  },
  'kafka.restore': {
    activity: 'kafkaRestore',
    heartbeats: true,
    idempotent: false,
    resolve: ({ incidentAt: at, ...a }, ctx) => ({
      ...withLists(a, ctx, ['brokers', 'topics', 'groups']),
      incidentAt: incidentAt(at, ctx),
    }),
  },
  archive: {
    activity: 'archiveCreate',
    heartbeats: true,
    idempotent: true,
    resolve: (a, ctx) => withLists(a, ctx, ['paths', 'exclude']),
  },
  'archive.restore': {
    activity: 'archiveRestore',
    heartbeats: true,
    idempotent: true,
    resolve: ({ kind: _kind, incidentAt: at, ...a }, ctx) => ({ ...renderTemplate(a, ctx.template), incidentAt: incidentAt(at, ctx) }),
  },
  'pgbackrest.stanza': {
    activity: 'pgbackrestStanza',
    heartbeats: true,
    // stanza-create and ALTER SYSTEM to the same values are repeatable.
    idempotent: true,
  },
  'pgbackrest.backup': {
    activity: 'pgbackrestBackup',
    heartbeats: true,
    // A second backup is one more set.
    idempotent: true,
  },
  'pgbackrest.info': {
    activity: 'pgbackrestInfo',
    heartbeats: false,
    idempotent: true,
  },
  'pgbackrest.check': {
    activity: 'pgbackrestCheck',
    heartbeats: true,
    idempotent: true,
  },
  'pgbackrest.restore': {
    activity: 'pgbackrestRestore',
    heartbeats: true,
    // A second attempt finds the data directory of the first one and refuses it.
    idempotent: false,
    resolve: ({ kind: _kind, incidentAt: at, ...a }, ctx) => ({ ...renderTemplate(a, ctx.template), incidentAt: incidentAt(at, ctx) }),
  },
  'tcp.check': {
    activity: 'tcpCheck',
    heartbeats: false,
    idempotent: true,
  },
  runbook: {},
} as const satisfies { [K in RegisteredKind]: SystemRuntime<ActionOf<K>> | WorkflowRuntime };

/** The kinds a worker carries out, each through one activity. */
export type SystemKind = { [K in RegisteredKind]: (typeof ACTION_RUNTIME)[K] extends { activity: string } ? K : never }[RegisteredKind];
/** The activity that carries out a system kind. */
export type ActivityOf<K extends SystemKind> = (typeof ACTION_RUNTIME)[K]['activity'];

/** The system kinds, in registry order. */
export const SYSTEM_KINDS = (Object.keys(ACTION_RUNTIME) as RegisteredKind[]).filter((k): k is SystemKind => 'activity' in ACTION_RUNTIME[k]);

/** How a system kind is carried out, its functions taking any action (the caller passes the matching one). */
export function systemSpec(kind: SystemKind): SystemRuntime<{ kind: string }> {
  return ACTION_RUNTIME[kind] as unknown as SystemRuntime<{ kind: string }>;
}

/** True for a step people carry out or decide (manual, approval) or that only waits: no gate goes before it. */
export function isPeopleStep(step: Step): boolean {
  const kind = step.action.kind;
  return kind !== 'parallel' && (ACTION_RUNTIME[kind] as { people?: true }).people === true;
}
