// A step's `timeout:` is a hard limit (src/workflows/redispatch.ts) even for an action that does not
// enforce it itself. A Kafka export against a broker that accepts connections and never answers
// (kafkajs alone would retry for minutes, without a heartbeat while it connects), and an action
// that heartbeats and never looks at its cancellation: each fails once, "timed out after 3s",
// never re-dispatched by the infrastructure, within the limit plus the 30 s a cancelled activity
// is given to stop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Context } from '@temporalio/activity';
import type { RunReport } from '../../../src/runbook/run.js';
import { testEnv, type TestEnv } from '../../helpers/temporal.js';

/** The limit (3 s) plus the grace a cancelled activity has to stop (30 s), plus room for a busy machine. */
const BOUND_MS = 3_000 + 30_000 + 15_000;

let env: TestEnv;
let deaf: TestEnv;
let blackHole: Server;
const sockets: Socket[] = [];
let deafCalls = 0;
let releaseDeaf: () => void = () => undefined;
const deafReleased = new Promise<void>((r) => (releaseDeaf = r));

before(async () => {
  env = await testEnv();
  // Heartbeats every second and never looks at its cancellation; it returns only when the test ends.
  deaf = await testEnv({
    activities: {
      kafkaExport: async () => {
        deafCalls++;
        const beat = setInterval(() => Context.current().heartbeat({ at: Date.now() }), 1_000);
        await deafReleased;
        clearInterval(beat);
        return { id: 'never', prefix: 'kafka/daily', createdAt: '', bytes: 0, location: '', topics: 0, partitions: 0, groups: 0, offsets: 0, durationMs: 0 };
      },
    },
  });
  blackHole = createServer((s) => sockets.push(s)); // accepts, never answers
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
});
after(async () => {
  releaseDeaf();
  sockets.forEach((s) => s.destroy());
  blackHole?.close();
  await env?.close();
  await deaf?.close();
});

function assertStoppedOnce(report: RunReport): number {
  const step = report.steps[0]!;
  assert.equal(step.status, 'failed');
  assert.equal(step.error, 'timed out after 3s');
  assert.equal(step.attempts.length, 1);
  assert.deepEqual(step.redispatches ?? [], []);
  const took = step.endedAt! - step.startedAt!;
  // Never kafkajs's minutes of retries, nor the deaf action's forever.
  assert.ok(took < BOUND_MS, `took ${took} ms`);
  return took;
}

test('a Kafka export stuck on a broker that never answers is stopped at the step limit and fails once', { timeout: 120_000 }, async () => {
  const broker = `127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
  const handle = await env.start({ runbook: 'hard-limit', mode: 'drill', inputs: { broker } });
  const took = assertStoppedOnce((await handle.result()) as RunReport);
  console.log(`# kafka.export with timeout 3s ended after ${took} ms`);
  assert.ok(sockets.length >= 1, 'the export did reach the broker');
});

test('an action that heartbeats and ignores its cancellation is given up past the limit and fails once', { timeout: 120_000 }, async () => {
  const handle = await deaf.start({ runbook: 'hard-limit', mode: 'drill', inputs: { broker: '127.0.0.1:1' } });
  const took = assertStoppedOnce((await handle.result()) as RunReport);
  console.log(`# an action deaf to cancellation, timeout 3s, ended after ${took} ms`);
  assert.equal(deafCalls, 1, 'dispatched once');
});
