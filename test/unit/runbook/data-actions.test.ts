// The redis.*, kafka.* and archive actions in runbook files: shorthands, defaults, and bad values
// reported at their line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionOf, errorsOf } from '../../helpers/one-step.js';


describe('data actions in runbooks', () => {
  it('fills in defaults', () => {
    assert.deepEqual(actionOf('    redis.snapshot: env:REDIS_URL\n'), { kind: 'redis.snapshot', url: 'env:REDIS_URL', prefix: 'redis/daily' });
    assert.deepEqual(actionOf('    redis.persistence: env:REDIS_URL\n'), { kind: 'redis.persistence', url: 'env:REDIS_URL', appendonly: true, appendfsync: 'everysec', rewriteConfig: true });
    assert.deepEqual(actionOf('    redis.restore: { url: env:REDIS_URL, stop: systemctl stop redis-server, start: [systemctl, start, redis-server] }\n'), {
      kind: 'redis.restore',
      url: 'env:REDIS_URL',
      backup: 'latest',
      prefix: 'redis',
      stop: ['systemctl', 'stop', 'redis-server'],
      start: ['systemctl', 'start', 'redis-server'],
    });
    assert.deepEqual(actionOf('    kafka.export: { brokers: "k1:9092, k2:9092" }\n'), { kind: 'kafka.export', brokers: ['k1:9092', 'k2:9092'], ssl: false, prefix: 'kafka/daily', topics: [], groups: [] });
    assert.deepEqual(actionOf('    kafka.restore: { brokers: [k1:9092], groups: ["wallet-*"] }\n'), {
      kind: 'kafka.restore',
      brokers: ['k1:9092'],
      ssl: false,
      backup: 'latest',
      prefix: 'kafka',
      topics: [],
      groups: ['wallet-*'],
      createTopics: true,
      resetOffsets: true,
    });
    assert.deepEqual(actionOf('    archive: { cwd: /srv/easymo, paths: [supabase/functions/] }\n'), {
      kind: 'archive',
      cwd: '/srv/easymo',
      paths: ['supabase/functions/'],
      exclude: [],
      prefix: 'configs/daily',
      missing: 'fail',
      compression: 6,
    });
    assert.deepEqual(actionOf('    archive.restore: { target: /tmp/r }\n'), { kind: 'archive.restore', target: '/tmp/r', backup: 'latest', prefix: 'configs', overwrite: false });
  });

  it('reports bad values at their line', () => {
    const cases: Array<[string, string[]]> = [
      ['    redis.snapshot: { url: env:REDIS_URL, prefix: "../up" }\n', ['t.yaml:6 steps[0]["redis.snapshot"].prefix: Expected a prefix like daily or agent-core/weekly, got "../up"']],
      ['    redis.restore: { url: env:REDIS_URL, start: redis-server }\n', ['t.yaml:6 steps[0]["redis.restore"].stop: Expected a command as a list of arguments or a string, got nothing']],
      ['    redis.persistence: { url: x, appendfsync: sometimes }\n', ['t.yaml:6 steps[0]["redis.persistence"].appendfsync: Invalid option: expected one of "always"|"everysec"|"no"']],
      ['    kafka.restore: { brokers: k:9092, replicationFactor: 0 }\n', ['t.yaml:6 steps[0]["kafka.restore"].replicationFactor: Too small: expected number to be >=1']],
      ['    archive: { cwd: /srv, paths: [] }\n', ['t.yaml:6 steps[0].archive.paths: Expected at least one path or glob']],
      ['    archive.restore: { target: /tmp/r, incidentAt: yesterday }\n', ['t.yaml:6 steps[0]["archive.restore"].incidentAt: Expected an ISO time like 2024-03-15T11:30:00Z, got "yesterday"']],
    ];
    for (const [step, expected] of cases) assert.deepEqual(errorsOf(step), expected, step);
  });
});
