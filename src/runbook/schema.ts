// zod schema of a runbook file. Parsing yields the plain model in model.ts.
import { z } from 'zod';
import { tryParseDuration } from './duration.js';
import { EFFECTS } from './effect.js';
import { isSecretReference } from './inputs.js';
import {
  APPENDFSYNC,
  BACKUP_FORMATS,
  KAFKA_SASL_MECHANISMS,
  MODES,
  VERIFY_CHECKS,
  type BackupFormat,
  type PgBackRestBackupAction,
  type PgBackRestRestoreAction,
  PGBACKREST_BACKUP_TYPES,
  PGBACKREST_COMPRESS,
  PGBACKREST_TARGETS,
  ON_FAILURE,
  type Action,
  type ActionKind,
  type Runbook,
  type Step,
} from './model.js';

const ID = /^[a-z0-9][a-z0-9_-]*$/i;

const expectedDuration = 'Expected a duration like "15m", "1h30m" or "2 hours"';

/** A duration like "15m", "1h30m", "2 hours"; yields milliseconds. */
export const duration = z
  .union([z.string(), z.number()], { error: (issue) => `${expectedDuration}, got ${describeValue(issue.input)}` })
  .transform((value, ctx) => {
    const ms = tryParseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${expectedDuration}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });

function describeValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

// Shorthands (`wait: 5m`, `manual: "text"`, `parallel: [...]`) are normalized to their object
// form before parsing rather than matched by z.union: a union whose branch fails inside a
// transform reports only "Invalid input", hiding e.g. the bad budget of a nested step.
function shorthand<T extends z.ZodType>(toObject: (value: unknown) => unknown, schema: T) {
  return z.preprocess(toObject, schema);
}

const id = z.string().regex(ID, { error: (issue) => `Expected an id of letters, digits, "-" or "_", got ${JSON.stringify(issue.input)}` });
const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/** Waits on people escalate along people.yaml's chain after `escalateAfter` per level. */
const escalation = {
  escalateAfter: duration.optional(),
  onTimeout: z.enum(['abort', 'continue']).default('abort'),
};

const comparison = z
  .strictObject({
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((c) => c.equals !== undefined || c.min !== undefined || c.max !== undefined, {
    message: 'Expected at least one of `equals`, `min`, `max`',
  });

// A string field of a backup action: checked now unless it holds a template (`{{ inputs.x }}`),
// which the activity checks once rendered.
function checked(test: (value: string) => boolean, expected: string) {
  return z.string().refine((v) => v.includes('{{') || test(v), {
    error: (issue) => `Expected ${expected}, got ${JSON.stringify(issue.input)}`,
  });
}
const TABLE_NAME = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/;
const tableNames = z.array(checked((v) => TABLE_NAME.test(v), 'a table name like users or public.users (lower case)'));
const backupPrefix = checked((v) => /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i.test(v), 'a prefix like daily or agent-core/weekly');
const backupRef = checked((v) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v), '"latest" or a backup id');
const oneOf = (values: readonly string[]) => checked((v) => values.includes(v), `one of ${values.join(', ')}`);

// Data-service actions: argv lists (a string is split on whitespace, as for shell), broker lists,
// name filters (names or globs with `*`).
const argv = z
  .union([z.array(z.union([z.string(), z.number()]).transform(String)).min(1), z.string().min(1)], {
    error: (issue) => `Expected a command as a list of arguments or a string, got ${issue.input === undefined ? 'nothing' : describeValue(issue.input)}`,
  })
  .transform((c) => (typeof c === 'string' ? c.trim().split(/\s+/) : c));
const names = z.array(z.string().min(1)).default([]);
const isoTime = checked((v) => !Number.isNaN(Date.parse(v)), 'an ISO time like 2024-03-15T11:30:00Z');
const kafkaConnection = {
  brokers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  ssl: z.boolean().default(false),
  sasl: z.strictObject({ mechanism: z.enum(KAFKA_SASL_MECHANISMS), username: z.string().min(1), password: z.string().min(1) }).optional(),
};
/** `a:9092,b:9092` or a list; a reference (`env:KAFKA_BROKERS`) stays whole for the worker. */
const brokerList = (b: string | string[]): string[] => (typeof b === 'string' ? b.split(',').map((x) => x.trim()).filter(Boolean) : b);

// pgbackrest.*: a stanza names one database's backups; secrets are references only, never literals.
const stanza = checked((v) => /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(v), 'a stanza name of letters, digits, "-" or "_"');
const PGBACKREST_LABEL = /^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/;
const secretRef = z.string().refine((v) => v.includes('{{') || isSecretReference(v), {
  error: (issue) => `Expected a secret reference like "env:NAME" or "file:/path", got ${typeof issue.input === 'string' ? 'a literal value' : describeValue(issue.input)}`,
});
const pgbackrestRepo = z.strictObject({
  path: z.string().min(1).optional(),
  s3: z
    .strictObject({
      bucket: z.string().min(1),
      endpoint: checked((v) => !/^[a-z]+:\/\//i.test(v), 'a host or host:port without a scheme (pgBackRest always uses HTTPS)'),
      region: z.string().min(1).default('us-east-1'),
      key: secretRef,
      secret: secretRef,
      caFile: z.string().min(1).optional(),
      uriStyle: z.enum(['path', 'host']).default('path'),
    })
    .optional(),
}).transform((r, ctx) => {
  if (r.s3 === undefined && r.path === undefined) {
    ctx.addIssue({ code: 'custom', message: 'Expected a repository: a local `path`, or `s3` (bucket, endpoint, key, secret)' });
    return z.NEVER;
  }
  return { path: r.path ?? '/pgbackrest', ...(r.s3 ? { s3: r.s3 } : {}) };
});

// One schema per action kind: adding an action = an entry here, an activity, a test.
const actionSchemas = {
  shell: z
    .strictObject({
      command: z.union([z.array(z.union([z.string(), z.number()]).transform(String)).min(1), z.string()]).optional(),
      script: z.string().min(1).optional(),
      env: stringMap.default({}),
      cwd: z.string().optional(),
      okExitCodes: z.array(z.number().int()).default([0]),
    })
    .refine((s) => (s.command === undefined) !== (s.script === undefined), {
      message: 'Expected exactly one of `command` (argv list) or `script` (a shell script)',
    })
    .transform((s): Action => ({
      kind: 'shell',
      // A string command is split on whitespace only: no quoting rules, no shell.
      command: typeof s.command === 'string' ? s.command.trim().split(/\s+/) : s.command,
      script: s.script,
      env: s.env,
      cwd: s.cwd,
      okExitCodes: s.okExitCodes,
    })),
  http: z
    .strictObject({
      url: z.string().min(1),
      method: z.string().toUpperCase().default('GET'),
      headers: stringMap.default({}),
      body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
      expect: z
        .strictObject({
          status: z
            .union([z.number().int(), z.array(z.number().int()).min(1)], {
              error: (issue) => `Expected a status code or a list of them, got ${describeValue(issue.input)}`,
            })
            .default(200),
          body: z.string().optional(),
        })
        .default({ status: 200 }),
      poll: z.strictObject({ every: duration.default(5000), for: duration }).optional(),
    })
    .transform((h): Action => ({
      kind: 'http',
      url: h.url,
      method: h.method,
      headers: h.body !== undefined && typeof h.body !== 'string' ? { 'content-type': 'application/json', ...h.headers } : h.headers,
      body: typeof h.body === 'string' ? h.body : undefined,
      // Kept as data so templated values are JSON-encoded after rendering, never spliced into JSON text.
      json: h.body === undefined || typeof h.body === 'string' ? undefined : h.body,
      expect: { status: typeof h.expect.status === 'number' ? [h.expect.status] : h.expect.status, body: h.expect.body },
      poll: h.poll ? { everyMs: h.poll.every, forMs: h.poll.for } : undefined,
    })),
  sql: z
    .strictObject({
      connection: z.string().min(1),
      query: z.string().min(1),
      params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]),
      expect: z.strictObject({ rowCount: comparison.optional(), value: comparison.optional() }).optional(),
    })
    .transform((s): Action => ({ kind: 'sql', ...s })),
  manual: shorthand(
    (m) => (typeof m === 'string' ? { instructions: m } : m),
    z.strictObject({ instructions: z.string().min(1), roles: z.array(z.string()).default([]), ...escalation }),
  ).transform(({ escalateAfter, ...m }): Action => ({ kind: 'manual', ...m, escalateAfterMs: escalateAfter })),
  approval: z
    .strictObject({
      instructions: z.string().optional(),
      roles: z.array(z.string()).min(1, { message: 'Expected at least one approver role' }),
      required: z.number().int().min(1).default(1),
      ...escalation,
    })
    .transform(({ escalateAfter, ...a }): Action => ({ kind: 'approval', ...a, escalateAfterMs: escalateAfter })),
  wait: shorthand(
    (w) => (typeof w === 'string' || typeof w === 'number' ? { duration: w } : w),
    z.strictObject({ duration }),
  ).transform((w): Action => ({ kind: 'wait', durationMs: w.duration })),
  notify: shorthand(
    (n) => (typeof n === 'string' ? { message: n } : n),
    z.strictObject({ webhook: z.string().optional(), message: z.string().min(1) }),
  ).transform((n): Action => ({ kind: 'notify', ...n })),
  'postgres.backup': z
    .strictObject({
      connection: z.string().min(1),
      prefix: backupPrefix.default('daily'),
      format: oneOf(BACKUP_FORMATS).default('custom'),
      tables: tableNames.min(1, { message: 'Expected at least one table, or no `tables` for the whole database' }).optional(),
      jobs: z.number().int().min(1).max(32).default(2),
      compression: z.number().int().min(0).max(9).default(1),
      storageClass: z.string().min(1).optional(),
    })
    .transform((b): Action => ({ kind: 'postgres.backup', ...b, format: b.format as BackupFormat })),
  'postgres.restore': z
    .strictObject({
      target: z.string().min(1),
      backup: backupRef.default('latest'),
      prefix: backupPrefix.optional(),
      tables: tableNames.optional(),
      jobs: z.number().int().min(1).max(32).default(2),
      incidentAt: checked((v) => !Number.isNaN(Date.parse(v)), 'an ISO time like 2024-03-15T11:30:00Z').optional(),
      noOwner: z.boolean().default(false),
      maintenanceWorkMemMB: z.number().int().min(1).max(65_536).optional(),
    })
    .transform((r): Action => ({ kind: 'postgres.restore', ...r })),
  'postgres.verify': z
    .strictObject({
      connection: z.string().min(1),
      backup: backupRef.default('latest'),
      prefix: backupPrefix.optional(),
      tables: tableNames.optional(),
      checks: z.array(z.enum(VERIFY_CHECKS)).default([...VERIFY_CHECKS]),
      sql: z.array(z.strictObject({ name: z.string().min(1), query: z.string().min(1), expect: comparison })).default([]),
    })
    .transform((v): Action => ({ kind: 'postgres.verify', ...v })),
  'storage.list': shorthand(
    (l) => (l === null || l === true ? {} : typeof l === 'string' ? { prefix: l } : l),
    z.strictObject({ prefix: backupPrefix.optional() }),
  ).transform((l): Action => ({ kind: 'storage.list', ...l })),
  'storage.prune': shorthand(
    (p) => (p === null || p === true ? {} : p),
    z.strictObject({
      prefix: backupPrefix.optional(),
      dryRun: z.boolean().default(false),
      incompleteAfter: duration.default(86_400_000),
      policy: z.strictObject({ daily: duration.optional(), weekly: duration.optional(), monthly: duration.optional(), annual: duration.optional() }).default({}),
    }),
  ).transform(({ incompleteAfter, ...p }): Action => ({ kind: 'storage.prune', ...p, incompleteAfterMs: incompleteAfter })),
  'redis.snapshot': shorthand(
    (r) => (typeof r === 'string' ? { url: r } : r),
    z.strictObject({ url: z.string().min(1), prefix: backupPrefix.default('redis/daily'), storageClass: z.string().min(1).optional() }),
  ).transform((r): Action => ({ kind: 'redis.snapshot', ...r })),
  'redis.restore': z
    .strictObject({
      url: z.string().min(1),
      backup: backupRef.default('latest'),
      prefix: backupPrefix.default('redis'),
      stop: argv,
      start: argv,
      dir: z.string().min(1).optional(),
      dbfilename: z.string().min(1).optional(),
      configFile: z.string().min(1).optional(),
      incidentAt: isoTime.optional(),
    })
    .transform((r): Action => ({ kind: 'redis.restore', ...r })),
  'redis.persistence': shorthand(
    (r) => (typeof r === 'string' ? { url: r } : r),
    z.strictObject({
      url: z.string().min(1),
      appendonly: z.boolean().default(true),
      appendfsync: z.enum(APPENDFSYNC).default('everysec'),
      rewriteConfig: z.boolean().default(true),
    }),
  ).transform((r): Action => ({ kind: 'redis.persistence', ...r })),
  'kafka.export': z
    .strictObject({ ...kafkaConnection, prefix: backupPrefix.default('kafka/daily'), topics: names, groups: names })
    .transform((k): Action => ({ kind: 'kafka.export', ...k, brokers: brokerList(k.brokers) })),
  'kafka.restore': z
    .strictObject({
      ...kafkaConnection,
      backup: backupRef.default('latest'),
      prefix: backupPrefix.default('kafka'),
      topics: names,
      groups: names,
      replicationFactor: z.number().int().min(1).optional(),
      createTopics: z.boolean().default(true),
      resetOffsets: z.boolean().default(true),
      incidentAt: isoTime.optional(),
    })
    .transform((k): Action => ({ kind: 'kafka.restore', ...k, brokers: brokerList(k.brokers) })),
  archive: z
    .strictObject({
      cwd: z.string().min(1),
      paths: z.array(z.string().min(1)).min(1, { message: 'Expected at least one path or glob' }),
      exclude: z.array(z.string().min(1)).default([]),
      prefix: backupPrefix.default('configs/daily'),
      missing: z.enum(['fail', 'warn']).default('fail'),
      compression: z.number().int().min(1).max(9).default(6),
      storageClass: z.string().min(1).optional(),
    })
    .transform((a): Action => ({ kind: 'archive', ...a })),
  'archive.restore': z
    .strictObject({
      target: z.string().min(1),
      backup: backupRef.default('latest'),
      prefix: backupPrefix.default('configs'),
      overwrite: z.boolean().default(false),
      incidentAt: isoTime.optional(),
    })
    .transform((a): Action => ({ kind: 'archive.restore', ...a })),
  'pgbackrest.stanza': z
    .strictObject({
      stanza,
      pgPath: z.string().min(1),
      pgPort: z.union([z.number().int().min(1).max(65_535), checked((v) => /^\d+$/.test(v), 'a port number')]).default(5432),
      pgSocketPath: z.string().min(1).default('/var/run/postgresql'),
      pgUser: z.string().min(1).default('postgres'),
      repo: shorthand((r) => (typeof r === 'string' ? { path: r } : r), pgbackrestRepo),
      cipherPass: secretRef.optional(),
      retentionFull: z.number().int().min(1).max(9_999_999).default(2),
      compress: z.enum(PGBACKREST_COMPRESS).default('zst'),
      processMax: z.number().int().min(1).max(64).default(2),
      archive: z.boolean().default(true),
    })
    .transform((p): Action => ({ kind: 'pgbackrest.stanza', ...p })),
  'pgbackrest.backup': shorthand(
    (b) => (typeof b === 'string' ? { stanza: b } : b),
    // A template (`{{ inputs.type }}`) lets one runbook take the weekly full and the daily diff.
    z.strictObject({ stanza, type: oneOf(PGBACKREST_BACKUP_TYPES).default('incr') }),
  ).transform((b): Action => ({ kind: 'pgbackrest.backup', ...b, type: b.type as PgBackRestBackupAction['type'] })),
  'pgbackrest.info': shorthand((i) => (typeof i === 'string' ? { stanza: i } : i), z.strictObject({ stanza })).transform(
    (i): Action => ({ kind: 'pgbackrest.info', ...i }),
  ),
  'pgbackrest.check': shorthand((c) => (typeof c === 'string' ? { stanza: c } : c), z.strictObject({ stanza })).transform(
    (c): Action => ({ kind: 'pgbackrest.check', ...c }),
  ),
  'pgbackrest.restore': z
    .strictObject({
      stanza,
      target: oneOf(PGBACKREST_TARGETS).default('latest'),
      // Empty (a template rendering to ""): the run's incident time.
      time: z.union([z.literal(''), isoTime]).optional(),
      name: z.string().min(1).optional(),
      label: checked((v) => PGBACKREST_LABEL.test(v), 'a backup label like 20240315-020000F or 20240315-020000F_20240316-020000D').optional(),
      dataDir: z.string().min(1),
      port: z.union([z.number().int().min(1).max(65_535).transform(String), checked((v) => /^\d+$/.test(v), 'a port number')]),
      exclusive: z.boolean().default(false),
      verify: z.boolean().default(true),
      cipherPass: secretRef.optional(),
      incidentAt: isoTime.optional(),
    })
    .superRefine((r, ctx) => {
      // The target's value must be given, and only for that target (a templated target is checked once rendered).
      if (r.target.includes('{{')) return;
      const needs = { latest: undefined, time: 'time', name: 'name', label: 'label' } as const;
      const field = needs[r.target as PgBackRestRestoreAction['target']];
      if (field !== undefined && r[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `Expected \`${field}\` for target ${r.target}` });
      for (const other of ['time', 'name', 'label'] as const) {
        if (other !== field && r[other] !== undefined) ctx.addIssue({ code: 'custom', path: [other], message: `Expected no \`${other}\` for target ${r.target} (set target: ${other})` });
      }
    })
    .transform((r): Action => ({ kind: 'pgbackrest.restore', ...r, target: r.target as PgBackRestRestoreAction['target'] })),
  // Issue paths use the object form (`parallel.steps[1]`); the loader maps them to `parallel[1]`.
  runbook: shorthand(
    (r) => (typeof r === 'string' ? { id: r } : r),
    z.strictObject({ id, inputs: z.record(z.string(), z.unknown()).default({}), mode: z.enum(MODES).optional() }),
  ).transform((r): Action => ({ kind: 'runbook', ...r })),
  get parallel() {
    return shorthand(
      (p) => (Array.isArray(p) ? { steps: p } : p),
      z.strictObject(
        { steps: z.array(stepSchema).min(1, { message: 'Expected at least one step in the group' }) },
        { error: (issue) => (issue.code === 'invalid_type' ? `Expected a list of steps, got ${describeValue(issue.input)}` : undefined) },
      ),
    ).transform((p): Action => ({ kind: 'parallel', steps: p.steps }));
  },
} satisfies Record<ActionKind, z.ZodType<Action>>;

/** The action kinds, in the order the schema lists them. */
export const ACTION_KINDS = Object.keys(actionSchemas) as ActionKind[];

const stepBase = {
  id,
  title: z.string().min(1).optional(),
  description: z.string().optional(),
  budget: duration.optional(),
  timeout: duration.optional(),
  retry: shorthand(
    (r) => (typeof r === 'number' ? { attempts: r } : r),
    z.strictObject(
      { attempts: z.number().int().min(1).default(1), backoff: duration.default(1000) },
      { error: (issue) => (issue.code === 'invalid_type' ? `Expected a number of attempts or { attempts, backoff }, got ${describeValue(issue.input)}` : undefined) },
    ),
  ).optional(),
  onFailure: z.enum(ON_FAILURE).default('abort'),
  destructive: z.boolean().default(false),
  effect: z.enum(EFFECTS, { error: (issue) => `Expected one of ${EFFECTS.join(', ')}, got ${describeValue(issue.input)}` }).optional(),
  safeToRehearse: z.string().trim().min(1, { message: 'Expected the reason the step is safe to run in a drill, got an empty text' }).optional(),
  noApproval: z.string().trim().min(1, { message: 'Expected the reason this destructive step needs no approval, got an empty text' }).optional(),
  modes: z.array(z.enum(MODES)).min(1).optional(),
};

const stepActionKeys = Object.fromEntries(
  ACTION_KINDS.map((kind) => [kind, z.unknown().optional()]),
) as Record<ActionKind, z.ZodOptional<z.ZodUnknown>>;

/** A step: common fields plus exactly one action key (`shell:`, `http:`, `manual:`, ...). */
export const stepSchema: z.ZodType<Step> = z
  .strictObject({ ...stepBase, ...stepActionKeys })
  .transform((raw, ctx): Step => {
    const present = ACTION_KINDS.filter((kind) => raw[kind] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `Expected exactly one action (${ACTION_KINDS.join(', ')}), got none`
            : `Expected exactly one action, got ${present.join(' and ')}`,
      });
      return z.NEVER;
    }
    const kind = present[0]!;
    const parsed = (actionSchemas[kind] as z.ZodType<Action>).safeParse(raw[kind]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, code: 'custom', path: [kind, ...issue.path], message: issue.message });
      }
      return z.NEVER;
    }
    const action = parsed.data;
    const budgetMs = raw.budget ?? derivedBudget(action);
    if (budgetMs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['budget'], message: 'Expected `budget` (planned duration, like "15m")' });
      return z.NEVER;
    }
    const retry = { attempts: raw.retry?.attempts ?? 1, backoffMs: raw.retry?.backoff ?? 1000 };
    if (raw.destructive && raw.effect !== undefined && raw.effect !== 'destructive') {
      ctx.addIssue({ code: 'custom', path: ['effect'], message: `Expected effect: destructive (the step says destructive: true), got ${raw.effect}` });
      return z.NEVER;
    }
    const declaredEffect = raw.destructive ? 'destructive' : raw.effect;
    return {
      id: raw.id,
      title: raw.title ?? raw.id,
      description: raw.description,
      budgetMs,
      timeoutMs: raw.timeout,
      retry,
      onFailure: raw.onFailure,
      destructive: declaredEffect === 'destructive',
      declaredEffect,
      safeToRehearse: raw.safeToRehearse,
      noApproval: raw.noApproval,
      modes: raw.modes ?? [...MODES],
      action,
    };
  });

function derivedBudget(action: Action): number | undefined {
  if (action.kind === 'wait') return action.durationMs;
  if (action.kind === 'notify') return 0;
  if (action.kind === 'parallel') return Math.max(0, ...action.steps.map((s) => s.budgetMs));
  return undefined;
}

// `name: value` is shorthand for an optional input with that default.
const inputSchema = shorthand(
  (i) => (typeof i === 'string' || typeof i === 'number' || typeof i === 'boolean' ? { default: i } : i),
  z.strictObject({
    description: z.string().optional(),
    required: z.boolean().default(false),
    secret: z.boolean().default(false),
    default: z.unknown().optional(),
  }),
).superRefine((spec, ctx) => {
    if (spec.secret && spec.default !== undefined && !isSecretReference(spec.default)) {
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `Expected a secret reference like "env:NAME" or "file:/path", got a literal value`,
      });
    }
  });


/** The runbook file. */
export const runbookSchema: z.ZodType<Runbook> = z
  .strictObject({
    id,
    title: z.string().min(1),
    description: z.string().optional(),
    objectives: z.strictObject({ rto: duration.optional(), rpo: duration.optional() }).default({}),
    inputs: z.record(id, inputSchema).default({}),
    approvers: z.record(id, z.array(z.string().min(1))).default({}),
    connections: z.record(id, z.string().min(1)).default({}),
    notify: z.strictObject({ webhook: z.string().optional() }).default({}),
    steps: z.array(stepSchema).min(1, { message: 'Expected at least one step' }),
  })
  .transform((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    objectives: { rtoMs: r.objectives.rto, rpoMs: r.objectives.rpo },
    inputs: r.inputs,
    approvers: r.approvers,
    connections: r.connections,
    notify: r.notify,
    steps: r.steps,
  }));

export { isSecretReference } from './inputs.js';
