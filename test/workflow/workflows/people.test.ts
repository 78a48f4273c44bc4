// People in the loop on a real Temporal dev server: four eyes, escalation driven by short timers,
// what happens when the whole chain stays silent, notifications (deduplicated, rate-limited, never
// failing the run), approvals through `temporal workflow signal` with plain JSON.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { RunReport } from '../../../src/runbook/run.js';
import { approveUpdate, completeUpdate } from '../../../src/workflows/messages.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';
import { stepOf, temporalAddress, testEnv, waitForProgress, type TestEnv } from '../../helpers/temporal.js';
import { temporalCliPath } from '../../helpers/services.js';
import { waitUntil } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-people-'));
let env: TestEnv;
let slack: Receiver;
let json: Receiver;
before(async () => {
  slack = await startReceiver();
  json = await startReceiver();
  // people.yaml refers to these by env: references, resolved on the (in-process) worker.
  process.env.DR_TEST_SLACK_WEBHOOK = slack.url;
  process.env.DR_TEST_JSON_WEBHOOK = json.url;
  env = await testEnv({ runbooksDir: resolve(import.meta.dirname, '../../fixtures/people') });
});
after(async () => {
  await env?.close();
  await slack?.close();
  await json?.close();
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(err instanceof WorkflowUpdateFailedError);
  return err.cause?.message ?? '';
}
const texts = (r: Receiver, runId: string) => r.bodies.filter((b) => b.runId === runId).map((b) => String(b.text));

describe('four eyes', () => {
  test('live: the starter cannot be the only approver of a destructive step; someone else can', async () => {
    const marker = join(dir, 'gate.txt');
    const handle = await env.start({ runbook: 'gate', mode: 'live', inputs: { marker }, startedBy: 'dana' });
    await waitForProgress(handle, (p) => stepOf(p, 'approve-drop').waitingFor === 'approval');
    assert.equal(
      await refusal(handle.executeUpdate(approveUpdate, { args: [{ step: 'approve-drop', by: 'dana' }] })),
      'approve: "dana" started this run and cannot be the only approver of step "approve-drop", which gates destructive step(s) drop; someone else from oncall (dana, eli) must approve',
    );
    await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve-drop', by: 'eli' }] });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    assert.equal(readFileSync(marker, 'utf8'), 'dropped\n');
    assert.deepEqual(report.audit.map((a) => [a.by, a.accepted]), [['dana', false], ['eli', true]]);
    assert.equal(report.startedBy, 'dana');
  });

  test('drill: the starter may approve alone (four eyes guards live runs); the destructive step is rehearsed, not run', async () => {
    const marker = join(dir, 'drill.txt');
    const handle = await env.start({ runbook: 'gate', mode: 'drill', inputs: { marker }, startedBy: 'dana' });
    await waitForProgress(handle, (p) => stepOf(p, 'approve-drop').waitingFor === 'approval');
    await handle.executeUpdate(approveUpdate, { args: [{ step: 'approve-drop', by: 'dana' }] });
    await waitForProgress(handle, (p) => stepOf(p, 'drop').waitingFor === 'completion');
    await handle.executeUpdate(completeUpdate, { args: [{ step: 'drop', by: 'dana', comment: 'dropped in staging' }] });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    assert.equal(report.steps.find((s) => s.id === 'drop')!.status, 'rehearsed');
    assert.equal(existsSync(marker), false, 'a drill must not run a destructive step that is not safe to rehearse');
  });
});

describe('escalation', () => {
  test('an unanswered approval widens to the next role and notifies it; a silent chain aborts or continues as declared', async () => {
    const handle = await env.start({ runbook: 'escalate', mode: 'drill', startedBy: 'dana' });
    await waitForProgress(handle, (p) => stepOf(p, 'sign-off').waitingFor === 'approval');
    // Before escalation the backend lead is not asked yet.
    const early = await refusal(handle.executeUpdate(approveUpdate, { args: [{ step: 'sign-off', by: 'bea' }] })).catch(() => 'raced');
    if (early !== 'raced') assert.match(early, /"bea" may not act on step "sign-off"; expected one of oncall \(dana, eli\)$/);
    await waitForProgress(handle, (p) => /backend-lead \(bea\)/.test(stepOf(p, 'sign-off').waitingOn ?? ''));
    await handle.executeUpdate(approveUpdate, { args: [{ step: 'sign-off', by: 'bea', comment: 'on it' }] });
    // Nobody confirms the manual step: it escalates through backend-lead and cto, then continues.
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    const signOff = report.steps.find((s) => s.id === 'sign-off')!;
    assert.deepEqual(signOff.escalations[0]!.roles, ['oncall', 'backend-lead']);
    const check = report.steps.find((s) => s.id === 'check')!;
    assert.equal(check.status, 'skipped');
    assert.deepEqual(check.escalations.map((e) => e.roles.at(-1)), ['backend-lead', 'cto']);
    assert.match(check.note!, /^nobody answered "check" within \d+s \(asked: oncall \(dana, eli\), backend-lead \(bea\), cto \(carlos\)\); the run went on \(onTimeout: continue\)$/);
    assert.equal(report.steps.find((s) => s.id === 'end')!.status, 'succeeded');

    const sent = texts(slack, handle.workflowId);
    assert.deepEqual(sent, texts(json, handle.workflowId), 'both webhooks get the same notifications');
    assert.match(sent[0]!, /^\[escalate\]|^drill of "Waits that escalate along the chain" started by dana/);
    assert.ok(sent.some((t) => t.includes(`waits for approval from oncall (dana, eli) (1 needed). Run: dr approve ${handle.workflowId} sign-off --as <you>`)));
    assert.ok(sent.some((t) => t.startsWith('Escalated (level 1): "Sign off the restore" waits for approval from oncall (dana, eli), backend-lead (bea)')));
    assert.ok(sent.some((t) => t.startsWith('nobody answered "check"')));
    assert.match(sent.at(-1)!, /^drill of "Waits that escalate along the chain" succeeded/);
    // Slack shows `text`; the JSON receiver also gets the event and fields.
    const finished = json.bodies.find((b) => b.runId === handle.workflowId && b.event === 'run-finished')!;
    assert.equal((finished.fields as Record<string, unknown>).runbook, 'escalate');
    // Every notification links the run in the UI.
    assert.equal(finished.link, `http://localhost:8233/namespaces/default/workflows/${handle.workflowId}`);
    assert.ok(sent.every((t) => t.endsWith(`<${String(finished.link)}|Open the run in the Temporal UI>`)));
  });

  test('onTimeout: abort fails the step when the whole chain stays silent', async () => {
    const handle = await env.start({ runbook: 'escalate', mode: 'drill' });
    await assert.rejects(handle.result(), (err: Error & { cause?: Error }) => {
      assert.match(err.cause?.message ?? '', /^Step "sign-off" failed: nobody answered "sign-off" within \d+s \(asked: oncall \(dana, eli\), backend-lead \(bea\), cto \(carlos\)\)$/);
      return true;
    });
  });
});

describe('notifications', () => {
  test('a burst is rate-limited and a failing webhook never fails the run', async () => {
    slack.status = 500;
    try {
      const handle = await env.start({ runbook: 'burst', mode: 'drill' });
      const report = (await handle.result()) as RunReport;
      assert.equal(report.status, 'succeeded');
      assert.equal(report.events.filter((e) => e.type === 'step-overrun').length, 8);
      const sent = texts(json, handle.workflowId);
      // run-started + 5 overruns fill the burst of 6; 3 overruns are held back; run-finished always goes.
      assert.equal(sent.filter((t) => t.includes('passed its 1s budget')).length, 5);
      assert.match(sent.at(-1)!, /held back by the rate limit\)\n</);
      assert.deepEqual(report.notifications, { sent: 7, suppressed: 3, failed: 7 });
    } finally {
      slack.status = 200;
    }
  });
});

describe('plain JSON signals', () => {
  test('`temporal workflow signal` with the documented payload approves and completes', async () => {
    const cli = temporalCliPath();
    const handle = await env.start({ runbook: 'escalate', mode: 'drill' });
    await waitForProgress(handle, (p) => stepOf(p, 'sign-off').waitingFor === 'approval');
    const signal = (name: string, input: object) =>
      promisify(execFile)(cli, ['workflow', 'signal', '--address', temporalAddress(), '--workflow-id', handle.workflowId, '--name', name, '--input', JSON.stringify(input)]);
    // A misspelled name, someone not allowed, a malformed update: each refused, kept, and shown in
    // the UI's Current Details at once (a signal cannot answer its sender).
    await signal('approv', { step: 'sign-off', by: 'eli' });
    await signal('approve', { step: 'sign-off', by: 'mallory' });
    const malformed = await refusal(handle.executeUpdate(approveUpdate, { args: [{ step: 'sign-off' } as never] }));
    assert.equal(malformed, 'approve: expected `by` to name the person sending it, got undefined');
    const details = async () => (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';
    const shown = await waitUntil('the refused messages in Current Details', async () => {
      const text = await details();
      return /Refused `approve` from mallory/.test(text) && /Refused `approve` from \(unknown\)/.test(text) && text;
    });
    assert.match(shown, /Refused signal `approv` from eli for `sign-off`: unknown signal "approv"; expected one of approve, reject, complete, decide, abort/);
    assert.match(shown, /Refused `approve` from mallory for `sign-off`: approve: "mallory" may not act on step "sign-off"; expected one of oncall \(dana, eli\)/);
    assert.match(shown, /\*\*Waiting on people\*\*: step `sign-off` \(approval, 0 of 1 given\), answered by oncall \(dana, eli\)/);
    await signal('approve', { step: 'sign-off', by: 'eli', comment: 'from the terminal' });
    await waitForProgress(handle, (p) => stepOf(p, 'check').waitingFor === 'completion');
    // The answer says what happened, in words, and a status that does not read as a failure.
    assert.deepEqual(await handle.executeUpdate(completeUpdate, { args: [{ step: 'check', by: 'dana' }] }), {
      accepted: true,
      step: 'check',
      stepStatus: 'succeeded',
      detail: 'completed "check"; the run goes on with "end"',
    });
    const report = (await handle.result()) as RunReport;
    assert.deepEqual(report.audit.map((a) => [a.name ?? a.message, a.via, a.by, a.accepted, a.comment ?? null]), [
      ['approv', 'signal', 'eli', false, null],
      ['approve', 'signal', 'mallory', false, null],
      ['approve', 'update', '(unknown)', false, null],
      ['approve', 'signal', 'eli', true, 'from the terminal'],
      ['complete', 'update', 'dana', true, null],
    ]);
    // Once ended, Current Details gives the verdict and the next action, not the running forecast.
    assert.match(await details(), /^\*\*Waits that escalate along the chain\*\* \(drill\): \*\*succeeded\*\*\n\nNo RTO; took \d+s?[\dms]*\n[\s\S]*Next: read the report: `dr report /);
  });
});
