// The validated runbook model: plain JSON (durations in milliseconds) so it can travel
// through Temporal payloads and be interpreted deterministically by the workflow.

export const MODES = ['live', 'drill', 'dry-run'] as const;
export type Mode = (typeof MODES)[number];

export const ON_FAILURE = ['abort', 'continue', 'ask'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** A comparison a check result must satisfy; every given bound applies. */
export interface Comparison {
  equals?: string | number | boolean;
  min?: number;
  max?: number;
}

export interface ShellAction {
  kind: 'shell';
  /** argv form: values are passed as separate arguments, never through a shell. */
  command?: string[];
  /** script form: run by `bash -euo pipefail -c`; the step is explicitly a shell script. */
  script?: string;
  env: Record<string, string>;
  cwd?: string;
  /** exit codes counted as success (default [0]). */
  okExitCodes: number[];
}

export interface HttpAction {
  kind: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** A JSON body given as YAML data; sent JSON-encoded after templating. */
  json?: Record<string, unknown>;
  expect: { status: number[]; body?: string };
  /** Poll until the expectation holds (e.g. until a service is healthy). */
  poll?: { everyMs: number; forMs: number };
}

export interface SqlAction {
  kind: 'sql';
  /** A connection name from `connections`, or a reference like `env:DATABASE_URL`. */
  connection: string;
  query: string;
  params: Array<string | number | boolean | null>;
  expect?: { rowCount?: Comparison; value?: Comparison };
}

export interface ManualAction {
  kind: 'manual';
  instructions: string;
  /** Roles allowed to confirm; empty means anyone. */
  roles: string[];
}

export interface ApprovalAction {
  kind: 'approval';
  instructions?: string;
  roles: string[];
  /** Distinct people whose approval is needed. */
  required: number;
}

export interface WaitAction {
  kind: 'wait';
  durationMs: number;
}

export interface NotifyAction {
  kind: 'notify';
  /** Webhook URL or reference (`env:SLACK_WEBHOOK_URL`); default: the runbook's notify.webhook. */
  webhook?: string;
  message: string;
}

export interface ParallelAction {
  kind: 'parallel';
  steps: Step[];
}

export type Action =
  | ShellAction
  | HttpAction
  | SqlAction
  | ManualAction
  | ApprovalAction
  | WaitAction
  | NotifyAction
  | ParallelAction;

export type ActionKind = Action['kind'];

/** Kinds whose step waits on people rather than on a system. */
export const HUMAN_KINDS: readonly ActionKind[] = ['manual', 'approval'];

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface Step {
  id: string;
  title: string;
  description?: string;
  /** Planned duration (soft): tracked and reported. Parallel groups derive it from their children. */
  budgetMs: number;
  /** Hard limit: the activity is cancelled. */
  timeoutMs?: number;
  retry: RetryPolicy;
  onFailure: OnFailure;
  destructive: boolean;
  /** Modes in which the step runs; skipped (and reported as skipped) in the others. */
  modes: Mode[];
  action: Action;
}

export interface InputSpec {
  description?: string;
  required: boolean;
  /** Secret inputs hold references (`env:NAME`, `file:/path`), never values. */
  secret: boolean;
  default?: unknown;
}

export interface Runbook {
  id: string;
  title: string;
  description?: string;
  objectives: { rtoMs?: number; rpoMs?: number };
  inputs: Record<string, InputSpec>;
  /** Role name → the people who hold it. */
  approvers: Record<string, string[]>;
  /** Named database connections for sql steps (references or templates, resolved on the worker). */
  connections: Record<string, string>;
  notify: { webhook?: string };
  steps: Step[];
}
