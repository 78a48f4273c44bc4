// Input defaults per environment: `<runbooks dir>/environments/<name>.yaml`, chosen by the worker's
// DR_ENVIRONMENT, maps a runbook id to defaults for its inputs (values or `env:` / `file:`
// references), so a scenario starts from `{"mode": "drill"}` wherever the environment says how.
// A run's own inputs win over these, and these over the runbook's defaults.
import { parseDocument } from 'yaml';
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

/** Parses an environment file; errors name the file (and line, for YAML errors). */
export function parseEnvironment(text: string, file: string): { defaults: EnvironmentDefaults; errors: string[] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { defaults: {}, errors: doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'} ${e.message}`) };
  const parsed = environmentSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) return { defaults: {}, errors: parsed.error.issues.map((i) => `${file} ${i.path.join('.') || '(top)'}: ${i.message}`) };
  return { defaults: parsed.data, errors: [] };
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
