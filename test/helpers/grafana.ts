// The metric names the shipped Grafana dashboard queries, as Prometheus exposes them
// (`dr_step_run_seconds_bucket`, `dr_steps_total`), read from every target's expression.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const dashboardPath = resolve(import.meta.dirname, '../../deploy/grafana/easymo-dr-drills.json');

/** Every `expr` in the dashboard, panels and their targets (nested rows too), and variable queries. */
export function dashboardQueries(): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'expr' || key === 'definition') && typeof value === 'string') out.push(value);
      else walk(value);
    }
  };
  walk(JSON.parse(readFileSync(dashboardPath, 'utf8')));
  return out;
}

/** The metric names in the queries: identifiers of ours or the SDK's, whatever the function around them. */
export function dashboardMetrics(): string[] {
  return [...new Set(dashboardQueries().flatMap((q) => [...q.matchAll(/\b((?:dr|temporal)_[a-z0-9_]+)\b/g)].map((m) => m[1]!)))].sort();
}
