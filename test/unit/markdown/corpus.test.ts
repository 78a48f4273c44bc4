import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus, score } from './corpus.js';
import { importAndLoad } from './helpers.js';

describe('the import corpus: every document imports as its expected file says', () => {
  const corpus = loadCorpus();

  test('holds at least 15 documents, each with an expected result', () => {
    assert.ok(corpus.length >= 15, `${corpus.length} documents`);
  });

  for (const doc of corpus) {
    test(doc.name, () => {
      const { result } = importAndLoad(doc.text, { file: doc.name });
      assert.deepEqual(score(doc, result).differences, []);
    });
  }
});
