// The action registry: every step action, once, in two tables under its kind. Here, how it is
// written in a runbook (its zod schema, from which its type comes) and what it does to the systems it
// touches (its effect class); in action-runtime.ts, how the workflow carries it out (the activity it
// runs, whether that heartbeats, whether running it twice is safe, how its input is templated). The
// runtime half is apart so the workflow bundle holds no zod; the compiler fails when a kind is in one
// table and not the other. The schema, lint, the safety classifier and the tests read this table;
// the interpreter and the worker read the other. Pure: no I/O here.
//
// To add an action (say `tcp.check`):
//   1. an entry here: `actionSpec({ schema, effect })`; the kind is the key, the schema's transform
//      yields `{ kind: '<key>' as const, ... }`;
//   2. its entry under the same key in ACTION_RUNTIME (action-runtime.ts): for an activity,
//      `{ activity: 'tcpCheck', heartbeats, idempotent }` and, when needed, resolve / show / output;
//      for an action the workflow carries out itself, `{}` or `{ people: true }` (and its performer
//      in src/workflows/perform.ts);
//   3. the activity, in its own file under src/activities/, and its line in
//      src/activities/registry.ts (the compiler fails until the tables agree);
//   4. its test. Nothing else: the step schema, the model types, the dispatch, the worker's
//      registration and the activity list the tests check all derive from these.
import { z } from 'zod';
import { combine, readOnly, changesState, destructive, unproven, type Verdict } from './effect.js';
import {
  PGBACKREST_LABEL,
  argv,
  backupPrefix,
  backupRef,
  brokerList,
  checked,
  comparison,
  describeValue,
  duration,
  escalation,
  id,
  isoTime,
  kafkaConnection,
  names,
  oneOf,
  port,
  secretRef,
  shorthand,
  stanza,
  stringMap,
  tableNames,
} from './fields.js';
import {
  APPENDFSYNC,
  BACKUP_FORMATS,
  MODES,
  PGBACKREST_BACKUP_TYPES,
  PGBACKREST_COMPRESS,
  PGBACKREST_TARGETS,
  VERIFY_CHECKS,
  type BackupFormat,
  type Step,
} from './model.js';

/** The command, query and request parsers of src/safety, handed in so this table stays pure. */
export interface Classifiers {
  argv(argv: readonly string[]): Verdict;
  script(script: string): Verdict;
  http(request: { method: string; hasBody: boolean }): Verdict;
  sql(query: string): Verdict;
  /** A whole step (a parallel group's children). */
  step(step: Step): Verdict;
}

/** How an action is written and what it does; how the workflow carries it out is in action-runtime.ts. */
interface ActionSpec<A> {
  schema: z.ZodType<A, unknown>;
  effect: (action: A, classify: Classifiers) => Verdict;
}

const actionSpec = <A extends { kind: string }>(spec: ActionSpec<A>) => spec;

const pgbackrestRepo = z
  .strictObject({
    path: z.string().min(1).optional(),
    s3: z
      .strictObject({
        bucket: z.string().min(1),
        endpoint: checked((v) => !/^[a-z]+:\/\//i.test(v), 'a host or host:port without a scheme (pgBackRest always uses HTTPS)'),
        region: z.string().min(1).default('us-east-1'),
        key: secretRef,
        secret: secretRef,
        // Empty (a template rendering to ""): the system's CAs.
        caFile: z.string().optional(),
        // A template lets one runbook serve AWS (host) and a local S3-compatible server (path); checked once rendered.
        uriStyle: oneOf(['path', 'host']).default('path'),
      })
      .optional(),
  })
  .transform((r, ctx) => {
    if (r.s3 === undefined && r.path === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Expected a repository: a local `path`, or `s3` (bucket, endpoint, key, secret)' });
      return z.NEVER;
    }
    return { path: r.path ?? '/pgbackrest', ...(r.s3 ? { s3: { ...r.s3, uriStyle: r.s3.uriStyle as 'path' | 'host' } } : {}) };
  });

const expectedPort = (issue: { input: unknown }) => `Expected a port number from 1 to 65535 (or a template), got ${describeValue(issue.input)}`;

/**
 * Every step action but `parallel` (a group of steps the interpreter runs itself; its schema is in
 * schema.ts because it holds steps). The order is the order the schema lists actions in.
 */
export const ACTIONS = {
  shell: actionSpec({
    schema: z
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
      .transform((s) => ({
        kind: 'shell' as const,
        /** argv form: values are passed as separate arguments, never through a shell (a string is split on whitespace only). */
        command: typeof s.command === 'string' ? s.command.trim().split(/\s+/) : s.command,
        /** script form: run by `bash -euo pipefail -c`; the step is explicitly a shell script. */
        script: s.script,
        env: s.env,
        cwd: s.cwd,
        /** exit codes counted as success (default [0]). */
        okExitCodes: s.okExitCodes,
      })),
    effect: (a, c) => (a.script !== undefined ? c.script(a.script) : c.argv(a.command ?? [])),
  }),
  http: actionSpec({
    schema: z
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
      .transform((h) => ({
        kind: 'http' as const,
        url: h.url,
        method: h.method,
        headers: h.body !== undefined && typeof h.body !== 'string' ? { 'content-type': 'application/json', ...h.headers } : h.headers,
        body: typeof h.body === 'string' ? h.body : undefined,
        /** A JSON body given as YAML data: kept as data so templated values are JSON-encoded after rendering, never spliced into JSON text. */
        json: h.body === undefined || typeof h.body === 'string' ? undefined : h.body,
        expect: { status: typeof h.expect.status === 'number' ? [h.expect.status] : h.expect.status, body: h.expect.body },
        /** Poll until the expectation holds (e.g. until a service is healthy). */
        poll: h.poll ? { everyMs: h.poll.every, forMs: h.poll.for } : undefined,
      })),
    effect: (a, c) => c.http({ method: a.method, hasBody: a.body !== undefined || a.json !== undefined }),
  }),
  sql: actionSpec({
    schema: z
      .strictObject({
        /** A connection name from `connections`, or a reference like `env:DATABASE_URL`. */
        connection: z.string().min(1),
        query: z.string().min(1),
        params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]),
        expect: z.strictObject({ rowCount: comparison.optional(), value: comparison.optional() }).optional(),
      })
      .transform((s) => ({ kind: 'sql' as const, ...s })),
    effect: (a, c) => c.sql(a.query),
  }),
  manual: actionSpec({
    schema: shorthand(
      (m) => (typeof m === 'string' ? { instructions: m } : m),
      /** roles: allowed to confirm; empty means anyone. */
      z.strictObject({ instructions: z.string().min(1), roles: z.array(z.string()).default([]), ...escalation }),
    ).transform(({ escalateAfter, ...m }) => ({ kind: 'manual' as const, ...m, escalateAfterMs: escalateAfter })),
    effect: () => readOnly('a person does it and confirms'),
  }),
  approval: actionSpec({
    schema: z
      .strictObject({
        instructions: z.string().optional(),
        roles: z.array(z.string()).min(1, { message: 'Expected at least one approver role' }),
        /** Distinct people whose approval is needed. */
        required: z.number().int().min(1).default(1),
        ...escalation,
      })
      .transform(({ escalateAfter, ...a }) => ({ kind: 'approval' as const, ...a, escalateAfterMs: escalateAfter })),
    effect: () => readOnly('an approval: people decide, nothing runs'),
  }),
  wait: actionSpec({
    schema: shorthand(
      (w) => (typeof w === 'string' || typeof w === 'number' ? { duration: w } : w),
      z.strictObject({ duration }),
    ).transform((w) => ({ kind: 'wait' as const, durationMs: w.duration })),
    effect: () => readOnly('waits'),
  }),
  notify: actionSpec({
    schema: shorthand(
      (n) => (typeof n === 'string' ? { message: n } : n),
      /** webhook: a URL or reference (`env:SLACK_WEBHOOK_URL`); default: the runbook's notify.webhook. */
      z.strictObject({ webhook: z.string().optional(), message: z.string().min(1) }),
    ).transform((n) => ({ kind: 'notify' as const, ...n })),
    effect: () => readOnly('sends a message to the incident channel; changes no system the runbook recovers'),
  }),
  'postgres.backup': actionSpec({
    schema: z
      .strictObject({
        connection: z.string().min(1),
        /** Folder of the backup in the store; its last segment (daily, weekly, monthly, annual) is the retention tier. */
        prefix: backupPrefix.default('daily'),
        format: oneOf(BACKUP_FORMATS).default('custom'),
        /** Only these tables (`users`, `public.users`): the seed's weekly critical-tables backup. */
        tables: tableNames.min(1, { message: 'Expected at least one table, or no `tables` for the whole database' }).optional(),
        /** Parallel dump jobs (directory format). */
        jobs: z.number().int().min(1).max(32).default(2),
        /** gzip level 0-9. */
        compression: z.number().int().min(0).max(9).default(1),
        /** S3 storage class of the objects; default: DR_BACKUP_COLD_STORAGE_CLASS for monthly/annual, else the bucket's. */
        storageClass: z.string().min(1).optional(),
      })
      .transform((b) => ({ kind: 'postgres.backup' as const, ...b, format: b.format as BackupFormat })),
    effect: () => changesState('writes a backup set to the backup store (the database is only read)'),
  }),
  'postgres.restore': actionSpec({
    schema: z
      .strictObject({
        /** The database restored into: a connection name or a reference. */
        target: z.string().min(1),
        /** `latest` (the newest complete backup taken before the incident) or a backup id. */
        backup: backupRef.default('latest'),
        prefix: backupPrefix.optional(),
        /** Partial recovery: drop these tables and restore them (with their indexes, constraints, policies) from the backup. */
        tables: tableNames.optional(),
        jobs: z.number().int().min(1).max(32).default(2),
        /** ISO time of the incident, for the RPO figure and to choose `latest`; default: the run's. */
        incidentAt: isoTime.optional(),
        /** Skip ownership commands (restoring into a database whose roles differ). */
        noOwner: z.boolean().default(false),
        /** maintenance_work_mem (MB) of the restore's sessions, for index builds; default: the server's own setting. */
        maintenanceWorkMemMB: z.number().int().min(1).max(65_536).optional(),
      })
      .transform((r) => ({ kind: 'postgres.restore' as const, ...r })),
    effect: (a) =>
      destructive(a.tables?.length ? `drops and restores tables ${a.tables.join(', ')} of the target` : 'replaces the contents of the target database'),
  }),
  'postgres.verify': actionSpec({
    schema: z
      .strictObject({
        connection: z.string().min(1),
        /** The backup whose manifest the database is checked against: `latest` or an id. */
        backup: backupRef.default('latest'),
        prefix: backupPrefix.optional(),
        /** Only check these tables (after a partial restore); default: every table of the backup. */
        tables: tableNames.optional(),
        checks: z.array(z.enum(VERIFY_CHECKS)).default([...VERIFY_CHECKS]),
        /** Extra checks: the first value of `query` must satisfy `expect`. */
        sql: z.array(z.strictObject({ name: z.string().min(1), query: z.string().min(1), expect: comparison })).default([]),
      })
      .transform((v) => ({ kind: 'postgres.verify' as const, ...v })),
    effect: () => readOnly('reads the restored database and the backup manifest'),
  }),
  'storage.list': actionSpec({
    schema: shorthand(
      (l) => (l === null || l === true ? {} : typeof l === 'string' ? { prefix: l } : l),
      z.strictObject({ prefix: backupPrefix.optional() }),
    ).transform((l) => ({ kind: 'storage.list' as const, ...l })),
    effect: () => readOnly('lists the backup store'),
  }),
  'storage.prune': actionSpec({
    schema: shorthand(
      (p) => (p === null || p === true ? {} : p),
      z.strictObject({
        prefix: backupPrefix.optional(),
        /** List what would be deleted, delete nothing. */
        dryRun: z.boolean().default(false),
        /** Sets without a manifest (interrupted backups) are deleted once this old. */
        incompleteAfter: duration.default(86_400_000),
        /** Per-tier overrides of the seed's policy (daily 30d, weekly 90d, monthly 365d, annual 7y), in ms. */
        policy: z.strictObject({ daily: duration.optional(), weekly: duration.optional(), monthly: duration.optional(), annual: duration.optional() }).default({}),
      }),
    ).transform(({ incompleteAfter, ...p }) => ({ kind: 'storage.prune' as const, ...p, incompleteAfterMs: incompleteAfter })),
    effect: (a) => (a.dryRun ? readOnly('dry run: lists what retention would delete') : destructive('deletes the backups that retention does not keep')),
  }),
  /** redis.snapshot: BGSAVE, then the RDB file into the store. The worker must see Redis's data dir. */
  'redis.snapshot': actionSpec({
    schema: shorthand(
      (r) => (typeof r === 'string' ? { url: r } : r),
      /** url: a redis:// URL or a reference like `env:REDIS_URL` (a password in it is resolved on the worker). */
      z.strictObject({ url: z.string().min(1), prefix: backupPrefix.default('redis/daily'), storageClass: z.string().min(1).optional() }),
    ).transform((r) => ({ kind: 'redis.snapshot' as const, ...r })),
    effect: () => changesState('BGSAVE on the server, then a new set in the backup store'),
  }),
  /** redis.restore: stop Redis, put the RDB back (AOF handled), start it, check the key counts. */
  'redis.restore': actionSpec({
    schema: z
      .strictObject({
        url: z.string().min(1),
        /** `latest` or a backup id. */
        backup: backupRef.default('latest'),
        prefix: backupPrefix.default('redis'),
        /** How this server is stopped and started, e.g. `systemctl stop redis-server` (argv, no shell). */
        stop: argv,
        start: argv,
        /** Where Redis keeps its files, needed only when it is down before the restore (else asked with CONFIG GET). */
        dir: z.string().min(1).optional(),
        dbfilename: z.string().min(1).optional(),
        configFile: z.string().min(1).optional(),
        /** `latest` means the newest backup taken at or before this ISO time (default: now). */
        incidentAt: isoTime.optional(),
      })
      .transform((r) => ({ kind: 'redis.restore' as const, ...r })),
    effect: () => destructive('stops Redis and replaces its data with the backup'),
  }),
  /** redis.persistence: the seed's set-up (`CONFIG SET appendonly yes`, `appendfsync everysec`). */
  'redis.persistence': actionSpec({
    schema: shorthand(
      (r) => (typeof r === 'string' ? { url: r } : r),
      z.strictObject({
        url: z.string().min(1),
        appendonly: z.boolean().default(true),
        appendfsync: z.enum(APPENDFSYNC).default('everysec'),
        /** CONFIG REWRITE afterwards, so the settings survive a restart. */
        rewriteConfig: z.boolean().default(true),
      }),
    ).transform((r) => ({ kind: 'redis.persistence' as const, ...r })),
    effect: () => changesState("changes the server's persistence settings (CONFIG SET, CONFIG REWRITE)"),
  }),
  /** kafka.export: topics (partitions, replication, configs) and consumer-group offsets as JSON. */
  'kafka.export': actionSpec({
    schema: z
      /** topics / groups: names or globs (`orders.*`); empty: every topic but the internal `__*` ones, every group. */
      .strictObject({ ...kafkaConnection, prefix: backupPrefix.default('kafka/daily'), topics: names, groups: names })
      .transform((k) => ({ kind: 'kafka.export' as const, ...k, brokers: brokerList(k.brokers) })),
    effect: () => changesState('writes a set to the backup store (topics are only read)'),
  }),
  /** kafka.restore: recreate missing topics with their configs, reset the groups' offsets. */
  'kafka.restore': actionSpec({
    schema: z
      .strictObject({
        ...kafkaConnection,
        backup: backupRef.default('latest'),
        prefix: backupPrefix.default('kafka'),
        topics: names,
        groups: names,
        /** Replication factor for recreated topics, when the cluster is smaller than the exported one. */
        replicationFactor: z.number().int().min(1).optional(),
        createTopics: z.boolean().default(true),
        resetOffsets: z.boolean().default(true),
        /** `latest` means the newest export taken at or before this ISO time (default: now). */
        incidentAt: isoTime.optional(),
      })
      .transform((k) => ({ kind: 'kafka.restore' as const, ...k, brokers: brokerList(k.brokers) })),
    effect: (a) => (a.resetOffsets ? destructive("moves consumer groups' offsets to the backup's") : changesState('creates topics and writes messages')),
  }),
  /** archive: a tar.gz of paths and globs (config files, edge functions) into the store. */
  archive: actionSpec({
    schema: z
      .strictObject({
        /** Folder the paths are relative to; entries are stored relative to it. */
        cwd: z.string().min(1),
        paths: z.array(z.string().min(1)).min(1, { message: 'Expected at least one path or glob' }),
        exclude: z.array(z.string().min(1)).default([]),
        prefix: backupPrefix.default('configs/daily'),
        /** A path written without wildcards that does not exist: fail the step, or warn. */
        missing: z.enum(['fail', 'warn']).default('fail'),
        /** gzip level 1-9. */
        compression: z.number().int().min(1).max(9).default(6),
        storageClass: z.string().min(1).optional(),
      })
      .transform((a) => ({ kind: 'archive' as const, ...a })),
    effect: () => changesState('writes an archive to the backup store'),
  }),
  /** archive.restore: unpack an archive into a folder; entries escaping it are refused. */
  'archive.restore': actionSpec({
    schema: z
      .strictObject({
        target: z.string().min(1),
        backup: backupRef.default('latest'),
        prefix: backupPrefix.default('configs'),
        /** Replace files that exist (default: refuse and list them). */
        overwrite: z.boolean().default(false),
        /** `latest` means the newest archive taken at or before this ISO time (default: now). */
        incidentAt: isoTime.optional(),
      })
      .transform((a) => ({ kind: 'archive.restore' as const, ...a })),
    effect: (a) =>
      a.overwrite ? destructive(`overwrites files under ${a.target}`) : changesState(`writes files under ${a.target} (existing files are kept)`),
  }),
  /** pgbackrest.stanza: the stanza's config written where the worker keeps it, archiving on, stanza-create. */
  'pgbackrest.stanza': actionSpec({
    schema: z
      .strictObject({
        stanza,
        /** The PostgreSQL data directory; pgBackRest runs as the user owning it. */
        pgPath: z.string().min(1),
        /** A number, or a template rendering to one. */
        pgPort: z.union([z.number().int().min(1).max(65_535), checked((v) => /^\d+$/.test(v), 'a port number')]).default(5432),
        /** Folder of PostgreSQL's unix socket (pgBackRest connects locally through it). */
        pgSocketPath: z.string().min(1).default('/var/run/postgresql'),
        pgUser: z.string().min(1).default('postgres'),
        /** A local folder, or a prefix in an S3 bucket (pgBackRest speaks HTTPS only). */
        repo: shorthand((r) => (typeof r === 'string' ? { path: r } : r), pgbackrestRepo),
        /** Repository encryption passphrase (aes-256-cbc): a reference; absent = unencrypted. */
        cipherPass: secretRef.optional(),
        /** Full backups kept (and the diffs depending on them). */
        retentionFull: z.number().int().min(1).max(9_999_999).default(2),
        compress: z.enum(PGBACKREST_COMPRESS).default('zst'),
        processMax: z.number().int().min(1).max(64).default(2),
        /** Set archive_mode and archive_command (ALTER SYSTEM); a restart is reported when archive_mode was off. */
        archive: z.boolean().default(true),
      })
      .transform((p) => ({ kind: 'pgbackrest.stanza' as const, ...p })),
    effect: () => changesState('configures the stanza and turns WAL archiving on for the server'),
  }),
  /** pgbackrest.backup: a full, differential or incremental backup of a configured stanza. */
  'pgbackrest.backup': actionSpec({
    schema: shorthand(
      (b) => (typeof b === 'string' ? { stanza: b } : b),
      // A template (`{{ inputs.type }}`) lets one runbook take the weekly full and the daily diff.
      z.strictObject({ stanza, type: oneOf(PGBACKREST_BACKUP_TYPES).default('incr') }),
    ).transform((b) => ({ kind: 'pgbackrest.backup' as const, ...b, type: b.type as (typeof PGBACKREST_BACKUP_TYPES)[number] })),
    effect: (a) => changesState(`takes a ${a.type} backup into the repository`),
  }),
  /** pgbackrest.info: the stanza's backups and WAL archive range, as data. */
  'pgbackrest.info': actionSpec({
    schema: shorthand((i) => (typeof i === 'string' ? { stanza: i } : i), z.strictObject({ stanza })).transform((i) => ({
      kind: 'pgbackrest.info' as const,
      ...i,
    })),
    effect: () => readOnly("reads the repository's backups and WAL archive range"),
  }),
  /** pgbackrest.check: archiving works (a WAL switch reaches the repository) and the config is valid. */
  'pgbackrest.check': actionSpec({
    schema: shorthand((c) => (typeof c === 'string' ? { stanza: c } : c), z.strictObject({ stanza })).transform((c) => ({
      kind: 'pgbackrest.check' as const,
      ...c,
    })),
    effect: () => changesState('forces a WAL switch so a segment reaches the archive'),
  }),
  /** pgbackrest.restore: into a new data directory, started on a new port, the recovered point measured. */
  'pgbackrest.restore': actionSpec({
    schema: z
      .strictObject({
        stanza,
        /** latest (all archived WAL), time, a named restore point (pg_create_restore_point) or a backup label. */
        target: oneOf(PGBACKREST_TARGETS).default('latest'),
        // Empty (a template rendering to ""): the run's incident time.
        time: z.union([z.literal(''), isoTime]).optional(),
        name: z.string().min(1).optional(),
        label: checked((v) => PGBACKREST_LABEL.test(v), 'a backup label like 20240315-020000F or 20240315-020000F_20240316-020000D').optional(),
        /** The new data directory: must not exist or be empty (the source is never written). */
        dataDir: z.string().min(1),
        /** Port the restored server listens on (127.0.0.1); a number or a template. */
        port,
        /** Stop just before the target rather than after it. */
        exclusive: z.boolean().default(false),
        /** Check the repository (`pgbackrest verify`) and the WAL archive's continuity before restoring. */
        verify: z.boolean().default(true),
        /** Passphrase override for restoring on another host: a reference. */
        cipherPass: secretRef.optional(),
        /** ISO time of the incident, for the RPO achieved; default: the run's. */
        incidentAt: isoTime.optional(),
      })
      .superRefine((r, ctx) => {
        // The target's value must be given, and only for that target (a templated target is checked once rendered).
        if (r.target.includes('{{')) return;
        const needs = { latest: undefined, time: 'time', name: 'name', label: 'label' } as const;
        const field = needs[r.target as (typeof PGBACKREST_TARGETS)[number]];
        if (field !== undefined && r[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `Expected \`${field}\` for target ${r.target}` });
        for (const other of ['time', 'name', 'label'] as const) {
          if (other !== field && r[other] !== undefined) ctx.addIssue({ code: 'custom', path: [other], message: `Expected no \`${other}\` for target ${r.target} (set target: ${other})` });
        }
      })
      .transform((r) => ({ kind: 'pgbackrest.restore' as const, ...r, target: r.target as (typeof PGBACKREST_TARGETS)[number] })),
    effect: (a) => changesState(`restores into the new data directory ${a.dataDir} and starts a server on it (the source is never written)`),
  }),
  /** tcp.check: is a port open? Connects to host:port within the timeout, sends nothing, closes. */
  'tcp.check': actionSpec({
    schema: shorthand(
      // `tcp.check: db.internal:5432` (an IPv6 host in brackets: `[::1]:5432`).
      (t) => (typeof t === 'string' && /^(.+):(\d+)$/.test(t) ? { host: t.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'), port: t.replace(/^.*:/, '') } : t),
      z.strictObject({
        host: z.string().min(1),
        /** A number, or a template rendering to one. */
        port: z.union([z.number().int().min(1).max(65_535).transform(String), z.string().regex(/^(\d+|.*\{\{.*)$/, { error: expectedPort })], {
          error: expectedPort,
        }),
        /** How long the connection may take to open; at most a minute (it does not heartbeat). */
        timeout: duration.pipe(z.number().max(60_000, { message: 'Expected a timeout of at most 1m' })).default(5_000),
      }),
    ).transform(({ timeout, ...t }) => ({ kind: 'tcp.check' as const, ...t, connectTimeoutMs: timeout })),
    effect: (a) => readOnly(`opens a TCP connection to ${a.host}:${a.port} and closes it; sends nothing`),
  }),
  /** Another runbook as a child run (e.g. the restore procedure inside the database-loss scenario). */
  runbook: actionSpec({
    // Issue paths use the object form (`parallel.steps[1]`); the loader maps them to `parallel[1]`.
    schema: shorthand(
      (r) => (typeof r === 'string' ? { id: r } : r),
      /** mode: default, the parent's. */
      z.strictObject({ id, inputs: z.record(z.string(), z.unknown()).default({}), mode: z.enum(MODES).optional() }),
    ).transform((r) => ({ kind: 'runbook' as const, ...r })),
    effect: (a) =>
      a.mode === 'live'
        ? unproven(`runs runbook "${a.id}" in live mode whatever this run's mode`)
        : readOnly(`a sub-run: the steps of "${a.id}" are classified and gated in their own run`),
  }),
};

/** The kinds of the registry (every action but `parallel`). */
export type RegisteredKind = keyof typeof ACTIONS;
/** An action of one kind, as the schema yields it. */
export type ActionOf<K extends RegisteredKind> = Optional<z.output<(typeof ACTIONS)[K]['schema']>>;

// A transform's output has `key: T | undefined` where the model means `key?: T`: the same object at
// run time, but code building an action (tests, the importer) may leave such a key out.
type Optional<T> = T extends readonly unknown[] | ((...args: never[]) => unknown)
  ? T
  : T extends object
    ? string extends keyof T
      ? T
      : { [K in keyof T as undefined extends T[K] ? K : never]?: Optional<Exclude<T[K], undefined>> } & {
          [K in keyof T as undefined extends T[K] ? never : K]: Optional<T[K]>;
        } extends infer O
        ? { [K in keyof O]: O[K] }
        : never
    : T;
/** The class an action's registry entry gives it; a parallel group combines its children's. */
export function actionEffect(action: Step['action'], classify: Classifiers): Verdict {
  if (action.kind === 'parallel') return combine(action.steps.map((s) => classify.step(s)));
  return (ACTIONS[action.kind].effect as (a: unknown, c: Classifiers) => Verdict)(action, classify);
}
