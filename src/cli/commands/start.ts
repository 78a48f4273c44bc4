// dr start: starts a run of a runbook.
import { loadRunbook } from '../../activities/load.js';
import { resolveInputs } from '../../runbook/inputs.js';
import { MODES, type Mode } from '../../runbook/model.js';
import type { RunInput } from '../../workflows/messages.js';
import { fetchFinalReport, uiLink } from '../client.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export interface StartOptions {
  mode: string;
  input: string[];
  id?: string;
  incidentAt?: string;
  as?: string;
  /** Wait for the run to end; a run that does not succeed is an error (for scripts). */
  wait?: boolean;
  /** false (`--no-setup`): skip the runbook's drill set-up. */
  setup?: boolean;
}

/** Parses `k=v` pairs; a value that reads as JSON (numbers, lists, booleans) is taken as such. */
export function parseInputs(pairs: string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`Expected --input as key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    if (/^[[{\d-]|^(true|false|null)$/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    inputs[pair.slice(0, eq)] = value;
  }
  return inputs;
}

// A literal secret must be refused before the workflow exists: its start event would keep it.
const CREDENTIALS_IN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * Checks the inputs against the runbook as the worker will (when this machine has the runbooks
 * folder), and refuses a URL with a password in it whatever the runbook: before anything starts.
 */
export async function checkInputs(ctx: CommandContext, runbook: string, inputs: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(inputs)) {
    if (typeof value === 'string' && CREDENTIALS_IN_URL.test(value)) {
      throw new CliError(
        `Input "${name}" holds a URL with a password; expected a reference like env:NAME or file:/path (the value would be kept in the run's history). Nothing was started`,
        `export the URL on the worker (e.g. ${name.toUpperCase()}=...) and pass --input ${name}=env:${name.toUpperCase()}`,
      );
    }
  }
  const local = await loadRunbook({ id: runbook }, { dir: ctx.config.runbooksDir }).catch(() => undefined);
  if (!local) return; // not on this machine: the worker checks the same rules before any step runs
  const { errors } = resolveInputs(local.runbook, inputs);
  if (errors.length > 0) {
    throw new CliError(`Invalid inputs for runbook "${runbook}": ${errors.join('; ')}. Nothing was started`, `dr effects ${runbook} and ${local.file} list its inputs`);
  }
}

export async function start(ctx: CommandContext, runbook: string, options: StartOptions): Promise<string> {
  if (!(MODES as readonly string[]).includes(options.mode)) {
    throw new CliError(`Expected --mode to be one of ${MODES.join(', ')}, got "${options.mode}"`);
  }
  const inputs = parseInputs(options.input);
  await checkInputs(ctx, runbook, inputs);
  const input: RunInput = {
    runbook,
    mode: options.mode as Mode,
    inputs,
    incidentAt: options.incidentAt,
    startedBy: options.as ?? ctx.user,
    ...(options.setup === false ? { setup: false } : {}),
  };
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const workflowId = options.id ?? `${runbook}-${options.mode}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  const client = await ctx.client();
  await client.workflow.start('runbook', {
    taskQueue: ctx.config.DR_TASK_QUEUE,
    workflowId,
    args: [input],
    // The UI's Summary and Details of the run (the workflow cannot set its own static summary).
    staticSummary: `${options.mode} of ${runbook} by ${input.startedBy}`,
    staticDetails: `Started with \`dr start ${runbook} --mode ${options.mode}\`${Object.keys(inputs).length ? ` and inputs ${Object.keys(inputs).join(', ')}` : ''}. Follow: \`dr status ${workflowId} --watch\``,
  });
  ctx.print(`Started ${options.mode} of ${runbook}: ${workflowId}`);
  ctx.print(`  UI:     ${uiLink(ctx.config, workflowId)}`);
  ctx.print(`  Follow: dr status ${workflowId} --watch`);
  if (options.wait) {
    const report = await fetchFinalReport(client.workflow.getHandle(workflowId));
    const line = `${workflowId}: ${report.status}${report.outcome ? ` — ${report.outcome}` : ''}`;
    if (report.status !== 'succeeded' && report.status !== 'planned') throw new CliError(line, `dr report ${workflowId}`);
    ctx.print(line);
  }
  return workflowId;
}
