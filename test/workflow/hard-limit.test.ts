// A step's `timeout:` is a hard limit even for an action that does not enforce it itself: a Kafka
// export against a broker that accepts connections and never answers (kafkajs alone would retry for
// minutes) fails once, "timed out after 3s", never re-dispatched by the infrastructure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RunReport } from '../../src/runbook/run.js';
import { testEnv, type TestEnv } from '../helpers/temporal.js';

let env: TestEnv;
let blackHole: Server;
const sockets: Socket[] = [];
before(async () => {
  env = await testEnv();
  blackHole = createServer((s) => sockets.push(s)); // accepts, never answers
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
});
after(async () => {
  sockets.forEach((s) => s.destroy());
  blackHole?.close();
  await env?.close();
});

test('an action without its own timeout is stopped at the step limit and fails once', { timeout: 120_000 }, async () => {
  const broker = `127.0.0.1:${(blackHole.address() as AddressInfo).port}`;
  const started = Date.now();
  const handle = await env.start({ runbook: 'hard-limit', mode: 'drill', inputs: { broker } });
  const report = (await handle.result()) as RunReport;
  const step = report.steps[0]!;
  assert.equal(step.status, 'failed');
  assert.equal(step.error, 'timed out after 3s');
  assert.equal(step.attempts.length, 1);
  assert.deepEqual(step.redispatches ?? [], []);
  // The limit plus at most the 30 s the cancelled activity has to stop: never kafkajs's minutes of retries.
  assert.ok(step.endedAt! - step.startedAt! < 40_000, `took ${step.endedAt! - step.startedAt!} ms`);
  assert.ok(Date.now() - started < 60_000);
});
