import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration, tryParseDuration } from '../../../src/runbook/duration.js';

describe('parseDuration', () => {
  const good: Array<[string | number, number]> = [
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['15 minutes', 900_000],
    ['2 hours', 7_200_000],
    ['1 hour 30 minutes', 5_400_000],
    ['1 hour and 30 minutes', 5_400_000],
    ['1h, 30m', 5_400_000],
    [' 15M ', 900_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['1d', 86_400_000],
    ['90', 90_000],
    [90, 90_000],
    [0, 0],
  ];
  for (const [input, ms] of good) {
    test(`${JSON.stringify(input)} is ${ms}ms`, () => {
      assert.equal(parseDuration(input), ms);
    });
  }

  test('bad inputs throw DurationError saying what arrived', () => {
    const bad: Array<string | number> = ['abc', '', '   ', '5 parsecs', '-1m', '1h30', 'm', '1h-30m', -1, Number.NaN, Infinity];
    for (const input of bad) {
      assert.equal(tryParseDuration(input), undefined, `tryParseDuration(${JSON.stringify(input)})`);
      assert.throws(() => parseDuration(input), (err: unknown) => {
        assert.ok(err instanceof DurationError);
        assert.equal(err.name, 'DurationError');
        assert.equal(err.input, input);
        assert.equal(err.message, `Expected a duration like "15m", "1h30m" or "2 hours", got ${JSON.stringify(input)}`);
        return true;
      });
    }
  });
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1499, '1s'],
    [59_999, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [90_061_000, '1d1h1m1s'],
    [-90_000, '-1m30s'],
    [Number.NaN, '—'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms}ms is "${text}"`, () => assert.equal(formatDuration(ms), text));
  }

  test('whole seconds survive a round trip through parseDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86_400 }), (seconds) => {
        assert.equal(parseDuration(formatDuration(seconds * 1000)), seconds * 1000);
      }),
    );
  });
});
