// Input defaults per environment (runbooks/environments/<name>.yaml) and the check, on the worker,
// that every reference a run will read resolves there, before its first step.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadRunbook } from '../../src/activities/load.js';
import { inputsUsed, parseEnvironment } from '../../src/runbook/environment.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-environment-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'environments'));
writeFileSync(
  join(dir, 'loss.yaml'),
  `id: loss
title: Loss
inputs:
  url: { secret: true, default: env:NEW_DATABASE_URL }
  admin: { default: "postgres://postgres@127.0.0.1:5432/postgres" }
  live_only: { secret: true, default: env:PROD_URL }
steps:
  - id: probe
    budget: 1m
    shell: { script: 'pg_isready -d "$URL"', env: { URL: "{{ inputs.url }}", ADMIN: "{{ inputs.admin }}" } }
  - id: prod
    budget: 1m
    modes: [live]
    sql: { connection: "{{ inputs.live_only }}", query: "select 1" }
`,
);
writeFileSync(join(dir, 'environments', 'local.yaml'), 'loss:\n  url: env:DEMO_DATABASE_URL\n  admin: env:DEMO_ADMIN_URL\n');
writeFileSync(join(dir, 'environments', 'typo.yaml'), 'loss:\n  ulr: env:DEMO_DATABASE_URL\n');

describe('environments', () => {
  test('the environment file gives defaults; with their variables set on the worker, nothing is missing', async () => {
    const env = { DEMO_DATABASE_URL: 'postgres://x@h/db', DEMO_ADMIN_URL: 'postgres://x@h/postgres' };
    const loaded = await loadRunbook({ id: 'loss', mode: 'drill', inputs: {} }, { dir, environment: 'local', env });
    assert.deepEqual(loaded.inputDefaults, { url: 'env:DEMO_DATABASE_URL', admin: 'env:DEMO_ADMIN_URL' });
    // live_only is read by a live step only: a drill does not need it.
    assert.equal(loaded.inputProblems, undefined);
  });

  test('a reference the worker cannot resolve stops the run at once, naming the input and where to set it', async () => {
    const loaded = await loadRunbook({ id: 'loss', mode: 'drill', inputs: {} }, { dir, environment: 'local', env: { DEMO_ADMIN_URL: 'postgres://x@h/postgres' } });
    assert.deepEqual(loaded.inputProblems, [
      'Input "url" is env:DEMO_DATABASE_URL, which the worker cannot resolve (Secret env:DEMO_DATABASE_URL is not set: environment variable DEMO_DATABASE_URL is undefined on the worker): export DEMO_DATABASE_URL on the worker, give the run {"inputs": {"url": "env:NAME"}} (dr start --input url=env:NAME), or set it in runbooks/environments/local.yaml (loss.url)',
    ]);
    // Without an environment, the runbook's own default is what is missing; the run's input wins over both.
    const bare = await loadRunbook({ id: 'loss', mode: 'live', inputs: { url: 'env:GIVEN' } }, { dir, env: { GIVEN: 'postgres://x@h/db' } });
    assert.deepEqual(bare.inputProblems?.map((p) => p.slice(0, p.indexOf(','))), ['Input "live_only" is env:PROD_URL']);
    assert.equal((await loadRunbook({ id: 'loss', mode: 'dry-run', inputs: {} }, { dir, env: {} })).inputProblems, undefined);
  });

  test('an environment file that names an unknown input, or is missing, is an error that says so', async () => {
    await assert.rejects(loadRunbook({ id: 'loss' }, { dir, environment: 'typo' }), {
      message: 'environments/typo.yaml loss: unknown input(s) ulr; expected one of: url, admin, live_only',
    });
    await assert.rejects(loadRunbook({ id: 'loss' }, { dir, environment: 'staging' }), /DR_ENVIRONMENT is "staging" but .*environments\/staging\.yaml cannot be read \(ENOENT\)/);
    assert.deepEqual(parseEnvironment('loss: [1, 2]\n', 'e.yaml').errors, ['e.yaml:1 loss: Expected the inputs of one runbook, like { database_url: env:DEMO_DATABASE_URL }']);
  });

  test('the local environment file matches the built-in runbooks', async () => {
    const runbooks = resolve(import.meta.dirname, '../../runbooks');
    const loaded = await loadRunbook({ id: 'database-loss' }, { dir: runbooks, environment: 'local' });
    assert.deepEqual(Object.keys(loaded.inputDefaults ?? {}).sort(), ['admin_url', 'database_url']);
    assert.deepEqual([...inputsUsed(loaded.runbook, 'drill')].sort(), ['admin_url', 'backup', 'database', 'database_url']);
  });
});
