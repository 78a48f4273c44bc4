// The drill review of one runbook: per step, the actual durations over the drills against its
// budget, a suggested budget learnt from them, the runbook's forecast against its RTO with the
// suggested budgets, and the steps that put the RTO at risk most. Pure: a runbook and reports in.
import { formatDuration } from '../runbook/duration.js';
import type { Mode, Runbook, Step } from '../runbook/model.js';
import { flattenSteps, plannedMs } from '../runbook/plan.js';
import type { RunReport } from '../runbook/run.js';
import { percentile, stat, type Stat } from './metrics.js';

/**
 * The rule for a suggested budget, in one place (docs/reports.md quotes it): with at least
 * `minRuns` successful runs of the step, the 95th percentile (nearest rank) plus a `margin`,
 * never below the slowest run seen, rounded up to a readable step (5 s under a minute, 1 m under
 * 10 m, 5 m under an hour, 15 m above). Waiting on people counts: the budget is wall time.
 */
export const SUGGESTION = { minRuns: 3, margin: 0.25, keepWithin: 0.1 } as const;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Rounds up to the readable step of its size. */
export function roundUpBudget(ms: number): number {
  const step = ms < MINUTE ? 5 * SECOND : ms < 10 * MINUTE ? MINUTE : ms < HOUR ? 5 * MINUTE : 15 * MINUTE;
  return Math.max(step, Math.ceil(ms / step) * step);
}

/** The suggested budget for these durations, or undefined when there are too few. */
export function suggestBudget(durations: readonly number[]): number | undefined {
  if (durations.length < SUGGESTION.minRuns) return undefined;
  const p95 = percentile(durations, 95)!;
  return roundUpBudget(Math.max(p95 * (1 + SUGGESTION.margin), Math.max(...durations)));
}

export interface StepSample {
  workflowId: string;
  startedAt: number;
  durationMs: number;
  status: 'succeeded' | 'failed';
  overBudget: boolean;
}

export type BudgetChange = 'raise' | 'lower' | 'keep' | 'too few runs' | 'derived';

export interface StepReview {
  step: string;
  title: string;
  /** The parallel group it is a branch of. */
  group?: string;
  /** The budget in the runbook file now. */
  budgetMs: number;
  /** Every run of the step that ended, oldest first (failed ones are shown, not learnt from). */
  samples: StepSample[];
  /** Over the successful runs. */
  actual: Stat;
  overBudget: { n: number; of: number };
  suggestedMs?: number;
  change: BudgetChange;
  /** Set when the runs took under a tenth of the budget: lowering it wants a second look. */
  caution?: string;
}

/** Below this share of the budget, a lower suggestion comes with a caution. */
export const CAUTION_BELOW = 0.1;

export interface Forecast {
  /** The plan in the forecast's mode with the budgets of the file, and with the suggested ones. */
  currentMs: number;
  suggestedMs: number;
  rtoMs?: number;
  currentFits?: boolean;
  suggestedFits?: boolean;
}

export interface RtoRisk {
  step: string;
  /** How far the step's p95 ran past its budget. */
  p95OverBudgetMs: number;
  /** Its time in the plan with the suggested budgets, and that as a share of the RTO. */
  plannedMs: number;
  shareOfRto?: number;
  why: string;
}

export interface Review {
  runbook: { id: string; title: string };
  mode: Mode;
  runs: number;
  rule: string;
  steps: StepReview[];
  forecast: Forecast;
  risks: RtoRisk[];
}

export const RULE_TEXT = `suggested budget = p95 of the successful runs + ${SUGGESTION.margin * 100}%, never below the slowest run, rounded up (5s under 1m, 1m under 10m, 5m under 1h, 15m above); at least ${SUGGESTION.minRuns} runs; kept when within ${SUGGESTION.keepWithin * 100}% of the budget`;

/** The runbook's steps with some budgets replaced (parallel groups keep deriving theirs). */
export function withBudgets(steps: readonly Step[], budgets: ReadonlyMap<string, number>): Step[] {
  return steps.map((step) =>
    step.action.kind === 'parallel'
      ? { ...step, action: { ...step.action, steps: withBudgets(step.action.steps, budgets) } }
      : { ...step, budgetMs: budgets.get(step.id) ?? step.budgetMs },
  );
}

/** Steps on the plan's longest path in `mode`: every step of a sequence, the longest branch of a group. */
function criticalSteps(steps: readonly Step[], mode: Mode): Set<string> {
  const out = new Set<string>();
  const walk = (sequence: readonly Step[]) => {
    for (const step of sequence) {
      if (!step.modes.includes(mode)) continue;
      if (step.action.kind !== 'parallel') {
        out.add(step.id);
        continue;
      }
      const branches = step.action.steps.filter((b) => b.modes.includes(mode));
      const longest = branches.reduce<Step | undefined>((best, b) => (best && plannedMs([best], mode) >= plannedMs([b], mode) ? best : b), undefined);
      if (longest) walk([longest]);
    }
  };
  walk(steps);
  return out;
}

/** The review of `runbook` from its finished runs' reports; `mode` is the forecast's (live by default). */
export function reviewRunbook(runbook: Runbook, reports: readonly RunReport[], options: { mode?: Mode; raiseOnly?: boolean } = {}): Review {
  const mode = options.mode ?? 'live';
  const mine = reports.filter((r) => r.runbook.id === runbook.id && r.endedAt !== undefined).sort((a, b) => a.startedAt - b.startedAt);
  const steps: StepReview[] = flattenSteps(runbook.steps).map(({ step, parentId }) => {
    const samples: StepSample[] = [];
    for (const report of mine) {
      const r = report.steps.find((s) => s.id === step.id);
      if (!r || r.startedAt === undefined || r.endedAt === undefined || (r.status !== 'succeeded' && r.status !== 'failed')) continue;
      const durationMs = r.endedAt - r.startedAt;
      samples.push({ workflowId: report.workflowId, startedAt: r.startedAt, durationMs, status: r.status, overBudget: durationMs > r.budgetMs });
    }
    const ok = samples.filter((s) => s.status === 'succeeded').map((s) => s.durationMs);
    const group = step.action.kind === 'parallel';
    const suggestedMs = group ? undefined : suggestBudget(ok);
    let change: BudgetChange = group ? 'derived' : suggestedMs === undefined ? 'too few runs' : 'keep';
    if (suggestedMs !== undefined && Math.abs(suggestedMs - step.budgetMs) > SUGGESTION.keepWithin * step.budgetMs) {
      change = suggestedMs > step.budgetMs ? 'raise' : options.raiseOnly ? 'keep' : 'lower';
    }
    return {
      step: step.id,
      title: step.title,
      group: parentId,
      budgetMs: step.budgetMs,
      samples,
      actual: stat(ok),
      overBudget: { n: samples.filter((s) => s.overBudget).length, of: samples.length },
      suggestedMs,
      change,
      caution:
        change === 'lower' && suggestedMs! < CAUTION_BELOW * step.budgetMs
          ? `the runs took under a tenth of the ${formatDuration(step.budgetMs)} budget: check they measure what a real incident takes (data size, rehearsed steps) before lowering it`
          : undefined,
    };
  });
  const proposed = new Map(steps.filter((s) => s.change === 'raise' || s.change === 'lower').map((s) => [s.step, s.suggestedMs!]));
  const suggestedSteps = withBudgets(runbook.steps, proposed);
  const rtoMs = runbook.objectives.rtoMs;
  const forecast: Forecast = { currentMs: plannedMs(runbook.steps, mode), suggestedMs: plannedMs(suggestedSteps, mode), rtoMs };
  if (rtoMs !== undefined) {
    forecast.currentFits = forecast.currentMs <= rtoMs;
    forecast.suggestedFits = forecast.suggestedMs <= rtoMs;
  }
  return { runbook: { id: runbook.id, title: runbook.title }, mode, runs: mine.length, rule: RULE_TEXT, steps, forecast, risks: rtoRisks(steps, suggestedSteps, mode, rtoMs) };
}

/**
 * The steps that put the RTO at risk most, on the (suggested) plan's longest path: first those whose
 * p95 ran past their budget, by how much; then by the time they take in the plan, those no run
 * measured included (their budget is a guess the drills have not checked).
 */
function rtoRisks(steps: StepReview[], plan: readonly Step[], mode: Mode, rtoMs: number | undefined): RtoRisk[] {
  const critical = criticalSteps(plan, mode);
  const budgets = new Map(flattenSteps(plan).map(({ step }) => [step.id, step.budgetMs]));
  const share = (ms: number) => {
    if (!rtoMs) return '';
    const pct = (ms / rtoMs) * 100;
    return ` (${pct < 1 ? 'under 1' : Math.round(pct)}% of the RTO)`;
  };
  const risks = steps
    .filter((s) => critical.has(s.step) && s.change !== 'derived')
    .map((s) => {
      const plannedMs = budgets.get(s.step) ?? s.budgetMs;
      const p95 = s.actual.p95Ms;
      const over = p95 === undefined ? 0 : Math.max(0, p95 - s.budgetMs);
      const why =
        over > 0
          ? `p95 ${formatDuration(p95!)} is ${formatDuration(over)} over its ${formatDuration(s.budgetMs)} budget`
          : p95 === undefined
            ? `${formatDuration(plannedMs)} of the plan${share(plannedMs)}, never measured by these runs`
            : `${formatDuration(plannedMs)} of the plan${share(plannedMs)}; p95 ${formatDuration(p95)}`;
      return { step: s.step, p95OverBudgetMs: over, plannedMs, shareOfRto: rtoMs ? plannedMs / rtoMs : undefined, why };
    });
  return risks.sort((a, b) => b.p95OverBudgetMs - a.p95OverBudgetMs || b.plannedMs - a.plannedMs).slice(0, 3);
}
