// Inputs and results of the pgbackrest.* activities (the workflow has templated the inputs).
import type {
  PgBackRestBackupAction,
  PgBackRestCheckAction,
  PgBackRestInfoAction,
  PgBackRestRestoreAction,
  PgBackRestStanzaAction,
} from '../../runbook/model.js';
import type { StepRef } from '../types.js';
import type { PgBackRestBackup, PgBackRestInfo } from './info.js';

type Input<A> = StepRef & Omit<A, 'kind'> & { timeoutMs?: number };

export type PgBackRestStanzaInput = Input<PgBackRestStanzaAction>;
export type PgBackRestBackupInput = Input<PgBackRestBackupAction>;
export type PgBackRestInfoInput = Input<PgBackRestInfoAction>;
export type PgBackRestCheckInput = Input<PgBackRestCheckAction>;
export type PgBackRestRestoreInput = Input<PgBackRestRestoreAction>;

export interface PgBackRestStanzaResult {
  stanza: string;
  configFile: string;
  /** archive_command as set on the server (no secrets in it). */
  archiveCommand?: string;
  /** archive_mode or wal_level were changed: PostgreSQL must restart before archiving works. */
  restartRequired: boolean;
  /** What was changed with ALTER SYSTEM. */
  changed: string[];
  repo: string;
  encrypted: boolean;
}

export interface PgBackRestBackupResult {
  stanza: string;
  backup: PgBackRestBackup;
  durationMs: number;
}

export type PgBackRestInfoResult = PgBackRestInfo;

export interface PgBackRestCheckResult {
  stanza: string;
  ok: true;
  archive?: PgBackRestInfo['archive'];
  durationMs: number;
}

export interface PgBackRestRestoreResult {
  stanza: string;
  target: PgBackRestRestoreAction['target'];
  /** The recovery target as given to PostgreSQL (a time, a restore point name, a label). */
  targetValue?: string;
  /** The backup restored from (the base the WAL was replayed onto). */
  backup: PgBackRestBackup & { id: string; createdAt: string };
  dataDir: string;
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres — the restored server, left running. */
  url: string;
  /** The last transaction the restored server replayed, read from it (pg_last_xact_replay_timestamp). */
  lastTransactionAt?: string;
  /** How lastTransactionAt was found: replayed WAL, or (nothing replayed) the backup's end. */
  lastTransactionSource: 'replay' | 'commit-timestamp' | 'backup-stop';
  /** Incident time minus the last transaction recovered: the data lost, measured. */
  rpo: { incidentAt: string; lastTransactionAt: string; achievedMs: number };
  /** What was checked before the target directory was created. */
  preflight: { verify: boolean; walFrom?: string; walTo?: string };
  durationMs: number;
}
