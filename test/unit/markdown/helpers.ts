// Shared by the importer tests: the seed document, fixtures, and imported runbooks read back
// through the project's own loader.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Nodes } from 'mdast';
import { importMarkdown, type ImportOptions, loadParsers } from '../../../src/markdown/index.js';
import { parseRunbook } from '../../../src/runbook/load.js';
import type { Runbook, Step } from '../../../src/runbook/model.js';

// The effect classifier reads SQL in `psql -c`: its parser loads once, before any import.
await loadParsers();

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// The seed as shared beside the repo (CI lays shared/ there); a copy in the fixtures otherwise, so
// a clone alone still runs every test.
const sharedSeed = resolve(repoRoot, '../shared/seed/easymo-backup-dr.md');
export const seedPath = existsSync(sharedSeed) ? sharedSeed : resolve(repoRoot, 'test/fixtures/markdown/easymo-backup-dr.md');
export const seedText = () => readFileSync(seedPath, 'utf8');
export const fixture = (name: string) => readFileSync(resolve(repoRoot, 'test/fixtures/markdown', name), 'utf8');

/**
 * Imports a document and loads every runbook written, asserting each validates and loads into the
 * runbook the importer validated (it validates the data, not the YAML it writes).
 */
export function importAndLoad(text: string, options: ImportOptions = {}) {
  const result = importMarkdown(text, options);
  const runbooks = new Map<string, Runbook>();
  for (const r of result.runbooks) {
    const loaded = parseRunbook(r.yaml, r.fileName, { roles: options.roles });
    if (!loaded.runbook) throw new Error(`${r.fileName} does not validate: ${JSON.stringify(loaded.errors)}`);
    assert.deepEqual(loaded.runbook, r.runbook, `${r.fileName} loads into the runbook the importer validated`);
    runbooks.set(r.id, loaded.runbook);
  }
  const lines = (level: string) => result.notes.filter((n) => n.level === level).map((n) => `${n.line} ${n.message}`);
  return { result, runbooks, lines };
}

const MIN = 60_000;
/** Steps as [id, kind, budget in minutes], approvals included. */
export const shape = (runbook: Runbook) => runbook.steps.map((s) => [s.id, s.action.kind, s.budgetMs / MIN] as const);

/** What an imported step does: its kind, and the script and env or the instructions the importer wrote. */
export function action(step: Step): Record<string, unknown> {
  const a = step.action;
  if (a.kind === 'shell') return { kind: a.kind, script: a.script, ...(Object.keys(a.env).length ? { env: a.env } : {}) };
  if (a.kind === 'manual') return { kind: a.kind, instructions: a.instructions };
  if (a.kind === 'approval') return { kind: a.kind, roles: a.roles, instructions: a.instructions };
  return { kind: a.kind };
}

// Pieces DR documents are made of, some broken on purpose.
export const piece = fc.oneof(
  fc.constantFrom('# Plan', '## Scenario 1: Database loss', '### Scenario: X', '#### Steps', '**Steps:**', '**RTO:** 1 hour', '**RPO:** 5 minutes', '- RTO: 2 hours', '| RTO | 30 min |', '|---|---|'),
  fc.tuple(fc.nat(9), fc.string({ maxLength: 20 }), fc.constantFrom('(15 minutes)', '(0-15 minutes)', '(9-2 hours)', '(Immediate)', '(Ongoing)', '')).map(([n, t, d]) => `${n}. **${t}** ${d}`),
  fc.constantFrom('```bash', '```', '~~~', '   ```sh', '# 1. Restore', '# Step 2: Verify (5 min)', 'psql $DATABASE_URL < backup_20240315.sql', 'rm -rf <dir>', 'curl http://x/health', '# Or restart', "cat > f << 'EOF'", 'EOF', 'echo "unterminated'),
  fc.constantFrom('- [ ] Database up', '- [x] Done', '- T+0: Declare', '- T+10 min: Fail over', '| T+5 | Act |', '> quote', '   - nested', '<!-- c -->', '{{ inputs.x }}', ''),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
);

/** A generated DR-like document: pieces on lines of their own. */
export const dralike = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join('\n'));

type Shape = { type: string; line?: number; [key: string]: unknown };

/**
 * What the importer reads of a tree: types and nesting, heading depth, list ordered/start/checked,
 * code lang and value, text (image alt too), and the start line of every block. Links GFM found by
 * their look (autolink literals, `www.x.com`) are read as their text, as markdown-it without
 * linkify does; URLs and titles are not read.
 */
export function treeShape(node: Nodes, source: string, inline = false): Shape[] {
  if (node.type === 'link' && node.position?.start.offset !== undefined && !'[<'.includes(source[node.position.start.offset]!)) {
    return node.children.flatMap((c) => treeShape(c, source, true));
  }
  // The importer reads a reference link as a link: markdown-it resolves references while parsing.
  const out: Shape = { type: node.type === 'linkReference' ? 'link' : node.type === 'imageReference' ? 'image' : node.type };
  if ('value' in node) out.value = node.value;
  if (node.type === 'heading') out.depth = node.depth;
  if (node.type === 'list') Object.assign(out, { ordered: node.ordered, start: node.ordered ? node.start : null });
  if (node.type === 'listItem') out.checked = node.checked ?? null;
  if (node.type === 'code') Object.assign(out, { lang: node.lang ?? null, meta: node.meta ?? null });
  if (node.type === 'table') out.align = node.align;
  if (node.type === 'image' || node.type === 'imageReference') out.alt = node.alt;
  // Inline nodes have no position in the markdown-it tree: the importer reads the lines of blocks.
  if (!inline) out.line = node.position?.start.line;
  if ('children' in node) {
    const children: Shape[] = [];
    const holdsInline = inline || node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell';
    for (const child of node.children.flatMap((c) => treeShape(c as Nodes, source, holdsInline))) {
      const last = children.at(-1);
      if (child.type === 'text' && last?.type === 'text') last.value = String(last.value) + String(child.value);
      else children.push(child);
    }
    out.children = children;
  }
  return [out];
}
