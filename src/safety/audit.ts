// The safety model of one runbook as a table a reviewer can check: each step's effect class, why,
// and what a drill and a live run do with it. Built from the same facts the interpreter reads
// (step.effect, safeToRehearse, noApproval, the approval gates), so the audit cannot disagree
// with a run.
import { isPeopleStep } from '../runbook/action-runtime.js';
import { effectOf } from '../runbook/effect.js';
import type { Runbook, Step } from '../runbook/model.js';
import { flattenSteps, gatedDestructiveSteps } from '../runbook/plan.js';


export interface StepSafety {
  id: string;
  /** The parallel group the step belongs to. */
  parentId?: string;
  kind: string;
  effect: string;
  /** `derived` or `declared`, and whether the classifier could show it. */
  basis: string;
  reasons: string[];
  /** What a drill does with the step. */
  drill: string;
  /** What a live run asks before the step. */
  live: string;
}


/** One row per step, parallel children included, in plan order. */
export function auditRunbook(runbook: Runbook): StepSafety[] {
  const gates = gatedDestructiveSteps(runbook.steps);
  const gateOf = (step: Step): string | undefined => [...gates].find(([, gated]) => gated.includes(step.id))?.[0];
  return flattenSteps(runbook.steps).map(({ step, parentId }) => {
    const effect = effectOf(step);
    const kind = step.action.kind;
    // A group is never performed itself: its children carry the gates.
    const ungated = isPeopleStep(step) || kind === 'parallel';
    const runsIn = (mode: 'drill' | 'live') => step.modes.includes(mode);
    const drill = !runsIn('drill')
      ? 'skipped (modes)'
      : ungated
        ? '—'
        : effect === 'read-only'
          ? 'runs'
          : step.safeToRehearse !== undefined
            ? `runs: ${step.safeToRehearse}`
            : 'rehearsed: a person confirms, nothing runs';
    const gate = gateOf(step);
    const live = !runsIn('live')
      ? 'skipped (modes)'
      : effect !== 'destructive' || ungated
        ? '—'
        : step.noApproval !== undefined
          ? `no approval: ${step.noApproval}`
          : gate !== undefined
            ? `approval "${gate}" first (else asks its own)`
            : 'waits for its own approval';
    return {
      id: step.id,
      parentId,
      kind,
      effect,
      basis: step.effect ? `${step.effect.source}${step.effect.proven ? '' : ', not shown harmless'}` : 'not classified',
      reasons: step.effect?.reasons ?? [],
      drill,
      live,
    };
  });
}
