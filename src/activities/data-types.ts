// Inputs and results of the redis.*, kafka.* and archive activities. Inputs are the actions after
// templating; references (`env:REDIS_URL`, SASL passwords) are resolved on the worker.
import type {
  ArchiveAction,
  ArchiveRestoreAction,
  KafkaExportAction,
  KafkaRestoreAction,
  RedisPersistenceAction,
  RedisRestoreAction,
  RedisSnapshotAction,
} from '../runbook/model.js';
import type { ActivityOptions } from './context.js';
import type { BackupStore } from './storage/store.js';
import type { StepRef } from './types.js';

type Input<A> = Partial<StepRef> & Omit<A, 'kind'> & { timeoutMs?: number };

export type RedisSnapshotInput = Input<RedisSnapshotAction>;
export type RedisRestoreInput = Input<RedisRestoreAction>;
export type RedisPersistenceInput = Input<RedisPersistenceAction>;
export type KafkaExportInput = Input<KafkaExportAction>;
export type KafkaRestoreInput = Input<KafkaRestoreAction>;
export type ArchiveInput = Input<ArchiveAction>;
export type ArchiveRestoreInput = Input<ArchiveRestoreAction>;

/** A backup set as results name it. */
export interface SetRef {
  id: string;
  prefix: string;
  createdAt: string;
  bytes: number;
  /** `<store location>/<prefix>/<id>`. */
  location: string;
}

/** Which backup a restore used and how old it was: RPO evidence. */
export interface RestoredFrom extends SetRef {
  /** Age of the backup at the incident time (or now): the data a restore cannot bring back. */
  ageMs: number;
  age: string;
}

export interface RedisSnapshotResult extends SetRef {
  keys: number;
  databases: Record<string, { keys: number; expires: number }>;
  /** How long BGSAVE took, from the fork to `rdb_bgsave_in_progress:0`. */
  bgsaveMs: number;
  durationMs: number;
}

export interface RedisRestoreResult {
  backup: RestoredFrom;
  target: string;
  rdbPath: string;
  /** The server was already down when the restore began (the stop command was not run). */
  wasDown: boolean;
  aof: {
    /** AOF was on at start-up (config file) and is on again after the restore. */
    enabled: boolean;
    /** AOF files left from before the restore, moved aside (kept, not deleted). */
    movedAside: string[];
  };
  keys: { expected: number; restored: number; databases: Record<string, { expected: number; expires: number; restored: number }> };
  durationMs: number;
}

export interface RedisPersistenceResult {
  before: { appendonly: string; appendfsync: string };
  after: { appendonly: string; appendfsync: string };
  /** The config file rewritten by CONFIG REWRITE; undefined when Redis runs without one. */
  configFile?: string;
  warnings: string[];
}

export interface KafkaExportResult extends SetRef {
  topics: number;
  partitions: number;
  groups: number;
  offsets: number;
  durationMs: number;
}

export interface KafkaRestoreResult {
  backup: RestoredFrom;
  /** Topics recreated with their partitions, replication and configs. */
  created: string[];
  /** Topics that exist and were left as they are; differences from the export are listed. */
  existing: Array<{ topic: string; differences: string[] }>;
  /** Per group, the partitions whose committed offset was set (clamped into the log's range). */
  offsets: Array<{ group: string; partitions: number; clamped: string[] }>;
  durationMs: number;
}

export interface ArchiveResult extends SetRef {
  files: number;
  unpackedBytes: number;
  /** Patterns that matched nothing (with `missing: warn`). */
  unmatched: string[];
  durationMs: number;
}

export interface ArchiveRestoreResult {
  backup: RestoredFrom;
  target: string;
  files: number;
  overwritten: number;
  durationMs: number;
}

/** What the data activities need besides their input; explicit so tests pass their own. */
export interface DataDeps extends ActivityOptions {
  store: BackupStore;
  /** Storage class for monthly and annual sets (DR_BACKUP_COLD_STORAGE_CLASS). */
  coldStorageClass?: string;
  heartbeatEveryMs?: number;
  /** Clock, for tests; default Date.now. */
  now?: () => number;
}
