import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_KINDS, isSecretReference, runbookSchema, stepSchema } from '../../../src/runbook/schema.js';

const base = { id: 'db-loss', title: 'Database loss' };
const withStep = (step: object) => ({ ...base, steps: [{ id: 'a', budget: '1m', ...step }] });
const DURATION = 'Expected a duration like "15m", "1h30m" or "2 hours"';

describe('runbookSchema rejects', () => {
  const bad: Array<[string, unknown, Array<[(string | number)[], string]>]> = [
    ['no steps', { ...base, steps: [] }, [[['steps'], 'Expected at least one step']]],
    ['a bad runbook id', { ...base, id: 'db loss', steps: [{ id: 'a', wait: '1m' }] }, [[['id'], 'Expected an id of letters, digits, "-" or "_", got "db loss"']]],
    ['a step without action', withStep({}), [[['steps', 0], `Expected exactly one action (${ACTION_KINDS.join(', ')}), got none`]]],
    ['a step with two actions', withStep({ wait: '1m', notify: 'x' }), [[['steps', 0], 'Expected exactly one action, got wait and notify']]],
    ['a step without budget', { ...base, steps: [{ id: 'a', manual: 'check' }] }, [[['steps', 0, 'budget'], 'Expected `budget` (planned duration, like "15m")']]],
    ['a bad budget', withStep({ budget: 'abc', wait: '1m' }), [[['steps', 0, 'budget'], `${DURATION}, got "abc"`]]],
    ['a boolean budget', withStep({ budget: true, wait: '1m' }), [[['steps', 0, 'budget'], `${DURATION}, got true`]]],
    ['a bad wait shorthand', { ...base, steps: [{ id: 'a', wait: 'soon' }] }, [[['steps', 0, 'wait', 'duration'], `${DURATION}, got "soon"`]]],
    ['a bad retry', withStep({ retry: 'abc', wait: '1m' }), [[['steps', 0, 'retry'], 'Expected a number of attempts or { attempts, backoff }, got "abc"']]],
    ['zero retries', withStep({ retry: 0, wait: '1m' }), [[['steps', 0, 'retry', 'attempts'], 'Too small: expected number to be >=1']]],
    ['a bad retry backoff', withStep({ retry: { attempts: 2, backoff: 'x' }, wait: '1m' }), [[['steps', 0, 'retry', 'backoff'], `${DURATION}, got "x"`]]],
    ['an unknown mode', withStep({ modes: ['prod'], wait: '1m' }), [[['steps', 0, 'modes', 0], 'Invalid option: expected one of "live"|"drill"|"dry-run"']]],
    ['shell with command and script', withStep({ shell: { command: ['ls'], script: 'ls' } }), [[['steps', 0, 'shell'], 'Expected exactly one of `command` (argv list) or `script` (a shell script)']]],
    ['a bad http status', withStep({ http: { url: 'http://x', expect: { status: 'ok' } } }), [[['steps', 0, 'http', 'expect', 'status'], 'Expected a status code or a list of them, got "ok"']]],
    ['an approval without roles', withStep({ approval: { roles: [] } }), [[['steps', 0, 'approval', 'roles'], 'Expected at least one approver role']]],
    ['an unknown manual field', withStep({ manual: { instructions: 'x', who: 1 } }), [[['steps', 0, 'manual'], 'Unrecognized key: "who"']]],
    ['an empty comparison', withStep({ sql: { connection: 'main', query: 'q', expect: { rowCount: {} } } }), [[['steps', 0, 'sql', 'expect', 'rowCount'], 'Expected at least one of `equals`, `min`, `max`']]],
    ['an empty parallel group', { ...base, steps: [{ id: 'g', parallel: [] }] }, [[['steps', 0, 'parallel', 'steps'], 'Expected at least one step in the group']]],
    ['a parallel group that is not a list', { ...base, steps: [{ id: 'g', parallel: 'x' }] }, [[['steps', 0, 'parallel'], 'Expected a list of steps, got "x"']]],
    [
      'a bad budget nested in a parallel group',
      { ...base, steps: [{ id: 'g', parallel: [{ id: 'a', wait: '1m' }, { id: 'b', budget: 'abc', manual: 'x' }] }] },
      [[['steps', 0, 'parallel', 'steps', 1, 'budget'], `${DURATION}, got "abc"`]],
    ],
    ['a literal secret default', { ...base, inputs: { pw: { secret: true, default: 'hunter2' } }, steps: [{ id: 'a', wait: '1m' }] }, [[['inputs', 'pw', 'default'], 'Expected a secret reference like "env:NAME" or "file:/path", got a literal value']]],
    ['an unknown top-level field', { ...base, owner: 'me', steps: [{ id: 'a', wait: '1m' }] }, [[[], 'Unrecognized key: "owner"']]],
    ['a document that is not a mapping', 'hello', [[[], 'Invalid input: expected object, received string']]],
    ['a backup format that does not exist', withStep({ 'postgres.backup': { connection: 'main', format: 'tar' } }), [[['steps', 0, 'postgres.backup', 'format'], 'Expected one of custom, directory, plain, got "tar"']]],
    ['a table name that is not one', withStep({ 'postgres.backup': { connection: 'main', tables: ['users; drop table x'] } }), [[['steps', 0, 'postgres.backup', 'tables', 0], 'Expected a table name like users or public.users (lower case), got "users; drop table x"']]],
    ['a backup prefix that climbs', withStep({ 'postgres.backup': { connection: 'main', prefix: '../etc' } }), [[['steps', 0, 'postgres.backup', 'prefix'], 'Expected a prefix like daily or agent-core/weekly, got "../etc"']]],
    ['a gzip level out of range', withStep({ 'postgres.backup': { connection: 'main', compression: 12 } }), [[['steps', 0, 'postgres.backup', 'compression'], 'Too big: expected number to be <=9']]],
    ['an incident time that is not one', withStep({ 'postgres.restore': { target: 'main', incidentAt: 'yesterday' } }), [[['steps', 0, 'postgres.restore', 'incidentAt'], 'Expected an ISO time like 2024-03-15T11:30:00Z, got "yesterday"']]],
    ['a backup id with a slash', withStep({ 'postgres.restore': { target: 'main', backup: 'daily/x' } }), [[['steps', 0, 'postgres.restore', 'backup'], 'Expected "latest" or a backup id, got "daily/x"']]],
    ['an unknown verify check', withStep({ 'postgres.verify': { connection: 'main', checks: ['vibes'] } }), [[['steps', 0, 'postgres.verify', 'checks', 0], 'Invalid option: expected one of "tables"|"rowCounts"|"foreignKeys"|"indexes"|"rls"']]],
    ['a bad retention duration', withStep({ 'storage.prune': { policy: { daily: 'a month' } } }), [[['steps', 0, 'storage.prune', 'policy', 'daily'], `${DURATION}, got "a month"`]]],
  ];
  test('each bad input with its exact issues', () => {
    for (const [name, input, expected] of bad) {
      const result = runbookSchema.safeParse(input);
      assert.equal(result.success, false, name);
      assert.deepEqual(result.error?.issues.map((i) => [i.path, i.message]), expected, name);
    }
  });
});

describe('step action forms', () => {
  const action = (step: object) => stepSchema.parse({ id: 'a', budget: '1m', ...step }).action;
  test('shell: argv list, whitespace-split string, script', () => {
    assert.deepEqual(action({ shell: { command: ['pg_dump', 5, '--format=custom'] } }), { kind: 'shell', command: ['pg_dump', '5', '--format=custom'], script: undefined, env: {}, cwd: undefined, okExitCodes: [0] });
    assert.deepEqual(action({ shell: { command: ' systemctl  restart api ' } }), { kind: 'shell', command: ['systemctl', 'restart', 'api'], script: undefined, env: {}, cwd: undefined, okExitCodes: [0] });
    assert.deepEqual(action({ shell: { script: 'ls | wc -l', env: { N: 1 }, okExitCodes: [0, 1] } }), { kind: 'shell', command: undefined, script: 'ls | wc -l', env: { N: '1' }, cwd: undefined, okExitCodes: [0, 1] });
  });
  test('http: defaults and a JSON body', () => {
    assert.deepEqual(action({ http: { url: 'http://x/health' } }), { kind: 'http', url: 'http://x/health', method: 'GET', headers: {}, body: undefined, json: undefined, expect: { status: [200], body: undefined }, poll: undefined });
    assert.deepEqual(action({ http: { url: 'u', method: 'post', body: { a: 1 }, expect: { status: [200, 201] }, poll: { for: '5m' } } }), {
      kind: 'http', url: 'u', method: 'POST', headers: { 'content-type': 'application/json' }, body: undefined, json: { a: 1 }, expect: { status: [200, 201], body: undefined }, poll: { everyMs: 5000, forMs: 300_000 },
    });
  });
  test('sql, manual, approval, wait, notify', () => {
    assert.deepEqual(action({ sql: { connection: 'main', query: 'select 1' } }), { kind: 'sql', connection: 'main', query: 'select 1', params: [] });
    assert.deepEqual(action({ manual: 'Check the dashboard' }), { kind: 'manual', instructions: 'Check the dashboard', roles: [], onTimeout: 'abort', escalateAfterMs: undefined });
    assert.deepEqual(action({ manual: { instructions: 'x', roles: ['dba'] } }), { kind: 'manual', instructions: 'x', roles: ['dba'], onTimeout: 'abort', escalateAfterMs: undefined });
    assert.deepEqual(action({ approval: { roles: ['dba'] } }), { kind: 'approval', roles: ['dba'], required: 1, onTimeout: 'abort', escalateAfterMs: undefined });
    assert.deepEqual(action({ approval: { roles: ['dba'], escalateAfter: '10m', onTimeout: 'continue' } }), { kind: 'approval', roles: ['dba'], required: 1, onTimeout: 'continue', escalateAfterMs: 600_000 });
    assert.deepEqual(action({ wait: '5m' }), { kind: 'wait', durationMs: 300_000 });
    assert.deepEqual(action({ wait: 30 }), { kind: 'wait', durationMs: 30_000 });
    assert.deepEqual(action({ wait: { duration: '1h' } }), { kind: 'wait', durationMs: 3_600_000 });
    assert.deepEqual(action({ notify: 'Restore started' }), { kind: 'notify', message: 'Restore started' });
    assert.deepEqual(action({ notify: { webhook: 'env:HOOK', message: 'm' } }), { kind: 'notify', webhook: 'env:HOOK', message: 'm' });
  });
  test('parallel: list and { steps } forms; the group budget is its longest child', () => {
    const children = [{ id: 'x', budget: '10m', manual: 'a' }, { id: 'y', wait: '15m' }];
    for (const parallel of [children, { steps: children }]) {
      const group = stepSchema.parse({ id: 'g', parallel });
      assert.equal(group.budgetMs, 900_000);
      assert.deepEqual(group.action.kind === 'parallel' && group.action.steps.map((s) => s.id), ['x', 'y']);
    }
  });
});

describe('defaults', () => {
  test('step defaults', () => {
    assert.deepEqual(stepSchema.parse({ id: 'a', notify: 'hi' }), {
      id: 'a', title: 'a', description: undefined, budgetMs: 0, timeoutMs: undefined, retry: { attempts: 1, backoffMs: 1000 },
      onFailure: 'abort', destructive: false, declaredEffect: undefined, safeToRehearse: undefined, noApproval: undefined,
      modes: ['live', 'drill', 'dry-run'], action: { kind: 'notify', message: 'hi' },
    });
    assert.deepEqual(stepSchema.parse({ id: 'a', wait: '1m', retry: 3 }).retry, { attempts: 3, backoffMs: 1000 });
    assert.deepEqual(stepSchema.parse({ id: 'a', wait: '1m', retry: { backoff: '30s' } }).retry, { attempts: 1, backoffMs: 30_000 });
  });
  test('runbook defaults and input shorthand', () => {
    const runbook = runbookSchema.parse({ ...base, objectives: { rto: '4h' }, inputs: { region: 'eu', db: { secret: true, default: 'env:DB' } }, steps: [{ id: 'a', wait: '1m' }] });
    assert.deepEqual(runbook.objectives, { rtoMs: 14_400_000, rpoMs: undefined });
    assert.deepEqual(runbook.inputs, {
      region: { required: false, secret: false, default: 'eu' },
      db: { required: false, secret: true, default: 'env:DB' },
    });
    assert.deepEqual([runbook.approvers, runbook.connections, runbook.notify], [{}, {}, {}]);
  });
});

test('isSecretReference', () => {
  for (const ok of ['env:DATABASE_URL', 'file:/run/secrets/pg']) assert.equal(isSecretReference(ok), true, ok);
  for (const no of ['hunter2', 'env:', 'env:1X', 'file:relative', 'ENV:X', 42, undefined]) assert.equal(isSecretReference(no), false, String(no));
});

describe('backup actions', () => {
  const parse = (step: object) => {
    const r = stepSchema.safeParse({ id: 'a', budget: '1m', ...step });
    assert.ok(r.success, JSON.stringify(r.error?.issues));
    return r.data.action;
  };
  test('take their defaults, and templates are left for the worker to check', () => {
    assert.deepEqual(parse({ 'postgres.backup': { connection: 'env:DATABASE_URL' } }), {
      kind: 'postgres.backup', connection: 'env:DATABASE_URL', prefix: 'daily', format: 'custom', jobs: 2, compression: 1,
    });
    assert.deepEqual(parse({ 'postgres.backup': { connection: 'main', format: '{{ inputs.format }}', tables: ['{{ inputs.tables }}'] } }), {
      kind: 'postgres.backup', connection: 'main', prefix: 'daily', format: '{{ inputs.format }}', tables: ['{{ inputs.tables }}'], jobs: 2, compression: 1,
    });
    assert.deepEqual(parse({ 'postgres.restore': { target: 'new' } }), { kind: 'postgres.restore', target: 'new', backup: 'latest', jobs: 2, noOwner: false });
    assert.deepEqual(parse({ 'postgres.verify': { connection: 'new', sql: [{ name: 'users', query: 'SELECT count(*) FROM users', expect: { min: 1 } }] } }), {
      kind: 'postgres.verify', connection: 'new', backup: 'latest', checks: ['tables', 'rowCounts', 'foreignKeys', 'indexes', 'rls'],
      sql: [{ name: 'users', query: 'SELECT count(*) FROM users', expect: { min: 1 } }],
    });
    assert.deepEqual(parse({ 'storage.list': 'daily' }), { kind: 'storage.list', prefix: 'daily' });
    assert.deepEqual(parse({ 'storage.prune': { dryRun: true, policy: { weekly: '60d' } } }), {
      kind: 'storage.prune', dryRun: true, policy: { weekly: 60 * 86_400_000 }, incompleteAfterMs: 86_400_000,
    });
  });
});
