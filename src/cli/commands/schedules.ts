// dr schedules apply | list: runbooks/schedules.yaml as Temporal Schedules. `apply` creates what is
// missing, updates what changed and deletes the schedules it manages that left the file; a schedule
// it manages has the id prefix (DR_SCHEDULE_PREFIX) and `managedBy: easymo-dr` in its memo, so
// schedules made by hand are never touched. Running it twice changes nothing the second time: each
// schedule's action memo records a fingerprint of its entry, compared before updating.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import Table from 'cli-table3';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import { loadRunbook } from '../../activities/load.js';
import { formatIssue } from '../../runbook/load.js';
import type { LintIssue } from '../../runbook/lint.js';
import { resolveInputs } from '../../runbook/inputs.js';
import { parseSchedules, type ScheduleEntry } from '../../runbook/schedules.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { FailureTypes } from '../../activities/errors.js';

export const MANAGED_BY = 'easymo-dr';

export interface ApplyOptions {
  file?: string;
  dryRun?: boolean;
  prefix?: string;
}

export type Change = 'created' | 'updated' | 'unchanged' | 'deleted';

/** What `apply` did (or, with dryRun, would do) to each schedule. */
export interface ApplyResult {
  changes: Array<{ scheduleId: string; change: Change; next?: Date }>;
  warnings: string[];
}

interface Desired {
  entry: ScheduleEntry;
  scheduleId: string;
  fingerprint: string;
  options: ScheduleOptions;
}

const OVERLAP_POLICY = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
} as const;

/** Reads and checks the file: schema errors throw; missing runbooks are warnings, wrong inputs errors. */
export async function readSchedules(ctx: CommandContext, file: string): Promise<{ entries: ScheduleEntry[]; warnings: string[] }> {
  const name = shownPath(file);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read ${name}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`);
  });
  const parsed = parseSchedules(text, name);
  const problems: LintIssue[] = [...parsed.errors];
  const warnings: LintIssue[] = [...parsed.warnings];
  // The workflow types the worker registers (read from the module itself, so the list cannot drift).
  const types = Object.keys(await import('../../workflows/index.js'));
  for (const [i, entry] of (parsed.schedules?.schedules ?? []).entries()) {
    const at = (level: LintIssue['level'], path: (string | number)[], message: string) =>
      parsed.locate({ level, rule: 'scheduleRunbooks', path: ['schedules', i, ...path], message });
    if (entry.workflow && !types.includes(entry.workflow)) {
      problems.push(at('error', ['workflow'], `Expected a workflow type the worker registers (${types.sort().join(', ')}), got "${entry.workflow}"`));
    }
    if (!entry.runbook) continue;
    try {
      const { runbook } = await loadRunbook({ id: entry.runbook }, { dir: ctx.config.runbooksDir });
      const { errors } = resolveInputs(runbook, entry.inputs);
      for (const e of errors) problems.push(at('error', ['inputs'], `${e} (runbook "${entry.runbook}")`));
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type === FailureTypes.RunbookNotFound) {
        warnings.push(at('warning', ['runbook'], `Runbook "${entry.runbook}" does not exist yet in ${shownPath(ctx.config.runbooksDir)}: its runs will fail until it does`));
      } else if (type === FailureTypes.RunbookInvalid) {
        warnings.push(at('warning', ['runbook'], `Runbook "${entry.runbook}" is invalid (dr validate says why): its runs will fail until it is fixed`));
      } else throw err;
    }
  }
  for (const w of warnings) ctx.print(formatIssue(w));
  if (problems.length > 0) {
    for (const e of problems) ctx.print(formatIssue(e));
    throw new CliError(`${name}: ${problems.length} error(s); no schedule was changed`);
  }
  return { entries: parsed.schedules!.schedules, warnings: warnings.map(formatIssue) };
}

function desired(ctx: CommandContext, entry: ScheduleEntry, prefix: string): Desired {
  const scheduleId = `${prefix}${entry.id}`;
  const startedBy = `schedule:${entry.id}`;
  const args = entry.runbook
    ? [{ runbook: entry.runbook, mode: entry.mode, inputs: entry.inputs, startedBy }]
    : [{ mode: entry.mode, inputs: entry.inputs, startedBy }];
  const workflowType = entry.workflow ?? 'runbook';
  // Everything the schedule is made of, so any edit of the entry (or of the task queue) shows.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ entry, workflowType, args, taskQueue: ctx.config.DR_TASK_QUEUE }))
    .digest('hex')
    .slice(0, 16);
  const what = entry.runbook ? `runbook ${entry.runbook}` : `workflow ${workflowType}`;
  return {
    entry,
    scheduleId,
    fingerprint,
    options: {
      scheduleId,
      spec: { cronExpressions: entry.cron, timezone: entry.timezone },
      action: {
        type: 'startWorkflow',
        workflowType,
        taskQueue: ctx.config.DR_TASK_QUEUE,
        // Temporal appends the scheduled time: dr-daily-backup-2024-03-15T02:00:00Z.
        workflowId: scheduleId,
        args,
        memo: { drSchedule: { id: entry.id, fingerprint, cron: entry.cron, timezone: entry.timezone, what, mode: entry.mode } },
        staticSummary: `${entry.mode} of ${what} (schedule ${entry.id})`,
      },
      policies: { overlap: OVERLAP_POLICY[entry.overlap], catchupWindow: entry.catchupWindowMs },
      memo: { managedBy: MANAGED_BY },
      state: { paused: entry.paused, note: entry.description },
    },
  };
}

const isManaged = (memo: Record<string, unknown> | undefined) => memo?.managedBy === MANAGED_BY;
const fingerprintOf = (d: ScheduleDescription) => ((d.action.memo as { drSchedule?: { fingerprint?: string } } | undefined)?.drSchedule?.fingerprint);

/** The schedules this tool manages under `prefix`, from visibility (eventually consistent). */
export async function managedScheduleIds(client: Client, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(prefix) && isManaged(s.memo)) ids.push(s.scheduleId);
  return ids.sort();
}

async function describeOrUndefined(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError || (err as Error).name === 'ScheduleNotFoundError') return undefined;
    throw err;
  }
}

/** dr schedules apply: makes the namespace's managed schedules match the file. */
export async function applySchedules(ctx: CommandContext, options: ApplyOptions = {}): Promise<ApplyResult> {
  const file = options.file ?? join(ctx.config.runbooksDir, 'schedules.yaml');
  const prefix = options.prefix ?? ctx.config.DR_SCHEDULE_PREFIX;
  const { entries, warnings } = await readSchedules(ctx, file);
  const client = await ctx.client();
  const wanted = entries.map((e) => desired(ctx, e, prefix));

  // Plan first: a conflict with a schedule made by hand stops everything before any change.
  const current = new Map<string, ScheduleDescription | undefined>();
  for (const d of wanted) {
    const found = await describeOrUndefined(client, d.scheduleId);
    if (found && !isManaged(found.memo)) {
      throw new CliError(`Schedule ${d.scheduleId} exists but was not created by dr schedules apply; rename the entry or delete that schedule`);
    }
    current.set(d.scheduleId, found);
  }
  const keep = new Set(wanted.map((d) => d.scheduleId));
  const stale = (await managedScheduleIds(client, prefix)).filter((id) => !keep.has(id));

  const changes: ApplyResult['changes'] = [];
  for (const d of wanted) {
    const found = current.get(d.scheduleId);
    if (!found) {
      if (!options.dryRun) await client.schedule.create(d.options);
      changes.push({ scheduleId: d.scheduleId, change: 'created' });
    } else if (fingerprintOf(found) === d.fingerprint) {
      changes.push({ scheduleId: d.scheduleId, change: 'unchanged', next: found.info.nextActionTimes[0] });
    } else {
      if (!options.dryRun) {
        const { scheduleId: _id, memo: _memo, state, ...rest } = d.options;
        await client.schedule.getHandle(d.scheduleId).update(() => ({ ...rest, state: { paused: state?.paused, note: state?.note } }));
      }
      changes.push({ scheduleId: d.scheduleId, change: 'updated' });
    }
  }
  for (const id of stale) {
    if (!options.dryRun) await client.schedule.getHandle(id).delete();
    changes.push({ scheduleId: id, change: 'deleted' });
  }
  // The server computes the next run times; ask once the changes are in.
  if (!options.dryRun) {
    for (const c of changes) if (c.change === 'created' || c.change === 'updated') c.next = (await describeOrUndefined(client, c.scheduleId))?.info.nextActionTimes[0];
  }

  const table = new Table({ head: ['schedule', options.dryRun ? 'would be' : 'change', 'cron', 'next run'], style: { head: [], border: [] } });
  const byId = new Map(wanted.map((d) => [d.scheduleId, d.entry]));
  for (const c of changes) {
    const entry = byId.get(c.scheduleId);
    table.push([c.scheduleId, c.change, entry ? `${entry.cron.join(' | ')} (${entry.timezone})` : '', c.next ? when(c.next, entry?.timezone ?? 'UTC') : '']);
  }
  ctx.print(table.toString());
  const count = (k: Change) => changes.filter((c) => c.change === k).length;
  ctx.print(
    `${options.dryRun ? 'Dry run: ' : ''}${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged, ${count('deleted')} deleted` +
      ` (prefix "${prefix}", task queue ${ctx.config.DR_TASK_QUEUE})`,
  );
  return { changes, warnings };
}

/** dr schedules list: the managed schedules with what they start and when they next run. */
export async function listSchedules(ctx: CommandContext, options: { prefix?: string } = {}): Promise<void> {
  const prefix = options.prefix ?? ctx.config.DR_SCHEDULE_PREFIX;
  const client = await ctx.client();
  const table = new Table({ head: ['schedule', 'starts', 'cron', 'next runs', 'last run', 'state'], style: { head: [], border: [] } });
  let count = 0;
  for (const id of await managedScheduleIds(client, prefix)) {
    const d = await describeOrUndefined(client, id);
    if (!d) continue; // deleted since the listing
    const meta = (d.action.memo as { drSchedule?: { cron?: string[]; timezone?: string; what?: string; mode?: string } } | undefined)?.drSchedule ?? {};
    const tz = meta.timezone ?? 'UTC';
    const last = d.info.recentActions.at(-1);
    table.push([
      id,
      `${meta.what ?? d.action.workflowType} (${meta.mode ?? '?'})`,
      `${(meta.cron ?? []).join(' | ')} (${tz})`,
      d.info.nextActionTimes.slice(0, 2).map((t) => when(t, tz)).join('\n'),
      last ? `${when(last.takenAt, tz)}\n${last.action.workflow.workflowId}` : 'never',
      d.state.paused ? `paused${d.state.note ? `: ${d.state.note}` : ''}` : 'active',
    ]);
    count++;
  }
  ctx.print(count === 0 ? `No schedules with prefix "${prefix}": run \`dr schedules apply\` to create them from runbooks/schedules.yaml.` : table.toString());
}

/** A path as people read it: relative to the current folder when inside it, else absolute. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** `2024-03-16 02:00 Africa/Kigali` */
export function when(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}
