// Inputs and results of the backup activities (postgres.* and storage.*). Inputs are the actions
// after templating, with `connection` / `target` already looked up in the runbook's connections.
import type {
  PostgresBackupAction,
  PostgresRestoreAction,
  PostgresVerifyAction,
  StorageListAction,
  StoragePruneAction,
} from '../../runbook/model.js';
import type { StepRef } from '../types.js';

export interface PostgresBackupInput extends Partial<StepRef>, Omit<PostgresBackupAction, 'kind'> {
  timeoutMs?: number;
}

/** A backup as results and listings name it. */
export interface BackupRef {
  id: string;
  prefix: string;
  createdAt: string;
  format: string;
  bytes: number;
}

export interface PostgresBackupResult extends BackupRef {
  /** Where it went: `<store location>/<prefix>/<id>`. */
  location: string;
  objects: number;
  tables: number;
  rows: number;
  storageClass?: string;
  durationMs: number;
}

export interface PostgresRestoreInput extends Partial<StepRef>, Omit<PostgresRestoreAction, 'kind'> {
  timeoutMs?: number;
}

export interface PostgresRestoreResult {
  backup: BackupRef;
  target: string;
  /** `all`, or the tables dropped and restored. */
  restored: 'all' | string[];
  incidentAt: string;
  /** RPO evidence: incident time minus the backup's creation time. */
  backupAgeMs: number;
  backupAge: string;
  durationMs: number;
}

export interface PostgresVerifyInput extends Partial<StepRef>, Omit<PostgresVerifyAction, 'kind'> {
  timeoutMs?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** The figure seen, e.g. "12/12 tables present". */
  figure: string;
  /** What did not match, e.g. ["public.users: 10 rows, expected 12"] (capped). */
  problems?: string[];
}

export interface PostgresVerifyResult {
  backup: BackupRef;
  checks: CheckResult[];
  passed: number;
  failed: number;
}

export interface StorageListInput extends Partial<StepRef>, Omit<StorageListAction, 'kind'> {}

export interface StorageListResult {
  location: string;
  /** Complete backups in all; `backups` holds the newest 50. */
  total: number;
  backups: Array<BackupRef & { kind: string; source: string; scope: string; verified: boolean }>;
  incomplete: string[];
  unreadable: string[];
}

export interface StoragePruneInput extends Partial<StepRef>, Omit<StoragePruneAction, 'kind'> {}

export interface StoragePruneResult {
  location: string;
  dryRun: boolean;
  keptTotal: number;
  /** Up to 50 of the kept backups, with why. */
  kept: Array<{ id: string; reason: string }>;
  deleted: Array<{ id: string; prefix: string; reason: string }>;
  /** Sets without a manifest that were (or would be) removed. */
  incompleteDeleted: string[];
  bytesFreed: number;
}
