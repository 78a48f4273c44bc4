// dr metrics: figures across finished runs found through Temporal's visibility, each run's report
// fetched and aggregated by src/report/metrics.ts.
import Table from 'cli-table3';
import type { Client } from '@temporalio/client';
import { formatDuration, tryParseDuration } from '../../runbook/duration.js';
import { MODES } from '../../runbook/model.js';
import { computeMetrics, type Metrics, type MetricsRun, type Rate, type Stat } from '../../report/metrics.js';
import { fetchReport } from '../client.js';
import type { CommandContext } from '../context.js';
import { CliError, innermost } from '../errors.js';

export interface MetricsOptions {
  runbook?: string;
  since: string;
  mode?: string;
  taskQueue?: string;
  subRuns?: boolean;
  format: string;
  limit: string;
}

/** `30d`, `12h` (back from `now`) or an ISO time → the earliest close time counted. */
export function parseSince(since: string, now = Date.now()): Date {
  const back = /^\d+$/.test(since.trim()) ? undefined : tryParseDuration(since);
  if (back !== undefined) return new Date(now - back);
  const at = /^\d{4}-\d{2}-\d{2}/.test(since.trim()) ? Date.parse(since) : Number.NaN;
  if (Number.isNaN(at)) throw new CliError(`Expected --since to be a duration like "30d" or an ISO time, got "${since}"`);
  return new Date(at);
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query: closed runs of the engine since `since`, with the filters; values quoted. */
export function metricsQuery(options: Pick<MetricsOptions, 'runbook' | 'mode' | 'taskQueue' | 'subRuns'>, since: Date): string {
  const clauses = ['DrRunbook IS NOT NULL', "ExecutionStatus != 'Running'", `CloseTime > ${quote(since.toISOString())}`];
  if (options.runbook) clauses.push(`DrRunbook = ${quote(options.runbook)}`);
  // Dry runs execute nothing: they never count, even with --mode (a plan has no durations).
  clauses.push(options.mode ? `DrMode = ${quote(options.mode)}` : "DrMode != 'dry-run'");
  if (options.taskQueue) clauses.push(`TaskQueue = ${quote(options.taskQueue)}`);
  if (!options.subRuns) clauses.push('ParentWorkflowId IS NULL');
  return clauses.join(' AND ');
}

export interface Collected {
  runs: MetricsRun[];
  listed: number;
  capped: boolean;
  missing: Array<{ workflowId: string; reason: string }>;
}

/** Lists up to `limit` closed runs, newest first, and fetches their reports a few at a time. */
export async function collect(client: Client, query: string, limit: number): Promise<Collected> {
  const listed: Array<{ workflowId: string; runId: string; subRun: boolean }> = [];
  let capped = false;
  for await (const wf of client.workflow.list({ query })) {
    if (listed.length === limit) {
      capped = true;
      break;
    }
    listed.push({ workflowId: wf.workflowId, runId: wf.runId, subRun: wf.parentExecution !== undefined });
  }
  const runs: MetricsRun[] = [];
  const missing: Collected['missing'] = [];
  const queue = [...listed];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        const report = await fetchReport(client.workflow.getHandle(next.workflowId, next.runId));
        runs.push({ report, subRun: next.subRun });
      } catch (err) {
        // A run that failed before it had a report (bad input) has nothing to count.
        missing.push({ workflowId: next.workflowId, reason: err instanceof Error ? innermost(err) : String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { runs, listed: listed.length, capped, missing };
}

const dur = (ms: number | undefined) => (ms === undefined ? '—' : formatDuration(ms));
const pct = (r: Rate) => (r.rate === undefined ? '—' : `${r.n}/${r.of} (${Math.round(r.rate * 100)}%)`);
const spread = (s: Stat) => (s.n === 0 ? '—' : `p50 ${dur(s.p50Ms)} · p95 ${dur(s.p95Ms)} · max ${dur(s.maxMs)}`);

/** The figures as terminal tables: the seed's metrics, then per runbook, then per step. */
export function renderMetrics(m: Metrics): string {
  // No rule between rows: the tables stay short enough to read at a glance.
  const layout = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };
  const summary = new Table({ head: ['metric', 'value', 'runs'], ...layout });
  summary.push(
    ['Time to restore (run duration)', spread(m.timeToRestore), String(m.timeToRestore.n)],
    ['Data loss (RPO achieved)', m.dataLoss.n === 0 ? '—' : `${spread(m.dataLoss)}; RPO met ${pct(m.dataLoss.rpoMet)}`, String(m.dataLoss.n)],
    ['Restore success rate', pct(m.restoreSuccess), String(m.restoreSuccess.of)],
    ['Time to detect (start − incident)', m.timeToDetect.n === 0 ? '—' : `mean ${dur(m.timeToDetect.meanMs)} · ${spread(m.timeToDetect)}`, String(m.timeToDetect.n)],
    ['MTTR (end − incident)', m.mttr.n === 0 ? '—' : `${dur(m.mttr.meanMs)} · ${spread(m.mttr)}`, String(m.mttr.n)],
    ['RTO met', pct(m.rtoMet), String(m.rtoMet.of)],
  );
  const runbooks = new Table({ head: ['runbook', 'runs', 'succeeded', 'restore success', 'RTO met', 'MTTR', 'time to restore p50', 'data loss max'], ...layout });
  for (const r of m.runbooks) {
    runbooks.push([r.runbook, String(r.runs), String(r.succeeded), pct(r.restoreSuccess), pct(r.rtoMet), dur(r.mttr.meanMs), dur(r.timeToRestore.p50Ms), dur(r.dataLoss.maxMs)]);
  }
  const steps = new Table({ head: ['runbook', 'step', 'runs', 'budget', 'p50', 'p95', 'max', 'over budget'], ...layout });
  for (const s of m.steps) {
    steps.push([s.runbook, s.step, String(s.actual.n), dur(s.budgetMs), dur(s.actual.p50Ms), dur(s.actual.p95Ms), dur(s.actual.maxMs), pct(s.overBudget)]);
  }
  const statuses = Object.entries(m.statuses).map(([status, n]) => `${n} ${status}`).join(', ');
  return [`${m.runs} finished run(s): ${statuses || 'none'}`, summary.toString(), 'Per runbook', runbooks.toString(), 'Per step (actual duration vs budget)', steps.toString()].join('\n');
}

/** dr metrics: lists finished runs, fetches their reports, prints the aggregated figures. */
export async function metrics(ctx: CommandContext, options: MetricsOptions): Promise<void> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new CliError(`Expected --limit to be a positive whole number, got "${options.limit}"`);
  if (options.mode && !(MODES as readonly string[]).includes(options.mode)) {
    throw new CliError(`Expected --mode to be one of ${MODES.join(', ')}, got "${options.mode}"`);
  }
  const since = parseSince(options.since);
  const query = metricsQuery(options, since);
  const { runs, listed, capped, missing } = await collect(await ctx.client(), query, limit);
  const figures = computeMetrics(runs);
  if (options.format === 'json') {
    ctx.print(JSON.stringify({ query, since: since.toISOString(), listed, capped, limit, missing, ...figures }, null, 2));
    return;
  }
  const notes = [
    `Runs closed since ${since.toISOString()}${options.runbook ? ` of ${options.runbook}` : ''}${options.mode ? ` in ${options.mode} mode` : ''}${options.subRuns ? ', sub-runs included' : ''}.`,
    ...(capped ? [`Capped at ${limit} runs (the most recently closed): narrow --since or raise --limit for more.`] : []),
    ...missing.map((m) => `No report for ${m.workflowId}: ${m.reason}`),
  ];
  ctx.print(listed === 0 ? `${notes[0]}\nNo finished runs match.` : `${notes.join('\n')}\n${renderMetrics(figures)}`);
}
