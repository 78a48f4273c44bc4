// emitYaml writes runbook YAML without building a yaml Document; the Document API (what it did
// before) is the oracle: the text must be the same, byte for byte, for any data and comments.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Document, isMap, isScalar, isSeq, parse, Scalar, visit } from 'yaml';
import type { YamlComment } from '../../../src/markdown/build.js';
import { emitYaml } from '../../../src/markdown/emit.js';
import { importMarkdown } from '../../../src/markdown/index.js';
import { seedText } from './helpers.js';

/** The importer's YAML through the yaml Document API. */
function withDocument(data: Record<string, unknown>, header: string, comments: readonly YamlComment[]): string {
  const doc = new Document(data);
  doc.commentBefore = header;
  for (const comment of comments) {
    const node: unknown = doc.getIn(comment.path, true);
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) continue;
    if (comment.inline) node.comment = comment.text;
    else node.commentBefore = comment.text;
  }
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
    },
    Seq(_, node) {
      const short = node.items.every((item) => isScalar(item) && String(item.value).length < 40);
      if (short && node.items.length <= 6) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

// Strings YAML quotes, folds or blocks for some reason, and strings of any characters.
const tricky = fc.constantFrom(
  '', ' ', 'a ', ' a', 'a:', 'a: b', 'a #b', '#a', '- a', '-', '? a', '?', ': a', 'null', 'Null', 'NULL', '~', 'true', 'False', 'yes', '5m', '1h30m', '1e3', '0x1F', '0o17', '.inf', '.nan', '-1', '+2.5',
  '---', '--- a', '...', '%YAML', 'a\n---\nb', '[a]', '{a}', 'a, b', 'a]', '"a"', "'a'", 'a"b\'c', '`a`', '@a', '&a', '*a', '!a', '|a', '>a', 'a\tb', 'a\t', '\ta',
  'line\nline', 'line\n', 'line\n\n', '\nline', ' lead\nx', 'x\n y', 'x \ny', 'a\n\n\nb', '  ', '\n', '\n\n', 'é ›', 'a\u0085b', 'a\u00a0', 'a\u2028b', 'a\u0007b', 'a\u001bb', '\u{1F600}',
  'Imported from doc.md:12 (Plan › Scenarios › Scenario 1: Loss).', '{{ inputs.x }}', 'echo "$X" | tee /tmp/x # note', 'env:DATABASE_URL',
);
const text = fc.oneof(tricky, fc.string({ maxLength: 30 }), fc.string({ maxLength: 30, unit: 'grapheme' }), fc.string({ maxLength: 12, unit: 'binary' }), fc.array(tricky, { maxLength: 4 }).map((xs) => xs.join('\n')));
const key = fc.oneof(fc.constantFrom('id', 'title', 'steps', 'null', 'true', '5', 'a b', 'a:b', '-x', 'x y z'), fc.string({ minLength: 1, maxLength: 12 }));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, fc.boolean(), fc.integer(), fc.double({ noNaN: false }), tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 7 }),
  map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
}));

/** Every path in `data`, to hang comments on. */
function paths(data: unknown, at: (string | number)[] = []): Array<(string | number)[]> {
  if (Array.isArray(data)) return [at, ...data.flatMap((item, i) => paths(item, [...at, i]))];
  if (data !== null && typeof data === 'object') return [at, ...Object.entries(data).flatMap(([k, v]) => paths(v, [...at, k]))];
  return [at];
}

const runbookish = fc
  .tuple(fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }), text)
  .chain(([data, header]) => {
    const all = paths(data).filter((p) => p.length > 0);
    const comment = fc.record({ path: fc.constantFrom(...all), text: text.filter((t) => t.trim() !== ''), inline: fc.boolean() });
    return fc.tuple(fc.constant(data), fc.constant(header), fc.array(comment, { maxLength: 5 }));
  });

describe('emitYaml writes what the yaml Document API writes', () => {
  test('the seed’s runbooks', () => {
    // The importer's own data, shapes and comments included: re-emitted both ways from the YAML's data.
    for (const r of importMarkdown(seedText(), { file: 'seed.md' }).runbooks) {
      const data = parse(r.yaml) as Record<string, unknown>;
      const comments: YamlComment[] = [{ path: ['steps', 0], text: ' first' }, { path: ['id'], text: ' id', inline: true }];
      assert.equal(emitYaml(data, ' header\n second', comments), withDocument(data, ' header\n second', comments), r.fileName);
    }
  });

  test('any data and comments', () => {
    fc.assert(
      fc.property(runbookish, ([data, header, comments]) => {
        assert.equal(emitYaml(data, header, comments), withDocument(data, header, comments));
      }),
      { numRuns: 2000 },
    );
  });
});
