// The SQL classifier needs its parser loaded first: it refuses to guess before, and loading twice
// is one load. (Its own process: node:test runs each file separately, so nothing loaded it yet.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySql, loadParsers } from '../../../src/safety/index.js';

test('classifySql before loadParsers() throws and says what to do; after it, it classifies', async () => {
  assert.throws(() => classifySql('SELECT 1'), {
    name: 'Error',
    message: 'classifySql: the SQL parser is not loaded: call loadParsers() first (and await it)',
  });
  await Promise.all([loadParsers(), loadParsers()]);
  await loadParsers();
  assert.deepEqual(classifySql('SELECT 1'), { effect: 'read-only', proven: true, reasons: ['`SELECT 1` only reads'] });
  assert.deepEqual(classifySql('DROP TABLE users'), { effect: 'destructive', proven: true, reasons: ['`DROP TABLE users` drops a table'] });
});
