// dr approve | reject | complete | decide | abort: a person acting on a run, answered yes or no.
import type { Decision } from '../../runbook/run.js';
import * as m from '../../workflows/messages.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

const updates = { approve: m.approveUpdate, reject: m.rejectUpdate, complete: m.completeUpdate } as const;

export interface PersonOptions {
  as?: string;
  comment?: string;
}

export async function stepMessage(
  ctx: CommandContext,
  kind: keyof typeof updates,
  runId: string,
  step: string,
  options: PersonOptions,
): Promise<void> {
  const handle = (await ctx.client()).workflow.getHandle(runId);
  const ack = await handle.executeUpdate(updates[kind], {
    args: [{ step, by: options.as ?? ctx.user, comment: options.comment }],
  });
  ctx.print(`Accepted: ${ack.detail}`);
}

export async function decide(
  ctx: CommandContext,
  runId: string,
  step: string,
  decision: string,
  options: PersonOptions,
): Promise<void> {
  if (!['retry', 'skip', 'abort'].includes(decision)) {
    throw new CliError(`Expected a decision of retry, skip or abort, got "${decision}"`);
  }
  const handle = (await ctx.client()).workflow.getHandle(runId);
  const ack = await handle.executeUpdate(m.decideUpdate, {
    args: [{ step, by: options.as ?? ctx.user, decision: decision as Decision, comment: options.comment }],
  });
  ctx.print(`Accepted: ${ack.detail}`);
}

export async function abort(ctx: CommandContext, runId: string, options: PersonOptions): Promise<void> {
  const handle = (await ctx.client()).workflow.getHandle(runId);
  const ack = await handle.executeUpdate(m.abortUpdate, { args: [{ by: options.as ?? ctx.user, comment: options.comment }] });
  ctx.print(`Accepted: ${ack.detail}`);
}
