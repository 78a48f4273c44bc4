// loadRunbook against a temporary runbooks directory: lookup by file name and by declared id,
// the recorded hash, and the messages for missing and invalid runbooks.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { listRunbookFiles, loadRunbook } from '../../../src/activities/load.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-runbooks-'));
const restoreTest = 'id: restore-test\ntitle: Monthly restore test\nsteps:\n  - id: wait-a-bit\n    title: Wait\n    budget: 1m\n    wait: 1s\n';
const DURATION = 'Expected a duration like "15m", "1h30m" or "2 hours"';

before(() => {
  writeFileSync(join(dir, 'restore-test.yaml'), restoreTest);
  // Declares its id in a file named otherwise: found by scanning.
  writeFileSync(join(dir, 'db.yml'), restoreTest.replace('restore-test', '"database-loss"').replace('Monthly restore test', 'Database loss'));
  writeFileSync(join(dir, 'broken.yaml'), 'id: broken\ntitle: Broken\nsteps:\n  - id: a\n    budget: abc\n    wait: 1s\n  - id: b\n    manual: x\n');
  writeFileSync(join(dir, 'renamed.yaml'), restoreTest.replace('id: restore-test', 'id: something-else'));
  writeFileSync(join(dir, 'README.md'), '# not a runbook\n');
  mkdirSync(join(dir, 'schedules'));
  writeFileSync(join(dir, 'schedules', 'nightly.yaml'), 'id: nightly\n');
});

describe('loadRunbook', () => {
  it('finds <id>.yaml, hashes its bytes and validates it', async () => {
    const result = await loadRunbook({ id: 'restore-test' }, { dir });
    assert.equal(result.file, 'restore-test.yaml');
    assert.equal(result.sha256, createHash('sha256').update(restoreTest).digest('hex'));
    assert.equal(result.runbook.id, 'restore-test');
    assert.equal(result.runbook.steps[0]?.budgetMs, 60_000);
    assert.deepEqual(result.warnings, []);
  });

  it('finds a file by the id it declares', async () => {
    const result = await loadRunbook({ id: 'database-loss' }, { dir });
    assert.deepEqual([result.file, result.runbook.title], ['db.yml', 'Database loss']);
  });

  it('says which runbooks exist when the id is unknown', async () => {
    for (const id of ['database-lost', '../etc/passwd']) {
      await assert.rejects(loadRunbook({ id }, { dir }), {
        name: 'ApplicationFailure',
        type: 'RunbookNotFound',
        nonRetryable: true,
        message: `Runbook "${id}" not found in ${dir}; available: broken, database-loss, restore-test, something-else`,
      });
    }
    await assert.rejects(loadRunbook({ id: 'x' }, { dir: join(dir, 'missing') }), {
      type: 'RunbookNotFound',
      message: `Runbook "x" not found: cannot read the runbooks directory ${join(dir, 'missing')} (ENOENT)`,
    });
  });

  it('lists every error of an invalid runbook', async () => {
    await assert.rejects(loadRunbook({ id: 'broken' }, { dir }), {
      type: 'RunbookInvalid',
      nonRetryable: true,
      message: [
        'Runbook broken.yaml is invalid (2 errors):',
        `  broken.yaml:5 steps[0].budget: ${DURATION}, got "abc"`,
        '  broken.yaml:7 steps[1].budget: Expected `budget` (planned duration, like "15m")',
      ].join('\n'),
    });
  });

  it('refuses a file whose declared id differs from its name', async () => {
    // Scanning finds "something-else" in renamed.yaml; asking for "renamed" finds the file by name.
    await assert.rejects(loadRunbook({ id: 'renamed' }, { dir }), {
      type: 'RunbookInvalid',
      message: 'Runbook renamed.yaml declares id "something-else", expected "renamed"',
    });
  });

  it('checks the runbooks a runbook names, by file name or by the id a file declares', async () => {
    const own = mkdtempSync(join(tmpdir(), 'dr-runbooks-'));
    writeFileSync(join(own, 'db.yml'), restoreTest.replace('restore-test', 'database-loss'));
    const caller = (id: string) => `id: drill\ntitle: Drill\nsteps:\n  - id: sub\n    title: Sub-run\n    budget: 1h\n    runbook: { id: ${id} }\n`;
    for (const [file, named] of [['by-file.yaml', 'db'], ['by-id.yaml', 'database-loss']]) {
      writeFileSync(join(own, file!), caller(named!).replace('id: drill', `id: ${file!.replace('.yaml', '')}`));
      assert.equal((await loadRunbook({ id: file!.replace('.yaml', '') }, { dir: own })).runbook.steps[0]?.id, 'sub');
    }
    writeFileSync(join(own, 'typo.yaml'), caller('databse-loss').replace('id: drill', 'id: typo'));
    await assert.rejects(loadRunbook({ id: 'typo' }, { dir: own }), {
      type: 'RunbookInvalid',
      message: /typo\.yaml:7 steps\[0\]\.runbook\.id: Unknown runbook "databse-loss" in step "sub"; expected one of: by-file, by-id, database-loss, db, typo/,
    });
  });

  it("checks the inputs it hands the runbooks it names against theirs, with the worker's environment defaults", async () => {
    const own = mkdtempSync(join(tmpdir(), 'dr-runbooks-'));
    mkdirSync(join(own, 'environments'));
    // Named by the id it declares (not its file's name); environment files give its defaults under that id.
    const child = 'id: restore\ntitle: Restore\ninputs:\n  target: { required: true }\n  backup: latest\nsteps:\n  - id: w\n    wait: 1s\n';
    writeFileSync(join(own, 'child.yml'), child);
    writeFileSync(join(own, 'environments', 'local.yaml'), 'restore:\n  target: env:LOCAL_URL\n');
    writeFileSync(join(own, 'environments', 'staging.yaml'), 'restore: {}\n');
    const caller = (id: string, inputs: string) => `id: ${id}\ntitle: Caller\ndrill:\n  setup: [restore]\nsteps:\n  - id: sub\n    budget: 1h\n    runbook: { id: restore, inputs: ${inputs} }\n`;
    writeFileSync(join(own, 'typo.yaml'), caller('typo', '{ target: x, bakup: b1 }'));
    await assert.rejects(loadRunbook({ id: 'typo' }, { dir: own, environment: 'local' }), {
      type: 'RunbookInvalid',
      message: 'Runbook typo.yaml is invalid (1 error):\n  typo.yaml:8 steps[0].runbook.inputs.bakup: Unknown input "bakup" for runbook "restore" in step "sub"; expected one of: target, backup',
    });
    // The set-up entry gives no target: the local environment does, staging's and no environment do not.
    writeFileSync(join(own, 'setup.yaml'), caller('setup', '{ target: x }'));
    assert.equal((await loadRunbook({ id: 'setup' }, { dir: own, environment: 'local' })).runbook.id, 'setup');
    const missing = (where: string) =>
      `Runbook setup.yaml is invalid (1 error):\n  setup.yaml:4 drill.setup[0]: Runbook "restore" requires input "target", not given in the drill set-up${where}; expected inputs: { target: ... } here`;
    await assert.rejects(loadRunbook({ id: 'setup' }, { dir: own, environment: 'staging' }), { type: 'RunbookInvalid', message: missing(' nor by the environment file (staging)') });
    await assert.rejects(loadRunbook({ id: 'setup' }, { dir: own }), { type: 'RunbookInvalid', message: missing('') });
    // A live run starts no drill set-up, so it does not need what the set-up lacks.
    assert.equal((await loadRunbook({ id: 'setup', mode: 'live' }, { dir: own })).runbook.id, 'setup');
  });
});

describe('listRunbookFiles', () => {
  it('lists the YAML files directly in the directory', async () => {
    assert.deepEqual(await listRunbookFiles(dir), ['broken.yaml', 'db.yml', 'renamed.yaml', 'restore-test.yaml'].map((f) => join(dir, f)));
  });
});
