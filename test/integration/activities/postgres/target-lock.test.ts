// The restore lock (src/activities/postgres/target-lock.ts) on real PostgreSQL: a second restore of
// the same database waits, told who holds the lock, and starts only once the first lets go; a
// restore of another database does not wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgConnection } from '../../../../src/activities/postgres/connection.js';
import { lockTarget } from '../../../../src/activities/postgres/target-lock.js';
import { Redactor } from '../../../../src/activities/secrets.js';
import { freshDatabase } from '../../../helpers/backup.js';
import { waitUntil } from '../../../helpers/wait.js';
import { pgUrl } from '../../../helpers/services.js';

const base = pgUrl();

test('two restores of one database never overlap; another database is not held up', async () => {
  const redactor = new Redactor();
  const one = pgConnection(await freshDatabase(base, 'lock_one'), redactor, process.env);
  const other = pgConnection(await freshDatabase(base, 'lock_other'), redactor, process.env);
  const stop = new AbortController();
  const first = await lockTarget(one, 'first', redactor, stop.signal, () => assert.fail('the first restore should not wait'));

  const waits: string[] = [];
  let secondHolds = false;
  const second = lockTarget(one, 'second', redactor, stop.signal, (holder) => waits.push(holder)).then((release) => {
    secondHolds = true;
    return release;
  });
  await waitUntil('the second restore to report who holds the lock', () => waits.length >= 2, { timeoutMs: 10_000 });
  assert.equal(secondHolds, false);
  assert.match(waits[0]!, /^backend \d+ \(easymo-dr restore lock.*since \d{4}-/);

  const elsewhere = await lockTarget(other, 'other', redactor, stop.signal, () => assert.fail('another database must not wait'));
  await elsewhere();

  await first();
  const release = await second;
  assert.equal(secondHolds, true);
  await release();
  stop.abort();
});
