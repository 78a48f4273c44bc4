// The retention policy as properties over random backup lists (fast-check), plus worked examples.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { retention, SEED_POLICY, staleIncompleteSets, tierOf, type RetainedBackup } from '../../../src/runbook/retention.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-15T12:00:00Z');

const backupArb = fc.record({
  id: fc.uuid(),
  prefix: fc.constantFrom('daily', 'weekly', 'monthly', 'annual', 'agent-core/daily', 'agent-core/monthly', 'pre-migration'),
  // Up to 9 years back, and a little into the future (a skewed clock).
  createdAt: fc.integer({ min: NOW - 9 * 365 * DAY, max: NOW + 2 * DAY }),
  verified: fc.boolean(),
  series: fc.constantFrom('db1:5432/easymo', 'db2:5432/agent_core'),
});
const listArb = fc.uniqueArray(backupArb, { selector: (b) => b.id, maxLength: 60 });

describe('retention properties', () => {
  test('keeps and deletes every backup exactly once', () => {
    fc.assert(
      fc.property(listArb, (backups) => {
        const d = retention(backups, SEED_POLICY, NOW);
        assert.deepEqual([...d.keep, ...d.delete].sort(), backups.map((b) => b.id).sort());
        for (const b of backups) assert.ok(d.reasons[b.id], `no reason for ${b.id}`);
      }),
    );
  });

  test('never deletes the newest verified backup of a series', () => {
    fc.assert(
      fc.property(listArb, (backups) => {
        const d = retention(backups, SEED_POLICY, NOW);
        for (const series of new Set(backups.map((b) => b.series))) {
          const verified = backups.filter((b) => b.series === series && b.verified);
          if (verified.length === 0) continue;
          const newest = Math.max(...verified.map((b) => b.createdAt));
          assert.ok(
            verified.filter((b) => b.createdAt === newest).some((b) => d.keep.includes(b.id)),
            `the newest verified backup of ${series} was deleted`,
          );
        }
      }),
    );
  });

  test('never deletes a backup the policy keeps: within its tier window, untiered, or dated in the future', () => {
    fc.assert(
      fc.property(listArb, (backups) => {
        const d = retention(backups, SEED_POLICY, NOW);
        for (const b of backups) {
          const tier = tierOf(b.prefix);
          const age = NOW - b.createdAt;
          if (tier === undefined || age < 0 || age <= SEED_POLICY[tier]) assert.ok(d.keep.includes(b.id), `${b.prefix} ${age / DAY}d deleted`);
        }
      }),
    );
  });

  test('keeps one monthly backup per calendar year for 7 years (the annual one)', () => {
    fc.assert(
      fc.property(listArb, (backups) => {
        const d = retention(backups, SEED_POLICY, NOW);
        const monthly = backups.filter((b) => tierOf(b.prefix) === 'monthly' && NOW - b.createdAt <= SEED_POLICY.annual);
        for (const b of monthly) {
          const sameYear = monthly.filter((x) => x.series === b.series && new Date(x.createdAt).getUTCFullYear() === new Date(b.createdAt).getUTCFullYear());
          const annualTier = backups.some(
            (x) => x.series === b.series && tierOf(x.prefix) === 'annual' && new Date(x.createdAt).getUTCFullYear() === new Date(b.createdAt).getUTCFullYear(),
          );
          if (!annualTier) assert.ok(sameYear.some((x) => d.keep.includes(x.id)), `no backup of ${new Date(b.createdAt).getUTCFullYear()} kept`);
        }
      }),
    );
  });

  test('is idempotent: applied again to what it kept, it deletes nothing more', () => {
    fc.assert(
      fc.property(listArb, (backups) => {
        const first = retention(backups, SEED_POLICY, NOW);
        const kept = backups.filter((b) => first.keep.includes(b.id));
        const second = retention(kept, SEED_POLICY, NOW);
        assert.deepEqual(second.delete, []);
      }),
    );
  });

  test('does not depend on the order of the list', () => {
    fc.assert(
      fc.property(listArb, fc.integer(), (backups, seed) => {
        const shuffled = [...backups].sort((a, b) => ((a.createdAt ^ seed) % 7) - ((b.createdAt ^ seed) % 7) || (a.id < b.id ? -1 : 1));
        assert.deepEqual(retention(shuffled, SEED_POLICY, NOW).delete.sort(), retention(backups, SEED_POLICY, NOW).delete.sort());
      }),
    );
  });
});

describe('retention examples', () => {
  const at = (iso: string) => Date.parse(iso);
  const b = (id: string, prefix: string, createdAt: string, verified = true): RetainedBackup => ({ id, prefix, createdAt: at(createdAt), verified, series: 's' });

  test('the seed policy, with the reasons people read', () => {
    const d = retention(
      [
        b('d-new', 'daily', '2026-06-14T00:00:00Z'),
        b('d-29', 'daily', '2026-05-17T12:00:00Z'),
        b('d-31', 'daily', '2026-05-15T00:00:00Z'),
        b('w-80', 'weekly', '2026-03-27T00:00:00Z'),
        b('w-100', 'weekly', '2026-03-07T00:00:00Z'),
        b('m-2025-11', 'monthly', '2025-11-01T00:00:00Z'),
        b('m-2025-05', 'monthly', '2025-05-01T00:00:00Z'),
        b('m-2024-12', 'monthly', '2024-12-01T00:00:00Z'),
        b('m-2024-06', 'monthly', '2024-06-01T00:00:00Z'),
        b('m-2018-12', 'monthly', '2018-12-01T00:00:00Z'),
        b('pre-mig', 'pre-migration', '2020-01-01T00:00:00Z'),
      ],
      SEED_POLICY,
      NOW,
    );
    assert.deepEqual(d.delete, ['d-31', 'w-100', 'm-2025-05', 'm-2024-06', 'm-2018-12']);
    assert.deepEqual(d.reasons, {
      'd-new': 'daily, 1d old: kept for 30d',
      'd-29': 'daily, 29d old: kept for 30d',
      'd-31': 'daily, 31d old: past 30d',
      'w-80': 'weekly, 80d old: kept for 90d',
      'w-100': 'weekly, 100d old: past 90d',
      'm-2025-11': 'monthly, 226d old: kept for 365d',
      'm-2025-05': 'monthly, 410d old: past 365d',
      'm-2024-12': 'annual (newest monthly of 2024), 561d old: kept for 2555d',
      'm-2024-06': 'monthly, 744d old: past 365d',
      'm-2018-12': 'monthly, 2753d old: past 365d',
      'pre-mig': 'prefix "pre-migration" has no retention tier (daily, weekly, monthly, annual): kept',
    });
  });

  test('keeps the newest verified backup even when everything is old, and prefers a verified annual one', () => {
    const d = retention(
      [b('old', 'daily', '2025-01-01T00:00:00Z'), b('older', 'daily', '2024-01-01T00:00:00Z'), b('broken', 'daily', '2025-02-01T00:00:00Z', false)],
      SEED_POLICY,
      NOW,
    );
    assert.deepEqual(d.keep, ['old']);
    assert.equal(d.reasons['old'], 'newest verified backup of s: kept');
    const annual = retention([b('dec', 'monthly', '2023-12-01T00:00:00Z', false), b('nov', 'monthly', '2023-11-01T00:00:00Z'), b('now', 'daily', '2026-06-15T00:00:00Z')], SEED_POLICY, NOW);
    assert.deepEqual(annual.keep, ['nov', 'now']);
  });

  test('a year whose verified monthly is past 7 years keeps its younger monthly that is not (found by the property above)', () => {
    const d = retention([b('jan', 'monthly', '2019-01-01T00:00:00Z'), b('jun', 'monthly', '2019-06-17T12:00:00Z', false), b('now', 'daily', '2026-06-15T00:00:00Z')], SEED_POLICY, NOW);
    assert.deepEqual(d.keep, ['jun', 'now']);
    assert.equal(d.reasons['jun'], 'annual (newest monthly of 2019), 2555d old: kept for 2555d');
  });

  test('tiers come from the last segment of the prefix', () => {
    assert.equal(tierOf('agent-core/weekly'), 'weekly');
    assert.equal(tierOf('daily'), 'daily');
    assert.equal(tierOf('weekly/critical'), undefined);
  });

  test('incomplete sets go only after the grace period', () => {
    assert.deepEqual(
      staleIncompleteSets([{ key: 'daily/a', newestObjectAt: NOW - 25 * 3_600_000 }, { key: 'daily/b', newestObjectAt: NOW - 60_000 }], 24 * 3_600_000, NOW),
      ['daily/a'],
    );
  });
});
