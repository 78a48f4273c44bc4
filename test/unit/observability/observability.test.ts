// The worker's log lines, its Runtime options (Prometheus endpoint), the visibility queries behind
// the run gauges, and the Markdown the UI shows as a run's Current Details.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogTimestamp } from '@temporalio/worker';
import { loadConfig } from '../../../src/config.js';
import type { StepRecord } from '../../../src/runbook/run.js';
import { createLogger, logRecord, toJsonLine } from '../../../src/observability/logger.js';
import { gaugeQueries } from '../../../src/observability/run-gauges.js';
import { metricsUrl, runtimeOptions } from '../../../src/observability/runtime.js';
import { runDetails } from '../../../src/workflows/details.js';
import { step } from '../../helpers/run-report.js';

const root = resolve(import.meta.dirname, '../../..');

describe('worker log lines', () => {
  const nanos = BigInt(Date.parse('2026-11-25T10:00:00.000Z')) * 1_000_000n;

  test('JSON: one object a line with time, level, msg and the attributes; workflowRunId becomes runId, no task token', () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', level: 'INFO', write: (l) => lines.push(l) });
    logger.info('Activity completed', { workflowId: 'w1', workflowRunId: 'r1', activityType: 'runShell', stepId: 'restore', taskToken: 'xyz', [LogTimestamp]: nanos });
    logger.debug('hidden below INFO');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    assert.deepEqual(JSON.parse(lines[0]!), {
      time: '2026-11-25T10:00:00.000Z',
      level: 'info',
      msg: 'Activity completed',
      workflowId: 'w1',
      runId: 'r1',
      activityType: 'runShell',
      stepId: 'restore',
    });
  });

  test('errors, bigints and cycles serialise', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const line = JSON.parse(toJsonLine({ error: new Error('boom'), big: 10n, cyclic })) as Record<string, Record<string, unknown>>;
    assert.equal(line.error!.message, 'boom');
    assert.equal(line.big, '10');
    assert.equal(line.cyclic!.self, '[circular]');
  });

  test('text format for people at a terminal', () => {
    const lines: string[] = [];
    createLogger({ format: 'text', level: 'INFO', write: (l) => lines.push(l) }).warn('step "x" failed', { sdkComponent: 'workflow', stepId: 'x', [LogTimestamp]: nanos });
    assert.equal(lines[0], '2026-11-25T10:00:00.000Z WARN  [workflow] step "x" failed  stepId=x\n');
  });

  test("process warnings become log lines: a JSON log stays one object a line (Node's own printer is replaced)", () => {
    // A process of its own: the worker's Runtime is installed once per process. The AWS SDK's notice
    // about Node versions is the warning a worker with an S3 store prints: emitted directly (whatever
    // the Node version), and by the SDK itself when this Node is older than its next floor.
    const script = [
      `const { installRuntime } = await import(${JSON.stringify(join(root, 'src/observability/runtime.ts'))});`,
      `installRuntime({ DR_LOG_FORMAT: 'json', DR_LOG_LEVEL: 'INFO' });`,
      `process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nversions published after the first week of January 2027\\nwill require node >=22.');`,
      `process.emitWarning('old API', { type: 'DeprecationWarning', code: 'DEP0999' });`,
      `const { S3Client } = await import('@aws-sdk/client-s3');`,
      `new S3Client({ region: 'us-east-1' });`,
      `await new Promise((r) => setTimeout(r, 50));`,
      // The Runtime's native threads keep a process alive.
      `process.exit(0);`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'nothing printed outside the log');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const warnings = lines.filter((l) => l.warning !== undefined);
    const sdkNotice = lines.filter((l) => String(l.msg).includes('You are running node'));
    if (Number(process.versions.node.split('.')[0]) < 22) {
      assert.equal(sdkNotice.length, 1, `the AWS SDK's own notice, as a log line: ${r.stdout}`);
      assert.equal(sdkNotice[0]!.level, 'warn');
    }
    assert.deepEqual(
      warnings.filter((w) => !sdkNotice.includes(w)).map(({ level, msg, warning, code }) => ({ level, msg, warning, code })),
      [
        { level: 'warn', msg: 'Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after the first week of January 2027\nwill require node >=22.', warning: 'Warning', code: undefined },
        { level: 'warn', msg: 'DeprecationWarning: old API', warning: 'DeprecationWarning', code: 'DEP0999' },
      ],
    );
  });

  test('logRecord keeps the SDK timestamp', () => {
    assert.equal(logRecord({ message: 'm', level: 'INFO', timestampNanos: nanos, meta: {} }).time, '2026-11-25T10:00:00.000Z');
  });
});

describe('runtime options', () => {
  const logger = createLogger({ format: 'json', level: 'INFO', write: () => {} });

  test('no DR_METRICS_PORT: no metrics exporter', () => {
    const config = loadConfig({});
    assert.equal(runtimeOptions(config, logger).telemetryOptions.metrics, undefined);
    assert.equal(metricsUrl(config), undefined);
  });

  test('DR_METRICS_PORT: Prometheus on host:port, seconds, _total counters, our buckets', () => {
    const config = loadConfig({ DR_METRICS_PORT: '9464', DR_METRICS_HOST: '0.0.0.0' });
    const { prometheus } = runtimeOptions(config, logger).telemetryOptions.metrics as { prometheus: Record<string, unknown> };
    assert.equal(prometheus.bindAddress, '0.0.0.0:9464');
    assert.equal(prometheus.useSecondsForDurations, true);
    assert.equal(prometheus.countersTotalSuffix, true);
    assert.ok((prometheus.histogramBucketOverrides as Record<string, number[]>).dr_step_budget_ratio!.includes(1));
    assert.equal(metricsUrl(config), 'http://localhost:9464/metrics');
  });

  test('bad metrics and log settings name the variable', () => {
    assert.throws(() => loadConfig({ DR_METRICS_PORT: '70000' }), /DR_METRICS_PORT: Expected a port number \(1-65535\), got "70000"/);
    assert.throws(() => loadConfig({ DR_LOG_LEVEL: 'loud' }), /DR_LOG_LEVEL: Expected TRACE, DEBUG, INFO, WARN or ERROR, got "LOUD"/);
    assert.equal(loadConfig({ DR_LOG_LEVEL: 'warn' }).DR_LOG_LEVEL, 'WARN');
  });
});

test('gauge queries count running runs of the task queue by the search attributes the runs keep', () => {
  assert.deepEqual(gaugeQueries('dr'), {
    running: 'TaskQueue = "dr" AND ExecutionStatus = "Running" AND DrRunbook IS NOT NULL',
    waitingOnPeople: 'TaskQueue = "dr" AND ExecutionStatus = "Running" AND DrStatus = "waiting"',
    rtoAtRisk: 'TaskQueue = "dr" AND ExecutionStatus = "Running" AND DrRtoStatus = "at-risk"',
    rtoBreached: 'TaskQueue = "dr" AND ExecutionStatus = "Running" AND DrRtoStatus = "breached"',
  });
});

describe('runDetails (the UI\'s Current Details)', () => {
  const record = (patch: Partial<StepRecord>): StepRecord => step({ id: 'x', title: 'X', kind: 'shell', budgetMs: 60_000, status: 'pending', ...patch });

  test('verdict, RTO, the Send Signal payload for whoever must act, and budget vs actual per step', () => {
    const text = runDetails({
      title: 'Restore | primary',
      mode: 'drill',
      status: 'waiting',
      rto: { status: 'at-risk', elapsedMs: 125_000, forecastMs: 3_500_000 },
      rtoMs: 3_600_000,
      workflowId: 'restore-1',
      records: [
        record({ id: 'dump', title: 'Take a | dump & co', status: 'succeeded', startedAt: 0, endedAt: 90_000, overrunAt: 61_000 }),
        record({ id: 'gate', title: 'Approve', kind: 'approval', status: 'waiting', budgetMs: 600_000, startedAt: 90_000, waits: [{ for: 'approval', since: 90_000 }] }),
        record({ id: 'a', title: 'A', parentId: 'group' }),
      ],
      waiting: [['gate', { for: 'approval', who: 'dba (alice, bob)', approvals: '1 of 2' }]],
      refused: [{ at: 100_000, message: 'unknown', name: 'approv', via: 'signal', by: 'alice', step: 'gate', accepted: false, reason: 'unknown signal "approv"; expected one of approve, reject, complete, decide, abort' }],
      now: 125_000,
    });
    assert.equal(
      text,
      [
        '**Restore | primary** (drill): **waiting**',
        '',
        'RTO 1h: **at-risk** — elapsed 2m5s, forecast 58m20s',
        '',
        '**Waiting on people**: step `gate` (approval, 1 of 2 given), answered by dba (alice, bob). Send Signal `approve` with `{"step": "gate", "by": "<you>"}`, or `dr approve restore-1 gate --as <you>`',
        '',
        'Refused signal `approv` from alice for `gate`: unknown signal "approv"; expected one of approve, reject, complete, decide, abort',
        '',
        'Next: the people named above answer (Send Signal, or the `dr` command shown)',
        '',
        // Non-breaking spaces keep the columns apart in the UI, which pads no cell.
        '| step | \u00a0\u00a0\u00a0status | \u00a0\u00a0\u00a0budget | \u00a0\u00a0\u00a0actual | \u00a0\u00a0\u00a0waiting on people |',
        '|:---|:---|---:|---:|---:|',
        '| `dump` Take a \\| dump & co | \u00a0\u00a0\u00a0succeeded (over budget) | \u00a0\u00a0\u00a01m | \u00a0\u00a0\u00a01m30s |  |',
        '| `gate` Approve | \u00a0\u00a0\u00a0waiting | \u00a0\u00a0\u00a010m | \u00a0\u00a0\u00a035s so far | \u00a0\u00a0\u00a035s |',
        '| ↳ `a` A | \u00a0\u00a0\u00a0pending | \u00a0\u00a0\u00a01m |  |  |',
      ].join('\n'),
    );
  });

  test('once the run ended: the RTO and RPO verdicts with their figures, and the report as the next action', () => {
    const text = runDetails({
      title: 'Loss',
      mode: 'drill',
      status: 'succeeded',
      rto: { status: 'on-track', elapsedMs: 95_000, forecastMs: 95_000 },
      rtoMs: 4 * 3_600_000,
      rpoMs: 24 * 3_600_000,
      rpo: { achievedMs: 180_000, backupId: 'daily-1', step: 'restore' },
      workflowId: 'loss-1',
      records: [],
      waiting: [],
      now: 95_000,
    });
    assert.equal(
      text.split('\n').slice(0, 8).join('\n'),
      [
        '**Loss** (drill): **succeeded**',
        '',
        'RTO 4h: **met** — took 1m35s of 4h',
        '',
        'RPO 1d: **met** — 3m of data lost (backup daily-1)',
        '',
        'Next: read the report: `dr report loss-1` (or this run\'s Result)',
        '',
      ].join('\n'),
    );
    const breached = runDetails({ title: 'Loss', mode: 'live', status: 'failed', rto: { status: 'breached', elapsedMs: 5 * 3_600_000, forecastMs: 0 }, rtoMs: 4 * 3_600_000, workflowId: 'l', records: [], waiting: [], now: 0 });
    assert.match(breached, /^RTO 4h: \*\*missed\*\* — took 5h of 4h$/m);
  });
});
