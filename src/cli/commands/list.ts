// dr list: recent runs from Temporal's visibility, filterable by runbook and status.
import Table from 'cli-table3';
import { RUN_STATUSES } from '../../runbook/run.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export interface ListOptions {
  runbook?: string;
  status?: string;
  mode?: string;
  limit: string;
}

/** The visibility query for the filters; values are quoted so ids cannot change the query. */
export function listQuery(options: Omit<ListOptions, 'limit'>): string {
  const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const clauses = ['DrRunbook IS NOT NULL'];
  if (options.runbook) clauses.push(`DrRunbook = ${quote(options.runbook)}`);
  if (options.status) clauses.push(`DrStatus = ${quote(options.status)}`);
  if (options.mode) clauses.push(`DrMode = ${quote(options.mode)}`);
  return clauses.join(' AND ');
}

export async function list(ctx: CommandContext, options: ListOptions): Promise<void> {
  if (options.status && !(RUN_STATUSES as readonly string[]).includes(options.status)) {
    throw new CliError(`Expected --status to be one of ${RUN_STATUSES.join(', ')}, got "${options.status}"`);
  }
  const limit = Number(options.limit);
  const client = await ctx.client();
  const table = new Table({ head: ['run', 'runbook', 'mode', 'status', 'RTO', 'started'], style: { head: [], border: [] } });
  let count = 0;
  for await (const wf of client.workflow.list({ query: listQuery(options) })) {
    const attrs = wf.typedSearchAttributes;
    const get = (name: string) => attrs.getAll().find((p) => p.key.name === name)?.value;
    table.push([
      wf.workflowId,
      String(get('DrRunbook') ?? ''),
      String(get('DrMode') ?? ''),
      String(get('DrStatus') ?? wf.status.name.toLowerCase()),
      String(get('DrRtoStatus') ?? ''),
      wf.startTime.toISOString().replace(/\.\d+Z$/, 'Z'),
    ]);
    if (++count >= limit) break;
  }
  ctx.print(count === 0 ? 'No runs match.' : table.toString());
}
