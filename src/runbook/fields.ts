// The zod pieces action schemas share (durations, names, prefixes, references). Pure: imported by
// the action registry and the runbook schema, never by workflow code (the model's enumerations are
// in model.ts, which the workflow does import).
import { z } from 'zod';
import { tryParseDuration } from './duration.js';
import { isSecretReference } from './inputs.js';
import { KAFKA_SASL_MECHANISMS } from './model.js';

export const ID = /^[a-z0-9][a-z0-9_-]*$/i;

const expectedDuration = 'Expected a duration like "15m", "1h30m" or "2 hours"';

/** A duration like "15m", "1h30m", "2 hours"; yields milliseconds. */
export const duration = z
  .union([z.string(), z.number()], { error: (issue) => `${expectedDuration}, got ${describeValue(issue.input)}` })
  .transform((value, ctx) => {
    const ms = tryParseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${expectedDuration}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });

export function describeValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

// Shorthands (`wait: 5m`, `manual: "text"`, `parallel: [...]`) are normalized to their object
// form before parsing rather than matched by z.union: a union whose branch fails inside a
// transform reports only "Invalid input", hiding e.g. the bad budget of a nested step.
export function shorthand<T extends z.ZodType>(toObject: (value: unknown) => unknown, schema: T) {
  return z.preprocess(toObject, schema);
}

export const id = z.string().regex(ID, { error: (issue) => `Expected an id of letters, digits, "-" or "_", got ${JSON.stringify(issue.input)}` });
export const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/** Waits on people escalate along people.yaml's chain after `escalateAfter` per level. */
export const escalation = {
  escalateAfter: duration.optional(),
  onTimeout: z.enum(['abort', 'continue']).default('abort'),
};

/** A comparison a check result must satisfy; every given bound applies. */
export const comparison = z
  .strictObject({
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((c) => c.equals !== undefined || c.min !== undefined || c.max !== undefined, {
    message: 'Expected at least one of `equals`, `min`, `max`',
  });

// A string field of a backup action: checked now unless it holds a template (`{{ inputs.x }}`),
// which the activity checks once rendered.
export function checked(test: (value: string) => boolean, expected: string) {
  return z.string().refine((v) => v.includes('{{') || test(v), {
    error: (issue) => `Expected ${expected}, got ${JSON.stringify(issue.input)}`,
  });
}
const TABLE_NAME = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/;
export const tableNames = z.array(checked((v) => TABLE_NAME.test(v), 'a table name like users or public.users (lower case)'));
export const backupPrefix = checked((v) => /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i.test(v), 'a prefix like daily or agent-core/weekly');
export const backupRef = checked((v) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v), '"latest" or a backup id');
export const oneOf = <const T extends readonly string[]>(values: T) => checked((v) => values.includes(v), `one of ${values.join(', ')}`);

// Data-service actions: argv lists (a string is split on whitespace, as for shell), broker lists,
// name filters (names or globs with `*`).
export const argv = z
  .union([z.array(z.union([z.string(), z.number()]).transform(String)).min(1), z.string().min(1)], {
    error: (issue) => `Expected a command as a list of arguments or a string, got ${issue.input === undefined ? 'nothing' : describeValue(issue.input)}`,
  })
  .transform((c) => (typeof c === 'string' ? c.trim().split(/\s+/) : c));
export const names = z.array(z.string().min(1)).default([]);
export const isoTime = checked((v) => !Number.isNaN(Date.parse(v)), 'an ISO time like 2024-03-15T11:30:00Z');
export const kafkaConnection = {
  brokers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  ssl: z.boolean().default(false),
  sasl: z.strictObject({ mechanism: z.enum(KAFKA_SASL_MECHANISMS), username: z.string().min(1), password: z.string().min(1) }).optional(),
};
/** `a:9092,b:9092` or a list; a reference (`env:KAFKA_BROKERS`) stays whole for the worker. */
export const brokerList = (b: string | string[]): string[] => (typeof b === 'string' ? b.split(',').map((x) => x.trim()).filter(Boolean) : b);

// pgbackrest.*: a stanza names one database's backups; secrets are references only, never literals.
export const stanza = checked((v) => /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(v), 'a stanza name of letters, digits, "-" or "_"');
export const PGBACKREST_LABEL = /^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?$/;
export const secretRef = z.string().refine((v) => v.includes('{{') || isSecretReference(v), {
  error: (issue) => `Expected a secret reference like "env:NAME" or "file:/path", got ${typeof issue.input === 'string' ? 'a literal value' : describeValue(issue.input)}`,
});
/** A port number, or a template rendering to one. */
export const port = z.union([z.number().int().min(1).max(65_535).transform(String), checked((v) => /^\d+$/.test(v), 'a port number')]);
