// Every built-in runbook (runbooks/*.yaml), with the local environment's defaults, resolved step by
// step as a run resolves it (previewAction, the dry-run's own function) in the drill and live plans:
// no input or run reference is left as text, and no `env:` / `file:` reference reaches a command's
// argv or script (the worker resolves references in `env:` values only; `pg_isready -d env:X` probed
// the default socket). Commands are not run here: test/e2e/scenarios/builtin-runbooks.test.ts runs
// every runbook end to end in drill mode.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { listRunbookFiles, loadRunbook } from '../../src/activities/load.js';
import { resolveInputs } from '../../src/runbook/inputs.js';
import type { Mode } from '../../src/runbook/model.js';
import { flattenSteps } from '../../src/runbook/plan.js';
import { previewAction } from '../../src/workflows/perform.js';

const dir = resolve(import.meta.dirname, '../../runbooks');
const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
const REFERENCE = /(^|[\s"'=:(])(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S+)/;

describe('built-in runbooks, resolved', async () => {
  const files = await listRunbookFiles(dir);
  test('there are runbooks to check', () => assert.ok(files.length >= 15, `${files.length} runbook files in ${dir}`));
  for (const file of files) {
    const id = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
    test(id, async () => {
      const loaded = await loadRunbook({ id }, { dir, environment: 'local' });
      const { runbook } = loaded;
      // Inputs a run must give (no default anywhere) get a stand-in, as `dr start --input` would.
      const given = Object.fromEntries(Object.entries(runbook.inputs).filter(([, spec]) => spec.required && spec.default === undefined).map(([name, spec]) => [name, spec.secret ? 'env:GIVEN' : 'given']));
      const { values, errors } = resolveInputs(runbook, { ...loaded.inputDefaults, ...given });
      assert.deepEqual(errors, []);
      const problems: string[] = [];
      for (const mode of ['drill', 'live'] as Mode[]) {
        const template = { inputs: values, steps: {}, run: { id: `${id}-check`, mode, runbook: id, incidentAt: new Date(0).toISOString() } };
        for (const { step } of flattenSteps(runbook.steps).filter(({ step }) => step.modes.includes(mode))) {
          const resolved = previewAction(step.action, template) as { kind: string; command?: string[]; script?: string };
          // A text that also names a step's output is rendered only when that output exists.
          for (const text of strings(resolved).filter((t) => !/\{\{\s*steps\./.test(t))) {
            for (const left of text.match(/\{\{\s*(inputs|run)\.[^}]*\}\}/g) ?? []) problems.push(`${mode} ${step.id}: ${left} left unresolved`);
          }
          if (resolved.kind !== 'shell') continue;
          for (const arg of resolved.command ?? []) if (REFERENCE.test(arg)) problems.push(`${mode} ${step.id}: argv holds the reference ${arg}`);
          const inScript = resolved.script?.match(REFERENCE);
          if (inScript) problems.push(`${mode} ${step.id}: the script holds the reference ${inScript[2]}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});
