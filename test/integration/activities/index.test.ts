// The factory's activities inside a (mock) Temporal activity context: configuration is applied,
// heartbeats reach Temporal, and a cancellation from Temporal kills the shell step's group.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../../src/activities/index.js';
import { loadConfig } from '../../../src/config.js';
import { ACTION_RUNTIME, SYSTEM_KINDS } from '../../../src/runbook/action-runtime.js';
import { eventually, waitUntil } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-activities-'));
writeFileSync(join(dir, 'noop.yaml'), 'id: noop\ntitle: Nothing\nsteps:\n  - id: w\n    title: Wait\n    budget: 1m\n    wait: 1s\n');
const config = loadConfig({ DR_RUNBOOKS_DIR: dir, DR_OUTPUT_CAP_BYTES: '100' });
const silent = { info: () => {}, warn: () => {} };
const activities = createActivities({ config, env: { DR_TEST_PW: 'pw-from-deps' }, log: silent });
/** Runs `fn` in the mock activity context (the SDK's typing does not infer the result type). */
const inContext = <R>(env: MockActivityEnvironment, fn: () => Promise<R>) => env.run(fn) as Promise<R>;
const shell = { runId: 'run-1', stepId: 's', env: {}, okExitCodes: [0] };

function alive(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)]).toString().trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

describe('createActivities', () => {
  it('exposes exactly the activities the workflow proxies: one per system action of the registry, plus loadRunbook and storeReport', () => {
    const named = SYSTEM_KINDS.map((kind) => ACTION_RUNTIME[kind].activity);
    assert.equal(new Set(named).size, named.length, `two actions name the same activity: ${named.join(', ')}`);
    assert.deepEqual(Object.keys(activities).sort(), [...named, 'loadRunbook', 'storeReport'].sort());
    for (const name of named) assert.equal(typeof (activities as Record<string, unknown>)[name], 'function', name);
  });

  it('applies the configuration: runbooks dir, output cap, secret env', async () => {
    const env = new MockActivityEnvironment();
    assert.equal((await inContext(env, () => activities.loadRunbook({ id: 'noop' }))).file, 'noop.yaml');
    const result = await inContext(env, () => activities.runShell({ ...shell, env: { PW: 'env:DR_TEST_PW' }, script: 'echo "$PW"; seq 1 1000' }));
    assert.equal(result.truncated, true);
    assert.ok(Buffer.byteLength(result.stdout) <= 100 && result.stdout.endsWith('\n1000'));
    const notified = await inContext(env, () => activities.notify({ runId: 'r', event: 'e', message: 'm' }));
    assert.deepEqual(notified, { delivered: false, error: 'No webhook configured (set notify.webhook in the runbook or DR_NOTIFY_WEBHOOK)' });
  });

  it('heartbeats to Temporal and dies with its process group when Temporal cancels', async () => {
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const pidFile = join(dir, 'pids');
    const script = `echo working; sleep 100 & echo $! >> ${pidFile}; echo $$ >> ${pidFile}; wait`;
    const promise = inContext(env, () => activities.runShell({ ...shell, script }));
    promise.catch(() => {});
    const pids = await waitUntil('the script to write its pids', () => {
      const written = readFileSync(pidFile, { flag: 'a+' }).toString().split('\n').filter(Boolean).map(Number);
      return written.length >= 2 && written;
    });
    await waitUntil('the first heartbeat', () => beats.length >= 1, { timeoutMs: 5_000 });
    env.cancel();
    await assert.rejects(promise, { name: 'CancelledFailure' });
    assert.ok(beats.length >= 1);
    assert.equal((beats[0] as { lastLine: string }).lastLine, 'working');
    await eventually(() => !pids.some(alive), { timeoutMs: 2_000, everyMs: 50 });
    assert.deepEqual(pids.filter(alive), []);
  });
});
