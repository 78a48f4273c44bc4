// dr status: a live table of a run — step, state, elapsed vs budget, who it waits for, RTO forecast.
import Table from 'cli-table3';
import { createLogUpdate } from 'log-update';
import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../../runbook/duration.js';
import type { RunReport } from '../../runbook/run.js';
import { progressQuery, type Progress } from '../../workflows/messages.js';
import { stepProgress } from '../../workflows/progress.js';
import { fetchReport } from '../client.js';
import type { CommandContext } from '../context.js';

/** A finished run shown the way a running one is. */
export function progressFromReport(report: RunReport): Progress {
  const now = report.endedAt ?? Date.now();
  return {
    runbook: report.runbook.id,
    mode: report.mode,
    status: report.status,
    startedAt: report.startedAt,
    now,
    rto: report.rto,
    steps: report.steps.map((r) => stepProgress(r, now)),
  };
}

/** Brings a progress snapshot to the caller's clock: running steps and the run keep ageing. */
export function ageProgress(p: Progress, now: number): Progress {
  if (['succeeded', 'failed', 'aborted', 'planned'].includes(p.status)) return p;
  const gap = Math.max(0, now - p.now);
  return {
    ...p,
    now,
    rto: { ...p.rto, elapsedMs: p.rto.elapsedMs + gap },
    steps: p.steps.map((s) =>
      (s.status === 'running' || s.status === 'waiting') && s.startedAt !== undefined ? { ...s, elapsedMs: now - s.startedAt } : s,
    ),
  };
}

export function renderProgress(runId: string, p: Progress): string {
  const table = new Table({ head: ['step', 'state', 'elapsed / budget', 'attempts', 'waiting on'], style: { head: [], border: [] } });
  for (const s of p.steps) {
    const elapsed = s.elapsedMs === undefined ? '—' : formatDuration(s.elapsedMs);
    table.push([
      `${s.parentId ? '  ↳ ' : ''}${s.id}`,
      s.status + (s.overrun ? ' (overrun)' : ''),
      s.phase === 'setup' && s.budgetMs === 0 ? `${elapsed} (drill set-up)` : `${elapsed} / ${formatDuration(s.budgetMs)}`,
      s.redispatches ? `${s.attempts} (+${s.redispatches} re-dispatched, stalled ${formatDuration(s.stalledMs ?? 0)})` : String(s.attempts),
      s.waitingFor
        ? `${s.waitingFor}: ${s.waitingOn ?? ''}${s.approvals ? ` [${s.approvals}]` : ''}`
        : s.childRun && s.status === 'running'
          ? `sub-run: dr status ${s.childRun}`
          : '',
    ]);
  }
  const asks = p.steps
    .filter((s) => s.waitingFor && s.instructions)
    .map((s) => `\n${s.id} asks: ${s.instructions!.trim().replace(/\n/g, '\n  ')}`)
    .join('');
  const rto =
    p.rto.status === 'none'
      ? 'no RTO'
      : `RTO ${p.rto.status}: elapsed ${formatDuration(p.rto.elapsedMs)}, forecast ${formatDuration(p.rto.forecastMs)}` +
        (p.rto.deadline ? `, deadline ${new Date(p.rto.deadline).toISOString()}` : '');
  return `${runId} — ${p.runbook} (${p.mode}): ${p.status}\n${rto}\n${table.toString()}${asks}`;
}

async function snapshot(ctx: CommandContext, runId: string): Promise<Progress> {
  const handle = (await ctx.client()).workflow.getHandle(runId);
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return ageProgress(await handle.query(progressQuery), Date.now());
  return progressFromReport(await fetchReport(handle));
}

const FINAL = ['succeeded', 'failed', 'aborted', 'planned'];

/**
 * Where `--watch` draws its frames: on a terminal each frame replaces the previous one in place (the
 * lines above it and the scrollback stay); elsewhere (a pipe, a log) frames follow one another.
 */
export function frameWriter(stream: NodeJS.WriteStream, print: (text: string) => void): { show(text: string): void; done(): void } {
  if (!stream.isTTY) return { show: print, done: () => {} };
  const update = createLogUpdate(stream);
  return { show: (text) => update(text), done: () => update.done() };
}

export async function status(ctx: CommandContext, runId: string, options: { watch?: boolean; interval?: string }): Promise<void> {
  const frames = options.watch ? frameWriter(process.stdout, ctx.print) : { show: ctx.print, done: () => {} };
  try {
    for (;;) {
      const progress = await snapshot(ctx, runId);
      frames.show(renderProgress(runId, progress));
      if (!options.watch || FINAL.includes(progress.status)) return;
      await delay(Number(options.interval ?? 2) * 1000);
    }
  } finally {
    frames.done();
  }
}
