// `dr approve` and friends when no worker polls the run's task queue: the command says at once that
// the message is queued, `--no-wait` records it in the run's history (a signal) and returns, and a
// wait that gives up says the message may still apply, with exit code 75 (decided in errors.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { dr } from '../../helpers/processes.js';
import { temporalAddress } from '../../helpers/temporal.js';

test('no worker: the message is queued, --no-wait returns at once, a wait that gives up says it may still apply', async () => {
  const taskQueue = `nobody-${randomUUID()}`;
  const env = { DR_TASK_QUEUE: taskQueue, TEMPORAL_ADDRESS: temporalAddress(), DR_USER: 'alice' };
  const connection = await Connection.connect({ address: temporalAddress() });
  const client = new Client({ connection });
  const id = `no-worker-${randomUUID()}`;
  const handle = await client.workflow.start('runbook', { taskQueue, workflowId: id, args: [{ runbook: 'happy', mode: 'drill', inputs: { marker: '/dev/null' } }] });
  try {
    const queued = await dr(['approve', id, 'gate', '--no-wait'], env);
    assert.equal(queued.code, 0, queued.stderr);
    assert.equal(
      queued.stdout,
      `Queued: approve of step "gate" is recorded in the run's history and applies (or is refused) when a worker handles it; no worker polls "${taskQueue}" now\n` +
        `Check: dr status ${id} (dr report ${id} lists it under "Messages from people")\n`,
    );
    const history = await handle.fetchHistory();
    const signaled = history.events?.filter((e) => e.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) ?? [];
    assert.deepEqual(signaled.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName), ['approve']);

    const started = Date.now();
    const waited = await dr(['approve', id, 'gate', '--as', 'bob', '--wait-limit', '3s'], env);
    assert.equal(waited.code, 75, waited.stderr);
    assert.ok(Date.now() - started < 30_000, 'the wait ended at its limit');
    assert.match(waited.stderr, new RegExp(`^No worker polls task queue "${taskQueue}": approve of step "gate" is queued and applies when a worker returns\\. Waiting up to 3s`));
    assert.match(waited.stderr, /dr: Gave up waiting after [34]s: approve of step "gate" may still apply when a worker returns\n {4}next: check with dr status /);
  } finally {
    await handle.terminate('test over').catch(() => undefined);
    await connection.close();
  }
});
