// The named workflows databaseBackup then databaseRestore, with the real runbooks, on the real dev
// server, against the real PostgreSQL and S3 server: the backup lands in S3 with its manifest, the
// restore picks it as `latest`, restores it into another database and the checklist passes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { createActivities } from '../../../src/activities/index.js';
import { loadConfig } from '../../../src/config.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { backupTestEnv, fingerprint, freshDatabase, s3Store, seedShop, withClient, type BackupTestEnv } from '../../helpers/backup.js';
import { testEnv, type TestEnv } from '../../helpers/temporal.js';

const runbooksDir = resolve(import.meta.dirname, '../../../runbooks');

describe('databaseBackup and databaseRestore workflows', () => {
  let env: TestEnv;
  let servers: BackupTestEnv;
  let source: string;
  before(async () => {
    servers = backupTestEnv();
    source = await freshDatabase(servers.pgUrl, 'dr_wf_source');
    await seedShop(source, 30);
    process.env.DR_WF_SOURCE_URL = source;
    process.env.DR_WF_TARGET_URL = await freshDatabase(servers.pgUrl, 'dr_wf_target');
    const store = s3Store(servers);
    const config = loadConfig({ ...process.env, DR_RUNBOOKS_DIR: runbooksDir });
    env = await testEnv({ runbooksDir, activities: createActivities({ config, store }) });
  });
  after(async () => {
    await env?.close();
    if (servers) {
      await withClient(servers.pgUrl, async (c) => {
        for (const db of ['dr_wf_source', 'dr_wf_target']) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
    }
  });

  const run = (type: string, args: Record<string, unknown>) =>
    env.client.workflow.execute(type, { taskQueue: env.taskQueue, workflowId: `${type}-${randomUUID()}`, args: [args] }) as Promise<RunReport>;
  const step = (report: RunReport, id: string) => report.steps.find((s) => s.id === id)!;

  test('back up, then restore latest into another database, verified, with the RPO figure', async () => {
    const backup = await run('databaseBackup', { mode: 'live', inputs: { database: 'env:DR_WF_SOURCE_URL' } });
    assert.equal(backup.status, 'succeeded');
    const made = step(backup, 'backup').output as { id: string; prefix: string; tables: number; location: string };
    assert.equal(made.prefix, 'daily');
    assert.equal(made.tables, 4);
    assert.match(made.location, new RegExp(`^s3://${servers.s3.bucket}/t-[0-9a-f]+/daily/${made.id}$`));
    const listed = step(backup, 'listed').output as { backups: Array<{ id: string; verified: boolean }> };
    assert.deepEqual(listed.backups.map((b) => [b.id, b.verified]), [[made.id, true]]);

    const incidentAt = new Date(Date.now() + 60_000).toISOString();
    const restore = await run('databaseRestore', { mode: 'drill', incidentAt, inputs: { target: 'env:DR_WF_TARGET_URL' } });
    assert.equal(restore.status, 'succeeded');
    assert.deepEqual(
      restore.steps.map((s) => [s.id, s.status]),
      [['find', 'succeeded'], ['approve', 'skipped'], ['restore', 'succeeded'], ['verify', 'succeeded']],
    );
    const restored = step(restore, 'restore').output as { backup: { id: string }; restored: string; incidentAt: string; backupAgeMs: number };
    assert.equal(restored.backup.id, made.id);
    assert.equal(restored.restored, 'all');
    assert.equal(restored.incidentAt, incidentAt);
    assert.ok(restored.backupAgeMs > 60_000 && restored.backupAgeMs < 300_000, String(restored.backupAgeMs));
    assert.equal(restore.rpo?.backupId, made.id);
    const verified = step(restore, 'verify').output as { failed: number; passed: number };
    assert.deepEqual([verified.failed, verified.passed], [0, 6]);
    assert.deepEqual(await fingerprint(process.env.DR_WF_TARGET_URL!), await fingerprint(source));
    // Secrets stay references in history: the step records show the input, never the URL.
    assert.equal((step(restore, 'restore').resolved as { target: string }).target, 'env:DR_WF_TARGET_URL');
  });

  test('a restore with no backup before the incident fails the run with the reason', async () => {
    const err = await run('databaseRestore', {
      mode: 'drill',
      incidentAt: '2020-01-01T00:00:00Z',
      inputs: { target: 'env:DR_WF_TARGET_URL' },
    }).then(
      () => assert.fail('expected the run to fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(String(err.cause?.message), /Restore into env:DR_WF_TARGET_URL not started: No complete PostgreSQL backup of the whole database taken by 2020-01-01T00:00:00\.000Z/);
  });
});
