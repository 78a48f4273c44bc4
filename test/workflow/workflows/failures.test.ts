// Failure handling on a real Temporal dev server: onFailure ask (retry / skip / abort), hard
// timeouts, budget overruns recorded while the step runs, and aborting a run mid-step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RunReport } from '../../../src/runbook/run.js';
import { abortUpdate, decideUpdate, reportQuery } from '../../../src/workflows/messages.js';
import { stepOf, testEnv, waitForProgress, type TestEnv } from '../../helpers/temporal.js';

let env: TestEnv;
const dir = mkdtempSync(join(tmpdir(), 'dr-fail-'));
before(async () => {
  env = await testEnv();
});
after(async () => env?.close());

/** The report a failed or aborted run carries in its failure. */
async function failedReport(promise: Promise<unknown>): Promise<{ type?: string; message: string; report: RunReport }> {
  const err = await promise.then(
    () => assert.fail('expected the run to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError);
  const cause = err.cause;
  assert.ok(cause instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(cause)}`);
  return { type: cause.type ?? undefined, message: cause.message, report: cause.details?.[0] as RunReport };
}

function askInputs(name: string) {
  return { flag: join(dir, `${name}.flag`), counter: join(dir, `${name}.count`) };
}
const runs = (file: string) => readFileSync(file, 'utf8').trim().split('\n').length;

describe('onFailure: ask', () => {
  test('retry after the cause is fixed: the step runs again and the run goes on', async () => {
    const inputs = askInputs('retry');
    const handle = await env.start({ runbook: 'ask', mode: 'drill', inputs });
    const waiting = await waitForProgress(handle, (p) => stepOf(p, 'flaky').waitingFor === 'decision');
    assert.equal(stepOf(waiting, 'flaky').attempts, 2, 'the retry policy (2 attempts) runs before people are asked');
    assert.equal(runs(inputs.counter), 2);
    writeFileSync(inputs.flag, '');
    await handle.executeUpdate(decideUpdate, { args: [{ step: 'flaky', by: 'olive', decision: 'retry', comment: 'flag restored' }] });
    const report = (await handle.result()) as RunReport;
    const flaky = report.steps.find((s) => s.id === 'flaky')!;
    assert.equal(flaky.status, 'succeeded');
    assert.deepEqual(flaky.attempts.map((a) => a.outcome), ['failed', 'failed', 'succeeded']);
    assert.match(flaky.attempts[0]!.error!, /^Command failed with exit code 3: echo x >>/);
    assert.match(flaky.attempts[0]!.error!, /flag missing/);
    assert.deepEqual(flaky.decisions.map((d) => [d.decision, d.by]), [['retry', 'olive']]);
    assert.deepEqual((report.steps[1]!.output as { stdout: string }).stdout, 'after succeeded');
  });

  test('skip: the step is recorded as skipped and the run goes on', async () => {
    const handle = await env.start({ runbook: 'ask', mode: 'drill', inputs: askInputs('skip') });
    await waitForProgress(handle, (p) => stepOf(p, 'flaky').waitingFor === 'decision');
    await handle.executeUpdate(decideUpdate, { args: [{ step: 'flaky', by: 'olive', decision: 'skip' }] });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.steps[0]!.status, 'skipped');
    assert.equal(report.steps[0]!.note, 'skipped by olive after it failed');
    assert.equal((report.steps[1]!.output as { stdout: string }).stdout, 'after skipped');
  });

  test('abort: the run fails with the step and its error', async () => {
    const handle = await env.start({ runbook: 'ask', mode: 'drill', inputs: askInputs('abort') });
    await waitForProgress(handle, (p) => stepOf(p, 'flaky').waitingFor === 'decision');
    await handle.executeUpdate(decideUpdate, { args: [{ step: 'flaky', by: 'olive', decision: 'abort' }] });
    const { type, message, report } = await failedReport(handle.result());
    assert.equal(type, 'RunFailed');
    assert.match(message, /^Step "flaky" failed and olive chose to abort: Command failed with exit code 3/);
    assert.equal(report.status, 'failed');
    assert.deepEqual(report.steps.map((s) => s.status), ['failed', 'pending']);
  });
});

describe('limits', () => {
  test('a hard timeout kills the step; an overrun is recorded while the step still runs', async () => {
    const handle = await env.start({ runbook: 'limits', mode: 'drill', inputs: { sleep: '4' } });
    const during = await waitForProgress(handle, (p) => stepOf(p, 'overrun').overrun);
    assert.equal(stepOf(during, 'overrun').status, 'running', 'the overrun is seen before the step ends');
    const live = await handle.query(reportQuery);
    assert.ok(live.events.some((e) => e.type === 'step-overrun' && e.step === 'overrun'));

    const report = (await handle.result()) as RunReport;
    const slow = report.steps.find((s) => s.id === 'too-slow')!;
    assert.equal(slow.status, 'failed');
    assert.match(slow.error!, /timed out after 1s/i);
    assert.ok(slow.endedAt! - slow.startedAt! < 10_000, 'the timeout stopped the 30 s sleep');
    const overrun = report.steps.find((s) => s.id === 'overrun')!;
    assert.equal(overrun.status, 'succeeded');
    assert.ok(overrun.overrunAt! - overrun.startedAt! >= 1000);
    assert.ok(overrun.overrunAt! < overrun.endedAt!);
    assert.equal(report.status, 'succeeded');
    assert.equal(report.rto.status, 'on-track');
  });

  test('abort mid-step cancels the running command and its process group', async () => {
    const pidfile = join(dir, 'abort.pid');
    const handle = await env.start({ runbook: 'abort', mode: 'drill', inputs: { pidfile } });
    await waitForProgress(handle, () => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '');
    const pid = Number(readFileSync(pidfile, 'utf8'));
    assert.ok(alive(pid));
    const ack = await handle.executeUpdate(abortUpdate, { args: [{ by: 'olive', comment: 'wrong target' }] });
    assert.equal(ack.detail, 'run aborted by olive');
    const { type, message, report } = await failedReport(handle.result());
    assert.equal(type, 'RunAborted');
    assert.equal(message, 'Aborted by olive: wrong target');
    assert.deepEqual(report.steps.map((s) => s.status), ['cancelled', 'pending']);
    assert.equal(alive(pid), false, 'the grandchild sleep was killed with its process group');
  });
});

/** A process that exists and is not a zombie (an orphan's exit is reaped by init in its own time). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('inputs', () => {
  test('a reference the worker cannot resolve fails the run before its first step, naming the input and where to set it', async () => {
    delete process.env.DR_TEST_NO_MARKER;
    const handle = await env.start({ runbook: 'happy', mode: 'drill', inputs: { marker: 'env:DR_TEST_NO_MARKER' } });
    const failed = await failedReport(handle.result());
    assert.equal(failed.type, 'InvalidInput');
    assert.equal(
      failed.message,
      'Invalid inputs for runbook "happy": Input "marker" is env:DR_TEST_NO_MARKER, which the worker cannot resolve (Secret env:DR_TEST_NO_MARKER is not set: environment variable DR_TEST_NO_MARKER is undefined on the worker): export DR_TEST_NO_MARKER on the worker, give the run {"inputs": {"marker": "env:NAME"}} (dr start --input marker=env:NAME), or set it in an environment file (DR_ENVIRONMENT)',
    );
    // Nothing ran: the history holds the load and the failure, no step's activity.
    const history = await handle.fetchHistory();
    // loadRunbook is a local activity: a marker naming it, no activity task.
    const activities = (history.events ?? []).flatMap((e) => {
      if (e.activityTaskScheduledEventAttributes) return [e.activityTaskScheduledEventAttributes.activityType?.name];
      const local = e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data : undefined;
      return local ? [`local ${(JSON.parse(Buffer.from(local).toString('utf8')) as { activity_type?: string }).activity_type}`] : [];
    });
    assert.deepEqual(activities, ['local loadRunbook']);
  });
});

describe('parallel groups', () => {
  test('a failing branch cancels a sibling waiting on a person, its notification in flight too: the run fails at once', async () => {
    const handle = await env.start({ runbook: 'cancel-waiting', mode: 'live' });
    const { message, report } = await failedReport(handle.result());
    assert.match(message, /^Step "broken" failed: /);
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.status]),
      [['first', 'succeeded'], ['group', 'failed'], ['confirm', 'cancelled'], ['broken', 'failed']],
    );
    // The cancelled notification was the step's to handle: no workflow task failed on it.
    const { events } = await handle.fetchHistory();
    assert.deepEqual(events!.filter((e) => e.workflowTaskFailedEventAttributes).map((e) => e.workflowTaskFailedEventAttributes!.failure?.message), []);
  });
});
