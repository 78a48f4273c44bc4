// What a step does to the systems it touches. One vocabulary for the classifier (src/safety), lint,
// the interpreter (drill rehearsal, live approvals), the importer and the report. Pure: the workflow
// reads a step's class; it never parses a command itself.
import type { Step } from './model.js';

/** Ordered from harmless to harmful: a comparison of indexes says which is stronger. */
export const EFFECTS = ['read-only', 'changes-state', 'destructive'] as const;
export type Effect = (typeof EFFECTS)[number];

/** What the classifier concluded about one command, query, request or action. */
export interface Verdict {
  effect: Effect;
  /**
   * True when the effect was shown (a parsed command the classifier knows); false when it fell back
   * to "changes state" because it could not show the command harmless (unknown program, unparsable
   * text, a placeholder in a command's place).
   */
  proven: boolean;
  /** Why, in words a reviewer can check: "`DROP TABLE users` drops a table". */
  reasons: string[];
}

/** A step's class as the run uses it: the verdict plus where it came from. */
export interface StepEffect extends Verdict {
  /** `declared` when the runbook's `effect:` (or `destructive: true`) decided it. */
  source: 'declared' | 'derived';
}

export const effectRank = (effect: Effect): number => EFFECTS.indexOf(effect);

/** The stronger of two effects. */
export function strongest(a: Effect, b: Effect): Effect {
  return effectRank(a) >= effectRank(b) ? a : b;
}

/** Several verdicts as one: the strongest effect; proven only when every part is. */
export function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return { effect: 'read-only', proven: true, reasons: [] };
  const effect = verdicts.map((v) => v.effect).reduce(strongest);
  // The reasons that matter are those of the parts that set the class.
  const deciding = verdicts.filter((v) => v.effect === effect);
  return {
    effect,
    proven: effect === 'read-only' ? verdicts.every((v) => v.proven) : deciding.some((v) => v.proven),
    reasons: [...new Set(deciding.flatMap((v) => v.reasons))],
  };
}

export const readOnly = (...reasons: string[]): Verdict => ({ effect: 'read-only', proven: true, reasons });
export const changesState = (...reasons: string[]): Verdict => ({ effect: 'changes-state', proven: true, reasons });
export const destructive = (...reasons: string[]): Verdict => ({ effect: 'destructive', proven: true, reasons });
/** Could not be shown harmless: counts as a change. */
export const unproven = (...reasons: string[]): Verdict => ({ effect: 'changes-state', proven: false, reasons });

// Without a classification (a runbook parsed without the classifier) only people's steps are known
// harmless; everything a system does counts as a change.
const HARMLESS_WITHOUT_CLASSIFIER = new Set(['manual', 'approval', 'wait', 'notify', 'parallel']);

/** The class a run uses for a step: what the loader derived, else the declaration, else the conservative default. */
export function effectOf(step: Step): Effect {
  if (step.effect) return step.effect.effect;
  if (step.declaredEffect) return step.declaredEffect;
  if (step.action.kind === 'runbook') return step.action.mode === 'live' ? 'changes-state' : 'read-only';
  return HARMLESS_WITHOUT_CLASSIFIER.has(step.action.kind) ? 'read-only' : 'changes-state';
}
