// storage.list and storage.prune on the real S3 server: the seed's retention applied to real
// backup sets (dated through the activity's clock), dry-run, and incomplete sets cleaned up.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { postgresBackup } from '../../../../src/activities/postgres/backup.js';
import { storageList, storagePrune } from '../../../../src/activities/storage/prune.js';
import { backupTestEnv, freshDatabase, s3Store, withClient, type BackupTestEnv } from '../../../helpers/backup.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const DAY = 86_400_000;

describe('storage.prune', () => {
  let env: BackupTestEnv;
  let source: string;
  before(async () => {
    env = backupTestEnv();
    source = await freshDatabase(env.pgUrl, 'dr_prune_source');
    await withClient(source, (c) => c.query(`CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)`));
  });
  after(async () => {
    if (env) await withClient(env.pgUrl, (c) => c.query(`DROP DATABASE IF EXISTS dr_prune_source WITH (FORCE)`));
  });

  it('applies the seed policy: dry-run lists, prune deletes (manifest first), the rest stays', async () => {
    const store = s3Store(env);
    const take = async (prefix: string, daysAgo: number) =>
      (await postgresBackup({ connection: source, prefix, format: 'custom', jobs: 1, compression: 1 }, { store, heartbeat: () => undefined, now: () => NOW - daysAgo * DAY })).id;
    const ids = {
      daily5: await take('daily', 5),
      daily40: await take('daily', 40),
      weekly60: await take('weekly', 60),
      weekly120: await take('weekly', 120),
      monthly400: await take('monthly', 400), // 2025-05-11: the newest monthly of 2025, kept as the annual one
      monthly430: await take('monthly', 430),
      label: await take('pre-migration', 900),
    };
    const listed = await storageList({}, { store });
    assert.equal(listed.backups.length, 7);
    assert.ok(listed.backups.every((b) => b.verified && b.kind === 'postgres' && b.scope === 'full'));

    const dry = await storagePrune({ dryRun: true, incompleteAfterMs: DAY, policy: {} }, { store, now: () => NOW });
    assert.deepEqual(dry.deleted.map((d) => d.id).sort(), [ids.daily40, ids.weekly120, ids.monthly430].sort());
    assert.equal(dry.deleted.find((d) => d.id === ids.daily40)!.reason, 'daily, 40d old: past 30d');
    assert.equal(dry.kept.find((k) => k.id === ids.monthly400)!.reason, 'annual (newest monthly of 2025), 400d old: kept for 2555d');
    assert.equal((await storageList({}, { store })).backups.length, 7, 'a dry run deletes nothing');

    const pruned = await storagePrune({ dryRun: false, incompleteAfterMs: DAY, policy: {} }, { store, now: () => NOW });
    assert.deepEqual(pruned.deleted.map((d) => d.id).sort(), dry.deleted.map((d) => d.id).sort());
    assert.ok(pruned.bytesFreed > 0);
    const left = await storageList({}, { store });
    assert.deepEqual(left.backups.map((b) => b.id).sort(), [ids.daily5, ids.weekly60, ids.monthly400, ids.label].sort());
    assert.deepEqual(left.incomplete, []);
    for (const id of [ids.daily40, ids.weekly120, ids.monthly430]) assert.ok(!(await store.list()).some((o) => o.key.includes(id)), `${id} left objects`);

    // A policy override: weekly backups kept 30 days only.
    const shorter = await storagePrune({ dryRun: true, incompleteAfterMs: DAY, policy: { weekly: 30 * DAY } }, { store, now: () => NOW });
    assert.deepEqual(shorter.deleted.map((d) => d.id), [ids.weekly60]);
    // Pruning again changes nothing.
    assert.deepEqual((await storagePrune({ dryRun: false, incompleteAfterMs: DAY, policy: {} }, { store, now: () => NOW })).deleted, []);
  });

  it('removes incomplete sets once older than the grace period, and leaves other folders alone', async () => {
    const store = s3Store(env);
    await store.put('daily/20260101T000000Z-dr_prune_source-beef/dr_prune_source.dump', Readable.from([Buffer.from('interrupted')]));
    await store.put('reports/database-loss-123/report.json', Readable.from([Buffer.from('{}')]));
    const soon = await storagePrune({ dryRun: false, incompleteAfterMs: DAY, policy: {} }, { store, now: () => Date.now() });
    assert.deepEqual(soon.incompleteDeleted, []);
    const later = await storagePrune({ dryRun: false, incompleteAfterMs: DAY, policy: {} }, { store, now: () => Date.now() + 25 * 3_600_000 });
    assert.deepEqual(later.incompleteDeleted, ['daily/20260101T000000Z-dr_prune_source-beef']);
    assert.deepEqual((await store.list()).map((o) => o.key), ['reports/database-loss-123/report.json']);
  });
});
