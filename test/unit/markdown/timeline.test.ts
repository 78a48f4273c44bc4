import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { corpusDir } from './corpus.js';
import { importAndLoad, shape } from './helpers.js';

const corpus = (name: string) => readFileSync(resolve(corpusDir, name), 'utf8');

describe('clock ranges and timelines', () => {
  test('ranges that chain are positions on the clock: the budget is the width; overlap, gap, backwards and the RTO are reported with their lines', () => {
    const { runbooks, lines } = importAndLoad(corpus('07-bold-clock-ranges.md'), { file: '07.md' });
    assert.deepEqual(shape(runbooks.get('database-lost')!).filter(([, kind]) => kind !== 'approval').map(([, , m]) => m), [15, 5, 60, 25, 10]);
    assert.deepEqual(lines('error'), [
      '29 step "Replay the WAL archive" (75-100 minutes) starts at T+1h15m, before the step at line 21 ends at T+1h20m: they overlap by 5m',
      '35 step "Resume traffic" (110-120 minutes) starts at T+1h50m, 10m after the step at line 29 ends at T+1h40m: a gap in the timeline',
      '55 the timeline of "push-notifications-stuck" runs to T+45m, past its RTO of 30m (line 41): "Drain the backlog" ends at T+45m',
      '61 step "Confirm the bucket errors" (10-5 minutes) runs backwards on the clock, from T+10m to T+5m; budgeted its width, 5m',
    ]);
    assert.ok(lines('mapped').some((l) => l.startsWith('15 step "Stop traffic" (15-20 minutes) → shell (destructive) step stop-traffic, budget 5m; clock range "15-20 minutes": the budget is its width, 5m')));
  });

  test('a T+ table timeline past its RTO names the step that crosses it and both figures', () => {
    const { lines } = importAndLoad(corpus('03-tables-first.md'), { file: '03.md' });
    assert.deepEqual(lines('error'), [
      '39 the timeline of "full-cluster-loss" runs to T+3h50m, past its RTO of 3h (line 15): "Register the snapshot repository and start the restore" ends at T+3h15m',
    ]);
  });

  test('a lone range is an estimate: its upper bound, as before', () => {
    const { runbooks } = importAndLoad('# P\n\n## Scenario: Patch\n\n1. **Assess** (30 minutes)\n2. **Patch** (2-4 hours)\n', { file: 'p.md' });
    assert.deepEqual(shape(runbooks.get('patch')!), [['assess', 'manual', 30], ['patch', 'manual', 240]]);
  });

  test('a scenario\'s own RTO wins over the document\'s without a conflict; the others inherit it', () => {
    const { runbooks, lines } = importAndLoad(corpus('12-document-wide-objectives.md'), { file: '12.md' });
    assert.deepEqual(runbooks.get('ransomware-on-the-file-share')!.objectives, { rtoMs: 12 * 3_600_000, rpoMs: 3_600_000 });
    assert.deepEqual(runbooks.get('nfs-server-failure')!.objectives, { rtoMs: 4 * 3_600_000, rpoMs: 3_600_000 });
    assert.deepEqual(lines('error'), []);
  });
});
