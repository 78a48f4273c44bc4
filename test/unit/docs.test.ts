// The documentation stays true to the code: every relative link of README.md and docs/*.md reaches
// a file (and its #anchor), every repository path named in a code span exists, every `npm run X`
// is a script of package.json, every `dr <command>` is a command of the CLI's commander program,
// and the runbook reference's action table lists exactly the action kinds of the runbook schema.
// No services: files and the program object only.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import MarkdownIt, { type Token } from 'markdown-it';
import type { Command } from 'commander';
import { program } from '../../src/cli/program.js';
import type { CommandContext } from '../../src/cli/context.js';
import { ACTION_KINDS } from '../../src/runbook/schema.js';

const root = resolve(import.meta.dirname, '../..');
const md = new MarkdownIt();
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Every token, inline children included, in document order. */
function flatten(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => [t, ...(t.children ? flatten(t.children) : [])]);
}

/** The text of an inline token as GitHub reads it for a heading id: text and code spans. */
function inlineText(inline: Token | undefined): string {
  return (inline?.children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join('');
}

/** GitHub's heading ids: lower case, punctuation dropped (`-` and `_` kept), spaces to `-`, repeats numbered. */
function headingIds(source: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  const tokens = md.parse(source, {});
  tokens.forEach((t, i) => {
    if (t.type !== 'heading_open') return;
    const base = inlineText(tokens[i + 1]).toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  });
  return ids;
}

/** Links of one Markdown file that do not resolve: a missing file, or an anchor its target lacks. */
function brokenLinks(file: string, source: string, read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const token of flatten(md.parse(source, {}))) {
    if (token.type !== 'link_open' && token.type !== 'image') continue;
    const href = String(token.attrGet(token.type === 'image' ? 'src' : 'href') ?? '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:: not ours to check
    const [path = '', anchor] = href.split('#', 2);
    const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    const text = read(target);
    if (text === undefined) {
      broken.push(`${file}: ${href} (no file ${target})`);
    } else if (anchor !== undefined && target.endsWith('.md') && !headingIds(text).has(decodeURIComponent(anchor))) {
      broken.push(`${file}: ${href} (${target} has no heading with id "${anchor}")`);
    }
  }
  return broken;
}

const readRepo = (path: string): string | undefined => {
  const full = join(root, path);
  if (relative(root, full).startsWith('..') || !existsSync(full)) return undefined;
  return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
};

const sources = new Map(DOCS.map((f) => [f, readFileSync(join(root, f), 'utf8')]));

describe('links', () => {
  test('the checker catches a missing file and a missing anchor', () => {
    const files: Record<string, string> = { 'docs/a.md': '# A title\n\n## Step actions\n', 'docs/b.md': '' };
    const read = (p: string) => files[p];
    assert.deepEqual(brokenLinks('docs/b.md', '[ok](a.md#step-actions) [ok](a.md) [ok](#) [web](https://x.org/#y)', read), [
      'docs/b.md: # (docs/b.md has no heading with id "")',
    ]);
    assert.deepEqual(brokenLinks('docs/b.md', '[x](c.md) [y](a.md#a-titl) [z](../docs/a.md#a-title)', read), [
      'docs/b.md: c.md (no file docs/c.md)',
      'docs/b.md: a.md#a-titl (docs/a.md has no heading with id "a-titl")',
    ]);
  });

  test('heading ids follow GitHub', () => {
    assert.deepEqual(
      [...headingIds('# Import of a Markdown DR document (`bench/import.bench.ts`)\n## The drill review: `dr review`\n## Notes\n## Notes\n')],
      ['import-of-a-markdown-dr-document-benchimportbenchts', 'the-drill-review-dr-review', 'notes', 'notes-1'],
    );
  });

  for (const [file, source] of sources) {
    test(`${file}: every relative link resolves`, () => {
      assert.deepEqual(brokenLinks(file, source, readRepo), []);
    });
  }

  test('README.md links every page of docs/', () => {
    const linked = new Set(flatten(md.parse(sources.get('README.md')!, {})).filter((t) => t.type === 'link_open').map((t) => String(t.attrGet('href')).split('#')[0]));
    assert.deepEqual(DOCS.filter((f) => f.startsWith('docs/') && !linked.has(f)), []);
  });

  test('every repository path in a code span exists', () => {
    const missing: string[] = [];
    for (const [file, source] of sources) {
      for (const t of flatten(md.parse(source, {}))) {
        // Paths as the docs name them (`src/safety/steps.ts`); placeholders (`runbooks/<id>.yaml`) and globs are not paths.
        if (t.type === 'code_inline' && /^(src|scripts|test|deploy|runbooks|bench|bin|docs)\/[\w./-]+$/.test(t.content) && !existsSync(join(root, t.content))) {
          missing.push(`${file}: ${t.content}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  test('no page points to files users do not have', () => {
    for (const [file, source] of sources) {
      assert.doesNotMatch(source, /DESIGN\.md|\/work\/|shared\/seed/, file);
    }
  });
});

describe('commands', () => {
  const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

  test('every `npm run X`, `npm start` and `npm test` is a script of package.json', () => {
    const missing: string[] = [];
    for (const [file, source] of sources) {
      for (const m of source.matchAll(/\bnpm (?:run ([\w:.-]+)|(start|test)\b)/g)) {
        const name = m[1] ?? m[2]!;
        if (!scripts.includes(name)) missing.push(`${file}: npm ${m[0].slice(4)}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  // Only the tree is read: no command runs, so the context is never used.
  const dr = program(undefined as unknown as CommandContext);
  const names = (c: Command) => c.commands.flatMap((s) => [s.name(), ...s.aliases()]);

  test('the CLI has the commands the docs are checked against', () => {
    // A guard against an empty list making the next test pass vacuously.
    assert.ok(names(dr).includes('start') && names(dr).includes('schedules'), names(dr).join(', '));
  });

  test('every `dr <command>` is a command of the CLI', () => {
    const unknown: string[] = [];
    let mentions = 0;
    for (const [file, source] of sources) {
      // `dr` as a word of its own (not easymo-dr, not bin/dr.js), then a command; `a|b|c` lists several.
      for (const m of source.matchAll(/(?<![\w./-])dr ([a-z][\w-]*(?:\|[a-z][\w-]*)*)(?: ([a-z][\w-]*))?/g)) {
        for (const name of m[1]!.split('|')) {
          mentions++;
          const command = dr.commands.find((c) => c.name() === name || c.aliases().includes(name));
          if (!command) unknown.push(`${file}: dr ${name}`);
          else if (command.commands.length > 0 && m[2] !== undefined && !names(command).includes(m[2])) unknown.push(`${file}: dr ${name} ${m[2]}`);
        }
      }
    }
    assert.ok(mentions > 20, `only ${mentions} mentions of dr commands found: is the pattern still right?`);
    assert.deepEqual(unknown, []);
  });
});

describe('the runbook reference', () => {
  test('its action table lists exactly the action kinds of the schema', () => {
    const tokens = md.parse(sources.get('docs/runbooks.md')!, {});
    const heading = tokens.findIndex((t, i) => t.type === 'heading_open' && inlineText(tokens[i + 1]) === 'Step actions');
    assert.ok(heading >= 0, 'docs/runbooks.md has a "Step actions" section');
    const start = tokens.findIndex((t, i) => i > heading && t.type === 'table_open');
    const end = tokens.findIndex((t, i) => i > start && t.type === 'table_close');
    const table = tokens.slice(start, end);
    const rows: string[][] = [];
    for (const [i, t] of table.entries()) {
      if (t.type === 'tr_open') rows.push([]);
      if (t.type === 'inline') rows.at(-1)!.push(inlineText(t));
      if (t.type === 'heading_open' && i > 0) break;
    }
    const [header, ...body] = rows;
    assert.deepEqual(header, ['kind', 'what it does', 'effect class', 'idempotent', 'key fields']);
    const kinds = body.map((r) => r[0]!);
    assert.deepEqual([...kinds].sort(), [...ACTION_KINDS].sort());
    for (const row of body) assert.ok(row.every((cell) => cell.trim() !== ''), `the row of ${row[0]} has an empty cell`);
  });
});
