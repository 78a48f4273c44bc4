// runbooks/data-backup.yaml run by the interpreter on the dev server with the real activities:
// Redis (DR_TEST_REDIS_URL) snapshot, Kafka (DR_TEST_KAFKA_BROKERS) export, the config files and
// edge functions archived — every set complete in the store — and data-restore's plan in a dry run.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunReport } from '../../../src/runbook/run.js';
import { kafkaBrokers, redisUrl } from '../../helpers/services.js';

// The runbooks read both through env: references; asked for here so a missing one fails by name.
redisUrl();
kafkaBrokers();
const scratch = mkdtempSync(join(tmpdir(), 'dr-data-runbooks-'));
// Read by the worker's configuration (each test file runs in a process of its own).
process.env.DR_BACKUP_STORE = join(scratch, 'store');
const app = join(scratch, 'easymo');
for (const [path, text] of Object.entries({
  '.env.production': 'A=1\n',
  'supabase/config.toml': 'x = 1\n',
  'docker-compose.yml': 'services: {}\n',
  'services/wallet-service/Dockerfile': 'FROM node:20\n',
  'supabase/functions/admin-stats/index.ts': 'export default 1;\n',
})) {
  mkdirSync(dirname(join(app, path)), { recursive: true });
  writeFileSync(join(app, path), text);
}

describe('data runbooks', () => {
  let env: Awaited<ReturnType<typeof import('../../helpers/temporal.js').testEnv>>;
  before(async () => {
    const { testEnv } = await import('../../helpers/temporal.js');
    env = await testEnv({ runbooksDir: resolve(import.meta.dirname, '../../../runbooks') });
  });
  after(async () => {
    await env?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('data-backup: persistence checked, then Redis, Kafka, configs and functions side by side into the store', async () => {
    const inputs = { redis: 'env:DR_TEST_REDIS_URL', brokers: 'env:DR_TEST_KAFKA_BROKERS', appDir: app, tier: 'daily' };
    const handle = await env.start({ runbook: 'data-backup', mode: 'live', inputs });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded', report.outcome);
    const output = (id: string) => report.steps.find((s) => s.id === id)?.output as Record<string, unknown>;
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.status]),
      [['persistence', 'succeeded'], ['backups', 'succeeded'], ['redis', 'succeeded'], ['kafka', 'succeeded'], ['configs', 'succeeded'], ['functions', 'succeeded']],
    );
    assert.match(String(output('redis').location), new RegExp(`/store/redis/daily/\\d{8}T\\d{6}Z-redis-\\d+-[0-9a-f]{4}$`));
    assert.equal(output('configs').files, 4);
    assert.equal(output('functions').files, 1);
    assert.match(String(output('kafka').prefix), /^kafka\/daily$/);
    // The store lists them as complete backups, each kind under its own prefix.
    const { openStore } = await import('../../../src/activities/storage/open-store.js');
    const { listBackups } = await import('../../../src/activities/storage/manifest.js');
    const { loadConfig } = await import('../../../src/config.js');
    const listing = await listBackups(openStore(loadConfig()));
    assert.deepEqual(listing.backups.map((b) => [b.kind, b.prefix, b.verified]).sort(), [
      ['archive', 'configs/daily', true],
      ['archive', 'functions/daily', true],
      ['kafka', 'kafka/daily', true],
      ['redis', 'redis/daily', true],
    ]);
    assert.deepEqual(listing.incomplete, []);
  });

  it('data-restore in dry-run: the plan with the stop and start commands expanded, nothing touched', async () => {
    const handle = await env.start({ runbook: 'data-restore', mode: 'dry-run', inputs: { redis: 'env:DR_TEST_REDIS_URL', brokers: 'env:DR_TEST_KAFKA_BROKERS' } });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'planned', report.outcome);
    assert.deepEqual(report.steps.map((s) => s.id), ['approve', 'redis', 'kafka', 'configs']);
    const resolved = report.steps.find((s) => s.id === 'redis')?.resolved as Record<string, unknown>;
    assert.deepEqual(
      { stop: resolved.stop, start: resolved.start, url: resolved.url },
      { stop: ['systemctl', 'stop', 'redis-server'], start: ['systemctl', 'start', 'redis-server'], url: 'env:DR_TEST_REDIS_URL' },
    );
    // Nothing ran: every step is only planned.
    assert.deepEqual(report.steps.map((s) => s.status), ['planned', 'planned', 'planned', 'planned']);
  });
});
