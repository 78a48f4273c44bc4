import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue, parseRunbook } from '../../../src/runbook/load.js';
import type { Runbook } from '../../../src/runbook/model.js';
import { drillSetup } from '../../../src/runbook/setup.js';

const text = (setup: string, steps = '  - id: restore\n    wait: 1m\n') => `id: loss
title: Loss
inputs:
  admin_url: { default: "postgres://x/postgres" }
drill:
  setup:
${setup}
steps:
${steps}`;

const parse = (t: string, runbookIds?: string[]) => {
  const result = parseRunbook(t, 'loss.yaml', runbookIds ? { runbookIds } : {});
  return { runbook: result.runbook, errors: result.errors.map(formatIssue) };
};

describe('drill.setup', () => {
  test('an id, or { runbook, inputs, environments, budget }', () => {
    const { runbook, errors } = parse(text(`    - demo-setup
    - { runbook: backup, inputs: { url: "{{ inputs.admin_url }}" }, environments: [local], budget: 5m }
    - demo-setup`));
    assert.deepEqual(errors, []);
    assert.deepEqual(runbook!.drill, {
      setup: [
        { runbook: 'demo-setup', inputs: {} },
        { runbook: 'backup', inputs: { url: '{{ inputs.admin_url }}' }, environments: ['local'], budgetMs: 300_000 },
        { runbook: 'demo-setup', inputs: {} },
      ],
    });
    // A runbook without one has no `drill` at all.
    assert.equal(parse('id: a\ntitle: A\nsteps:\n  - id: w\n    wait: 1m\n').runbook!.drill, undefined);
  });

  test('bad entries are errors at their line', () => {
    const cases: Array<[string, string[], string[] | undefined, string]> = [
      ['    - demo-setp', ['demo-setup', 'backup'], undefined, 'loss.yaml:7 drill.setup[0]: Unknown runbook "demo-setp" in the drill set-up; expected one of: backup, demo-setup'],
      ['    - { runbook: demo-setup, inputs: { x: "{{ inputs.nope }}" } }', ['demo-setup'], undefined, 'loss.yaml:7 drill.setup[0].inputs.x: Unknown input "nope" in `{{ inputs.nope }}`; expected one of: admin_url'],
      ['    - { runbook: demo-setup, inputs: { x: "{{ steps.restore.status }}" } }', ['demo-setup'], undefined, 'loss.yaml:7 drill.setup[0].inputs.x: Expected only inputs.* and run.* references here, got `{{ steps.restore.status }}`'],
      ['    - loss', ['loss'], undefined, 'loss.yaml:7 drill.setup[0]: Expected another runbook than "loss" itself in its drill set-up'],
      ['    - { runbook: demo-setup, environments: [] }', ['demo-setup'], undefined, 'loss.yaml:7 drill.setup[0].environments: Expected at least one environment name, or no `environments` (every environment)'],
      ['    - { runbook: demo-setup, mode: live }', ['demo-setup'], undefined, 'loss.yaml:7 drill.setup[0].mode: Unrecognized key: "mode"'],
      ['    - demo-setup', ['demo-setup'], ['  - id: setup-demo-setup', '    wait: 1m'], 'loss.yaml:9 steps[0].id: Step id "setup-demo-setup" is the id of the sub-run of drill.setup[0]; expected another id'],
    ];
    for (const [setup, ids, steps, expected] of cases) {
      const { errors } = parse(text(setup, steps ? `${steps.join('\n')}\n` : undefined), ids);
      assert.deepEqual(errors, [expected], setup);
    }
  });

  test('a `runbook:` step naming a runbook that does not exist is an error when the folder is known', () => {
    const t = 'id: a\ntitle: A\nsteps:\n  - id: sub\n    budget: 1h\n    runbook: { id: databse-restore }\n';
    assert.deepEqual(parse(t, ['a', 'database-restore']).errors, ['loss.yaml:6 steps[0].runbook.id: Unknown runbook "databse-restore" in step "sub"; expected one of: a, database-restore']);
    assert.deepEqual(parse(t).errors, []);
  });
});

describe('drillSetup', () => {
  const runbook = parse(text(`    - demo-setup
    - { runbook: backup, environments: [local] }
    - demo-setup`)).runbook as Runbook;

  test('in a drill: one sub-run step per entry, in order, in drill mode', () => {
    const { steps, leftOut } = drillSetup(runbook, 'drill', 'local');
    assert.deepEqual(steps.map((s) => [s.id, s.action]), [
      ['setup-demo-setup', { kind: 'runbook', id: 'demo-setup', inputs: {}, mode: 'drill' }],
      ['setup-backup', { kind: 'runbook', id: 'backup', inputs: {}, mode: 'drill' }],
      ['setup-demo-setup-2', { kind: 'runbook', id: 'demo-setup', inputs: {}, mode: 'drill' }],
    ]);
    assert.deepEqual(leftOut, []);
  });

  test('entries limited to other environments are left out, and said', () => {
    for (const environment of ['staging', undefined]) {
      const { steps, leftOut } = drillSetup(runbook, 'drill', environment);
      assert.deepEqual(steps.map((s) => s.id), ['setup-demo-setup', 'setup-demo-setup-2']);
      assert.deepEqual(leftOut, [{ runbook: 'backup', environments: ['local'] }]);
    }
  });

  test('never in live mode or a dry run', () => {
    for (const mode of ['live', 'dry-run'] as const) assert.deepEqual(drillSetup(runbook, mode, 'local'), { steps: [], leftOut: [] });
  });
});
