// Our metric names in one place: the workflow code emits the step and RTO metrics through
// workflow.metricMeter (src/workflows/observe.ts), the worker the run gauges. Prometheus shows
// counters with a `_total` suffix.

/** Histogram buckets (seconds, or a ratio of actual to budget) for our histograms. */
export const METRIC_BUCKETS: Record<string, number[]> = {
  dr_step_duration_seconds: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400],
  dr_step_run_seconds: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400],
  dr_step_waiting_seconds: [1, 15, 60, 300, 600, 1800, 3600, 7200],
  dr_step_budget_ratio: [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5],
  dr_run_duration_seconds: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400],
};

export const RUN_GAUGES = {
  running: { name: 'dr_runs_running', description: 'Runs in progress on this task queue' },
  waitingOnPeople: { name: 'dr_runs_waiting_on_people', description: 'Runs waiting for an approval, a manual step or a decision' },
  rtoAtRisk: { name: 'dr_runs_rto_at_risk', description: 'Runs in progress whose RTO forecast is at risk' },
  rtoBreached: { name: 'dr_runs_rto_breached', description: 'Runs in progress that breached their RTO' },
} as const;
