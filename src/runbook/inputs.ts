// Run inputs: defaults applied, required ones checked, secrets kept as references. Pure and free of
// parsing libraries, because the workflow uses it.
import type { Runbook } from './model.js';

/** A secret reference: resolved on the worker, never carried as a value. */
export function isSecretReference(value: unknown): value is string {
  return typeof value === 'string' && /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/.test(value);
}

/** Run inputs after defaults, with every missing, unknown or literal-secret input reported. */
export function resolveInputs(runbook: Runbook, given: Record<string, unknown>): { values: Record<string, unknown>; errors: string[] } {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  const declared = Object.keys(runbook.inputs);
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined && !Object.hasOwn(runbook.inputs, name)) {
      errors.push(`Unknown input "${name}"; ${declared.length ? `expected one of: ${declared.join(', ')}` : `runbook "${runbook.id}" takes no inputs`}`);
    }
  }
  for (const [name, spec] of Object.entries(runbook.inputs)) {
    const value = Object.hasOwn(given, name) && given[name] !== undefined ? given[name] : spec.default;
    if (value === undefined) {
      if (spec.required) errors.push(`Input "${name}" is required${spec.description ? ` (${spec.description})` : ''}`);
      continue;
    }
    // Only a reference may travel: a literal secret would be written into workflow history.
    if (spec.secret && !isSecretReference(value)) {
      errors.push(`Input "${name}" is secret: expected a reference like "env:NAME" or "file:/path", got a literal value`);
      continue;
    }
    values[name] = value;
  }
  return { values, errors };
}
