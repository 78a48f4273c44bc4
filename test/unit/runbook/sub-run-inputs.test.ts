import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPath, namedRunbooks, scheduleInputsMatch, type SubRunContext } from '../../../src/runbook/lint.js';
import { formatIssue, parseRunbook, parseRunbookInputs } from '../../../src/runbook/load.js';
import type { Mode } from '../../../src/runbook/model.js';

// The runbooks the parent names, as a run finds them (ParseContext.subRuns).
const restore = parseRunbookInputs(`id: database-restore
inputs:
  target: { required: true, secret: true }
  backup: { default: latest }
  tables: { required: true, default: [] }
steps: []
`)!;
const prep = parseRunbookInputs('id: demo-setup\ninputs:\n  admin_url: { required: true }\n  database: easymo_demo\n')!;
const plain = parseRunbookInputs('id: plain\ntitle: Plain\n')!;
const runbooks = new Map([['database-restore', restore], ['restore-by-file', restore], ['demo-setup', prep], ['plain', plain]]);
const none: SubRunContext['environments'] = [{ defaults: {} }];
const local = { name: 'local', defaults: { 'demo-setup': { admin_url: 'env:DEMO_ADMIN_URL' }, 'database-restore': { target: 'env:LOCAL_URL' } } };
const staging = { name: 'staging', defaults: {} };

/** A parent with a drill set-up and one step, both given as YAML lines. */
const parent = (setup: string, step = "    runbook: { id: database-restore, inputs: { target: 'env:X' } }") => `id: loss
title: Loss
inputs:
  url: { secret: true, default: env:URL }
${setup ? `drill:\n  setup:\n${setup}\n` : ''}steps:
  - id: restore
    budget: 1h
${step}
`;

describe('subRunInputsMatch: inputs handed to a drill set-up or a `runbook:` step', () => {
  const cases: Array<[string, string, string | undefined, SubRunContext['environments'], string[]]> = [
    ['names the child declares', '', "    runbook: { id: database-restore, inputs: { target: 'env:X', backup: b1, tables: [users] } }", none, []],
    ['a misspelt name', '', "    runbook: { id: database-restore, inputs: { target: 'env:X', bakup: b1 } }", none, [
      'loss.yaml:8 steps[0].runbook.inputs.bakup: Unknown input "bakup" for runbook "database-restore" in step "restore"; expected one of: target, backup, tables',
    ]],
    ['a name given to a child that declares none', '', '    runbook: { id: plain, inputs: { x: 1 } }', none, [
      'loss.yaml:8 steps[0].runbook.inputs.x: Unknown input "x" for runbook "plain" in step "restore"; runbook "plain" declares no inputs',
    ]],
    ['a missing required input', '', '    runbook: { id: database-restore, inputs: { backup: b1 } }', none, [
      'loss.yaml:8 steps[0].runbook.inputs: Runbook "database-restore" requires input "target", not given in step "restore"; expected inputs: { target: ... } here',
    ]],
    ['the shorthand `runbook: <id>` gives none', '', '    runbook: database-restore', none, [
      'loss.yaml:8 steps[0].runbook: Runbook "database-restore" requires input "target", not given in step "restore"; expected inputs: { target: ... } here',
    ]],
    ['inputs with a default (required or not) not passed', '', "    runbook: { id: restore-by-file, inputs: { target: 'env:X' } }", none, []],
    ['a templated value', '', '    runbook: { id: database-restore, inputs: { target: "{{ inputs.url }}" } }', none, []],
    ['inside a parallel group', '', "    parallel:\n      - id: inner\n        budget: 1h\n        runbook: { id: database-restore, inputs: { targte: 'env:X' } }", none, [
      'loss.yaml:11 steps[0].parallel[0].runbook.inputs.targte: Unknown input "targte" for runbook "database-restore" in step "inner"; expected one of: target, backup, tables',
      'loss.yaml:11 steps[0].parallel[0].runbook.inputs: Runbook "database-restore" requires input "target", not given in step "inner"; expected inputs: { target: ... } here',
    ]],
    ['a set-up entry as a bare id, its child needing an input', '    - demo-setup', undefined, none, [
      'loss.yaml:7 drill.setup[0]: Runbook "demo-setup" requires input "admin_url", not given in the drill set-up; expected inputs: { admin_url: ... } here',
    ]],
    ['a set-up entry with a misspelt name', '    - { runbook: demo-setup, inputs: { admin_url: x, databse: y } }', undefined, none, [
      'loss.yaml:7 drill.setup[0].inputs.databse: Unknown input "databse" for runbook "demo-setup" in the drill set-up; expected one of: admin_url, database',
    ]],
    ['a runbook the folder does not have: runbooksExist reports it', '', '    runbook: { id: nowhere, inputs: { x: 1 } }', none, []],
    // The environment files give defaults by the child's declared id (environments/<name>.yaml).
    ['a set-up entry limited to environments whose files all give it', '    - { runbook: demo-setup, environments: [local] }', undefined, [{ defaults: {} }, local, staging], []],
    ['a set-up entry limited to an environment whose file does not', '    - { runbook: demo-setup, environments: [staging] }', undefined, [{ defaults: {} }, local, staging], [
      'loss.yaml:7 drill.setup[0].inputs: Runbook "demo-setup" requires input "admin_url", not given in the drill set-up nor by the environment file (staging); expected inputs: { admin_url: ... } here',
    ]],
    ['a set-up entry limited to environments no worker has', '    - { runbook: demo-setup, environments: [production] }', undefined, [{ defaults: {} }, local], []],
    ['given by some environment files only: a warning (the worker decides)', '', '    runbook: { id: database-restore }', [{ defaults: {} }, local, staging], [
      'warning: loss.yaml:8 steps[0].runbook.inputs: Runbook "database-restore" requires input "target", not given in step "restore"; only the environment file (local) gives it, so on a worker without DR_ENVIRONMENT or in staging the sub-run fails at its start; expected inputs: { target: ... } here if it runs there',
    ]],
    // At run start the worker's environment is known, so the check is exact.
    ['run start: the worker\'s environment gives it', '    - demo-setup', '    runbook: { id: database-restore }', [local], []],
    ['run start: the worker\'s environment does not', '', '    runbook: { id: database-restore }', [staging], [
      'loss.yaml:8 steps[0].runbook.inputs: Runbook "database-restore" requires input "target", not given in step "restore" nor by the environment file (staging); expected inputs: { target: ... } here',
    ]],
  ];
  for (const [name, setup, step, environments, expected] of cases) {
    test(name, () => {
      const result = parseRunbook(parent(setup, step), 'loss.yaml', { subRuns: { runbooks, environments } });
      assert.deepEqual([...result.errors, ...result.warnings].map(formatIssue), expected);
      assert.equal(result.runbook === undefined, result.errors.length > 0);
    });
  }

  test("at run start, missing inputs only of the sub-runs the run's mode starts; unknown names in every mode", () => {
    const text = parent('    - { runbook: demo-setup, inputs: { databse: x } }', '    modes: [live]\n    runbook: { id: database-restore }');
    const found = (mode?: Mode) => parseRunbook(text, 'loss.yaml', { subRuns: { runbooks, environments: none, ...(mode ? { mode } : {}) } }).errors.map((e) => formatPath(e.path));
    const unknown = 'drill.setup[0].inputs.databse';
    assert.deepEqual(found(), [unknown, 'drill.setup[0].inputs', 'steps[0].runbook.inputs']);
    // A live recovery is not refused over its drill set-up; a drill skips the live-only step.
    assert.deepEqual(found('live'), [unknown, 'steps[0].runbook.inputs']);
    assert.deepEqual(found('drill'), [unknown, 'drill.setup[0].inputs']);
    // A dry run previews the live run.
    assert.deepEqual(found('dry-run'), found('live'));
  });

  test('without subRuns in the context nothing is checked', () => {
    assert.deepEqual(parseRunbook(parent('    - demo-setup', '    runbook: { id: database-restore, inputs: { x: 1 } }'), 'loss.yaml').errors, []);
  });
});

describe('parseRunbookInputs and namedRunbooks', () => {
  test("a file's id and inputs, the rest unchecked; undefined when they are invalid", () => {
    assert.deepEqual(parseRunbookInputs('id: a\ninputs:\n  x: 1\n  y: { required: true }\nsteps: nonsense\n'), {
      id: 'a',
      inputs: { x: { default: 1, required: false, secret: false }, y: { required: true, secret: false } },
    });
    for (const bad of ['id: a\ninputs: [x]\n', 'inputs: {}\n', 'id: [a\n', '']) assert.equal(parseRunbookInputs(bad), undefined, bad);
  });

  test('the runbooks a runbook names, each once', () => {
    const { runbook } = parseRunbook(parent('    - demo-setup\n    - { runbook: plain }\n    - demo-setup'), 'loss.yaml');
    assert.deepEqual(namedRunbooks(runbook!), ['demo-setup', 'plain', 'database-restore']);
  });
});

describe('scheduleInputsMatch: the runs schedules.yaml starts', () => {
  const check = (entries: Parameters<typeof scheduleInputsMatch>[0], environments = none) =>
    scheduleInputsMatch(entries, { runbooks, environments }).map((i) => `${i.level} ${formatPath(i.path)}: ${i.message}`);

  test('a runbook of the folder, by id or file name, with the inputs it declares and requires', () => {
    assert.deepEqual(check([{ id: 'a', runbook: 'database-restore', inputs: { target: 'env:X' } }, { id: 'b', runbook: 'restore-by-file', inputs: { target: 'env:X', backup: 'b1' } }]), []);
    // A workflow entry starts no runbook.
    assert.deepEqual(check([{ id: 'w', inputs: { anything: 1 } }]), []);
  });

  test('an unknown runbook, an unknown input, a required one missing', () => {
    assert.deepEqual(check([{ id: 'nightly', runbook: 'database-restor', inputs: {} }, { id: 'weekly', runbook: 'database-restore', inputs: { targte: 'x' } }]), [
      'error schedules[0].runbook: Unknown runbook "database-restor" in schedule "nightly"; expected one of: database-restore, demo-setup, plain',
      'error schedules[1].inputs.targte: Unknown input "targte" for runbook "database-restore" in schedule "weekly"; expected one of: target, backup, tables',
      'error schedules[1].inputs: Runbook "database-restore" requires input "target", not given in schedule "weekly"; expected inputs: { target: ... } here',
    ]);
  });

  test('a required input only some environment files give: a warning naming the workers that would fail it', () => {
    assert.deepEqual(check([{ id: 'nightly', runbook: 'database-restore', inputs: {} }], [...none, local, staging]), [
      'warning schedules[0].inputs: Runbook "database-restore" requires input "target", not given in schedule "nightly"; only the environment file (local) gives it, so on a worker without DR_ENVIRONMENT or in staging the scheduled run fails at its start; expected inputs: { target: ... } here if it runs there',
    ]);
    assert.deepEqual(check([{ id: 'nightly', runbook: 'database-restore', inputs: {} }], [local]), []);
  });
});
