import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeDocument, DocumentError, importMarkdown } from '../../../src/markdown/index.js';
import { parseRunbook } from '../../../src/runbook/load.js';
import { dralike, seedText } from './helpers.js';

/** Imports and checks the promises that hold for any input: no crash, and every runbook written validates (as written). */
function importChecked(text: string): ReturnType<typeof importMarkdown> | DocumentError {
  let result;
  try {
    result = importMarkdown(text, { file: 'fuzz.md' });
  } catch (err) {
    if (err instanceof DocumentError) return err;
    throw err;
  }
  for (const r of result.runbooks) {
    const loaded = parseRunbook(r.yaml, r.fileName);
    assert.deepEqual(loaded.errors, [], `${r.fileName} from:\n${text}\n---\n${r.yaml}`);
    // The importer validates the data it writes; the YAML must load back into the same runbook.
    assert.deepEqual(loaded.runbook, r.runbook, `${r.fileName} from:\n${text}\n---\n${r.yaml}`);
  }
  for (const n of result.notes) assert.ok(Number.isInteger(n.line) && n.line >= 1, `note line ${n.line}`);
  return result;
}

const warnings = (text: string) => {
  const r = importChecked(text);
  assert.ok(!(r instanceof DocumentError));
  return { runbooks: r.runbooks.length, warnings: r.notes.filter((n) => n.level === 'warning').map((n) => n.message) };
};

describe('any input gives warnings or a clear error', () => {
  test('empty, blank, only headings', () => {
    const none = 'no scenario or procedure found: expected a "Scenario" heading, numbered steps, a checklist, a T+ timeline or numbered comments in a shell block';
    assert.deepEqual(warnings(''), { runbooks: 0, warnings: [none] });
    assert.deepEqual(warnings('\n\n  \n'), { runbooks: 0, warnings: [none] });
    assert.deepEqual(warnings('# A\n## B\n### Scenario 1: C\n'), { runbooks: 0, warnings: ['"Scenario 1: C" (a scenario heading) has no steps: no runbook written'] });
  });

  test('an unterminated code fence runs to the end of the document', () => {
    const r = importChecked('## Scenario X\n\n1. **Stop** (5 min)\n\n   ```bash\n   systemctl stop app\n');
    assert.ok(!(r instanceof DocumentError));
    assert.equal(r.runbooks.length, 1);
    assert.match(r.runbooks[0]!.yaml, /script: systemctl stop app\n/);
  });

  test('binary garbage is a clear error; a few stray bytes are a warning', () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
    const decoded = decodeDocument(bytes);
    assert.match(decoded.notes[0]!.message, /^The file is not valid UTF-8: \d+ invalid byte sequence\(s\) were replaced by U\+FFFD$/);
    assert.throws(() => importMarkdown(decoded.text), (err: Error) => err.name === 'DocumentError' && /^Expected a Markdown document, got binary data \(\d+% of the characters are control characters or invalid UTF-8\)$/.test(err.message));
    assert.deepEqual(warnings(`# Doc\u0000\n\nText.\n`).warnings[0], 'The document contains 1 control or invalid character(s); they were read as U+FFFD');
  });

  test('a document over the size limit is a clear error', () => {
    assert.throws(() => importMarkdown('x'.repeat(2 * 1024 * 1024 + 1)), { name: 'DocumentError', message: 'Expected a Markdown document of at most 2 MB, got 2.0 MB' });
  });

  test('input the parser would be slow on is defused, with a warning', () => {
    const started = process.cpuUsage();
    assert.ok(warnings('> '.repeat(20_000) + 'x').warnings.includes('nesting deeper than 16 levels or 64 columns: flattened'));
    assert.ok(warnings(Array.from({ length: 600 }, (_, i) => `${' '.repeat(i * 2)}- x`).join('\n')).warnings.includes('nesting deeper than 16 levels or 64 columns: flattened'));
    assert.ok(warnings('*a'.repeat(50_000)).warnings.includes('a paragraph with 50000 emphasis or link delimiters: they were replaced by U+FFFD'));
    assert.ok(warnings(`|${' a |'.repeat(5000)}\n|${'---|'.repeat(5000)}\n`).warnings.includes('a table row with 5001 columns: its pipes were replaced by U+FFFD'));
    const cpu = process.cpuUsage(started);
    assert.ok(cpu.user + cpu.system < 60e6, `took ${(cpu.user + cpu.system) / 1e6} s of CPU`);
  });

  test('nesting past the parser limit is a warning; a long table is read', () => {
    const deep = Array.from({ length: 300 }, (_, i) => `> ${' '.repeat(i * 2)}- a`).join('\n');
    assert.ok(warnings(deep).warnings.includes('nesting deeper than 100 levels: the rest of that block was not read'));
    const table = `# Inventory\n\n| Host | Role |\n|---|---|\n${'| db-1 | primary |\n'.repeat(50_000)}`;
    assert.equal(warnings(table).runbooks, 0);
  });

  test('templates in the document cannot reach the runbook as references', () => {
    const r = importChecked('## Scenario B\n\n1. **Helm {{ x }}** (5 min)\n\n   ```bash\n   helm template --set x={{ .Values.y }}\n   ```\n\n2. **Check** (5 min)\n   - see {{ inputs.nope }}\n');
    assert.ok(!(r instanceof DocumentError));
    assert.equal(r.runbooks.length, 1);
  });
});

describe('property: generated and mutated documents never crash, and what is written validates', () => {
  test('generated documents', () => {
    fc.assert(fc.property(dralike, (text) => void importChecked(text)), { numRuns: 300 });
  });

  test('the seed, mutated', () => {
    const seed = seedText();
    const mutation = fc.tuple(fc.nat(seed.length), fc.nat(400), fc.string({ maxLength: 30, unit: 'grapheme' }));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (cuts) => {
        let text = seed;
        for (const [at, len, insert] of cuts) text = text.slice(0, at) + insert + text.slice(at + len);
        importChecked(text);
      }),
      { numRuns: 40 },
    );
  });
});
