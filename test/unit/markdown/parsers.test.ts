// The importer parses with markdown-it (src/markdown/mdit.ts); micromark, the reference CommonMark +
// GFM parser, is the oracle here: both must give the same tree on what the importer reads.
// Known differences, on input no DR document has: an ordered list not starting at 1 right after
// an indented code block is a paragraph in micromark (a list in CommonMark and on GitHub), and a
// few lazy continuation lines with HTML or definitions in nested containers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import type { Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { markdownToMdast } from '../../../src/markdown/mdit.js';
import { prepareDocument } from '../../../src/markdown/parse.js';
import { dralike, fixture, repoRoot, seedText, treeShape } from './helpers.js';

const withMicromark = (text: string): Root => fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });

/** Both parsers on the text the importer would parse; a failure shows the document and the difference. */
function assertSameTree(document: string): void {
  const { text } = prepareDocument(document);
  const expected = treeShape(withMicromark(text), text);
  const actual = treeShape(markdownToMdast(text).tree, text);
  try {
    assert.deepEqual(actual, expected);
  } catch (err) {
    (err as Error).message = `document:\n${document}\n\n${(err as Error).message}`;
    throw err;
  }
}

// Where markdown-it alone reads otherwise: each was a difference before the adapter handled it.
const CASES: Array<[string, string]> = [
  ['a list item or heading line before a delimiter row is not a table header', '- a | b\n|---|---|\n\n# c | d\n|---|---|\n\npara\n9. e | f\n|---|---|'],
  ['table rows keep the cells written; escaped pipes', '| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| 4 |\n|\n| `x\\|y` | \\\\| z |'],
  ['tabs before a line ending', 'a\t\nb  \t\nc'],
  ['strikethrough with one or two tildes, not three', 'a ~b~ c ~~d~~ ~~~e~~~ ~f~~ g~'],
  ['a tilde beside emphasis', '**a*~b** and _c_~d_'],
  ['emphasis pairs by what is left of each run', '**j*r-*a** **T*|;WL*7C**'],
  ['emphasis and strikethrough do not cross', '**~a** b **c*d~** ~e **f~ g**'],
  ['code spans over lines keep their line endings', 'a `x\n   y` b ` \nz\n` <a\n   href="x">'],
  ['task list items', '- [ ] a\n- [x]\tb\n- [X]\n  c\n- [ ]\n-\n  [x] d\n1. [ ] e'],
  ['unclosed fences and HTML in containers', '- ```\n  a\n\nx\n\n- ```\n  b\n\n- c\n\n> <!--\n> d\n\n- <!--\n- e\n\n<!--\nf\n'],
  ['links: autolink literals, references, images', 'www.example.com https://a.b/c. [x][r] ![alt *y*](u) [r]\n\n[r]: /u "t"'],
];

describe('markdown-it gives the tree micromark gives', () => {
  for (const [name, document] of CASES) test(name, () => assertSameTree(document));

  test('the seed', () => assertSameTree(seedText()));

  const fixtures = readdirSync(resolve(repoRoot, 'test/fixtures/markdown')).filter((f) => f.endsWith('.md'));
  for (const name of fixtures) test(`fixture ${name}`, () => assertSameTree(fixture(name)));

  test('generated DR-like documents', () => {
    fc.assert(fc.property(dralike, (text) => assertSameTree(text)), { numRuns: 1000 });
  });
});
