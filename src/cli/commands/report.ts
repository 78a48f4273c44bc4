// dr report: the run's report, Markdown by default.
import { writeFile } from 'node:fs/promises';
import { renderGantt } from '../../report/gantt.js';
import { renderHtml } from '../../report/html.js';
import { renderMarkdown } from '../../report/markdown.js';
import { reportJson } from '../../report/timings.js';
import { fetchReport } from '../client.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

/** Prints the run's report (md, json, html or svg), or writes it to `--out`. */
export async function report(ctx: CommandContext, runId: string, options: { format: string; out?: string }): Promise<void> {
  const handle = (await ctx.client()).workflow.getHandle(runId);
  const data = await fetchReport(handle);
  let text: string;
  if (options.format === 'json') text = JSON.stringify(reportJson(data), null, 2) + '\n';
  else if (options.format === 'md' || options.format === 'markdown') text = renderMarkdown(data);
  else if (options.format === 'html') text = renderHtml(data);
  else if (options.format === 'svg') text = renderGantt(data);
  else throw new CliError(`Expected --format md, json, html or svg, got "${options.format}"`);
  if (!options.out) return ctx.print(text);
  await writeFile(options.out, text).catch((err: Error) => {
    throw new CliError(`Cannot write the report to ${options.out}: ${err.message}`);
  });
  ctx.print(`Wrote the ${options.format} report of ${runId} to ${options.out}`);
}
