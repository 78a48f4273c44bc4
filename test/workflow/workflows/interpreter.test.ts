// The interpreter on a real Temporal dev server with the real activities: happy path, approvals
// and their refusals, manual steps, parallel groups, templating, dry-run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { RunReport } from '../../../src/runbook/run.js';
import { approveSignal, approveUpdate, completeUpdate, reportQuery } from '../../../src/workflows/messages.js';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { stepOf, testEnv, waitForProgress, workflowBundle, type TestEnv } from '../../helpers/temporal.js';

let env: TestEnv;
const dir = mkdtempSync(join(tmpdir(), 'dr-interp-'));
before(async () => {
  env = await testEnv();
});
after(async () => env?.close());

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => assert.fail('expected the update to be refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(err)}`);
  return err.cause?.message ?? '';
}

describe('runbook workflow', () => {
  test('happy path: templating, quorum approval with refusals, parallel group, manual step, report', async () => {
    const marker = join(dir, 'happy.txt');
    const handle = await env.start({ runbook: 'happy', mode: 'drill', inputs: { marker } });
    await waitForProgress(handle, (p) => stepOf(p, 'gate').waitingFor === 'approval');
    // Values reach the command as argv: the shell metacharacters arrive verbatim.
    assert.equal(readFileSync(marker, 'utf8'), 'hello world; $(rm -rf /)\n');

    await handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', by: 'alice' }] });
    assert.equal(
      await refusal(handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', by: 'alice' }] })),
      'approve: "alice" already approved step "gate"; 2 distinct approvals needed, 1 given',
    );
    assert.equal(
      await refusal(handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', by: 'mallory' }] })),
      'approve: "mallory" may not act on step "gate"; expected one of dba (alice, bob), lead (carol)',
    );
    assert.equal(
      await refusal(handle.executeUpdate(completeUpdate, { args: [{ step: 'confirm', by: 'carol' }] })),
      'complete: step "confirm" is not waiting for completion (it is pending)',
    );
    // A refused signal changes nothing but is recorded.
    await handle.signal(approveSignal, { step: 'gate', by: 'eve', comment: 'let me in' });
    const stillWaiting = await waitForProgress(handle, () => true);
    assert.equal(stepOf(stillWaiting, 'gate').approvals, '1/2');

    await handle.signal(approveSignal, { step: 'gate', by: 'carol', comment: 'go' });
    await waitForProgress(handle, (p) => stepOf(p, 'confirm').waitingFor === 'completion');
    assert.equal(
      await refusal(handle.executeUpdate(completeUpdate, { args: [{ step: 'confirm', by: 'alice' }] })),
      'complete: "alice" may not act on step "confirm"; expected one of lead (carol)',
    );
    const ack = await handle.executeUpdate(completeUpdate, { args: [{ step: 'confirm', by: 'carol', comment: 'dashboard green' }] });
    assert.equal(ack.accepted, true);

    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.status, s.parentId ?? null]),
      [
        ['echo', 'succeeded', null],
        ['record', 'succeeded', null],
        ['gate', 'succeeded', null],
        ['both', 'succeeded', null],
        ['left', 'succeeded', 'both'],
        ['right', 'succeeded', 'both'],
        ['confirm', 'succeeded', null],
      ],
    );
    const gate = report.steps.find((s) => s.id === 'gate')!;
    assert.deepEqual(gate.approvals.map((a) => a.by), ['alice', 'carol']);
    assert.equal(gate.waits.length, 1);
    assert.ok(gate.waits[0]!.until! > gate.waits[0]!.since);
    assert.equal(report.steps.find((s) => s.id === 'confirm')!.completedBy?.comment, 'dashboard green');
    assert.deepEqual(
      report.audit.map((a) => [a.message, a.via, a.by, a.accepted]),
      [
        ['approve', 'update', 'alice', true],
        ['approve', 'update', 'alice', false],
        ['approve', 'update', 'mallory', false],
        ['complete', 'update', 'carol', false],
        ['approve', 'signal', 'eve', false],
        ['approve', 'signal', 'carol', true],
        ['complete', 'update', 'alice', false],
        ['complete', 'update', 'carol', true],
      ],
    );
    assert.equal(report.audit[4]!.reason, 'approve: "eve" may not act on step "gate"; expected one of dba (alice, bob), lead (carol)');
    assert.match(report.runbook.sha256, /^[0-9a-f]{64}$/);
    assert.equal(report.runbook.file, 'happy.yaml');

    // The report is kept beside the backups under the run id.
    const stored = report.events.find((e) => e.type === 'report-stored');
    assert.match(stored?.detail ?? '', new RegExp(`^report written to .*reports/${handle.workflowId}$`));
    const location = stored!.detail.replace('report written to ', '');
    if (!location.startsWith('s3://')) assert.match(readFileSync(join(location, 'report.md'), 'utf8'), /^# Drill report: Happy path/);

    // The SDK's determinism check: the recorded history replays against today's workflow code.
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
    // DR_RECORD_HISTORY=<name>: kept as test/fixtures/histories/<name>.pb, which replay.test.ts
    // replays on every later version of the workflow code (record one before changing commands).
    const name = process.env.DR_RECORD_HISTORY;
    if (name) writeFileSync(join(import.meta.dirname, '../../fixtures/histories', `${name}.pb`), proto.temporal.api.history.v1.History.encode(history).finish());
  });

  test('dry-run executes nothing and shows each resolved action and the forecast', async () => {
    const marker = join(dir, 'dry.txt');
    const handle = await env.start({ runbook: 'happy', mode: 'dry-run', inputs: { marker } });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'planned');
    assert.equal(existsSync(marker), false, 'a dry-run must not run commands');
    assert.ok(report.steps.every((s) => s.status === 'planned' && s.attempts.length === 0));
    assert.deepEqual((report.steps[0]!.resolved as { command: string[] }).command, ['printf', '%s', 'hello world; $(rm -rf /)']);
    assert.equal(report.rto.forecastMs, 670_000);
    assert.deepEqual(report.audit, []);
  });

  test('bad input fails the run at once with a message naming the input', async () => {
    const handle = await env.start({ runbook: 'happy', mode: 'drill', inputs: {} });
    await assert.rejects(handle.result(), (err: Error & { cause?: Error }) => {
      assert.match(err.cause?.message ?? '', /Invalid inputs for runbook "happy": Input "marker" is required/);
      return true;
    });
  });

  test('a run writes only the events it needs: one patch marker, one monitor timer, no cancelled timer', async () => {
    // The engine bench's runbook: what each extra event over a bare workflow is for is in BENCHMARKS.md.
    const handle = await env.start({ runbook: 'five-steps', mode: 'live' });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    const { EventType } = proto.temporal.api.enums.v1;
    const count = new Map<string, number>();
    for (const e of (await handle.fetchHistory()).events ?? []) {
      const type = EventType[e.eventType!]!.replace(/^EVENT_TYPE_/, '');
      const key = type === 'MARKER_RECORDED' ? `${type} ${e.markerRecordedEventAttributes?.markerName}` : type;
      count.set(key, (count.get(key) ?? 0) + 1);
    }
    assert.deepEqual(
      {
        activities: count.get('ACTIVITY_TASK_SCHEDULED'),
        patches: count.get('MARKER_RECORDED core_patch'),
        localActivities: count.get('MARKER_RECORDED core_local_activity'),
        upserts: count.get('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
        timersStarted: count.get('TIMER_STARTED'),
        timersCancelled: count.get('TIMER_CANCELED') ?? 0,
      },
      // One patch (`flat-steps`) and the SDK's TemporalChangeVersion upsert with it; DrStatus at the
      // first look and at the end; the monitor's one timer for the first step's budget, kept after.
      { activities: 5, patches: 1, localActivities: 2, upserts: 3, timersStarted: 1, timersCancelled: 0 },
    );
  });

  test('an unknown runbook fails with the ids that exist', async () => {
    const handle = await env.start({ runbook: 'nope', mode: 'drill' });
    await assert.rejects(handle.result(), (err: Error & { cause?: Error }) => {
      // loadRunbook is a local activity: its ApplicationFailure is the run's failure, not wrapped in an ActivityFailure.
      assert.equal(err.cause?.name, 'ApplicationFailure');
      assert.match(err.cause?.message ?? '', /nope/);
      assert.match(err.cause?.message ?? '', /happy/);
      return true;
    });
  });

  test('a sub-runbook runs as a child run whose outputs later steps can use', async () => {
    const handle = await env.start({ runbook: 'parent', mode: 'drill' });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    const sub = report.steps[0]!.output as { workflowId: string; status: string };
    assert.equal(sub.workflowId, `${handle.workflowId}--sub-1`);
    assert.equal(sub.status, 'succeeded');
    assert.equal((report.steps[1]!.output as { stdout: string }).stdout, 'child said: hello world (drill)');
    const child = (await env.client.workflow.getHandle(sub.workflowId).result()) as RunReport;
    assert.equal(child.runbook.id, 'child');
  });

  test('the report query answers while the run waits', async () => {
    const handle = await env.start({ runbook: 'happy', mode: 'drill', inputs: { marker: join(dir, 'q.txt') } });
    await waitForProgress(handle, (p) => p.status === 'waiting');
    const report = await handle.query(reportQuery);
    assert.equal(report.status, 'waiting');
    assert.equal(report.steps.find((s) => s.id === 'gate')!.status, 'waiting');
    await handle.terminate('test done');
  });

  test("the UI's stack trace of a waiting run names the workflow's source files (the bundle's map has no sourcesContent)", async () => {
    const handle = await env.start({ runbook: 'happy', mode: 'drill', inputs: { marker: join(dir, 's.txt') } });
    await waitForProgress(handle, (p) => p.status === 'waiting');
    const trace = await handle.query<string>('__stack_trace');
    assert.match(trace, /src\/workflows\/[\w-]+\.ts:\d+:\d+/, `expected frames mapped to src/workflows/*.ts, got:\n${trace}`);
    await handle.terminate('test done');
  });
});
