// What the backup activities need besides their input: the store, scratch space, the tools'
// folder, and the activity hooks (cancellation, heartbeats) — explicit so tests pass their own.
import type { ActivityOptions } from '../context.js';
import type { BackupStore } from '../storage/store.js';
import type { ToolOptions } from './tools.js';

export interface BackupDeps extends ActivityOptions {
  store: BackupStore;
  /** Scratch space (directory-format dumps, restore downloads); default: the system temp folder. */
  workDir?: string;
  /** Folder of pg_dump / pg_restore / psql (DR_PG_BIN_DIR). */
  binDir?: string;
  /** Storage class for monthly and annual backups (DR_BACKUP_COLD_STORAGE_CLASS). */
  coldStorageClass?: string;
  heartbeatEveryMs?: number;
  killGraceMs?: number;
  onSpawn?: ToolOptions['onSpawn'];
  /** Clock, for tests of retention; default Date.now. */
  now?: () => number;
}

/** Calls `beat` every `everyMs` until the returned stop function is called. */
export function heartbeating(beat: () => void, everyMs = 2_000): () => void {
  const timer = setInterval(beat, everyMs);
  return () => clearInterval(timer);
}
