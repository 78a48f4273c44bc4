// storage.list and storage.prune: what the store holds, and the seed's retention applied to it.
// A pruned backup loses its manifest first, so a prune interrupted half-way leaves an incomplete
// set (never listed, removed next time), never a manifest that points at missing objects.
import { retention, SEED_POLICY, staleIncompleteSets, type RetentionPolicy } from '../../runbook/retention.js';
import { activityHooks } from '../context.js';
import { checkPrefix } from '../postgres/names.js';
import type { StorageListInput, StorageListResult, StoragePruneInput, StoragePruneResult } from '../postgres/types.js';
import { Redactor } from '../secrets.js';
import { listBackups, MANIFEST } from './manifest.js';
import { joinKey, type BackupStore } from './store.js';
import { asFailure } from '../errors.js';

const LIST_LIMIT = 50;

export interface StorageDeps {
  store: BackupStore;
  now?: () => number;
  signal?: AbortSignal;
}

/** The complete backups in the store (newest first), and the sets that are not backups. */
export async function storageList(input: StorageListInput, deps: StorageDeps): Promise<StorageListResult> {
  const redactor = new Redactor();
  try {
    checkPrefix(input.prefix || undefined);
    const listing = await listBackups(deps.store, input.prefix || undefined);
    return {
      location: deps.store.location,
      total: listing.backups.length,
      // The newest ones: a step output lives in workflow history, which should stay small.
      backups: listing.backups.slice(0, LIST_LIMIT).map((b) => ({
        id: b.id,
        kind: b.kind,
        prefix: b.prefix,
        createdAt: b.createdAt,
        format: b.format,
        bytes: b.bytes,
        source: b.source,
        scope: b.scope === 'full' ? 'full' : b.scope.tables.join(','),
        verified: b.verified,
      })),
      incomplete: listing.incomplete.map((s) => s.key),
      unreadable: listing.unreadable.map((s) => `${s.key}: ${s.error}`),
    };
  } catch (err) {
    throw asFailure(err, `Listing backups in ${deps.store.location} failed`, redactor);
  }
}

/** Applies the retention policy (deleting nothing with dryRun) and removes stale incomplete sets. */
export async function storagePrune(input: StoragePruneInput, deps: StorageDeps): Promise<StoragePruneResult> {
  const redactor = new Redactor();
  const hooks = activityHooks({ signal: deps.signal });
  const now = (deps.now ?? Date.now)();
  try {
    checkPrefix(input.prefix || undefined);
    const policy: RetentionPolicy = { ...SEED_POLICY, ...definedOnly(input.policy ?? {}) };
    const listing = await listBackups(deps.store, input.prefix || undefined);
    const facts = listing.backups.map((b) => ({ id: b.key, prefix: b.prefix, createdAt: Date.parse(b.createdAt), verified: b.verified, series: b.source }));
    const decision = retention(facts, policy, now);
    const byKey = new Map(listing.backups.map((b) => [b.key, b]));
    const stale = staleIncompleteSets(listing.incomplete, input.incompleteAfterMs, now);
    const result: StoragePruneResult = {
      location: deps.store.location,
      dryRun: input.dryRun,
      keptTotal: decision.keep.length,
      kept: decision.keep.slice(0, LIST_LIMIT).map((k) => ({ id: byKey.get(k)!.id, reason: decision.reasons[k]! })),
      deleted: decision.delete.map((k) => ({ id: byKey.get(k)!.id, prefix: byKey.get(k)!.prefix, reason: decision.reasons[k]! })),
      incompleteDeleted: stale,
      bytesFreed: 0,
    };
    if (input.dryRun) return result;
    for (const key of decision.delete) {
      hooks.heartbeat({ deleting: key });
      const objects = await deps.store.list(`${key}/`);
      await deps.store.delete([joinKey(key, MANIFEST)]);
      await deps.store.delete(objects.map((o) => o.key).filter((k) => k !== joinKey(key, MANIFEST)));
      result.bytesFreed += objects.reduce((n, o) => n + o.bytes, 0);
    }
    for (const set of listing.incomplete.filter((s) => stale.includes(s.key))) {
      await deps.store.delete(set.objects.map((o) => o.key));
      result.bytesFreed += set.objects.reduce((n, o) => n + o.bytes, 0);
    }
    return result;
  } catch (err) {
    throw asFailure(err, `Pruning ${deps.store.location} failed`, redactor);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
