// Every signal, query and update of a run, defined once and shared with the CLI.
// Signals (fire-and-forget, e.g. the UI's Send Signal) and updates (the CLI's synchronous yes/no)
// carry the same payloads and go through the same rules; a refusal is recorded either way.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Mode } from '../runbook/model.js';
import type { Decision, RunReport, RunStatus, RtoState, StepStatus, WaitingFor } from '../runbook/run.js';

/** Input of the generic `runbook` workflow (and, without `runbook`, of the named scenarios). */
export interface RunInput {
  runbook: string;
  mode?: Mode;
  inputs?: Record<string, unknown>;
  /** ISO time of the incident, for RPO; default: the run's start. */
  incidentAt?: string;
  /** Who started the run (recorded; the CLI fills it in). */
  startedBy?: string;
  /** false: skip the runbook's drill set-up (`drill.setup`), its preparation being done already. */
  setup?: boolean;
}

export type ScenarioInput = Omit<RunInput, 'runbook'>;

/** approve / reject / complete: a person acting on a waiting step. */
export interface StepMessage {
  step: string;
  by: string;
  comment?: string;
}

/** decide: what to do with a step that failed under `onFailure: ask`. */
export interface DecideMessage extends StepMessage {
  decision: Decision;
}

export interface AbortMessage {
  by: string;
  comment?: string;
}

/** What an accepted update answers. */
export interface MessageAck {
  accepted: true;
  step?: string;
  stepStatus?: StepStatus;
  detail: string;
}

export const approveSignal = defineSignal<[StepMessage]>('approve');
export const rejectSignal = defineSignal<[StepMessage]>('reject');
export const completeSignal = defineSignal<[StepMessage]>('complete');
export const decideSignal = defineSignal<[DecideMessage]>('decide');
export const abortSignal = defineSignal<[AbortMessage]>('abort');

export const approveUpdate = defineUpdate<MessageAck, [StepMessage]>('approve');
export const rejectUpdate = defineUpdate<MessageAck, [StepMessage]>('reject');
export const completeUpdate = defineUpdate<MessageAck, [StepMessage]>('complete');
export const decideUpdate = defineUpdate<MessageAck, [DecideMessage]>('decide');
export const abortUpdate = defineUpdate<MessageAck, [AbortMessage]>('abort');

/** A step as the progress query shows it. */
export interface StepProgress {
  id: string;
  title: string;
  kind: string;
  parentId?: string;
  /** `setup`: a drill's set-up sub-run, before the RTO clock. */
  phase?: 'setup';
  status: StepStatus;
  startedAt?: number;
  /** As of the workflow's last activity; the CLI extends running steps with its own clock. */
  elapsedMs?: number;
  budgetMs: number;
  overrun: boolean;
  attempts: number;
  /** Infrastructure re-dispatches (lost worker, server outage), apart from the attempts. */
  redispatches?: number;
  /** Time the run stalled on them. */
  stalledMs?: number;
  waitingFor?: WaitingFor;
  /** Who may act on a waiting step, e.g. "dba (alice, bob)"; approvals so far for quorum steps. */
  waitingOn?: string;
  approvals?: string;
  /** What the people a step waits on are asked to do. */
  instructions?: string;
  /** The child run of a `runbook` step, where its own approvals are given. */
  childRun?: string;
}

export interface Progress {
  runbook: string;
  mode: Mode;
  status: RunStatus;
  startedAt: number;
  /** Workflow time the figures were taken at (queries see the time of the last workflow task). */
  now: number;
  rto: RtoState;
  steps: StepProgress[];
}

/** What the Temporal UI shows beside each message in Send Signal, Send an Update and Queries. */
export const MESSAGE_DESCRIPTIONS = {
  approve: 'Approve a step waiting for approval. Input: {"step": "<id>", "by": "<who>", "comment": "optional"}',
  reject: 'Reject a waiting step (it fails; its onFailure decides what follows). Input: {"step": "<id>", "by": "<who>", "comment": "why"}',
  complete: 'Confirm a manual step is done. Input: {"step": "<id>", "by": "<who>", "comment": "optional"}',
  decide: 'Retry, skip or abort a step that failed under onFailure: ask. Input: {"step": "<id>", "by": "<who>", "decision": "retry"}',
  abort: 'Abort the run: running steps are cancelled. Input: {"by": "<who>", "comment": "why"}',
  progress: 'Steps, states, elapsed vs budget, who the run waits for, the RTO forecast',
  report: 'The run report so far: planned vs actual per step, approvals, RTO/RPO',
} as const;

export const progressQuery = defineQuery<Progress>('progress');
export const reportQuery = defineQuery<RunReport>('report');

/** ApplicationFailure types a run ends with, and that refused messages carry. */
export const RunFailureTypes = {
  RunFailed: 'RunFailed',
  RunAborted: 'RunAborted',
  InvalidInput: 'InvalidInput',
  MessageRefused: 'MessageRefused',
} as const;
