// The backup activities (postgres.* and storage.*) bound to the configured store.
import type { Config } from '../config.js';
import type { Logger } from './context.js';
import { postgresBackup } from './postgres/backup.js';
import { postgresRestore } from './postgres/restore.js';
import type {
  PostgresBackupInput,
  PostgresBackupResult,
  PostgresRestoreInput,
  PostgresRestoreResult,
  PostgresVerifyInput,
  PostgresVerifyResult,
  StorageListInput,
  StorageListResult,
  StoragePruneInput,
  StoragePruneResult,
} from './postgres/types.js';
import { postgresVerify } from './postgres/verify.js';
import { openStore } from './storage/open-store.js';
import { storageList, storagePrune } from './storage/prune.js';
import type { BackupStore } from './storage/store.js';

export interface BackupActivityDeps {
  config: Config;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Default: the store DR_BACKUP_STORE names, opened on first use. */
  store?: BackupStore;
}

export function backupActivities(deps: BackupActivityDeps) {
  const { config, env, log } = deps;
  let store = deps.store;
  // Opened on first use, so a worker with a bad DR_BACKUP_STORE still runs every other step.
  const backupDeps = () => ({
    store: (store ??= openStore(config)),
    env,
    log,
    workDir: config.DR_BACKUP_WORK_DIR,
    binDir: config.DR_PG_BIN_DIR,
    coldStorageClass: config.DR_BACKUP_COLD_STORAGE_CLASS,
  });
  return {
    postgresBackup: (input: PostgresBackupInput): Promise<PostgresBackupResult> => postgresBackup(input, backupDeps()),
    postgresRestore: (input: PostgresRestoreInput): Promise<PostgresRestoreResult> => postgresRestore(input, backupDeps()),
    postgresVerify: (input: PostgresVerifyInput): Promise<PostgresVerifyResult> => postgresVerify(input, backupDeps()),
    storageList: (input: StorageListInput): Promise<StorageListResult> => storageList(input, backupDeps()),
    storagePrune: (input: StoragePruneInput): Promise<StoragePruneResult> => storagePrune(input, backupDeps()),
  };
}
