// Input defaults per environment: `<runbooks dir>/environments/<name>.yaml`, chosen by the worker's
// DR_ENVIRONMENT, maps a runbook id to defaults for its inputs (values or `env:` / `file:`
// references), so a scenario starts from `{"mode": "drill"}` wherever the environment says how.
// A run's own inputs win over these, and these over the runbook's defaults.
import { parseDocument } from 'yaml';
import { formatIssue, parseYaml } from './load.js';
import { z } from 'zod';
import type { Mode, Runbook } from './model.js';
import { flattenSteps } from './plan.js';
import { templateReferences } from './template.js';

/** The folder, inside the runbooks folder, of the environment files. */
export const ENVIRONMENTS_DIR = 'environments';

const environmentSchema = z.record(
  z.string(),
  z.record(z.string(), z.unknown(), { error: 'Expected the inputs of one runbook, like { database_url: env:DEMO_DATABASE_URL }' }),
  { error: 'Expected a map of runbook id to input defaults' },
);

/** Runbook id → input name → default. */
export type EnvironmentDefaults = z.output<typeof environmentSchema>;

/** Parses an environment file; each error names the file, the line and the field. An empty file gives no defaults. */
export function parseEnvironment(text: string, file: string): { defaults: EnvironmentDefaults; errors: string[] } {
  if (parseDocument(text).contents === null) return { defaults: {}, errors: [] };
  const parsed = parseYaml(text, file, environmentSchema, 'a map of runbook id to input defaults');
  return { defaults: parsed.value ?? {}, errors: parsed.errors.map(formatIssue) };
}

/** The inputs a run of `runbook` in `mode` reads: referenced by a step that runs in that mode. */
export function inputsUsed(runbook: Runbook, mode: Mode): Set<string> {
  const refs = [
    ...flattenSteps(runbook.steps)
      .filter(({ step }) => step.modes.includes(mode))
      .flatMap(({ step }) => templateReferences(step.action)),
    ...templateReferences(runbook.connections),
    ...templateReferences(runbook.notify),
    // A drill's set-up sub-runs read what their inputs name (src/runbook/setup.ts).
    ...(mode === 'drill' ? templateReferences(runbook.drill?.setup.map((e) => e.inputs) ?? []) : []),
  ];
  return new Set(refs.filter((r) => r.startsWith('inputs.')).map((r) => r.split('.')[1]!));
}
