// The safety gates on a real Temporal dev server with the real activities and classifier: a drill
// rehearses what changes state (nothing runs unless the runbook says it is safe to rehearse); live
// mode asks an approval before a destructive step no approval gates, with four eyes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { RunReport } from '../../../src/runbook/run.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { approveUpdate, completeUpdate, rejectUpdate } from '../../../src/workflows/messages.js';
import { stepOf, testEnv, waitForProgress, workflowBundle, type TestEnv } from '../../helpers/temporal.js';

let env: TestEnv;
const dir = mkdtempSync(join(tmpdir(), 'dr-guards-'));
before(async () => {
  env = await testEnv();
});
after(async () => env?.close());

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

describe('safety gates', () => {
  test('a drill rehearses every step that changes state unless it is safe to rehearse; nothing else runs', async () => {
    const marker = join(dir, 'drill.txt');
    const handle = await env.start({ runbook: 'guards', mode: 'drill', inputs: { marker }, startedBy: 'alice' });
    const waiting = await waitForProgress(handle, (p) => stepOf(p, 'write').waitingFor === 'completion');
    assert.match(stepOf(waiting, 'write').instructions ?? '', /^Drill: not run, because it changes state \(.*\n.*\nCommand: printf "write\\n" >> "\$MARKER"$/s);
    assert.equal(stepOf(waiting, 'write').waitingOn, 'anyone');
    assert.deepEqual(lines(marker), [], 'a rehearsed step must not run');
    await handle.executeUpdate(completeUpdate, { args: [{ step: 'write', by: 'alice', comment: 'done in staging' }] });

    await waitForProgress(handle, (p) => stepOf(p, 'wipe').waitingFor === 'completion');
    await handle.executeUpdate(rejectUpdate, { args: [{ step: 'wipe', by: 'bob', comment: 'not this time' }] });
    // rehearsable runs for real; trusted is destructive and not marked safe: rehearsed too.
    await waitForProgress(handle, (p) => stepOf(p, 'trusted').waitingFor === 'completion');
    await handle.executeUpdate(completeUpdate, { args: [{ step: 'trusted', by: 'bob' }] });

    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    assert.deepEqual(lines(marker), ['rehearsable']);
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.status, s.effect?.effect]),
      [
        ['look', 'succeeded', 'read-only'],
        ['write', 'rehearsed', 'changes-state'],
        ['wipe', 'skipped', 'destructive'],
        ['rehearsable', 'succeeded', 'changes-state'],
        ['trusted', 'rehearsed', 'destructive'],
      ],
    );
    assert.equal(report.steps[1]!.note, 'rehearsed, not run: confirmed by alice (done in staging)');
    assert.equal(report.steps[2]!.note, 'rehearsal skipped by bob (not this time); not run');
    const md = renderMarkdown(report);
    assert.match(md, /## Steps that change state/);
    assert.match(md, /\| write +\| changes-state +\| rehearsed, not run \(rehearsed, not run: confirmed by alice \(done in staging\)\)/);
    assert.match(md, /\| rehearsable +\| changes-state +\| ran in the drill: writes only under the test's temporary folder/);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory(), handle.workflowId);
  });

  test('live mode: a destructive step with no approval before it waits for one; the starter cannot be the only approver', async () => {
    const marker = join(dir, 'live.txt');
    const handle = await env.start({ runbook: 'guards', mode: 'live', inputs: { marker }, startedBy: 'alice' });
    const waiting = await waitForProgress(handle, (p) => stepOf(p, 'wipe').waitingFor === 'approval');
    assert.deepEqual(lines(marker), ['write'], 'a step that changes state but is not destructive runs in live mode');
    assert.match(stepOf(waiting, 'wipe').instructions ?? '', /^"Destructive, no approval step before it" is destructive \(.*rm -f.*\) and no approval step gates it/s);
    const refused = await handle.executeUpdate(approveUpdate, { args: [{ step: 'wipe', by: 'alice' }] }).then(
      () => assert.fail('the starter alone must not approve'),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof WorkflowUpdateFailedError);
    assert.match(refused.cause?.message ?? '', /"alice" started this run and cannot be the only approver of step "wipe", which gates destructive step\(s\) wipe/);
    await handle.executeUpdate(approveUpdate, { args: [{ step: 'wipe', by: 'bob' }] });
    const report = (await handle.result()) as RunReport;
    assert.equal(report.status, 'succeeded');
    // trusted ran without asking: its written reason is in the report.
    assert.deepEqual(lines(marker), ['write', 'wipe', 'rehearsable', 'trusted']);
    const wipe = report.steps.find((s) => s.id === 'wipe')!;
    assert.deepEqual([wipe.guard, wipe.approvals.map((a) => a.by)], ['approval', ['bob']]);
    assert.equal(report.steps.find((s) => s.id === 'trusted')!.waits.length, 0);
    assert.match(renderMarkdown(report), /\| trusted +\| destructive +\| ran without approval: the test's temporary folder holds nothing of value/);
  });

  test('live mode: a rejected implicit approval fails the run and the command never runs', async () => {
    const marker = join(dir, 'rejected.txt');
    const handle = await env.start({ runbook: 'guards', mode: 'live', inputs: { marker }, startedBy: 'alice' });
    await waitForProgress(handle, (p) => stepOf(p, 'wipe').waitingFor === 'approval');
    await handle.executeUpdate(rejectUpdate, { args: [{ step: 'wipe', by: 'bob', comment: 'wrong host' }] });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      return true;
    });
    assert.deepEqual(lines(marker), ['write']);
  });
});
