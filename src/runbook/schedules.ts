// runbooks/schedules.yaml: when the backups, retention pruning and restore tests run, as data that
// `dr schedules apply` turns into Temporal Schedules. Validated like runbooks: every problem names
// the file, line and field. Pure: takes text.
import { z } from 'zod';
import { duration } from './schema.js';
import { parseYaml, type ParsedYaml } from './load.js';
import type { LintIssue } from './lint.js';
import { MODES, type Mode } from './model.js';

/** Temporal's overlap policies, as written in the file. */
export const OVERLAP = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;
export type Overlap = (typeof OVERLAP)[number];

/** One schedule: what it starts, when, and in which mode. */
export interface ScheduleEntry {
  id: string;
  description?: string;
  /** Cron expressions (5 fields, or @daily-style); Temporal parses them. */
  cron: string[];
  /** IANA time zone the cron expressions are read in. */
  timezone: string;
  /** A runbook by id (workflow type `runbook`), or a named workflow type (`databaseBackup`). */
  runbook?: string;
  workflow?: string;
  mode: Mode;
  inputs: Record<string, unknown>;
  /** What happens when a run is still going at the next time. */
  overlap: Overlap;
  /** How late a run missed while Temporal was down may still start. */
  catchupWindowMs: number;
  paused: boolean;
}

export interface SchedulesFile {
  schedules: ScheduleEntry[];
}

const ID = /^[a-z0-9][a-z0-9_-]*$/i;
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why `expr` is not a cron expression Temporal takes, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  const text = expr.trim();
  if (text.startsWith('@')) return MACROS.includes(text.toLowerCase()) ? undefined : `unknown macro ${text}; expected one of ${MACROS.join(', ')}`;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (const [i, part] of parts.entries()) {
    const field = FIELDS[i]!;
    const value = (v: string): number | undefined => {
      if (/^\d+$/.test(v)) return Number(v);
      const at = ('names' in field ? (field.names as readonly string[]) : []).indexOf(v.toUpperCase());
      return at < 0 ? undefined : at + field.min;
    };
    for (const item of part.split(',')) {
      const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
      if (!m) return `${field.name} field "${part}" is not a value, range, list or step`;
      if (m[2] !== undefined && Number(m[2]) === 0) return `${field.name} field "${part}" has a step of 0`;
      if (m[1] === '*') continue;
      for (const v of m[1]!.split('-')) {
        const n = value(v);
        const names = 'names' in field ? ` or ${field.names[0]}-${field.names.at(-1)}` : '';
        if (n === undefined) return `${field.name} "${v}" is not a number${names}`;
        if (n < field.min || n > field.max) return `${field.name} "${v}" is out of range ${field.min}-${field.max}`;
      }
    }
  }
  return undefined;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const cron = z
  .union([z.string(), z.array(z.string()).min(1)], { error: 'Expected a cron expression like "0 2 * * *" or a list of them' })
  .transform((v) => (typeof v === 'string' ? [v] : v))
  .superRefine((list, ctx) => {
    list.forEach((expr, i) => {
      const problem = cronProblem(expr);
      if (problem) ctx.addIssue({ code: 'custom', path: list.length > 1 ? [i] : [], message: `Expected a cron expression like "0 2 * * *": ${problem}, in ${JSON.stringify(expr)}` });
    });
  });

const timezone = z.string().refine(isTimeZone, { error: (issue) => `Expected an IANA time zone like "Africa/Kigali" or "UTC", got ${JSON.stringify(issue.input)}` });

const entrySchema = z
  .strictObject({
    id: z.string().regex(ID, { error: (issue) => `Expected an id of letters, digits, "-" or "_", got ${JSON.stringify(issue.input)}` }),
    description: z.string().optional(),
    cron,
    timezone: timezone.optional(),
    runbook: z.string().min(1).optional(),
    workflow: z.string().regex(/^[A-Za-z_$][\w$]*$/, { error: 'Expected a workflow type like databaseBackup' }).optional(),
    mode: z.enum(MODES, { error: `Expected mode to be one of ${MODES.join(', ')}` }),
    inputs: z.record(z.string(), z.unknown()).default({}),
    overlap: z.enum(OVERLAP).default('skip'),
    catchupWindow: duration.default(3_600_000),
    paused: z.boolean().default(false),
  })
  .superRefine((s, ctx) => {
    if ((s.runbook === undefined) === (s.workflow === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'Expected exactly one of `runbook` (a runbook id) or `workflow` (a workflow type)' });
    }
  });

export const schedulesSchema: z.ZodType<SchedulesFile> = z
  .strictObject({
    /** Default time zone of every schedule. */
    timezone: timezone.default('UTC'),
    schedules: z.array(entrySchema),
  })
  .transform((f) => ({
    schedules: f.schedules.map(({ catchupWindow, timezone: tz, ...s }) => ({ ...s, timezone: tz ?? f.timezone, catchupWindowMs: catchupWindow })),
  }));

export interface ParsedSchedules {
  schedules?: SchedulesFile;
  errors: LintIssue[];
  warnings: LintIssue[];
  /** Locates a later finding (a missing runbook, say) at its line. */
  locate: ParsedYaml<SchedulesFile>['locate'];
}

/** Parses schedules.yaml; schema issues and duplicate ids name the file and line. */
export function parseSchedules(text: string, file: string): ParsedSchedules {
  const parsed = parseYaml(text, file, schedulesSchema, 'schedules (a mapping with a `schedules` list)');
  if (!parsed.value) return { errors: parsed.errors, warnings: parsed.warnings, locate: parsed.locate };
  const errors: LintIssue[] = [];
  const seen = new Map<string, number>();
  parsed.value.schedules.forEach((s, i) => {
    if (seen.has(s.id)) {
      errors.push(parsed.locate({ level: 'error', rule: 'scheduleIdsUnique', path: ['schedules', i, 'id'], message: `Schedule id "${s.id}" is also used by schedules[${seen.get(s.id)}]` }));
    } else seen.set(s.id, i);
  });
  return errors.length ? { errors, warnings: parsed.warnings, locate: parsed.locate } : { schedules: parsed.value, errors, warnings: parsed.warnings, locate: parsed.locate };
}
