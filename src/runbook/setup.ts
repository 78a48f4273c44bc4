// A drill's preparation (`drill.setup`): the runbooks a drill runs first, each as a sub-run in drill
// mode, so a scenario started with `{"mode": "drill"}` alone finds what it recovers (on the local
// stack: the demo database created, backed up, then lost). Set-up runs before the RTO clock starts
// and never in live mode or a dry run. Pure: the workflow runs the steps these describe.
import type { DrillSetup, Mode, Runbook, Step } from './model.js';

/** Step ids of set-up sub-runs start with this; a runbook's own steps may not. */
export const SETUP_STEP_PREFIX = 'setup-';

/** The step id of each set-up entry: `setup-<runbook>`, numbered from the second use of a runbook. */
export function setupStepIds(setup: readonly DrillSetup[]): string[] {
  const seen = new Map<string, number>();
  return setup.map((entry) => {
    const n = (seen.get(entry.runbook) ?? 0) + 1;
    seen.set(entry.runbook, n);
    return `${SETUP_STEP_PREFIX}${entry.runbook}${n === 1 ? '' : `-${n}`}`;
  });
}

/** The set-up a run of `runbook` in `mode` does on a worker of `environment`, and what it leaves out. */
export function drillSetup(
  runbook: Runbook,
  mode: Mode,
  environment: string | undefined,
): { steps: Step[]; leftOut: Array<{ runbook: string; environments: string[] }> } {
  const setup = mode === 'drill' ? (runbook.drill?.setup ?? []) : [];
  const ids = setupStepIds(setup);
  const steps: Step[] = [];
  const leftOut: Array<{ runbook: string; environments: string[] }> = [];
  setup.forEach((entry, i) => {
    if (entry.environments && !(environment !== undefined && entry.environments.includes(environment))) {
      leftOut.push({ runbook: entry.runbook, environments: entry.environments });
      return;
    }
    steps.push({
      id: ids[i]!,
      title: `Drill set-up: run ${entry.runbook}`,
      budgetMs: entry.budgetMs ?? 0,
      retry: { attempts: 1, backoffMs: 1000 },
      onFailure: 'abort',
      destructive: false,
      modes: ['drill'],
      action: { kind: 'runbook', id: entry.runbook, inputs: entry.inputs, mode: 'drill' },
    });
  });
  return { steps, leftOut };
}
