// A runbook of one step, parsed: for tests of an action's schema (its defaults, shorthands and errors).
import assert from 'node:assert/strict';
import { formatIssue, parseRunbook } from '../../src/runbook/load.js';
import type { Action } from '../../src/runbook/model.js';

/** `step` is the YAML of the step's action, indented by four spaces (`    redis.snapshot: env:X\n`). */
const runbook = (step: string) => `id: t\ntitle: T\nsteps:\n  - id: s\n    budget: 5m\n${step}`;

/** The parsed action; fails the test when the runbook has errors. */
export function actionOf(step: string): Action {
  const { runbook: rb, errors } = parseRunbook(runbook(step), 't.yaml');
  assert.deepEqual(errors.map(formatIssue), []);
  return rb!.steps[0]!.action;
}

/** The runbook's errors, one formatted line each (`t.yaml:6 steps[0]...`). */
export const errorsOf = (step: string): string[] => parseRunbook(runbook(step), 't.yaml').errors.map(formatIssue);
