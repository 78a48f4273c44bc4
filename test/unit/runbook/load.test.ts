import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue, parseRunbook, resolveInputs } from '../../../src/runbook/load.js';
import type { LintIssue } from '../../../src/runbook/lint.js';
import { runbookSchema } from '../../../src/runbook/schema.js';

const lines = (text: string) => {
  const result = parseRunbook(text, 'database-loss.yaml');
  return { ok: result.runbook !== undefined, errors: result.errors.map(formatIssue), warnings: result.warnings.map(formatIssue) };
};
const DURATION = 'Expected a duration like "15m", "1h30m" or "2 hours"';

describe('parseRunbook', () => {
  test('a YAML syntax error is reported at its line', () => {
    const text = 'id: x\ntitle: T\ntitle: U\nsteps:\n  - id: a\n    wait: 1m\n';
    assert.deepEqual(lines(text), { ok: false, errors: ['database-loss.yaml:3: Map keys must be unique'], warnings: [] });
    const result = parseRunbook('id: x\nsteps:\n  - id: a\n    wait: 1m\n     budget: 2m\n', 'x.yaml');
    assert.deepEqual(result.errors[0], { level: 'error', rule: 'yaml', message: 'Nested mappings are not allowed in compact mappings', path: [], file: 'x.yaml', line: 4 });
  });

  test('a bad budget nested in a parallel group, in both YAML forms', () => {
    const list = `id: x
title: T
steps:
  - id: a
    wait: 1m
  - id: g
    parallel:
      - id: b
        budget: abc
        manual: check
`;
    assert.deepEqual(lines(list).errors, [`database-loss.yaml:9 steps[1].parallel[0].budget: ${DURATION}, got "abc"`]);
    const object = `id: x
title: T
steps:
  - id: a
    wait: 1m
  - id: g
    parallel:
      steps:
        - id: b
          budget: abc
          manual: check
`;
    assert.deepEqual(lines(object).errors, [`database-loss.yaml:10 steps[1].parallel.steps[0].budget: ${DURATION}, got "abc"`]);
  });

  test('unknown fields point at their own line; missing fields at their parent', () => {
    const text = `id: x
title: T
steps:
  - id: a
    wait: 1m
    timout: 5m
    owner: me
  - id: b
    manual: do it
  - id: c
    wait: soon
`;
    assert.deepEqual(lines(text).errors, [
      'database-loss.yaml:6 steps[0].timout: Unrecognized key: "timout"',
      'database-loss.yaml:7 steps[0].owner: Unrecognized key: "owner"',
      'database-loss.yaml:8 steps[1].budget: Expected `budget` (planned duration, like "15m")',
      `database-loss.yaml:11 steps[2].wait: ${DURATION}, got "soon"`,
    ]);
    assert.deepEqual(lines('title: T\ninputs:\n  a b: 1\nsteps:\n  - id: a\n    wait: 1m\n').errors, [
      'database-loss.yaml:1 id: Expected string, got nothing',
      'database-loss.yaml:3 inputs["a b"]: Expected an id of letters, digits, "-" or "_", got "a b"',
    ]);
    assert.deepEqual(lines('').errors, ['database-loss.yaml:1: Expected a runbook (a mapping with id, title and steps), got an empty document']);
  });

  test('lint issues are located too; warnings alone still yield the runbook', () => {
    const text = `id: x
title: T
objectives:
  rto: 10m
steps:
  - id: a
    wait: 1m
  - id: g
    parallel:
      steps:
        - id: a
          budget: 20m
          manual: "{{ inputs.who }}"
`;
    assert.deepEqual(lines(text), {
      ok: false,
      errors: [
        'database-loss.yaml:11 steps[1].parallel.steps[0].id: Expected unique step ids, got "a" again (first at steps[0])',
        'database-loss.yaml:13 steps[1].parallel.steps[0].manual: Unknown input "who" in `{{ inputs.who }}`; the runbook declares no inputs',
      ],
      warnings: ["warning: database-loss.yaml:4 objectives.rto: Expected the live steps' planned duration on the longest path to fit the RTO of 10m, got 21m"],
    });
    const fine = parseRunbook(text.replace('- id: a\n          budget', '- id: b\n          budget').replace('{{ inputs.who }}', 'ask'), 'x.yaml');
    assert.equal(fine.runbook?.steps.length, 2);
    assert.deepEqual([fine.errors.length, fine.warnings.map((w) => [w.rule, w.line])], [0, [['budgetsFitRto', 4]]]);
  });
});

describe('formatIssue', () => {
  test('file:line path: message, with a warning prefix', () => {
    const issue: LintIssue = { level: 'error', rule: 'schema', message: 'Expected a duration like "15m", got "abc"', path: ['steps', 3, 'budget'], file: 'database-loss.yaml', line: 42 };
    assert.equal(formatIssue(issue), 'database-loss.yaml:42 steps[3].budget: Expected a duration like "15m", got "abc"');
    assert.equal(formatIssue({ ...issue, level: 'warning' }), 'warning: database-loss.yaml:42 steps[3].budget: Expected a duration like "15m", got "abc"');
    assert.equal(formatIssue({ ...issue, path: ['inputs', 'db-url'], line: undefined }), 'database-loss.yaml inputs["db-url"]: Expected a duration like "15m", got "abc"');
    assert.equal(formatIssue({ ...issue, path: [], file: undefined }), 'Expected a duration like "15m", got "abc"');
  });
});

describe('resolveInputs', () => {
  const runbook = runbookSchema.parse({
    id: 'restore',
    title: 'Restore',
    inputs: {
      backup: { required: true, description: 'the backup id, e.g. 2024-05-01' },
      target: { required: true },
      region: 'eu-west-1',
      db: { secret: true, default: 'env:DATABASE_URL' },
      token: { secret: true },
    },
    steps: [{ id: 'a', wait: '1m' }],
  });
  test('applies defaults and keeps given values', () => {
    assert.deepEqual(resolveInputs(runbook, { backup: 'b1', target: 'staging', token: 'file:/run/secrets/t' }), {
      values: { backup: 'b1', target: 'staging', region: 'eu-west-1', db: 'env:DATABASE_URL', token: 'file:/run/secrets/t' },
      errors: [],
    });
  });
  test('reports missing, unknown and literal secret inputs', () => {
    assert.deepEqual(resolveInputs(runbook, { regoin: 'us', db: 'postgres://u:pw@h/db', target: undefined }), {
      values: { region: 'eu-west-1' },
      errors: [
        'Unknown input "regoin"; expected one of: backup, target, region, db, token',
        'Input "backup" is required (the backup id, e.g. 2024-05-01)',
        'Input "target" is required',
        'Input "db" is secret: expected a reference like "env:NAME" or "file:/path", got a literal value',
      ],
    });
  });
  test('a runbook without inputs', () => {
    const bare = runbookSchema.parse({ id: 'bare', title: 'B', steps: [{ id: 'a', wait: '1m' }] });
    assert.deepEqual(resolveInputs(bare, { x: 1 }), { values: {}, errors: ['Unknown input "x"; runbook "bare" takes no inputs'] });
  });
});
