// A drill's set-up (drill.setup): sub-runs before the first step, in drill mode only, recorded as
// such; the RTO clock and the incident time start when it ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../../src/runbook/run.js';
import { testEnv, type TestEnv } from '../../helpers/temporal.js';

let env: TestEnv;
before(async () => {
  env = await testEnv();
});
after(async () => env?.close());

const run = async (input: Parameters<TestEnv['start']>[0]) => (await (await env.start(input)).result()) as RunReport;

describe('drill.setup', () => {
  test('a drill runs its set-up first, as sub-runs in drill mode; the clock starts after it', async () => {
    const report = await run({ runbook: 'prepared', mode: 'drill' });
    assert.equal(report.status, 'succeeded');
    assert.deepEqual(report.steps.map((s) => [s.id, s.phase, s.status]), [
      ['setup-child', 'setup', 'succeeded'],
      ['go', undefined, 'succeeded'],
    ]);
    const setup = report.steps[0]!;
    assert.deepEqual(setup.resolved, { runbook: 'child', mode: 'drill', inputs: { name: 'drill' }, incidentAt: new Date(report.startedAt).toISOString(), workflowId: `${report.workflowId}--setup-child-1` });
    assert.match((setup.output as { outputs: { hello: { stdout: string } } }).outputs.hello.stdout, /^hello drill \(drill\)/);
    // The entry for another environment is left out, and said.
    assert.ok(report.warnings.includes('Drill set-up "child" left out: it runs only on workers of staging (this worker\'s DR_ENVIRONMENT is not set)'), report.warnings.join('\n'));
    assert.equal(report.incidentAt, setup.endedAt);
    assert.equal(report.rto.elapsedMs, report.endedAt! - setup.endedAt!);
    assert.match((report.steps[1]!.output as { stdout: string }).stdout, new RegExp(`^incident at ${new Date(setup.endedAt!).toISOString()}`));
    assert.ok(report.events.some((e) => e.type === 'setup-finished'));
  });

  test('never in live mode, nor with {"setup": false}', async () => {
    for (const input of [{ runbook: 'prepared', mode: 'live' as const }, { runbook: 'prepared', mode: 'drill' as const, setup: false }]) {
      const report = await run(input);
      assert.equal(report.status, 'succeeded');
      assert.deepEqual(report.steps.map((s) => s.id), ['go'], JSON.stringify(input));
      assert.equal(report.incidentAt, report.startedAt);
    }
  });
});
