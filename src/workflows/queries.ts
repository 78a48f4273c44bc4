// What the `progress` and `report` queries answer: the live view the CLI's status table and the UI
// show, and the run's report (also the workflow's result).
import { rpoAchieved } from '../runbook/rpo.js';
import type { RunReport } from '../runbook/run.js';
import type { Progress } from './messages.js';
import { describeRoles } from './people.js';
import { stepProgress } from './progress.js';
import type { RunState } from './state.js';

/** The live view: every step's progress, and who a waiting step waits on. */
export function progressOf(state: RunState): Progress {
  const now = state.endedAt ?? Date.now();
  return {
    runbook: state.runbook.id,
    mode: state.mode,
    status: state.currentStatus(),
    startedAt: state.startedAt,
    now,
    rto: state.computeRto(now),
    steps: [...state.records.values()].map((r) => {
      const waiting = state.waiting.get(r.id);
      if (!waiting) return stepProgress(r, now);
      return {
        ...stepProgress(r, now),
        waitingFor: waiting.for,
        waitingOn: waiting.for === 'decision' ? 'retry, skip or abort' : describeRoles(state.runbook, waiting.roles),
        approvals: waiting.for === 'approval' ? `${r.approvals.length}/${waiting.required}` : undefined,
        instructions: waiting.instructions,
      };
    }),
  };
}

/** The run's report as it stands. */
export function reportOf(state: RunState): RunReport {
  return {
    workflowId: state.ids.workflowId,
    runId: state.ids.runId,
    runbook: { id: state.runbook.id, title: state.runbook.title, file: state.loaded.file, sha256: state.loaded.sha256 },
    mode: state.mode,
    status: state.currentStatus(),
    startedBy: state.startedBy,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
    incidentAt: state.incidentAt,
    inputs: state.inputs,
    objectives: state.runbook.objectives,
    rto: state.computeRto(),
    // A drill's set-up (its backup) is preparation, not what the run restored.
    rpo: rpoAchieved([...state.records.values()].filter((r) => r.phase !== 'setup')),
    steps: [...state.records.values()],
    events: state.events,
    audit: state.audit,
    warnings: state.warnings,
    notifications: { ...state.notifier.counts },
    outcome: state.outcome,
  };
}
