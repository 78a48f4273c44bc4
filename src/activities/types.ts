// The contract between the interpreter workflow and the activities: inputs are already
// templated by the workflow; secret references (`env:NAME`, `file:/path`) are resolved here,
// on the worker, so their values never enter workflow history.
import type { HttpAction, Mode, Runbook, ShellAction, SqlAction } from '../runbook/model.js';
import type { LintIssue } from '../runbook/lint.js';
import type { People } from '../runbook/people.js';

/** Identifies the run and step an activity works for (used in logs and notifications). */
export interface StepRef {
  runId: string;
  stepId: string;
}

export interface LoadRunbookInput {
  id: string;
  /** The run's own inputs and mode: the inputs it will read are checked on the worker at once. */
  inputs?: Record<string, unknown>;
  mode?: Mode;
}

export interface LoadRunbookResult {
  runbook: Runbook;
  /** sha256 of the file's bytes, recorded so the run says which version it followed. */
  sha256: string;
  /** Path relative to the runbooks directory. */
  file: string;
  warnings: LintIssue[];
  /** people.yaml's escalation chain and notification targets (its roles are merged into approvers). */
  people: People;
  /**
   * Whether the worker has a default notification webhook (DR_NOTIFY_WEBHOOK): with no target in the
   * runbook or people.yaml either, the run calls no notify activity. Only whether, never the value.
   * Absent in results recorded before it existed.
   */
  defaultWebhook?: boolean;
  /** The worker's environment (DR_ENVIRONMENT): a drill's set-up entries may be limited to some. */
  environment?: string;
  /** This runbook's input defaults from the worker's environment file (DR_ENVIRONMENT), if any. */
  inputDefaults?: Record<string, unknown>;
  /** Inputs the run will read that the worker cannot resolve, each with where to set it. */
  inputProblems?: string[];
}

export interface ShellInput extends StepRef, Omit<ShellAction, 'kind'> {
  timeoutMs?: number;
}

export interface ShellResult {
  exitCode: number;
  /** Tail of stdout (size-capped, secrets redacted). */
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
  /** The command as shown to people: argv joined, secrets redacted. */
  display: string;
}

export interface HttpInput extends StepRef, Omit<HttpAction, 'kind' | 'json'> {
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  /** Body (size-capped, secrets redacted). */
  body: string;
  /** Requests made (more than one when polling). */
  requests: number;
}

export interface SqlInput extends StepRef, Omit<SqlAction, 'kind'> {
  /** The connection after lookup in `connections`: a reference or a URL without a password. */
  connection: string;
  timeoutMs?: number;
}

export interface SqlResult {
  rowCount: number;
  /** First rows (capped), as JSON-safe values. */
  rows: Array<Record<string, unknown>>;
  /** First column of the first row, the figure an expectation usually checks. */
  value: unknown;
}

export interface NotifyInput {
  runId: string;
  /** Webhook URL or reference; when absent nothing is sent and the result says so. */
  webhook?: string;
  event: string;
  message: string;
  fields?: Record<string, string | number | boolean | null>;
}

export interface NotifyResult {
  delivered: boolean;
  status?: number;
  error?: string;
}

