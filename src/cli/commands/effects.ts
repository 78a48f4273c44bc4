// dr effects: the safety model of a runbook, step by step — its effect class and why, what a drill
// does with it (runs, or rehearses it with a person), and what a live run asks first.
import Table from 'cli-table3';
import { loadRunbook } from '../../activities/load.js';
import { auditRunbook } from '../../safety/audit.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

export interface EffectsOptions {
  format: string;
}

export async function effects(ctx: CommandContext, runbook: string, options: EffectsOptions): Promise<void> {
  const loaded = await loadRunbook({ id: runbook }, { dir: ctx.config.runbooksDir }).catch((err: Error) => {
    throw new CliError(err.message, 'dr validate checks every runbook');
  });
  const rows = auditRunbook(loaded.runbook);
  if (options.format === 'json') {
    ctx.print(JSON.stringify(rows, null, 2));
    return;
  }
  const table = new Table({
    head: ['step', 'effect', 'basis', 'in a drill', 'in live mode', 'why'],
    colWidths: [22, 15, 16, 30, 30, 60],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    table.push([row.parentId ? `  ${row.id}` : row.id, row.effect, row.basis, row.drill, row.live, row.reasons.join('; ')]);
  }
  ctx.print(`${loaded.runbook.id} (${loaded.file})`);
  ctx.print(table.toString());
}
