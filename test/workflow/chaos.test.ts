// Chaos, bounded: random SIGKILLs of the worker for a minute and one restart of the dev server while
// two runs of chaos.yaml go on (test/helpers/chaos.ts). No run is lost, no step ever runs twice at
// once, every step has one attempt, and the re-dispatches the reports show are those the raw
// history recounts. `npm run chaos` is the longer version that prints its figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../helpers/chaos.js';

const base = Number(process.env.DR_TEST_TEMPORAL_PORT ?? 7243);

test('chaos: worker SIGKILLs and a server restart lose no run and never run two copies of a step', { timeout: 300_000 }, async () => {
  const f = await runChaos({
    runs: 2,
    longSeconds: 30,
    killWindowMs: 75_000,
    killEveryMs: [8_000, 15_000],
    serverRestartAtMs: 45_000,
    limitMs: 240_000,
    port: base + 3,
    uiPort: base + 1003,
    say: (line) => console.log(`# ${line}`),
  });
  console.log(`# chaos figures: ${JSON.stringify(f)}`);
  assert.ok(f.kills >= 2, `expected kills during the window, got ${f.kills}`);
  assert.equal(f.serverRestarts, 1);
  assert.equal(f.succeeded, f.runs, f.mismatches.join('\n'));
  assert.deepEqual(f.overlaps, [], 'a step found another copy of itself running');
  assert.equal(f.maxConcurrent, 1);
  assert.deepEqual(f.mismatches, []);
  assert.ok(f.redispatches >= 1, 'the kills re-dispatched at least one step');
});
