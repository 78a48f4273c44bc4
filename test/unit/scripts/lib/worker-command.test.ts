// scripts/lib/worker-command.ts: the worker `npm start` runs gets the memory settings, a
// MALLOC_ARENA_MAX set by the user wins, DR_WORKER_NODE_FLAGS come after its own flags, and this Node
// accepts the flags (a flag it refused would stop the worker at start).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { WORKER_MEMORY_SETTINGS, workerCommand } from '../../../../scripts/lib/worker-command.js';

const stateDir = mkdtempSync(join(tmpdir(), 'dr-worker-command-test-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));
const saved = { bundle: process.env.DR_WORKFLOW_BUNDLE, arenas: process.env.MALLOC_ARENA_MAX, flags: process.env.DR_WORKER_NODE_FLAGS };
afterEach(() => {
  for (const [name, value] of [['DR_WORKFLOW_BUNDLE', saved.bundle], ['MALLOC_ARENA_MAX', saved.arenas], ['DR_WORKER_NODE_FLAGS', saved.flags]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('workerCommand', () => {
  it('runs the compiled worker with the memory flags and two malloc arenas', async () => {
    process.env.DR_WORKFLOW_BUNDLE = join(stateDir, 'given-bundle.js'); // used as given: nothing bundled here
    delete process.env.MALLOC_ARENA_MAX;
    delete process.env.DR_WORKER_NODE_FLAGS;
    const command = await workerCommand(stateDir);
    assert.deepEqual(command.args, ['--max-semi-space-size=2', 'dist/src/worker.js']);
    assert.deepEqual(command.env, { MALLOC_ARENA_MAX: '2' });
  });

  it('keeps a MALLOC_ARENA_MAX the user set', async () => {
    process.env.DR_WORKFLOW_BUNDLE = join(stateDir, 'given-bundle.js');
    process.env.MALLOC_ARENA_MAX = '4';
    assert.equal((await workerCommand(stateDir)).env.MALLOC_ARENA_MAX, '4');
  });

  it('adds the flags of DR_WORKER_NODE_FLAGS after its own, so that they win', async () => {
    process.env.DR_WORKFLOW_BUNDLE = join(stateDir, 'given-bundle.js');
    process.env.DR_WORKER_NODE_FLAGS = ' --optimize-for-size   --max-semi-space-size=1 ';
    assert.deepEqual((await workerCommand(stateDir)).args, ['--max-semi-space-size=2', '--optimize-for-size', '--max-semi-space-size=1', 'dist/src/worker.js']);
  });

  it('uses flags this Node accepts', () => {
    const r = spawnSync(process.execPath, [...WORKER_MEMORY_SETTINGS.nodeFlags, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
