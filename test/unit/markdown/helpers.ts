// Shared by the importer tests: the seed document, fixtures, and imported runbooks read back
// through the project's own loader.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importMarkdown, type ImportOptions } from '../../../src/markdown/index.js';
import { parseRunbook } from '../../../src/runbook/load.js';
import type { Runbook, Step } from '../../../src/runbook/model.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// The seed as shared beside the repo (CI lays shared/ there); a copy in the fixtures otherwise, so
// a clone alone still runs every test.
const sharedSeed = resolve(repoRoot, '../shared/seed/easymo-backup-dr.md');
export const seedPath = existsSync(sharedSeed) ? sharedSeed : resolve(repoRoot, 'test/fixtures/markdown/easymo-backup-dr.md');
export const seedText = () => readFileSync(seedPath, 'utf8');
export const fixture = (name: string) => readFileSync(resolve(repoRoot, 'test/fixtures/markdown', name), 'utf8');

/** Imports a document and loads every runbook written, asserting each validates. */
export function importAndLoad(text: string, options: ImportOptions = {}) {
  const result = importMarkdown(text, options);
  const runbooks = new Map<string, Runbook>();
  for (const r of result.runbooks) {
    const loaded = parseRunbook(r.yaml, r.fileName);
    if (!loaded.runbook) throw new Error(`${r.fileName} does not validate: ${JSON.stringify(loaded.errors)}`);
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
