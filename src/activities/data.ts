// The redis.*, kafka.* and archive activities bound to the configured backup store.
import { archiveCreate } from './archive/create.js';
import { archiveRestore } from './archive/restore.js';
import type { BackupActivityDeps } from './backups.js';
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
import { kafkaExport } from './kafka/export.js';
import { kafkaRestore } from './kafka/restore.js';
import { redisPersistence } from './redis/persistence.js';
import { redisRestore } from './redis/restore.js';
import { redisSnapshot } from './redis/snapshot.js';
import { openStore } from './storage/open-store.js';

export function dataActivities(deps: BackupActivityDeps) {
  const { config, env, log } = deps;
  let store = deps.store;
  // Opened on first use, so a worker with a bad DR_BACKUP_STORE still runs every other step.
  const dataDeps = () => ({ store: (store ??= openStore(config)), env, log, coldStorageClass: config.DR_BACKUP_COLD_STORAGE_CLASS });
  return {
    redisSnapshot: (input: RedisSnapshotInput): Promise<RedisSnapshotResult> => redisSnapshot(input, dataDeps()),
    redisRestore: (input: RedisRestoreInput): Promise<RedisRestoreResult> => redisRestore(input, dataDeps()),
    redisPersistence: (input: RedisPersistenceInput): Promise<RedisPersistenceResult> => redisPersistence(input, { env, log }),
    kafkaExport: (input: KafkaExportInput): Promise<KafkaExportResult> => kafkaExport(input, dataDeps()),
    kafkaRestore: (input: KafkaRestoreInput): Promise<KafkaRestoreResult> => kafkaRestore(input, dataDeps()),
    archiveCreate: (input: ArchiveInput): Promise<ArchiveResult> => archiveCreate(input, dataDeps()),
    archiveRestore: (input: ArchiveRestoreInput): Promise<ArchiveRestoreResult> => archiveRestore(input, dataDeps()),
  };
}
