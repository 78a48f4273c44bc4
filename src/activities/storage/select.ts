// Choosing the backup a restore or a verification works from: an id, or `latest` — the newest
// complete, verified backup taken no later than the incident that holds what is asked for.
import { listBackups, type BackupSummary, type Manifest } from './manifest.js';
import type { BackupStore } from './store.js';
import { BackupNotFoundError } from '../errors.js';

export interface BackupQuery {
  /** `latest` or an id. */
  backup: string;
  prefix?: string;
  /** Qualified table names the backup must contain (a partial restore). */
  tables?: string[];
  /** `latest` only considers backups created at or before this time (the incident). */
  before?: number;
}

type PgBackup = BackupSummary & { manifest: Manifest };

/** The PostgreSQL backup a query names; BackupNotFoundError otherwise. */
export async function findBackup(store: BackupStore, query: BackupQuery): Promise<PgBackup> {
  const listing = await listBackups(store, query.prefix);
  const backups = listing.backups.filter((b): b is PgBackup => b.manifest !== undefined);
  const where = `${store.location}${query.prefix ? ` under ${query.prefix}/` : ''}`;
  if (query.backup !== 'latest') {
    const found = backups.find((b) => b.id === query.backup);
    if (found) return found;
    const incomplete = listing.incomplete.find((s) => s.key.split('/').pop() === query.backup);
    if (incomplete) {
      throw new BackupNotFoundError(`Backup ${query.backup} in ${where} has no manifest: it is incomplete (interrupted or still being written) and cannot be used`);
    }
    const unreadable = listing.unreadable.find((s) => s.key.split('/').pop() === query.backup);
    if (unreadable) throw new BackupNotFoundError(`Backup ${query.backup} in ${where} cannot be used: ${unreadable.error}`);
    throw new BackupNotFoundError(`No backup ${query.backup} in ${where}; ${describe(backups)}`);
  }
  const holds = (m: Manifest) =>
    query.tables?.length
      ? query.tables.every((t) => m.database.tables.some((x) => `${x.schema}.${x.name}` === t))
      : m.scope === 'full';
  const candidates = backups.filter(
    (b) => b.verified && holds(b.manifest) && (query.before === undefined || Date.parse(b.createdAt) <= query.before),
  );
  if (candidates[0]) return candidates[0];
  const need = [
    query.tables?.length ? `holding ${query.tables.join(', ')}` : 'of the whole database',
    query.before === undefined ? '' : `taken by ${new Date(query.before).toISOString()}`,
  ].filter(Boolean);
  throw new BackupNotFoundError(`No complete PostgreSQL backup ${need.join(' ')} in ${where}; ${describe(backups)}`);
}

function describe(backups: BackupSummary[]): string {
  if (backups.length === 0) return 'it holds no complete backup';
  const newest = backups[0]!;
  const damaged = backups.filter((b) => !b.verified).length;
  return `it holds ${backups.length} complete backup(s), the newest ${newest.id} (${newest.createdAt}, ${newest.scope === 'full' ? 'full' : `tables ${newest.scope.tables.join(', ')}`})${damaged ? `, ${damaged} with missing or short objects` : ''}`;
}
