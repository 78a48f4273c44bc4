// Each step's effect class as the loader sets it: derived from the action, declared by the runbook
// (a declaration may raise the class, or vouch for what the classifier cannot see, never contradict
// what it showed), and the lint rules and the audit table built on it.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue, parseRunbook } from '../../../src/runbook/load.js';
import type { Runbook } from '../../../src/runbook/model.js';
import { auditRunbook } from '../../../src/safety/audit.js';
import { loadParsers } from '../../../src/safety/index.js';
import { classifyRunbook } from '../../../src/safety/steps.js';

before(() => loadParsers());

const head = `id: t
title: T
approvers: { oncall: [alice, bob] }
steps:
`;

function load(steps: string) {
  return parseRunbook(head + steps, 't.yaml', { classify: classifyRunbook });
}

function runbook(steps: string): Runbook {
  const result = load(steps);
  assert.deepEqual(result.errors.map(formatIssue), []);
  return result.runbook!;
}

describe('step effect classes', () => {
  // Rows: step YAML (one line) → effect, source, proven.
  const cases: Array<[string, string, string, boolean]> = [
    ['{ id: s, budget: 1m, shell: { command: [echo, hi] } }', 'read-only', 'derived', true],
    ['{ id: s, budget: 1m, shell: { script: "rm -rf /data" } }', 'destructive', 'derived', true],
    ['{ id: s, budget: 1m, shell: { script: "./scripts/check-health.sh" } }', 'changes-state', 'derived', false],
    ['{ id: s, budget: 1m, effect: read-only, shell: { script: "./scripts/check-health.sh" } }', 'read-only', 'declared', false],
    ['{ id: s, budget: 1m, effect: destructive, shell: { command: [echo, hi] } }', 'destructive', 'declared', true],
    ['{ id: s, budget: 1m, destructive: true, shell: { command: [echo, hi] } }', 'destructive', 'declared', true],
    ['{ id: s, budget: 1m, sql: { connection: env:DB, query: "SELECT 1; DROP TABLE users" } }', 'destructive', 'derived', true],
    ['{ id: s, budget: 1m, sql: { connection: env:DB, query: "SELECT count(*) FROM users" } }', 'read-only', 'derived', true],
    ['{ id: s, budget: 1m, http: { url: "http://x/health" } }', 'read-only', 'derived', true],
    ['{ id: s, budget: 1m, http: { url: "http://x/flags", method: POST, body: { on: true } } }', 'changes-state', 'derived', true],
    ['{ id: s, budget: 1m, http: { url: "http://x/cache", method: DELETE } }', 'destructive', 'derived', true],
    ['{ id: s, budget: 1m, postgres.restore: { target: env:DB } }', 'destructive', 'derived', true],
    ['{ id: s, budget: 1m, postgres.backup: { connection: env:DB } }', 'changes-state', 'derived', true],
    ['{ id: s, budget: 1m, postgres.verify: { connection: env:DB } }', 'read-only', 'derived', true],
    ['{ id: s, budget: 1m, storage.prune: { dryRun: true } }', 'read-only', 'derived', true],
    ['{ id: s, budget: 1m, storage.prune: {} }', 'destructive', 'derived', true],
    ['{ id: s, budget: 1m, runbook: { id: other } }', 'read-only', 'derived', true],
    ['{ id: s, budget: 1m, runbook: { id: other, mode: live } }', 'changes-state', 'derived', false],
    ['{ id: s, budget: 1m, manual: "Call the DBA" }', 'read-only', 'derived', true],
  ];
  for (const [yaml, effect, source, proven] of cases) {
    test(`${yaml} → ${effect} (${source}${proven ? '' : ', unproven'})`, () => {
      const step = runbook(`  - ${yaml}\n`).steps[0]!;
      assert.deepEqual([step.effect?.effect, step.effect?.source, step.effect?.proven], [effect, source, proven]);
      assert.equal(step.destructive, effect === 'destructive');
      assert.ok(step.effect!.reasons.length > 0, 'a class always says why');
    });
  }

  test('a parallel group is as strong as its strongest child, which carries the gate', () => {
    const rb = runbook('  - { id: g, parallel: [ { id: a, budget: 1m, shell: { command: [echo, a] } }, { id: b, budget: 1m, shell: { script: "kubectl delete ns prod" } } ] }\n');
    const group = rb.steps[0]!;
    assert.equal(group.effect?.effect, 'destructive');
    assert.equal(group.destructive, false);
    assert.deepEqual(group.action.kind === 'parallel' && group.action.steps.map((s) => [s.id, s.destructive]), [['a', false], ['b', true]]);
  });
});

describe('lint on effect classes', () => {
  test('a declaration that contradicts what the classifier showed is an error naming the field', () => {
    const result = load('  - { id: s, budget: 1m, effect: read-only, shell: { script: "psql -c \\"DROP TABLE users\\"" } }\n');
    assert.equal(result.runbook, undefined);
    assert.deepEqual(result.errors.map(formatIssue), [
      't.yaml:5 steps[0].effect: Expected effect: destructive or no declaration (`DROP TABLE users` drops a table), got read-only',
    ]);
  });

  test('reasons that change nothing are warned about', () => {
    const result = load(
      '  - { id: a, budget: 1m, safeToRehearse: harmless anyway, shell: { command: [echo, hi] } }\n' +
        '  - { id: b, budget: 1m, noApproval: nothing to lose, shell: { command: [touch, /tmp/x] } }\n',
    );
    assert.deepEqual(
      result.warnings.map((w) => `${w.rule}: ${w.message}`),
      [
        'reasonsApply: Step "a" only reads, so a drill runs it anyway; expected safeToRehearse only on steps that change state',
        'reasonsApply: Step "b" is not destructive, so it never waits for an implicit approval; expected noApproval only on destructive steps',
      ],
    );
  });

  test('destructive with a contradicting effect, or empty reasons, fail in the schema', () => {
    const errors = (steps: string) => load(steps).errors.map(formatIssue);
    assert.deepEqual(errors('  - { id: s, budget: 1m, destructive: true, effect: read-only, shell: { command: [echo] } }\n'), [
      't.yaml:5 steps[0].effect: Expected effect: destructive (the step says destructive: true), got read-only',
    ]);
    assert.deepEqual(errors('  - { id: s, budget: 1m, effect: harmless, shell: { command: [echo] } }\n'), [
      't.yaml:5 steps[0].effect: Expected one of read-only, changes-state, destructive, got "harmless"',
    ]);
    assert.deepEqual(errors('  - { id: s, budget: 1m, safeToRehearse: " ", shell: { command: [touch, x] } }\n'), [
      't.yaml:5 steps[0].safeToRehearse: Expected the reason the step is safe to run in a drill, got an empty text',
    ]);
  });
});

describe('the audit table (dr effects)', () => {
  test('says what a drill and a live run do with each step, as the interpreter decides it', () => {
    const rb = runbook(
      [
        '  - { id: look, budget: 1m, shell: { command: [kubectl, get, pods] } }',
        '  - { id: scale, budget: 1m, shell: { command: [kubectl, scale, deployment, api, --replicas=0] } }',
        '  - { id: gate, budget: 1m, approval: { roles: [oncall] } }',
        '  - { id: drop, budget: 1m, sql: { connection: env:DB, query: "DROP TABLE old_events" } }',
        '  - { id: ok, budget: 1m, safeToRehearse: targets the drill namespace, noApproval: the drill namespace only, shell: { script: "kubectl delete ns drill" } }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      auditRunbook(rb).map((r) => [r.id, r.effect, r.drill, r.live]),
      [
        ['look', 'read-only', 'runs', '—'],
        ['scale', 'destructive', 'rehearsed: a person confirms, nothing runs', 'waits for its own approval'],
        ['gate', 'read-only', '—', '—'],
        ['drop', 'destructive', 'rehearsed: a person confirms, nothing runs', 'approval "gate" first (else asks its own)'],
        ['ok', 'destructive', 'runs: targets the drill namespace', 'no approval: the drill namespace only'],
      ],
    );
  });
});
