// The validated runbook model: plain JSON (durations in milliseconds) so it can travel
// through Temporal payloads and be interpreted deterministically by the workflow.
import type { Effect, StepEffect } from './effect.js';

export const MODES = ['live', 'drill', 'dry-run'] as const;
export type Mode = (typeof MODES)[number];

export const ON_FAILURE = ['abort', 'continue', 'ask'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** A comparison a check result must satisfy; every given bound applies. */
export interface Comparison {
  equals?: string | number | boolean;
  min?: number;
  max?: number;
}

export interface ShellAction {
  kind: 'shell';
  /** argv form: values are passed as separate arguments, never through a shell. */
  command?: string[];
  /** script form: run by `bash -euo pipefail -c`; the step is explicitly a shell script. */
  script?: string;
  env: Record<string, string>;
  cwd?: string;
  /** exit codes counted as success (default [0]). */
  okExitCodes: number[];
}

export interface HttpAction {
  kind: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** A JSON body given as YAML data; sent JSON-encoded after templating. */
  json?: Record<string, unknown>;
  expect: { status: number[]; body?: string };
  /** Poll until the expectation holds (e.g. until a service is healthy). */
  poll?: { everyMs: number; forMs: number };
}

export interface SqlAction {
  kind: 'sql';
  /** A connection name from `connections`, or a reference like `env:DATABASE_URL`. */
  connection: string;
  query: string;
  params: Array<string | number | boolean | null>;
  expect?: { rowCount?: Comparison; value?: Comparison };
}

/** How a wait on people escalates when nobody answers. */
export interface Escalation {
  /** Each level of the chain waits this long before the next is notified and may answer too. */
  escalateAfterMs?: number;
  /** When the whole chain has not answered: fail the step (abort) or go on without it (continue). */
  onTimeout: 'abort' | 'continue';
}

export interface ManualAction extends Escalation {
  kind: 'manual';
  instructions: string;
  /** Roles allowed to confirm; empty means anyone. */
  roles: string[];
}

export interface ApprovalAction extends Escalation {
  kind: 'approval';
  instructions?: string;
  roles: string[];
  /** Distinct people whose approval is needed. */
  required: number;
}

export interface WaitAction {
  kind: 'wait';
  durationMs: number;
}

export interface NotifyAction {
  kind: 'notify';
  /** Webhook URL or reference (`env:SLACK_WEBHOOK_URL`); default: the runbook's notify.webhook. */
  webhook?: string;
  message: string;
}

export const BACKUP_FORMATS = ['custom', 'directory', 'plain'] as const;
/** pg_dump's custom and directory formats (parallel, selective restore) or plain SQL + gzip. */
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

export const VERIFY_CHECKS = ['tables', 'rowCounts', 'foreignKeys', 'indexes', 'rls'] as const;
export type VerifyCheck = (typeof VERIFY_CHECKS)[number];

export interface PostgresBackupAction {
  kind: 'postgres.backup';
  /** A connection name from `connections`, or a reference like `env:DATABASE_URL`. */
  connection: string;
  /** Folder of the backup in the store; its last segment (daily, weekly, monthly, annual) is the retention tier. */
  prefix: string;
  format: BackupFormat;
  /** Only these tables (`users`, `public.users`): the seed's weekly critical-tables backup. */
  tables?: string[];
  /** Parallel dump jobs (directory format). */
  jobs: number;
  /** gzip level 0-9. */
  compression: number;
  /** S3 storage class of the objects; default: DR_BACKUP_COLD_STORAGE_CLASS for monthly/annual, else the bucket's. */
  storageClass?: string;
}

export interface PostgresRestoreAction {
  kind: 'postgres.restore';
  /** The database restored into: a connection name or a reference. */
  target: string;
  /** `latest` (the newest complete backup taken before the incident) or a backup id. */
  backup: string;
  prefix?: string;
  /** Partial recovery: drop these tables and restore them (with their indexes, constraints, policies) from the backup. */
  tables?: string[];
  jobs: number;
  /** ISO time of the incident, for the RPO figure and to choose `latest`; default: the run's. */
  incidentAt?: string;
  /** Skip ownership commands (restoring into a database whose roles differ). */
  noOwner: boolean;
  /** maintenance_work_mem (MB) of the restore's sessions, for index builds; default 256. */
  maintenanceWorkMemMB?: number;
}

export interface PostgresVerifyAction {
  kind: 'postgres.verify';
  connection: string;
  /** The backup whose manifest the database is checked against: `latest` or an id. */
  backup: string;
  prefix?: string;
  /** Only check these tables (after a partial restore); default: every table of the backup. */
  tables?: string[];
  checks: VerifyCheck[];
  /** Extra checks: the first value of `query` must satisfy `expect`. */
  sql: Array<{ name: string; query: string; expect: Comparison }>;
}

export interface StorageListAction {
  kind: 'storage.list';
  prefix?: string;
}

export interface StoragePruneAction {
  kind: 'storage.prune';
  prefix?: string;
  /** List what would be deleted, delete nothing. */
  dryRun: boolean;
  /** Sets without a manifest (interrupted backups) are deleted once this old. */
  incompleteAfterMs: number;
  /** Per-tier overrides of the seed's policy (daily 30d, weekly 90d, monthly 365d, annual 7y), in ms. */
  policy: Partial<Record<'daily' | 'weekly' | 'monthly' | 'annual', number>>;
}

/** redis.snapshot: BGSAVE, then the RDB file into the store. The worker must see Redis's data dir. */
export interface RedisSnapshotAction {
  kind: 'redis.snapshot';
  /** A redis:// URL or a reference like `env:REDIS_URL` (a password in it is resolved on the worker). */
  url: string;
  /** Folder of the backup in the store; its last segment (daily, weekly, ...) is the retention tier. */
  prefix: string;
  storageClass?: string;
}

/** redis.restore: stop Redis, put the RDB back (AOF handled), start it, check the key counts. */
export interface RedisRestoreAction {
  kind: 'redis.restore';
  url: string;
  /** `latest` or a backup id. */
  backup: string;
  prefix: string;
  /** How this server is stopped and started, e.g. `systemctl stop redis-server` (argv, no shell). */
  stop: string[];
  start: string[];
  /** Where Redis keeps its files, needed only when it is down before the restore (else asked with CONFIG GET). */
  dir?: string;
  dbfilename?: string;
  configFile?: string;
  /** `latest` means the newest backup taken at or before this ISO time (default: now). */
  incidentAt?: string;
}

export const APPENDFSYNC = ['always', 'everysec', 'no'] as const;

/** redis.persistence: the seed's set-up (`CONFIG SET appendonly yes`, `appendfsync everysec`). */
export interface RedisPersistenceAction {
  kind: 'redis.persistence';
  url: string;
  appendonly: boolean;
  appendfsync: (typeof APPENDFSYNC)[number];
  /** CONFIG REWRITE afterwards, so the settings survive a restart. */
  rewriteConfig: boolean;
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** How the kafka.* activities reach a cluster; brokers and the SASL password may be references. */
export interface KafkaConnection {
  brokers: string[];
  ssl: boolean;
  sasl?: { mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]; username: string; password: string };
}

/** kafka.export: topics (partitions, replication, configs) and consumer-group offsets as JSON. */
export interface KafkaExportAction extends KafkaConnection {
  kind: 'kafka.export';
  prefix: string;
  /** Topic names or globs (`orders.*`); empty: every topic but the internal `__*` ones. */
  topics: string[];
  /** Consumer group names or globs; empty: every group. */
  groups: string[];
}

/** kafka.restore: recreate missing topics with their configs, reset the groups' offsets. */
export interface KafkaRestoreAction extends KafkaConnection {
  kind: 'kafka.restore';
  backup: string;
  prefix: string;
  topics: string[];
  groups: string[];
  /** Replication factor for recreated topics, when the cluster is smaller than the exported one. */
  replicationFactor?: number;
  createTopics: boolean;
  resetOffsets: boolean;
  /** `latest` means the newest export taken at or before this ISO time (default: now). */
  incidentAt?: string;
}

/** archive: a tar.gz of paths and globs (config files, edge functions) into the store. */
export interface ArchiveAction {
  kind: 'archive';
  /** Folder the paths are relative to; entries are stored relative to it. */
  cwd: string;
  paths: string[];
  exclude: string[];
  prefix: string;
  /** A path written without wildcards that does not exist: fail the step, or warn. */
  missing: 'fail' | 'warn';
  /** gzip level 1-9. */
  compression: number;
  storageClass?: string;
}

/** archive.restore: unpack an archive into a folder; entries escaping it are refused. */
export interface ArchiveRestoreAction {
  kind: 'archive.restore';
  target: string;
  backup: string;
  prefix: string;
  /** Replace files that exist (default: refuse and list them). */
  overwrite: boolean;
  /** `latest` means the newest archive taken at or before this ISO time (default: now). */
  incidentAt?: string;
}

export const PGBACKREST_BACKUP_TYPES = ['full', 'diff', 'incr'] as const;
export const PGBACKREST_TARGETS = ['latest', 'time', 'name', 'label'] as const;
export const PGBACKREST_COMPRESS = ['gz', 'lz4', 'zst', 'bz2', 'none'] as const;

/** Where a stanza's repository lives: a local folder, or a prefix in an S3 bucket (pgBackRest speaks HTTPS only). */
export interface PgBackRestRepo {
  /** Folder of the repository (local), or its prefix inside the bucket (S3; default /pgbackrest). */
  path: string;
  s3?: {
    bucket: string;
    /** host or host:port (no scheme: always HTTPS). */
    endpoint: string;
    region: string;
    /** Access key id and secret: references (`env:NAME`, `file:/path`), resolved on the worker. */
    key: string;
    secret: string;
    /** PEM file of the CA that signed the endpoint's certificate (a self-signed local server). */
    caFile?: string;
    /** `path` (http://host/bucket/key, most S3-compatible servers) or `host` (AWS). */
    uriStyle: 'path' | 'host';
  };
}

/** pgbackrest.stanza: the stanza's config written where the worker keeps it, archiving on, stanza-create. */
export interface PgBackRestStanzaAction {
  kind: 'pgbackrest.stanza';
  stanza: string;
  /** The PostgreSQL data directory; pgBackRest runs as the user owning it. */
  pgPath: string;
  /** A number, or a template rendering to one. */
  pgPort: number | string;
  /** Folder of PostgreSQL's unix socket (pgBackRest connects locally through it). */
  pgSocketPath: string;
  pgUser: string;
  repo: PgBackRestRepo;
  /** Repository encryption passphrase (aes-256-cbc): a reference; absent = unencrypted. */
  cipherPass?: string;
  /** Full backups kept (and the diffs depending on them). */
  retentionFull: number;
  compress: (typeof PGBACKREST_COMPRESS)[number];
  processMax: number;
  /** Set archive_mode and archive_command (ALTER SYSTEM); a restart is reported when archive_mode was off. */
  archive: boolean;
}

/** pgbackrest.backup: a full, differential or incremental backup of a configured stanza. */
export interface PgBackRestBackupAction {
  kind: 'pgbackrest.backup';
  stanza: string;
  type: (typeof PGBACKREST_BACKUP_TYPES)[number];
}

/** pgbackrest.info: the stanza's backups and WAL archive range, as data. */
export interface PgBackRestInfoAction {
  kind: 'pgbackrest.info';
  stanza: string;
}

/** pgbackrest.check: archiving works (a WAL switch reaches the repository) and the config is valid. */
export interface PgBackRestCheckAction {
  kind: 'pgbackrest.check';
  stanza: string;
}

/** pgbackrest.restore: into a new data directory, started on a new port, the recovered point measured. */
export interface PgBackRestRestoreAction {
  kind: 'pgbackrest.restore';
  stanza: string;
  /** latest (all archived WAL), time, a named restore point (pg_create_restore_point) or a backup label. */
  target: (typeof PGBACKREST_TARGETS)[number];
  time?: string;
  name?: string;
  label?: string;
  /** The new data directory: must not exist or be empty (the source is never written). */
  dataDir: string;
  /** Port the restored server listens on (127.0.0.1); a number or a template. */
  port: string;
  /** Stop just before the target rather than after it. */
  exclusive: boolean;
  /** Check the repository (`pgbackrest verify`) and the WAL archive's continuity before restoring. */
  verify: boolean;
  /** Passphrase override for restoring on another host: a reference. */
  cipherPass?: string;
  /** ISO time of the incident, for the RPO achieved; default: the run's. */
  incidentAt?: string;
}

/** Another runbook as a child run (e.g. the restore procedure inside the database-loss scenario). */
export interface RunbookAction {
  kind: 'runbook';
  /** The runbook id to run. */
  id: string;
  inputs: Record<string, unknown>;
  /** Default: the parent's mode. */
  mode?: Mode;
}

export interface ParallelAction {
  kind: 'parallel';
  steps: Step[];
}

export type Action =
  | ShellAction
  | HttpAction
  | SqlAction
  | ManualAction
  | ApprovalAction
  | WaitAction
  | NotifyAction
  | PostgresBackupAction
  | PostgresRestoreAction
  | PostgresVerifyAction
  | StorageListAction
  | StoragePruneAction
  | RedisSnapshotAction
  | RedisRestoreAction
  | RedisPersistenceAction
  | KafkaExportAction
  | KafkaRestoreAction
  | ArchiveAction
  | ArchiveRestoreAction
  | PgBackRestStanzaAction
  | PgBackRestBackupAction
  | PgBackRestInfoAction
  | PgBackRestCheckAction
  | PgBackRestRestoreAction
  | RunbookAction
  | ParallelAction;

export type ActionKind = Action['kind'];

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface Step {
  id: string;
  title: string;
  description?: string;
  /** Planned duration (soft): tracked and reported. Parallel groups derive it from their children. */
  budgetMs: number;
  /** Hard limit: the activity is cancelled. */
  timeoutMs?: number;
  retry: RetryPolicy;
  onFailure: OnFailure;
  /** True when the step's effect class is destructive (declared with `destructive: true` or `effect:`, or derived). */
  destructive: boolean;
  /** The class the runbook declares (`effect:`, or `destructive: true`); the classifier may only raise it. */
  declaredEffect?: Effect;
  /** The class the run uses: set when the runbook is loaded with the classifier (src/safety). */
  effect?: StepEffect;
  /** Why the step may run for real in a drill (it targets the drill environment); absent: a drill rehearses it. */
  safeToRehearse?: string;
  /** Why a destructive step runs in live mode without the approval it would otherwise wait for. */
  noApproval?: string;
  /** Modes in which the step runs; skipped (and reported as skipped) in the others. */
  modes: Mode[];
  action: Action;
}

export interface InputSpec {
  description?: string;
  required: boolean;
  /** Secret inputs hold references (`env:NAME`, `file:/path`), never values. */
  secret: boolean;
  default?: unknown;
}

export interface Runbook {
  id: string;
  title: string;
  description?: string;
  objectives: { rtoMs?: number; rpoMs?: number };
  inputs: Record<string, InputSpec>;
  /** Role name → the people who hold it. */
  approvers: Record<string, string[]>;
  /** Named database connections for sql steps (references or templates, resolved on the worker). */
  connections: Record<string, string>;
  notify: { webhook?: string };
  steps: Step[];
}
