// A step as the progress view shows it, from its record: shared by the workflow's `progress` query
// and the CLI's view of a finished run.
import type { StepRecord } from '../runbook/run.js';
import type { StepProgress } from './messages.js';

export function stepProgress(r: StepRecord, now: number): StepProgress {
  return {
    id: r.id,
    title: r.title,
    kind: r.kind,
    parentId: r.parentId,
    ...(r.phase ? { phase: r.phase } : {}),
    status: r.status,
    startedAt: r.startedAt,
    elapsedMs: r.startedAt === undefined ? undefined : (r.endedAt ?? now) - r.startedAt,
    budgetMs: r.budgetMs,
    overrun: r.overrunAt !== undefined,
    attempts: r.attempts.length,
    ...(r.redispatches?.length ? { redispatches: r.redispatches.length, stalledMs: r.redispatches.reduce((sum, x) => sum + x.stallMs, 0) } : {}),
    childRun: r.kind === 'runbook' ? (r.resolved as { workflowId?: string } | undefined)?.workflowId : undefined,
  };
}
