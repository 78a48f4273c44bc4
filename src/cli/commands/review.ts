// dr review: the drill review of one runbook from its finished runs (found through visibility as
// `dr metrics` finds them), and with --write the suggested budgets proposed as a diff to the
// runbook's YAML, written only when the owner accepts it (--yes, or yes at the prompt).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { createTwoFilesPatch } from 'diff';
import { loadRunbook } from '../../activities/load.js';
import { writeBudgets } from '../../runbook/budget-edit.js';
import { MODES, type Mode } from '../../runbook/model.js';
import { reviewRunbook, type Review } from '../../report/review.js';
import { renderReviewHtml, renderReviewText } from '../../report/review-render.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { collect, metricsQuery, parseSince } from './metrics.js';

export interface ReviewOptions {
  since: string;
  mode?: string;
  forecastMode: string;
  taskQueue?: string;
  limit: string;
  format: string;
  out?: string;
  raiseOnly?: boolean;
  write?: boolean;
  yes?: boolean;
}

/** Asks on the terminal; false when there is none (a script must say --yes). */
export type Confirm = (question: string) => Promise<boolean>;

export const terminalConfirm: Confirm = async (question) => {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
};

const isMode = (m: string): m is Mode => (MODES as readonly string[]).includes(m);

/** dr review <runbook>: figures per step, forecast, risks; with --write, the budgets as a reviewed diff. */
export async function review(ctx: CommandContext, runbookId: string, options: ReviewOptions, confirm: Confirm = terminalConfirm): Promise<Review> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new CliError(`Expected --limit to be a positive whole number, got "${options.limit}"`);
  if (options.mode && !isMode(options.mode)) throw new CliError(`Expected --mode to be one of ${MODES.join(', ')}, got "${options.mode}"`);
  if (!isMode(options.forecastMode)) throw new CliError(`Expected --forecast-mode to be one of ${MODES.join(', ')}, got "${options.forecastMode}"`);
  const dir = ctx.config.runbooksDir;
  const loaded = await loadRunbook({ id: runbookId }, { dir }).catch((err: Error) => {
    throw new CliError(err.message, 'dr validate checks every runbook');
  });
  const since = parseSince(options.since);
  const query = metricsQuery({ runbook: runbookId, mode: options.mode, taskQueue: options.taskQueue }, since);
  const { runs, missing } = await collect(await ctx.client(), query, limit);
  const result = reviewRunbook(
    loaded.runbook,
    runs.map((r) => r.report),
    { mode: options.forecastMode, raiseOnly: options.raiseOnly },
  );

  let text: string;
  if (options.format === 'json') text = JSON.stringify({ query, since: since.toISOString(), missing, ...result }, null, 2) + '\n';
  else if (options.format === 'html') text = renderReviewHtml(result);
  else if (options.format === 'table') text = renderReviewText(result);
  else throw new CliError(`Expected --format table, json or html, got "${options.format}"`);
  if (options.out) {
    await writeFile(options.out, text).catch((err: Error) => {
      throw new CliError(`Cannot write the review to ${options.out}: ${err.message}`);
    });
    ctx.print(`Wrote the ${options.format} review of ${runbookId} to ${options.out}`);
  } else {
    ctx.print(result.runs === 0 ? `No finished runs of ${runbookId} closed since ${since.toISOString()}.` : text);
  }
  if (options.write) await proposeBudgets(ctx, join(dir, loaded.file), result, options.yes === true, confirm);
  return result;
}

/** Shows the budgets as a diff of the runbook file and writes it only once accepted. */
async function proposeBudgets(ctx: CommandContext, path: string, result: Review, yes: boolean, confirm: Confirm): Promise<void> {
  const changes = new Map(result.steps.filter((s) => s.change === 'raise' || s.change === 'lower').map((s) => [s.step, s.suggestedMs!]));
  if (changes.size === 0) {
    ctx.print('No budget to change: every step with enough runs is within its budget rule.');
    return;
  }
  const before = await readFile(path, 'utf8');
  const after = writeBudgets(before, changes);
  ctx.print(createTwoFilesPatch(path, path, before, after, 'budgets now', 'suggested by the drills', { context: 2 }));
  if (!yes && !(await confirm(`Write these ${changes.size} budget(s) to ${path}?`))) {
    throw new CliError(`Not written: ${path} is unchanged`, `accept the diff with \`dr review ${result.runbook.id} --write --yes\``);
  }
  await writeFile(path, after);
  ctx.print(`Wrote ${changes.size} budget(s) to ${path}; review and commit it with the runbook's other changes.`);
}
