import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { action, fixture, importAndLoad, shape } from './helpers.js';

const M = 60_000;

describe('the forms DR documents use', () => {
  test('a T+ timeline list: each entry lasts until the next; RTO and RPO as list items', () => {
    const { runbooks, lines } = importAndLoad(fixture('timeline.md'), { file: 'timeline.md' });
    const rb = runbooks.get('primary-region-down')!;
    assert.deepEqual(rb.objectives, { rtoMs: 45 * M, rpoMs: 15 * M });
    assert.deepEqual(shape(rb), [
      ['declare-the-incident-in-incidents', 'manual', 5],
      ['freeze-deploys', 'manual', 10],
      ['approve-fail-over-dns', 'approval', 0],
      ['fail-over-dns', 'shell', 20],
      ['verify-traffic-on-the-standby', 'manual', 10],
    ]);
    assert.deepEqual(action(rb.steps[3]!), { kind: 'shell', script: './scripts/failover-dns.sh --to "$STANDBY_REGION"', env: { STANDBY_REGION: '{{ inputs.standby_region }}' } });
    assert.deepEqual(rb.inputs.standby_region, { description: '`<standby-region>` in the document (line 15), an example value: give the real one', required: true, secret: false });
    assert.deepEqual([...lines('error'), ...lines('warning')], []);
  });

  test('tables: RTO/RPO as label rows or as columns, a T+ timeline as rows', () => {
    const { runbooks, lines } = importAndLoad(fixture('tables.md'), { file: 'tables.md' });
    assert.deepEqual([...runbooks.keys()], ['redis-cache-lost', 'queue-backlog']);
    const redis = runbooks.get('redis-cache-lost')!;
    assert.deepEqual(redis.objectives, { rtoMs: 30 * M, rpoMs: 60 * M });
    assert.deepEqual(shape(redis), [
      ['page-the-on-call-sre', 'manual', 10],
      ['restart-redis-from-the-last-snapshot', 'manual', 15],
      ['confirm-the-cache-hit-rate-is-above-80', 'manual', 5],
    ]);
    assert.deepEqual(action(redis.steps[1]!), { kind: 'manual', instructions: 'Restart Redis from the last snapshot\nOwner: SRE' });
    const queue = runbooks.get('queue-backlog')!;
    assert.deepEqual(queue.objectives, { rtoMs: 120 * M, rpoMs: 15 * M });
    assert.deepEqual(shape(queue), [['scale-consumers', 'manual', 30], ['drain-the-dead-letter-queue', 'manual', 60]]);
    assert.deepEqual(lines('warning'), ['14 the last timeline entry "Confirm the cache hit rate is above 80%" has no end: budgeted 5m']);
    assert.deepEqual(lines('error'), []);
  });

  test('"Step N:" comments in a shell block, with times, split it into steps', () => {
    const { runbooks, lines } = importAndLoad(fixture('step-comments.md'), { file: 'step-comments.md' });
    const rb = runbooks.get('failover-to-the-replica')!;
    assert.deepEqual(rb.objectives.rtoMs, 20 * M);
    assert.deepEqual(shape(rb), [
      ['approve-stop-writes', 'approval', 0],
      ['stop-writes', 'shell', 5],
      ['promote-the-replica', 'shell', 10],
      ['check-replication-lag', 'shell', 5],
    ]);
    // The classifier's verdicts: scaling to zero is destructive, a promotion changes state.
    assert.deepEqual(rb.steps.map((s) => s.destructive), [false, true, false, false]);
    assert.ok(lines('mapped').some((l) => l.startsWith('11 step "Promote the replica" (10 minutes) → shell (changes state) step promote-the-replica')));
    assert.deepEqual(action(rb.steps[3]!), {
      kind: 'shell',
      script: 'psql "$REPLICA_URL" -c "SELECT now() - pg_last_xact_replay_timestamp();"',
      env: { REPLICA_URL: '{{ inputs.replica_url }}' },
    });
    assert.deepEqual(rb.inputs.replica_url?.default, 'env:REPLICA_URL');
    assert.deepEqual(lines('error'), []);
  });

  test('contradictions are reported at their lines, and the runbook is still written', () => {
    const { runbooks, lines } = importAndLoad(fixture('contradictions.md'), { file: 'contradictions.md' });
    assert.deepEqual(lines('error'), [
      '5 the steps of "storage-loss" add up to 1h5m, more than its RTO of 1h',
      '7 RTO is stated twice with different values: 1h at line 5 and 2h here; kept the first',
      '9 step "Detach volumes": the range "15-5 minutes" runs backwards (15m to 5m); budgeted the larger, 15m',
      '11 step "Verify" has no time, unlike the other 2 step(s): budgeted 5m',
    ]);
    assert.deepEqual(shape(runbooks.get('storage-loss')!), [['detach-volumes', 'manual', 15], ['restore-snapshot', 'manual', 45], ['verify', 'manual', 5]]);
  });

  test('a numbered list of links is not steps, bare URLs included (GFM reads them as links)', () => {
    const doc = '## Scenario 4: Cache loss\n\nSee:\n\n1. https://status.example.com/cache\n2. www.example.com/runbooks\n3. [Dashboard](https://grafana.example.com)\n\nThen:\n\n1. **Flush the cache** (5 min)\n';
    const { runbooks } = importAndLoad(doc);
    assert.deepEqual(shape(runbooks.get('cache-loss')!), [['flush-the-cache', 'manual', 5]]);
  });

  test('a timeline that runs backwards is a contradiction', () => {
    const { lines } = importAndLoad('## Scenario: X\n\n- T+10 min: A\n- T+5 min: B\n- T+20 min: C (5 min)\n');
    assert.deepEqual(lines('error'), ['3 step "A": the timeline runs backwards: T+5m (line 4) comes after T+10m']);
  });
});
