// What a database holds, from its catalog: tables with their row counts, RLS, policies, indexes,
// constraints, foreign keys, triggers and owned sequences. Taken at backup time (inside the dump's
// snapshot, so the counts are those of the dump) into the manifest, and again by postgres.verify.
import type pg from 'pg';
import type { TableInventory } from '../storage/manifest.js';

/** A table's inventory plus what only verification looks at. */
export interface LiveTable extends TableInventory {
  oid: number;
  invalidIndexes: string[];
  unvalidatedForeignKeys: string[];
}

const TABLES = `
  SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
    pg_table_size(c.oid)::bigint AS bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    AND ($1::text[] IS NULL OR n.nspname || '.' || c.relname = ANY($1::text[]))
  ORDER BY n.nspname, c.relname`;

const INDEXES = `
  SELECT i.indrelid::int AS table, ic.relname AS name, i.indisvalid AND i.indisready AS valid,
    EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) AS for_constraint
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE i.indrelid = ANY($1::oid[]) ORDER BY ic.relname`;

const CONSTRAINTS = `
  SELECT k.conrelid::int AS table, k.conname AS name, k.contype AS type, k.convalidated AS validated,
    CASE WHEN k.contype = 'f' THEN rn.nspname || '.' || r.relname END AS references
  FROM pg_constraint k LEFT JOIN pg_class r ON r.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
  WHERE k.conrelid = ANY($1::oid[]) AND k.contype IN ('p', 'u', 'c', 'x', 'f') ORDER BY k.conname`;

const POLICIES = `SELECT polrelid::int AS table, polname AS name FROM pg_policy WHERE polrelid = ANY($1::oid[]) ORDER BY polname`;

const TRIGGERS = `SELECT tgrelid::int AS table, tgname AS name FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal ORDER BY tgname`;

// serial columns depend 'a'(uto) on their table, identity columns 'i'(nternal).
const SEQUENCES = `
  SELECT d.refobjid::int AS table, s.relname AS name
  FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
  WHERE d.classid = 'pg_class'::regclass AND s.relkind = 'S' AND d.refobjid = ANY($1::oid[]) AND d.deptype IN ('a', 'i')
  ORDER BY s.relname`;

type Row = Record<string, unknown> & { table: number; name: string };

/** Inventory of the user tables (or only `tables`, as `schema.name`); `counts` adds exact row counts. */
export async function inventory(client: pg.ClientBase, options: { tables?: string[]; counts: boolean }): Promise<LiveTable[]> {
  const tables = (await client.query<{ oid: number; schema: string; name: string; rls: boolean; forced: boolean; bytes: string }>(TABLES, [options.tables ?? null])).rows;
  const oids = tables.map((t) => t.oid);
  const by = async (sql: string) => {
    const map = new Map<number, Row[]>();
    for (const row of (await client.query<Row>(sql, [oids])).rows) map.set(row.table, [...(map.get(row.table) ?? []), row]);
    return (oid: number) => map.get(oid) ?? [];
  };
  const [indexes, constraints, policies, triggers, sequences] = [await by(INDEXES), await by(CONSTRAINTS), await by(POLICIES), await by(TRIGGERS), await by(SEQUENCES)];
  const out: LiveTable[] = [];
  for (const t of tables) {
    const fks = constraints(t.oid).filter((k) => k.type === 'f');
    let rows = 0;
    if (options.counts) {
      const q = `SELECT count(*)::bigint AS n FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
      rows = Number((await client.query<{ n: string }>(q)).rows[0]!.n);
    }
    out.push({
      oid: t.oid,
      schema: t.schema,
      name: t.name,
      rows,
      bytes: Number(t.bytes),
      rls: t.rls,
      rlsForced: t.forced,
      policies: policies(t.oid).map((p) => p.name),
      indexes: indexes(t.oid).filter((i) => !i.for_constraint).map((i) => i.name),
      indexCount: indexes(t.oid).length,
      constraints: constraints(t.oid).filter((k) => k.type !== 'f').map((k) => k.name),
      foreignKeys: fks.map((k) => ({ name: k.name, references: String(k.references) })),
      triggers: triggers(t.oid).map((r) => r.name),
      sequences: sequences(t.oid).map((s) => s.name),
      invalidIndexes: indexes(t.oid).filter((i) => i.valid !== true).map((i) => i.name),
      unvalidatedForeignKeys: fks.filter((k) => k.validated !== true).map((k) => k.name),
    });
  }
  return out;
}

/** The manifest's view of a table: the live fields dropped. */
export function manifestTable(t: LiveTable): TableInventory {
  const { oid: _oid, invalidIndexes: _i, unvalidatedForeignKeys: _f, ...rest } = t;
  return rest;
}

/** `schema.name` of a table. */
export function qualified(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}
