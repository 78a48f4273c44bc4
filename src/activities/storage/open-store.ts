// The configured backup store: DR_BACKUP_STORE as a folder (default <DR_STATE_DIR>/backups) or
// s3://bucket/prefix with the DR_S3_* settings.
import { join, resolve } from 'node:path';
import type { Config } from '../../config.js';
import { FsBackupStore } from './fs-store.js';
import { S3BackupStore } from './s3-store.js';
import type { BackupStore } from './store.js';

export type StoreConfig = Pick<Config, 'DR_BACKUP_STORE' | 'DR_S3_ENDPOINT' | 'DR_S3_REGION' | 'DR_S3_FORCE_PATH_STYLE' | 'stateDir'>;

/** Opens the store a location names: `s3://bucket[/prefix]` or a folder path. */
export function openStore(config: StoreConfig): BackupStore {
  const location = config.DR_BACKUP_STORE ?? join(config.stateDir, 'backups');
  if (location.startsWith('s3://')) {
    const [bucket = '', ...root] = location.slice('s3://'.length).split('/');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new Error(`Expected DR_BACKUP_STORE to be s3://<bucket>[/prefix] with a valid bucket name, got ${JSON.stringify(location)}`);
    }
    return new S3BackupStore({
      bucket,
      root: root.join('/'),
      endpoint: config.DR_S3_ENDPOINT,
      region: config.DR_S3_REGION,
      forcePathStyle: config.DR_S3_FORCE_PATH_STYLE,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new Error(`Expected DR_BACKUP_STORE to be a folder or s3://bucket/prefix, got ${JSON.stringify(location)}`);
  }
  return new FsBackupStore(resolve(location));
}
