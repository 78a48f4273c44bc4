// The report's safety section: each step that changes state, how the run guarded it (rehearsed in
// a drill, approved in live mode, run on the runbook's stated reason) and why it counts as a change.
import type { RunReport, StepRecord } from '../runbook/run.js';

export interface SafetyRow {
  step: string;
  effect: string;
  /** What the run did about it, in words. */
  handling: string;
  why: string;
}

function handling(record: StepRecord, mode: RunReport['mode']): string {
  if (record.status === 'rehearsed') return `rehearsed, not run (${record.note ?? 'confirmed'})`;
  if (record.guard === 'rehearsed') return record.note ?? 'rehearsal skipped, not run';
  if (record.status === 'skipped' || record.status === 'pending' || record.status === 'planned') return record.status;
  if (record.guard === 'approval') {
    const by = record.approvals.map((a) => a.by).join(', ');
    return by ? `ran after approval by ${by} (destructive, no approval step gated it)` : `not approved: ${record.error ?? record.status}`;
  }
  if (mode === 'drill' && record.safeToRehearse) return `ran in the drill: ${record.safeToRehearse}`;
  if (mode === 'live' && record.noApproval) return `ran without approval: ${record.noApproval}`;
  if (mode === 'live' && record.destructive) return 'ran after the approval step that gates it';
  return 'ran';
}

/** Rows for every step that is not read-only (records without a class are older runs: left out). */
export function safetyRows(report: RunReport): SafetyRow[] {
  return report.steps
    .filter((r) => r.kind !== 'parallel' && r.effect !== undefined && r.effect.effect !== 'read-only')
    .map((r) => ({
      step: r.id,
      effect: `${r.effect!.effect}${r.effect!.source === 'declared' ? ' (declared)' : ''}`,
      handling: handling(r, report.mode),
      why: r.effect!.reasons.join('; '),
    }));
}
