// The effect class of every step: the action registry's entry for its kind says it (src/runbook/
// actions.ts), commands and queries through the parsers handed in here. The loader calls
// classifyRunbook once per load, so the workflow, lint and the report read `step.effect` and never
// parse anything.
import { actionEffect, type Classifiers } from '../runbook/actions.js';
import { effectRank, type StepEffect } from '../runbook/effect.js';
import type { Runbook, Step } from '../runbook/model.js';
import { classifyArgv, classifyHttp, classifyScript, classifySql } from './index.js';

// The parsers each registry entry's `effect` may use (src/runbook/actions.ts).
const CLASSIFIERS: Classifiers = {
  argv: classifyArgv,
  script: classifyScript,
  http: classifyHttp,
  sql: classifySql,
  step: (step) => stepEffect(step),
};

/** The class the run uses for one step: the derived class, or the declaration where it is not weaker than a proven one. */
export function stepEffect(step: Step): StepEffect {
  const derived = actionEffect(step.action, CLASSIFIERS);
  const declared = step.declaredEffect;
  if (declared === undefined) return { ...derived, source: 'derived' };
  if (effectRank(declared) >= effectRank(derived.effect)) {
    return { effect: declared, proven: true, source: 'declared', reasons: [`declared ${declared} by the runbook`, ...derived.reasons] };
  }
  // A declaration may vouch for what the classifier could not see (a team's own script), never
  // against what it showed: lint reports that contradiction as an error.
  if (derived.proven) return { ...derived, source: 'derived' };
  return { effect: declared, proven: false, source: 'declared', reasons: [`declared ${declared} by the runbook, which the classifier could not show`, ...derived.reasons] };
}

/** Sets `effect` (and `destructive`) on every step, parallel children included. */
export function classifyRunbook(runbook: Runbook): void {
  const visit = (step: Step): void => {
    if (step.action.kind === 'parallel') step.action.steps.forEach(visit);
    step.effect = stepEffect(step);
    // A group is never performed itself: its children carry the gates.
    step.destructive = step.action.kind !== 'parallel' && step.effect.effect === 'destructive';
  };
  runbook.steps.forEach(visit);
}
