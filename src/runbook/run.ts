// The record of one run: what the workflow keeps, returns as its result, and what reports render.
// Times are epoch milliseconds taken from workflow time.
import type { StepEffect } from './effect.js';
import type { ActionKind, Mode } from './model.js';
import type { RpoEvidence } from './rpo.js';

export const STEP_STATUSES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'planned',
  // A drill did not run it: a person confirmed it was done in the drill environment (or skipped).
  'rehearsed',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const RUN_STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'aborted', 'planned'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RTO_STATUSES = ['on-track', 'at-risk', 'breached', 'none'] as const;
export type RtoStatus = (typeof RTO_STATUSES)[number];

/** What a step is waiting for, when it waits on people. */
export type WaitingFor = 'approval' | 'completion' | 'decision';

export interface Attempt {
  attempt: number;
  startedAt: number;
  endedAt?: number;
  outcome?: 'succeeded' | 'failed';
  error?: string;
}

/** Why Temporal's infrastructure, not the step, made a step run again (see src/workflows/redispatch.ts). */
export const REDISPATCH_REASONS = ['heartbeat-timeout', 'worker-lost', 'server-unavailable', 'no-worker', 'transient-error'] as const;
export type RedispatchReason = (typeof REDISPATCH_REASONS)[number];

/** The step's action was dispatched again within one attempt, because the dispatch before it was lost. */
export interface Redispatch {
  /** The step's attempt this belongs to. */
  attempt: number;
  /** When the step was dispatched again (workflow time). */
  at: number;
  reason: RedispatchReason;
  /** In words: "no heartbeat for 10s: the worker was lost or cut off". */
  detail: string;
  /** From the lost dispatch's last sign of life (its last heartbeat, else its dispatch) to `at`. */
  stallMs: number;
  /** The worker's clock at the lost dispatch's last heartbeat. */
  lastHeartbeatAt?: number;
}

/** A message from a person that changed a step (approved, completed, decided, rejected). */
export interface Acknowledgement {
  by: string;
  at: number;
  comment?: string;
}

/** A period during which the step waited on people. */
export interface WaitPeriod {
  for: WaitingFor;
  since: number;
  until?: number;
}

export interface StepRecord {
  id: string;
  title: string;
  kind: ActionKind;
  /** The parallel group this step belongs to. */
  parentId?: string;
  /** `setup`: a drill's set-up sub-run (`drill.setup`), run before the RTO clock starts. */
  phase?: 'setup';
  budgetMs: number;
  timeoutMs?: number;
  destructive: boolean;
  /** The step's effect class and why (src/safety); absent for records of runs before it existed. */
  effect?: StepEffect;
  /** The runbook's reason the step runs for real in drills. */
  safeToRehearse?: string;
  /** The runbook's reason this destructive step needs no approval in live mode. */
  noApproval?: string;
  /** How the step was guarded: rehearsed in a drill, or approved because it is destructive. */
  guard?: 'rehearsed' | 'approval';
  status: StepStatus;
  startedAt?: number;
  endedAt?: number;
  attempts: Attempt[];
  /** Infrastructure re-dispatches (lost worker, server outage), apart from the step's own attempts. */
  redispatches?: Redispatch[];
  /**
   * Set when a step whose action is not idempotent was dispatched more than once: a person should
   * check what the earlier dispatch did.
   */
  checkRedispatch?: string;
  waits: WaitPeriod[];
  /** When the step passed its budget while still running. */
  overrunAt?: number;
  approvals: Acknowledgement[];
  completedBy?: Acknowledgement;
  rejectedBy?: Acknowledgement;
  decisions: Array<Acknowledgement & { decision: Decision }>;
  /** Each time a wait on people widened to the next roles of the escalation chain. */
  escalations: Array<{ at: number; roles: string[] }>;
  /** Why a step was skipped or failed, in words. */
  note?: string;
  error?: string;
  output?: unknown;
  /** The action after templating (dry-run shows it; live runs keep it for the record). */
  resolved?: unknown;
}

export type Decision = 'retry' | 'skip' | 'abort';

export interface AuditEntry {
  at: number;
  /** `unknown`: a signal whose name the run does not know (a typo like `approv`), kept as `name`. */
  message: 'approve' | 'reject' | 'complete' | 'decide' | 'abort' | 'unknown';
  /** The name the sender used, for unknown signals. */
  name?: string;
  via: 'signal' | 'update';
  by: string;
  step?: string;
  comment?: string;
  decision?: Decision;
  accepted: boolean;
  reason?: string;
}

export interface RunEvent {
  at: number;
  type:
    | 'run-started'
    | 'setup-finished'
    | 'waiting'
    | 'escalated'
    | 'wait-timed-out'
    | 'step-overrun'
    | 'rto-at-risk'
    | 'rto-on-track'
    | 'rto-breached'
    | 'run-finished'
    | 'report-stored';
  step?: string;
  detail: string;
}

export interface RtoState {
  status: RtoStatus;
  /** Since the run started, or since its drill set-up ended when it had one. */
  elapsedMs: number;
  /** Elapsed + remaining budgets on the longest path. */
  forecastMs: number;
  deadline?: number;
}

export interface RunReport {
  workflowId: string;
  runId: string;
  runbook: { id: string; title: string; file: string; sha256: string };
  mode: Mode;
  status: RunStatus;
  /** Who started the run (four-eyes: they cannot be the only approver of a destructive step). */
  startedBy?: string;
  startedAt: number;
  endedAt?: number;
  /** The incident time RPO is measured from (default: the run's start). */
  incidentAt: number;
  inputs: Record<string, unknown>;
  objectives: { rtoMs?: number; rpoMs?: number };
  rto: RtoState;
  /** What the run's restores achieved against the RPO (incident time minus the backup's time). */
  rpo?: RpoEvidence;
  steps: StepRecord[];
  events: RunEvent[];
  audit: AuditEntry[];
  warnings: string[];
  /** Notifications sent, suppressed by the rate limit, or not delivered. */
  notifications: { sent: number; suppressed: number; failed: number };
  /** Why the run failed or was aborted. */
  outcome?: string;
}
