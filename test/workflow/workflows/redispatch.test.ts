// Dispatches lost to the infrastructure are sent again by the workflow (src/workflows/redispatch.ts)
// and recorded apart from the step's attempts; the raw history recounts the same re-dispatches
// (src/report/history-redispatches.ts). Here the loss is a retryable error (a connection reset, as
// an activity throws when something between it and its target drops): re-dispatched after a
// back-off, one attempt, one `transient-error` re-dispatch, in the report and in history alike.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runShell } from '../../../src/activities/shell.js';
import type { ShellInput } from '../../../src/activities/types.js';
import { redispatchesFromHistory } from '../../../src/report/history-redispatches.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { testEnv, type TestEnv } from '../../helpers/temporal.js';

let env: TestEnv;
const scratch = mkdtempSync(join(tmpdir(), 'dr-redispatch-'));
let resets = 0;

before(async () => {
  env = await testEnv({
    activities: {
      // The long step's first dispatch fails with an error nobody marked final; the rest run for real.
      runShell: async (input: ShellInput) => {
        if (input.stepId === 'long' && resets++ === 0) throw new Error('read ECONNRESET');
        return runShell(input, {});
      },
    },
  });
});
after(async () => {
  await env?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('a retryable error re-dispatches the step: one attempt, one transient-error re-dispatch, the same in history', { timeout: 120_000 }, async () => {
  const log = join(scratch, 'log');
  const handle = await env.start({ runbook: 'durable', mode: 'drill', inputs: { log, seconds: '0' } });
  const report = (await handle.result()) as RunReport;
  assert.equal(report.status, 'succeeded');
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['first', 'long-start', 'long-end', 'last']);
  const long = report.steps.find((s) => s.id === 'long')!;
  assert.equal(long.attempts.length, 1);
  assert.deepEqual(
    (long.redispatches ?? []).map((r) => r.reason),
    ['transient-error'],
  );
  assert.match(long.redispatches![0]!.detail, /ECONNRESET/);
  const counted = redispatchesFromHistory(await handle.fetchHistory());
  assert.deepEqual(
    counted.map((c) => [c.stepId, c.reason]),
    [['long', 'transient-error']],
  );
  assert.ok(Math.abs(counted[0]!.stallMs - long.redispatches![0]!.stallMs) <= 1_000, `history ${counted[0]!.stallMs} ms, report ${long.redispatches![0]!.stallMs} ms`);
});
