// The validated runbook model: plain JSON (durations in milliseconds) so it can travel
// through Temporal payloads and be interpreted deterministically by the workflow.
import type { ActionOf, RegisteredKind } from './actions.js';
import type { Effect, StepEffect } from './effect.js';

// The model's enumerations: here rather than beside the zod fields that check them (fields.ts), so
// the workflow, which imports them, bundles without zod.
export const MODES = ['live', 'drill', 'dry-run'] as const;
export type Mode = (typeof MODES)[number];

export const ON_FAILURE = ['abort', 'continue', 'ask'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

export const BACKUP_FORMATS = ['custom', 'directory', 'plain'] as const;
/** pg_dump's custom and directory formats (parallel, selective restore) or plain SQL + gzip. */
export type BackupFormat = (typeof BACKUP_FORMATS)[number];

export const VERIFY_CHECKS = ['tables', 'rowCounts', 'foreignKeys', 'indexes', 'rls'] as const;
export type VerifyCheck = (typeof VERIFY_CHECKS)[number];

export const APPENDFSYNC = ['always', 'everysec', 'no'] as const;
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export const PGBACKREST_BACKUP_TYPES = ['full', 'diff', 'incr'] as const;
export const PGBACKREST_TARGETS = ['latest', 'time', 'name', 'label'] as const;
export const PGBACKREST_COMPRESS = ['gz', 'lz4', 'zst', 'bz2', 'none'] as const;

// Each action's type is what its schema in the registry (actions.ts) yields; the names below are
// the ones the rest of the code uses.
export type ShellAction = ActionOf<'shell'>;
export type HttpAction = ActionOf<'http'>;
export type SqlAction = ActionOf<'sql'>;
export type ManualAction = ActionOf<'manual'>;
export type ApprovalAction = ActionOf<'approval'>;
export type WaitAction = ActionOf<'wait'>;
export type NotifyAction = ActionOf<'notify'>;
export type PostgresBackupAction = ActionOf<'postgres.backup'>;
export type PostgresRestoreAction = ActionOf<'postgres.restore'>;
export type PostgresVerifyAction = ActionOf<'postgres.verify'>;
export type StorageListAction = ActionOf<'storage.list'>;
export type StoragePruneAction = ActionOf<'storage.prune'>;
export type RedisSnapshotAction = ActionOf<'redis.snapshot'>;
export type RedisRestoreAction = ActionOf<'redis.restore'>;
export type RedisPersistenceAction = ActionOf<'redis.persistence'>;
export type KafkaExportAction = ActionOf<'kafka.export'>;
export type KafkaRestoreAction = ActionOf<'kafka.restore'>;
export type ArchiveAction = ActionOf<'archive'>;
export type ArchiveRestoreAction = ActionOf<'archive.restore'>;
export type PgBackRestStanzaAction = ActionOf<'pgbackrest.stanza'>;
export type PgBackRestBackupAction = ActionOf<'pgbackrest.backup'>;
export type PgBackRestInfoAction = ActionOf<'pgbackrest.info'>;
export type PgBackRestCheckAction = ActionOf<'pgbackrest.check'>;
export type PgBackRestRestoreAction = ActionOf<'pgbackrest.restore'>;
export type RunbookAction = ActionOf<'runbook'>;

/** A comparison a check result must satisfy; every given bound applies. */
export type Comparison = NonNullable<NonNullable<SqlAction['expect']>['value']>;
/** How a wait on people escalates when nobody answers. */
export type Escalation = Pick<ApprovalAction, 'escalateAfterMs' | 'onTimeout'>;
/** How the kafka.* activities reach a cluster; brokers and the SASL password may be references. */
export type KafkaConnection = Pick<KafkaExportAction, 'brokers' | 'ssl' | 'sasl'>;
/** Where a stanza's repository lives: a local folder, or a prefix in an S3 bucket. */
export type PgBackRestRepo = PgBackRestStanzaAction['repo'];

/** A group of steps run side by side. Written by hand: it holds steps, which hold actions. */
export interface ParallelAction {
  kind: 'parallel';
  steps: Step[];
}

export type Action = { [K in RegisteredKind]: ActionOf<K> }[RegisteredKind] | ParallelAction;

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

/** A runbook a drill of this one runs first, as a sub-run in drill mode (`drill.setup`). */
export interface DrillSetup {
  runbook: string;
  /** Its inputs; templates may name this runbook's inputs and `run.*`. */
  inputs: Record<string, unknown>;
  /** Only on workers of these environments (DR_ENVIRONMENT); absent: every environment. */
  environments?: string[];
  /** Planned duration; absent: not planned (set-up is not part of the recovery). */
  budgetMs?: number;
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
  /** What a drill of this runbook runs before its first step (never in live mode or a dry run). */
  drill?: { setup: DrillSetup[] };
  steps: Step[];
}
