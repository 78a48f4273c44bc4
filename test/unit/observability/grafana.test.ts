// The Grafana dashboard in deploy/grafana/: valid JSON whose every query names a metric the worker
// exports (read from the code that creates them: the workflow's meter calls and the run gauges).
// test/e2e/observability/worker.test.ts checks the same names against a live scrape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RUN_GAUGES } from '../../../src/observability/metric-names.js';
import { dashboardMetrics, dashboardQueries } from '../../helpers/grafana.js';

/** Names as Prometheus shows them: counters with `_total`, histograms as `_bucket`, `_sum`, `_count`. */
function exportedNames(): Set<string> {
  const source = readFileSync('src/workflows/observe.ts', 'utf8');
  const names = new Set<string>(Object.values(RUN_GAUGES).map((g) => g.name));
  for (const [, kind, name] of source.matchAll(/create(Counter|Histogram|Gauge)\(\s*'(\w+)'/g)) {
    if (kind === 'Counter') names.add(`${name}_total`);
    else if (kind === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name!);
  }
  return names;
}

test('every query of the dashboard names a metric the worker exports', () => {
  const exported = exportedNames();
  assert.ok(exported.has('dr_step_run_seconds_bucket') && exported.has('dr_runbook_planned_seconds') && exported.has('dr_runs_running'));
  const used = dashboardMetrics();
  assert.ok(used.length >= 10, `only ${used.length} metrics on the dashboard`);
  assert.deepEqual(used.filter((m) => !exported.has(m)), [], 'metrics the dashboard queries but nothing exports');
  // Every query names at least one metric (none is a typo of a function only).
  for (const q of dashboardQueries()) assert.match(q, /\bdr_[a-z_]+/, q);
});

test('the dashboard shows the drill review\'s figures: per-step p50/p95 against budget, the suggestion, plan against RTO', () => {
  const queries = dashboardQueries().join('\n');
  for (const needle of [
    'histogram_quantile(0.5, sum by (le, runbook, step) (increase(dr_step_run_seconds_bucket',
    'histogram_quantile(0.95, sum by (le, runbook, step) (increase(dr_step_run_seconds_bucket',
    '1.25 * histogram_quantile(0.95',
    'dr_step_budget_seconds',
    'dr_runbook_planned_seconds',
    'dr_runbook_rto_seconds',
  ]) {
    assert.ok(queries.includes(needle), `no query with ${needle}`);
  }
});
