import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPath, lintRunbook } from '../../../src/runbook/lint.js';
import { runbookSchema } from '../../../src/runbook/schema.js';

const runbook = (fields: object) => runbookSchema.parse({ id: 'r', title: 'R', ...fields });
const issues = (rule: string, fields: object) =>
  lintRunbook(runbook(fields)).filter((i) => i.rule === rule).map((i) => [i.level, formatPath(i.path), i.message]);

const approvers = { dba: ['alice', 'bob'], lead: ['carol'] };
const gate = { id: 'gate', budget: '5m', approval: { roles: ['dba'] } };

test('a sound runbook has no issues', () => {
  const clean = runbook({
    objectives: { rto: '1h' },
    inputs: { host: { required: true }, db: { secret: true, default: 'env:DB' } },
    approvers,
    connections: { main: '{{ inputs.db }}' },
    steps: [
      { id: 'dump', budget: '10m', shell: { command: ['pg_dump', '-h', '{{ inputs.host }}'] } },
      gate,
      { id: 'g', parallel: [{ id: 'restore', budget: '20m', destructive: true, sql: { connection: 'main', query: 'select 1' } }, { id: 'tell', notify: '{{ steps.dump.output.path }} by {{ run.id }}' }] },
      { id: 'verify', budget: '5m', sql: { connection: 'env:DB2', query: "select '{{ steps.restore.status }}'" } },
    ],
  });
  assert.deepEqual(lintRunbook(clean), []);
});

describe('stepIdsUnique', () => {
  test('fires for a repeated id, also inside a parallel group', () => {
    const steps = [{ id: 'a', wait: '1m' }, { id: 'g', parallel: [{ id: 'b', wait: '1m' }, { id: 'a', wait: '1m' }] }, { id: 'b', wait: '1m' }];
    assert.deepEqual(issues('stepIdsUnique', { steps }), [
      ['error', 'steps[1].parallel[1].id', 'Expected unique step ids, got "a" again (first at steps[0])'],
      ['error', 'steps[2].id', 'Expected unique step ids, got "b" again (first at steps[1].parallel[0])'],
    ]);
  });
  test('does not fire for distinct ids', () => {
    assert.deepEqual(issues('stepIdsUnique', { steps: [{ id: 'a', wait: '1m' }, { id: 'g', parallel: [{ id: 'b', wait: '1m' }] }] }), []);
  });
});

describe('referencesExist', () => {
  test('fires for unknown inputs, unknown and not-yet-finished steps, bad run fields', () => {
    const steps = [
      { id: 'a', notify: '{{ inputs.hots }} {{ steps.a.status }}' },
      { id: 'g', parallel: [{ id: 'b', wait: '1m' }, { id: 'c', notify: '{{ steps.b.output }}' }] },
      { id: 'd', shell: { command: ['x', '{{ steps.e.output.x }}', '{{ steps.nope.status }}', '{{ run.user }}', '{{ steps.a.path }}'] }, budget: '1m' },
      { id: 'e', wait: '1m' },
    ];
    assert.deepEqual(issues('referencesExist', { inputs: { host: 'h' }, steps }), [
      ['error', 'steps[0].notify.message', 'Unknown input "hots" in `{{ inputs.hots }}`; expected one of: host'],
      ['error', 'steps[0].notify.message', 'Step "a" in `{{ steps.a.status }}` does not finish before step "a" starts (it runs later, or in the same parallel group)'],
      ['error', 'steps[1].parallel[1].notify.message', 'Step "b" in `{{ steps.b.output }}` does not finish before step "c" starts (it runs later, or in the same parallel group)'],
      ['error', 'steps[2].shell.command[1]', 'Step "e" in `{{ steps.e.output.x }}` does not finish before step "d" starts (it runs later, or in the same parallel group)'],
      ['error', 'steps[2].shell.command[2]', 'Unknown step "nope" in `{{ steps.nope.status }}`; expected one of: a, g, b, c'],
      ['error', 'steps[2].shell.command[3]', 'Expected a reference like inputs.<name>, steps.<id>.output.<field>, steps.<id>.status or run.id, got `{{ run.user }}`'],
      ['error', 'steps[2].shell.command[4]', 'Expected a reference like inputs.<name>, steps.<id>.output.<field>, steps.<id>.status or run.id, got `{{ steps.a.path }}`'],
    ]);
  });
  test('fires for undeclared roles, unknown connections and step references outside steps', () => {
    const steps = [
      { id: 'ok', budget: '1m', manual: { instructions: 'x', roles: ['lead', 'ops'] } },
      { id: 'gate', budget: '1m', approval: { roles: ['sre'] } },
      { id: 'q', budget: '1m', sql: { connection: 'replica', query: 'select 1' } },
    ];
    assert.deepEqual(issues('referencesExist', { approvers, connections: { main: 'env:DB', bad: '{{ steps.q.output }}' }, steps }), [
      ['error', 'connections.bad', 'Expected only inputs.* and run.* references here, got `{{ steps.q.output }}`'],
      ['error', 'steps[0].manual.roles[1]', 'Role "ops" is not declared in approvers; expected one of: dba, lead'],
      ['error', 'steps[1].approval.roles[0]', 'Role "sre" is not declared in approvers; expected one of: dba, lead'],
      ['error', 'steps[2].sql.connection', 'Expected `connection` to be one of main, bad (connections) or a reference like "env:DATABASE_URL", got "replica"'],
    ]);
  });
  test('warns when the referenced step is skipped in a mode the referencing step runs in', () => {
    const steps = [{ id: 'dump', budget: '1m', modes: ['live'], shell: { command: ['x'] } }, { id: 'say', notify: '{{ steps.dump.output.path }}' }];
    assert.deepEqual(issues('referencesExist', { steps }), [
      ['warning', 'steps[1].notify.message', 'Step "dump" does not run in drill mode, so `{{ steps.dump.output.path }}` has no value there; expected it to run in drill or a default like | default("")'],
    ]);
    const withDefault = [steps[0]!, { id: 'say', notify: '{{ steps.dump.output.path | default("n/a") }}' }];
    assert.deepEqual(issues('referencesExist', { steps: withDefault }), []);
  });
});

describe('approvalsSatisfiable', () => {
  test('fires when fewer people hold the roles than approvals are required', () => {
    const steps = [{ id: 'gate', budget: '1m', approval: { roles: ['lead'], required: 2 } }];
    assert.deepEqual(issues('approvalsSatisfiable', { approvers, steps }), [['error', 'steps[0].approval.required', 'Expected at least 2 people in roles lead, got 1']]);
    const enough = [{ id: 'gate', budget: '1m', approval: { roles: ['lead', 'dba'], required: 3 } }];
    assert.deepEqual(issues('approvalsSatisfiable', { approvers, steps: enough }), []);
  });
});

describe('budgetsFitRto', () => {
  const steps = [
    { id: 'a', budget: '30m', manual: 'x' },
    { id: 'g', parallel: [{ id: 'b', budget: '1h', manual: 'x' }, { id: 'c', budget: '2h', manual: 'x', modes: ['drill'] }] },
    { id: 'd', budget: '1h', manual: 'x', modes: ['drill'] },
  ];
  test('fires when the live longest path exceeds the RTO', () => {
    assert.deepEqual(issues('budgetsFitRto', { objectives: { rto: '1h' }, steps }), [
      ['warning', 'objectives.rto', "Expected the live steps' planned duration on the longest path to fit the RTO of 1h, got 1h30m"],
    ]);
  });
  test('does not fire when it fits or without an RTO', () => {
    assert.deepEqual(issues('budgetsFitRto', { objectives: { rto: '90m' }, steps }), []);
    assert.deepEqual(issues('budgetsFitRto', { steps }), []);
  });
});

test('silentGateMustAbort: an approval gating a destructive step cannot continue on timeout', () => {
  const runbook = runbookSchema.parse({
    id: 'x', title: 'X', approvers: { dba: ['a'] },
    steps: [
      { id: 'gate', budget: '1m', approval: { roles: ['dba'], escalateAfter: '5m', onTimeout: 'continue' } },
      { id: 'drop', budget: '1m', destructive: true, shell: { command: ['true'] } },
    ],
  });
  const issues = lintRunbook(runbook).filter((i) => i.rule === 'silentGateMustAbort');
  assert.deepEqual(issues.map((i) => [i.level, i.path, i.message]), [
    ['error', ['steps', 0, 'approval', 'onTimeout'], 'Expected onTimeout: abort for an approval that gates destructive step(s) drop, got continue'],
  ]);
});

describe('secretsThroughEnv', () => {
  const inputs = { url: { secret: true, default: 'env:DATABASE_URL' }, ref: { default: 'file:/run/secrets/x' }, host: { default: 'db' } };
  test('fires for a secret input in a shell command or script, which would get the reference text', () => {
    const steps = [
      { id: 'probe', budget: '1m', shell: { command: ['pg_isready', '-d', '{{ inputs.url }}', '-h', '{{ inputs.host }}'] } },
      { id: 'load', budget: '1m', shell: { script: 'psql {{ inputs.ref }} -c "select 1"' } },
    ];
    assert.deepEqual(issues('secretsThroughEnv', { inputs, steps }), [
      ['error', 'steps[0].shell.command[2]', 'Input "url" holds a secret reference, which is resolved only in `env:` values: expected env: { URL: "{{ inputs.url }}" } and "$URL" in a script, got `{{ inputs.url }}` in the command'],
      ['error', 'steps[1].shell.script', 'Input "ref" holds a secret reference, which is resolved only in `env:` values: expected env: { REF: "{{ inputs.ref }}" } and "$REF" in a script, got `{{ inputs.ref }}` in the script'],
    ]);
  });
  test('does not fire for a secret passed through env', () => {
    const steps = [{ id: 'probe', budget: '1m', shell: { script: 'pg_isready -d "$URL"', env: { URL: '{{ inputs.url }}' } } }];
    assert.deepEqual(issues('secretsThroughEnv', { inputs, steps }), []);
  });
});
