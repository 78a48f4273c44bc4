// dr approve | reject | complete | decide | abort: a person acting on a run, answered yes or no.
// A message needs a worker to be applied. When none is polling, the command says so at once: an
// update stays queued on the server and applies when a worker returns; `--no-wait` sends the same
// message as a signal instead, which the run's history records at once, and returns.
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { formatDuration, parseDuration } from '../../runbook/duration.js';
import type { Decision } from '../../runbook/run.js';
import * as m from '../../workflows/messages.js';
import type { CommandContext } from '../context.js';
import { CliError, MessagePending } from '../errors.js';

const updates = { approve: m.approveUpdate, reject: m.rejectUpdate, complete: m.completeUpdate } as const;
const signals = { approve: m.approveSignal, reject: m.rejectSignal, complete: m.completeSignal } as const;

export interface PersonOptions {
  as?: string;
  comment?: string;
  /** false with --no-wait: queue the message (a signal) and return. */
  wait?: boolean;
  /** How long to wait for a worker to apply it (a duration; default 10m). */
  waitLimit?: string;
}

// A poller not seen for this long is a worker that went away (the server keeps it listed a while).
const POLLER_FRESH_MS = 90_000;
const QUIET_MS = 2_000;

/** Whether a worker polls the run's task queue now; undefined when the run's queue cannot be read. */
async function workerPolling(client: Client, handle: WorkflowHandle): Promise<{ taskQueue: string; polling: boolean } | undefined> {
  try {
    const { taskQueue } = await handle.describe();
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const now = Date.now();
    const fresh = (pollers ?? []).some((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return now - seconds * 1000 < POLLER_FRESH_MS;
    });
    return { taskQueue, polling: fresh };
  } catch {
    return undefined;
  }
}

/** Sends one message: as an update (answered yes or no) or, with --no-wait, as a signal. */
async function deliver(
  ctx: CommandContext,
  runId: string,
  what: string,
  options: PersonOptions,
  send: { update: (handle: WorkflowHandle) => Promise<m.MessageAck>; signal: (handle: WorkflowHandle) => Promise<void> },
): Promise<void> {
  const client = await ctx.client();
  const handle = client.workflow.getHandle(runId);
  const queue = await workerPolling(client, handle);
  const check = `dr status ${runId} (dr report ${runId} lists it under "Messages from people")`;
  if (options.wait === false) {
    await send.signal(handle);
    ctx.print(`Queued: ${what} is recorded in the run's history and applies (or is refused) when a worker handles it${queue && !queue.polling ? `; no worker polls "${queue.taskQueue}" now` : ''}`);
    ctx.print(`Check: ${check}`);
    return;
  }
  const limitMs = parseDuration(options.waitLimit ?? '10m');
  if (queue && !queue.polling) {
    ctx.note?.(`No worker polls task queue "${queue.taskQueue}": ${what} is queued and applies when a worker returns. Waiting up to ${formatDuration(limitMs)} (--no-wait returns at once).`);
  }
  const started = Date.now();
  const answer = send.update(handle);
  let timer: NodeJS.Timeout | undefined;
  let onInterrupt: (() => void) | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    const stop = (why: string) => reject(new MessagePending(`${why}: ${what} may still apply when a worker returns`, `check with ${check}`));
    timer = setInterval(() => {
      const waited = Date.now() - started;
      if (waited >= limitMs) stop(`Gave up waiting after ${formatDuration(waited)}`);
      else if (waited >= QUIET_MS) ctx.progress?.(`waiting for a worker to apply ${what}: ${formatDuration(waited)} of ${formatDuration(limitMs)}`);
    }, 1_000);
    onInterrupt = () => stop(`Stopped waiting after ${formatDuration(Date.now() - started)}`);
    process.once('SIGINT', onInterrupt);
  });
  try {
    const ack = await Promise.race([answer, gaveUp]);
    ctx.progress?.(undefined);
    ctx.print(`Accepted: ${ack.detail}`);
  } finally {
    clearInterval(timer);
    if (onInterrupt) process.removeListener('SIGINT', onInterrupt);
    answer.catch(() => undefined); // settled or abandoned: the process ends with the command
  }
}

export async function stepMessage(
  ctx: CommandContext,
  kind: keyof typeof updates,
  runId: string,
  step: string,
  options: PersonOptions,
): Promise<void> {
  const payload = { step, by: options.as ?? ctx.user, comment: options.comment };
  await deliver(ctx, runId, `${kind} of step "${step}"`, options, {
    update: (h) => h.executeUpdate(updates[kind], { args: [payload] }),
    signal: (h) => h.signal(signals[kind], payload),
  });
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
  const payload = { step, by: options.as ?? ctx.user, decision: decision as Decision, comment: options.comment };
  await deliver(ctx, runId, `decision "${decision}" on step "${step}"`, options, {
    update: (h) => h.executeUpdate(m.decideUpdate, { args: [payload] }),
    signal: (h) => h.signal(m.decideSignal, payload),
  });
}

export async function abort(ctx: CommandContext, runId: string, options: PersonOptions): Promise<void> {
  const payload = { by: options.as ?? ctx.user, comment: options.comment };
  await deliver(ctx, runId, 'abort', options, {
    update: (h) => h.executeUpdate(m.abortUpdate, { args: [payload] }),
    signal: (h) => h.signal(m.abortSignal, payload),
  });
}
