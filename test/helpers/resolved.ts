// Checks what a run resolved: every step's action, as its record keeps it (the run's and its
// sub-runs', fetched from Temporal), must hold no unresolved `{{ }}`, and no `env:` / `file:`
// reference may reach a shell command's argv or script (the worker resolves references in `env:`
// values only: `pg_isready -d env:X` would probe the default socket).
import type { Client } from '@temporalio/client';
import type { RunReport, StepRecord } from '../../src/runbook/run.js';

const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
const REFERENCE = /(^|[\s"'=:(])(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S+)/;
/** Step kinds the workflow itself carries out: nothing is resolved for a command. */
export const PEOPLE_KINDS = new Set(['manual', 'approval', 'wait', 'parallel']);

/** What one step's resolved action gets wrong; `where` names it in the messages. */
export function stepProblems(step: StepRecord, where: string): string[] {
  if (step.resolved === undefined) return [`${where}: no resolved action recorded (${step.status})`];
  const problems = strings(step.resolved).flatMap((text) => (text.match(/\{\{[^}]*\}\}/g) ?? []).map((left) => `${where}: ${left} left unresolved`));
  if (step.kind === 'shell') {
    const shell = step.resolved as { command?: string[]; script?: string };
    for (const arg of shell.command ?? []) if (REFERENCE.test(arg)) problems.push(`${where}: argv holds the reference ${arg}`);
    const inScript = shell.script?.match(REFERENCE);
    if (inScript) problems.push(`${where}: the script holds the reference ${inScript[2]}`);
  }
  return problems;
}

/** A run's steps and its sub-runs' (recursively): what failed, what was resolved wrong, how many were looked at. */
export interface Inspection {
  failed: string[];
  errors: string[];
  problems: string[];
  checked: number;
}

export async function inspectRun(client: Client, report: RunReport, into: Inspection = { failed: [], errors: [], problems: [], checked: 0 }, path = report.runbook.id): Promise<Inspection> {
  for (const step of report.steps) {
    const where = `${path}/${step.id}`;
    if (step.status === 'failed') {
      into.failed.push(where);
      into.errors.push(`${where}: ${step.error ?? step.note ?? 'failed'}`);
    }
    if (PEOPLE_KINDS.has(step.kind) || step.status === 'skipped' || step.status === 'pending') continue;
    into.checked++;
    into.problems.push(...stepProblems(step, where));
    const child = (step.resolved as { workflowId?: string } | undefined)?.workflowId;
    if (step.kind === 'runbook' && child) {
      const sub = (await client.workflow.getHandle(child).result()) as RunReport;
      if (sub.status !== 'succeeded') into.errors.push(`${where}: sub-run ${child} ended ${sub.status}`);
      await inspectRun(client, sub, into, `${where}>${sub.runbook.id}`);
    }
  }
  return into;
}
