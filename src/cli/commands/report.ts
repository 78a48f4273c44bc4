// dr report: the run's report, Markdown by default.
import { renderMarkdown } from '../../report/markdown.js';
import { fetchReport } from '../client.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export async function report(ctx: CommandContext, runId: string, options: { format: string }): Promise<void> {
  const handle = (await ctx.client()).workflow.getHandle(runId);
  const data = await fetchReport(handle);
  if (options.format === 'json') ctx.print(JSON.stringify(data, null, 2));
  else if (options.format === 'md' || options.format === 'markdown') ctx.print(renderMarkdown(data));
  else throw new CliError(`Expected --format md or json, got "${options.format}"`);
}
