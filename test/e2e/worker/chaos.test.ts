// Chaos, bounded: five SIGKILLs of the worker process at random instants (the first in the long
// step) and one restart of the Temporal server while two runs of chaos.yaml go on
// (test/helpers/chaos.ts). No run is lost, no step ever runs twice at once (each takes a flock and
// logs its pid, start and end), every step has one attempt, the re-dispatches the reports show are
// those the raw history recounts, every dispatch in history is in the report, and no step started
// more copies than it had dispatches. The server is the dev server, or in the cluster profile
// (DR_TEST_TEMPORAL=cluster) a real cluster of the test's own on the test PostgreSQL.
// `npm run chaos` is the longer version that prints its figures.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Supervisor } from '../../../scripts/lib/process.js';
import { chaosDevServer, chaosStateDir, runChaos, type ChaosServer } from '../../helpers/chaos.js';
import { onCluster, ownServerPort, startOwnCluster } from '../../helpers/own-cluster.js';

const supervisor = new Supervisor();
after(() => supervisor.stopAll());

async function server(stateDir: string): Promise<ChaosServer> {
  const port = ownServerPort(2);
  if (!onCluster) return chaosDevServer(stateDir, port, port + 1);
  const cluster = await startOwnCluster('chaos', 2, supervisor);
  return { address: cluster.address, restart: () => cluster.restart('SIGTERM'), stop: () => cluster.stop() };
}

test('chaos: worker SIGKILLs and a server restart lose no run and never run two copies of a step', { timeout: 480_000 }, async () => {
  const stateDir = chaosStateDir();
  console.log(`# state (steps' logs, worker output) in ${stateDir}, kept if the test fails`);
  const s = await server(stateDir);
  let f;
  try {
    f = await runChaos({
      runs: 2,
      longSeconds: 25,
      kills: 5,
      killEveryMs: [3_000, 12_000],
      serverRestartAfterKill: 2,
      limitMs: 420_000,
      stateDir,
      server: s,
      say: (line) => console.log(`# ${line}`),
    });
  } finally {
    await s.stop();
  }
  console.log(`# chaos figures: ${JSON.stringify(f)}`);
  assert.ok(f.kills >= 3, `the runs ended after ${f.kills} kills: too few to test anything`);
  assert.equal(f.serverRestarts, 1);
  assert.deepEqual(f.mismatches, []);
  assert.equal(f.succeeded, f.runs);
  assert.deepEqual(f.overlaps, [], 'a step found another copy of itself running');
  assert.ok(f.redispatches >= 1, 'the kills re-dispatched at least one step');
  assert.ok(f.copiesStarted > f.steps, 'some step ran again after a kill (else the kills tested nothing)');
  rmSync(stateDir, { recursive: true, force: true });
});
