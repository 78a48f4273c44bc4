// The worker side of the action registry (src/runbook/actions.ts, action-runtime.ts): the
// implementation of each system action, keyed by its kind. The type ties the two tables: a kind
// without an implementation, or an implementation of no kind, does not compile. createActivities
// registers each under the activity name its runtime entry gives it, which is the name the workflow
// proxies.
import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { SystemKind } from '../runbook/action-runtime.js';
import { archiveCreate } from './archive/create.js';
import { archiveRestore } from './archive/restore.js';
import type { Logger } from './context.js';
import type {
  ArchiveInput,
  ArchiveRestoreInput,
  ArchiveRestoreResult,
  ArchiveResult,
  KafkaExportInput,
  KafkaExportResult,
  KafkaRestoreInput,
  KafkaRestoreResult,
  RedisPersistenceInput,
  RedisPersistenceResult,
  RedisRestoreInput,
  RedisRestoreResult,
  RedisSnapshotInput,
  RedisSnapshotResult,
} from './data-types.js';
import { httpRequest } from './http.js';
import { notify } from './notify.js';
import { pgbackrestRestore } from './pgbackrest/restore.js';
import { pgbackrestBackup, pgbackrestCheck, pgbackrestInfo, pgbackrestStanza } from './pgbackrest/stanza.js';
import type {
  PgBackRestBackupInput,
  PgBackRestBackupResult,
  PgBackRestCheckInput,
  PgBackRestCheckResult,
  PgBackRestInfoInput,
  PgBackRestInfoResult,
  PgBackRestRestoreInput,
  PgBackRestRestoreResult,
  PgBackRestStanzaInput,
  PgBackRestStanzaResult,
} from './pgbackrest/types.js';
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
import { runShell } from './shell.js';
import { runSql } from './sql.js';
import { openStore } from './storage/open-store.js';
import { tcpCheck, type TcpCheckInput, type TcpCheckResult } from './tcp.js';
import { storageList, storagePrune } from './storage/prune.js';
import type { BackupStore } from './storage/store.js';
import type { HttpInput, HttpResult, NotifyInput, NotifyResult, ShellInput, ShellResult, SqlInput, SqlResult } from './types.js';

export interface ActivityDeps {
  config: Config;
  /** Environment that secret references resolve against (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default: Temporal's activity logger inside a worker, the console outside. */
  log?: Logger;
  /** Default: the store DR_BACKUP_STORE names, opened on first use. */
  store?: BackupStore;
}

/** Each system action's implementation, bound to its dependencies. */
export function implementations(deps: ActivityDeps) {
  const { config, env, log } = deps;
  // Cancellation and heartbeats come from the activity context at call time, not from deps.
  const common = { env, log };
  let store = deps.store;
  // Opened on first use, so a worker with a bad DR_BACKUP_STORE still runs every other step.
  const backupStore = () => (store ??= openStore(config));
  const backup = () => ({
    ...common,
    store: backupStore(),
    workDir: config.DR_BACKUP_WORK_DIR,
    binDir: config.DR_PG_BIN_DIR,
    coldStorageClass: config.DR_BACKUP_COLD_STORAGE_CLASS,
  });
  const data = () => ({ ...common, store: backupStore(), coldStorageClass: config.DR_BACKUP_COLD_STORAGE_CLASS });
  const pgbackrest = () => ({
    ...common,
    baseDir: config.DR_PGBACKREST_DIR ? resolve(config.DR_PGBACKREST_DIR) : join(config.stateDir, 'pgbackrest'),
    bin: config.DR_PGBACKREST_BIN,
    pgBinDir: config.DR_PG_BIN_DIR,
  });
  // The Kafka and Redis clients load when a step first needs them: together they are about 30 MB
  // of every worker's memory, and most workers never run those steps.
  return {
    shell: (input: ShellInput): Promise<ShellResult> => runShell(input, { ...common, outputCapBytes: config.DR_OUTPUT_CAP_BYTES }),
    http: (input: HttpInput): Promise<HttpResult> => httpRequest(input, common),
    sql: (input: SqlInput): Promise<SqlResult> => runSql(input, common),
    notify: (input: NotifyInput): Promise<NotifyResult> =>
      notify(input, { ...common, defaultWebhook: config.DR_NOTIFY_WEBHOOK, ui: { url: config.DR_UI_URL, namespace: config.TEMPORAL_NAMESPACE } }),
    'postgres.backup': (input: PostgresBackupInput): Promise<PostgresBackupResult> => postgresBackup(input, backup()),
    'postgres.restore': (input: PostgresRestoreInput): Promise<PostgresRestoreResult> => postgresRestore(input, backup()),
    'postgres.verify': (input: PostgresVerifyInput): Promise<PostgresVerifyResult> => postgresVerify(input, backup()),
    'storage.list': (input: StorageListInput): Promise<StorageListResult> => storageList(input, backup()),
    'storage.prune': (input: StoragePruneInput): Promise<StoragePruneResult> => storagePrune(input, backup()),
    'redis.snapshot': async (input: RedisSnapshotInput): Promise<RedisSnapshotResult> => (await import('./redis/snapshot.js')).redisSnapshot(input, data()),
    'redis.restore': async (input: RedisRestoreInput): Promise<RedisRestoreResult> => (await import('./redis/restore.js')).redisRestore(input, data()),
    'redis.persistence': async (input: RedisPersistenceInput): Promise<RedisPersistenceResult> => (await import('./redis/persistence.js')).redisPersistence(input, common),
    'kafka.export': async (input: KafkaExportInput): Promise<KafkaExportResult> => (await import('./kafka/export.js')).kafkaExport(input, data()),
    'kafka.restore': async (input: KafkaRestoreInput): Promise<KafkaRestoreResult> => (await import('./kafka/restore.js')).kafkaRestore(input, data()),
    archive: (input: ArchiveInput): Promise<ArchiveResult> => archiveCreate(input, data()),
    'archive.restore': (input: ArchiveRestoreInput): Promise<ArchiveRestoreResult> => archiveRestore(input, data()),
    'pgbackrest.stanza': (input: PgBackRestStanzaInput): Promise<PgBackRestStanzaResult> => pgbackrestStanza(input, pgbackrest()),
    'pgbackrest.backup': (input: PgBackRestBackupInput): Promise<PgBackRestBackupResult> => pgbackrestBackup(input, pgbackrest()),
    'pgbackrest.info': (input: PgBackRestInfoInput): Promise<PgBackRestInfoResult> => pgbackrestInfo(input, pgbackrest()),
    'pgbackrest.check': (input: PgBackRestCheckInput): Promise<PgBackRestCheckResult> => pgbackrestCheck(input, pgbackrest()),
    'pgbackrest.restore': (input: PgBackRestRestoreInput): Promise<PgBackRestRestoreResult> => pgbackrestRestore(input, pgbackrest()),
    'tcp.check': (input: TcpCheckInput): Promise<TcpCheckResult> => tcpCheck(input, common),
  } satisfies { [K in SystemKind]: (input: never) => Promise<unknown> };
}

export type Implementations = ReturnType<typeof implementations>;
