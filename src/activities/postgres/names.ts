// Names the backup activities check once templates are rendered: table names, prefixes, backup
// ids. The runbook schema checks the same shapes for values written without templates.
import { randomBytes } from 'node:crypto';

const TABLE = /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)?$/;
const PREFIX = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;
const BACKUP_REF = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws `Expected <field> to be <expected>, got <value>` unless `ok`. */
export function expectValue(ok: boolean, field: string, expected: string, value: unknown): void {
  if (!ok) throw new Error(`Expected \`${field}\` to be ${expected}, got ${JSON.stringify(value)}`);
}

/** `users` → `public.users`; checks the shape. */
export function qualifyTable(name: string, field = 'tables'): string {
  expectValue(TABLE.test(name), field, 'a table name like users or public.users (lower case)', name);
  return name.includes('.') ? name : `public.${name}`;
}

export function checkPrefix(prefix: string | undefined, field = 'prefix'): void {
  if (prefix !== undefined) expectValue(PREFIX.test(prefix), field, 'a prefix like daily or agent-core/weekly', prefix);
}

export function checkBackupRef(ref: string): void {
  expectValue(BACKUP_REF.test(ref), 'backup', '"latest" or a backup id', ref);
}

/** `20240315T120000Z-agent_core-3f2a`: sortable by time, names the database, unique. */
export function newBackupId(createdAt: Date, database: string): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const db = database.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'db';
  return `${stamp}-${db}-${randomBytes(2).toString('hex')}`;
}
