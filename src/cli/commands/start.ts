// dr start: starts a run of a runbook.
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

export async function start(ctx: CommandContext, runbook: string, options: StartOptions): Promise<string> {
  if (!(MODES as readonly string[]).includes(options.mode)) {
    throw new CliError(`Expected --mode to be one of ${MODES.join(', ')}, got "${options.mode}"`);
  }
  const input: RunInput = {
    runbook,
    mode: options.mode as Mode,
    inputs: parseInputs(options.input),
    incidentAt: options.incidentAt,
    startedBy: options.as ?? ctx.user,
  };
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const workflowId = options.id ?? `${runbook}-${options.mode}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
  const client = await ctx.client();
  await client.workflow.start('runbook', {
    taskQueue: ctx.config.DR_TASK_QUEUE,
    workflowId,
    args: [input],
    staticSummary: `${options.mode} of ${runbook}`,
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
