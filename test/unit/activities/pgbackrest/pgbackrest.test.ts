// The pgbackrest.* actions in runbook files (defaults, shorthands, bad values at their line), and the
// pure parts of the activities: info parsing, WAL continuity, the generated config, measured RPO.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { archiveCommand, configText, secretsText, stanzaPaths } from '../../../../src/activities/pgbackrest/config.js';
import { backupBefore, parseInfo } from '../../../../src/activities/pgbackrest/info.js';
import { recoveryTime } from '../../../../src/activities/pgbackrest/restore.js';
import { firstMissingSegment, segmentOf } from '../../../../src/activities/pgbackrest/wal.js';
import { formatIssue, parseRunbook } from '../../../../src/runbook/load.js';
import { actionOf, errorsOf } from '../../../helpers/one-step.js';
import { rpoAchieved } from '../../../../src/runbook/rpo.js';
import { parseSchedules } from '../../../../src/runbook/schedules.js';


describe('pgbackrest actions in runbooks', () => {
  it('fills in defaults and accepts the shorthands', () => {
    assert.deepEqual(actionOf('    pgbackrest.backup: agent-core\n'), { kind: 'pgbackrest.backup', stanza: 'agent-core', type: 'incr' });
    assert.deepEqual(actionOf('    pgbackrest.info: agent-core\n'), { kind: 'pgbackrest.info', stanza: 'agent-core' });
    assert.deepEqual(actionOf('    pgbackrest.check: { stanza: agent-core }\n'), { kind: 'pgbackrest.check', stanza: 'agent-core' });
    assert.deepEqual(actionOf('    pgbackrest.stanza: { stanza: agent-core, pgPath: /var/lib/postgresql/15/main, repo: /var/lib/pgbackrest }\n'), {
      kind: 'pgbackrest.stanza',
      stanza: 'agent-core',
      pgPath: '/var/lib/postgresql/15/main',
      pgPort: 5432,
      pgSocketPath: '/var/run/postgresql',
      pgUser: 'postgres',
      repo: { path: '/var/lib/pgbackrest' },
      retentionFull: 2,
      compress: 'zst',
      processMax: 2,
      archive: true,
    });
    assert.deepEqual(actionOf('    pgbackrest.restore: { stanza: agent-core, target: time, time: "2024-03-15T11:30:00Z", dataDir: /srv/pitr, port: 5433 }\n'), {
      kind: 'pgbackrest.restore',
      stanza: 'agent-core',
      target: 'time',
      time: '2024-03-15T11:30:00Z',
      dataDir: '/srv/pitr',
      port: '5433',
      exclusive: false,
      verify: true,
    });
    const s3 = actionOf(
      '    pgbackrest.stanza: { stanza: a, pgPath: /d, repo: { s3: { bucket: b, endpoint: "s3.local:9000", key: env:K, secret: "file:/run/secrets/s" } } }\n',
    );
    assert.deepEqual((s3 as { repo: unknown }).repo, {
      path: '/pgbackrest',
      s3: { bucket: 'b', endpoint: 's3.local:9000', region: 'us-east-1', key: 'env:K', secret: 'file:/run/secrets/s', uriStyle: 'path' },
    });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a literal passphrase', '    pgbackrest.stanza: { stanza: a, pgPath: /d, repo: /r, cipherPass: hunter2 }\n', /t\.yaml:6 steps\[0\]\["pgbackrest\.stanza"\]\.cipherPass: Expected a secret reference like "env:NAME" or "file:\/path", got a literal value/],
    ['a literal S3 secret', '    pgbackrest.stanza: { stanza: a, pgPath: /d, repo: { s3: { bucket: b, endpoint: h, key: env:K, secret: abc } } }\n', /repo\.s3\.secret: Expected a secret reference/],
    ['an endpoint with a scheme', '    pgbackrest.stanza: { stanza: a, pgPath: /d, repo: { s3: { bucket: b, endpoint: "http://h:9000", key: env:K, secret: env:S } } }\n', /repo\.s3\.endpoint: Expected a host or host:port without a scheme/],
    ['no repository', '    pgbackrest.stanza: { stanza: a, pgPath: /d, repo: {} }\n', /repo: Expected a repository/],
    ['a bad backup type', '    pgbackrest.backup: { stanza: a, type: weekly }\n', /\["pgbackrest\.backup"\]\.type: Expected one of full, diff, incr, got "weekly"/],
    ['a time target without a time', '    pgbackrest.restore: { stanza: a, target: time, dataDir: /x, port: 5433 }\n', /\["pgbackrest\.restore"\]\.time: Expected `time` for target time/],
    ['a label with target latest', '    pgbackrest.restore: { stanza: a, label: 20240101-000000F, dataDir: /x, port: 5433 }\n', /\["pgbackrest\.restore"\]\.label: Expected no `label` for target latest \(set target: label\)/],
    ['a malformed label', '    pgbackrest.restore: { stanza: a, target: label, label: yesterday, dataDir: /x, port: 5433 }\n', /label: Expected a backup label like 20240315-020000F/],
    ['a bad time', '    pgbackrest.restore: { stanza: a, target: time, time: noon, dataDir: /x, port: 5433 }\n', /time: Expected an ISO time/],
  ];
  for (const [what, step, expected] of bad) {
    it(`reports ${what} at its line`, () => {
      const errors = errorsOf(step);
      assert.ok(errors.some((e) => expected.test(e)), errors.join('\n'));
    });
  }
});

describe('pgbackrest activity helpers', () => {
  const info = JSON.stringify([
    {
      name: 'agent-core',
      status: { code: 0, message: 'ok' },
      repo: [{ status: { code: 0, message: 'ok' } }],
      cipher: 'aes-256-cbc',
      db: [{ version: '15' }],
      archive: [{ id: '15-1', min: '000000010000000000000001', max: '000000010000000000000009' }],
      backup: [
        { label: '20240101-020000F', type: 'full', timestamp: { start: 1704074400, stop: 1704074460 }, info: { size: 100, repository: { delta: 20, size: 20 } }, archive: { start: '000000010000000000000002', stop: '000000010000000000000002' }, prior: null },
        { label: '20240101-020000F_20240102-020000D', type: 'diff', timestamp: { start: 1704160800, stop: 1704160830 }, info: { size: 100, repository: { delta: 5, size: 5 } }, archive: { start: '000000010000000000000006', stop: '000000010000000000000006' }, prior: '20240101-020000F' },
      ],
    },
  ]);

  it('parses info into backups, the latest, and the WAL range', () => {
    const parsed = parseInfo(info, 'agent-core');
    assert.equal(parsed.latest?.label, '20240101-020000F_20240102-020000D');
    assert.equal(parsed.latest?.prior, '20240101-020000F');
    assert.equal(parsed.backups[0]!.stoppedAt, '2024-01-01T02:01:00.000Z');
    assert.deepEqual(parsed.archive, { id: '15-1', min: '000000010000000000000001', max: '000000010000000000000009' });
    assert.equal(parsed.pgVersion, '15');
    // A time between the two backups starts from the full one.
    assert.equal(backupBefore(parsed.backups, Date.parse('2024-01-01T12:00:00Z'))?.label, '20240101-020000F');
    assert.equal(backupBefore(parsed.backups, Date.parse('2023-12-31T00:00:00Z')), undefined);
    assert.throws(() => parseInfo(info, 'other'), /pgbackrest info has no stanza "other" \(found: agent-core\)/);
  });

  it('finds the first WAL segment missing on the backup\'s timeline', () => {
    const H = '0123456789abcdef0123456789abcdef01234567'; // the sha1 pgBackRest appends
    const files = [`0000000100000000/000000010000000000000002-${H}.zst`, `0000000100000000/000000010000000000000003-${H}.zst`, `0000000100000000/000000010000000000000005-${H}.zst`, '00000001.history'];
    assert.equal(firstMissingSegment(files, '000000010000000000000002'), '000000010000000000000004');
    assert.equal(firstMissingSegment(files, '000000010000000000000002', '000000010000000000000003'), undefined);
    assert.equal(firstMissingSegment(files, '000000010000000000000005'), undefined);
    // Crossing from log 0 to log 1 (segment FF, then 100).
    const crossing = [`0000000100000000/0000000100000000000000FF-${H}.gz`, `0000000100000001/000000010000000100000000-${H}.gz`];
    assert.equal(firstMissingSegment(crossing, '0000000100000000000000FF'), undefined);
    assert.equal(segmentOf('00000002.history'), undefined);
  });

  it('writes a config without secrets and a separate secrets file; the archive_command is quoted', () => {
    const paths = stanzaPaths('/srv/dr state/pgbackrest', 'agent-core');
    const text = configText(
      { stanza: 'agent-core', pgPath: '/d', pgPort: 5432, pgSocketPath: '/s', pgUser: 'postgres', repo: { path: '/pgbackrest', s3: { bucket: 'b', endpoint: 'h:9000', region: 'r', key: 'env:K', secret: 'env:S', uriStyle: 'path' } }, retentionFull: 2, compress: 'zst', processMax: 2, encrypted: true },
      paths,
    );
    assert.match(text, /repo1-s3-endpoint=h\nrepo1-storage-port=9000\n/);
    assert.match(text, /repo1-cipher-type=aes-256-cbc/);
    assert.doesNotMatch(text, /env:|key-secret|cipher-pass/);
    assert.equal(secretsText({ s3Key: 'K1', s3Secret: 'S1', cipherPass: 'P1' }).split('\n').slice(1, 5).join('|'), '[global]|repo1-s3-key=K1|repo1-s3-key-secret=S1|repo1-cipher-pass=P1');
    assert.equal(
      archiveCommand('pgbackrest', paths, 'agent-core'),
      "pgbackrest '--config=/srv/dr state/pgbackrest/agent-core/pgbackrest.conf' '--config-include-path=/srv/dr state/pgbackrest/agent-core/conf.d' --stanza=agent-core archive-push %p",
    );
  });

  it('gives PostgreSQL an unambiguous recovery target time', () => {
    assert.equal(recoveryTime('2024-03-15T13:30:00.123+02:00'), '2024-03-15 11:30:00.123+00');
    assert.throws(() => recoveryTime('noon'), /Expected an ISO time like 2024-03-15T11:30:00Z, got "noon"/);
  });

  it('takes the measured RPO of a point-in-time restore (last transaction recovered), not the backup age', () => {
    const output = {
      backup: { id: '20240101-020000F', createdAt: '2024-01-01T02:01:00.000Z' },
      rpo: { incidentAt: '2024-01-01T12:00:00.000Z', lastTransactionAt: '2024-01-01T11:59:58.500Z', achievedMs: 1_500 },
    };
    assert.deepEqual(rpoAchieved([{ id: 'restore', output }]), {
      achievedMs: 1_500,
      backupId: '20240101-020000F',
      backupCreatedAt: '2024-01-01T02:01:00.000Z',
      lastTransactionAt: '2024-01-01T11:59:58.500Z',
      step: 'restore',
    });
  });
});

describe('the PITR runbooks and schedules', () => {
  const dir = new URL('../../../../runbooks/', import.meta.url);
  const load = (name: string) => {
    // people.yaml's roles, as `dr validate` merges them.
    const roles = { oncall: ['devops-oncall'], 'backend-lead': ['backend-lead'] };
    const { runbook: rb, errors } = parseRunbook(readFileSync(new URL(name, dir), 'utf8'), name, { roles });
    assert.deepEqual(errors.map(formatIssue), [], name);
    return rb!;
  };

  it('point-in-time-recovery restores agent-core through pgBackRest behind an approval, verifies, and leaves the switch-over to people', () => {
    const rb = load('point-in-time-recovery.yaml');
    assert.deepEqual(rb.steps.map((s) => [s.id, s.action.kind]), [
      ['info', 'pgbackrest.info'],
      ['approve', 'approval'],
      ['restore', 'pgbackrest.restore'],
      ['verify', 'parallel'],
      ['checklist', 'manual'],
      ['switch-over', 'manual'],
    ]);
    const restore = rb.steps[2]!.action;
    assert.ok(restore.kind === 'pgbackrest.restore' && (restore.target as string) === '{{ inputs.target }}' && restore.time === '{{ inputs.target_time }}');
    assert.equal(rb.inputs.target?.default, 'time');
    assert.equal(rb.inputs.target_time?.default, '', 'empty: the incident time');
    // The monthly restore test runs it as a drill, unattended: the restore is not rehearsed.
    assert.ok(rb.steps[2]!.safeToRehearse);
    // The Supabase dashboard path stays, under its own id.
    assert.equal(load('supabase-point-in-time-recovery.yaml').id, 'supabase-point-in-time-recovery');
  });

  it('schedules a weekly full, a daily diff and a monthly restore test', () => {
    const { schedules, errors } = parseSchedules(readFileSync(new URL('schedules.yaml', dir), 'utf8'), 'schedules.yaml');
    assert.deepEqual(errors, []);
    const pitr = schedules!.schedules.filter((s) => s.id.startsWith('pitr-')).map((s) => [s.id, s.cron.join(), s.runbook, s.mode, s.inputs]);
    assert.deepEqual(pitr, [
      ['pitr-weekly-full', '0 1 * * SUN', 'pitr-backup', 'live', { type: 'full' }],
      ['pitr-daily-diff', '0 1 * * MON-SAT', 'pitr-backup', 'live', { type: 'diff' }],
      ['pitr-monthly-restore-test', '0 7 2 * *', 'pitr-restore-test', 'drill', {}],
    ]);
    for (const file of ['pitr-setup.yaml', 'pitr-backup.yaml', 'pitr-restore-test.yaml']) load(file);
  });
});
