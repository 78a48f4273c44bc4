// Partial table recovery from a full custom/directory backup: which entries of the archive's table
// of contents (`pg_restore -l`) belong to the tables being restored, and the SQL that drops them
// first. Pure, so the selection is tested on its own.
import type { TableInventory } from '../storage/manifest.js';

// Longest first: "TABLE DATA" must not be read as "TABLE".
const TYPES = [
  'SEQUENCE OWNED BY',
  'FK CONSTRAINT',
  'SEQUENCE SET',
  'ROW SECURITY',
  'TABLE DATA',
  'CONSTRAINT',
  'SEQUENCE',
  'TRIGGER',
  'DEFAULT',
  'COMMENT',
  'POLICY',
  'INDEX',
  'TABLE',
  'RULE',
  'ACL',
];

export interface TocEntry {
  line: string;
  type: string;
  schema: string;
  /** The entry's name: `users`, `users users_pkey` (table + constraint), `TABLE users` (comment/ACL). */
  tag: string;
}

/** The entries of a `pg_restore -l` listing whose type matters here. */
export function parseToc(listing: string): TocEntry[] {
  const entries: TocEntry[] = [];
  for (const line of listing.split('\n')) {
    const m = /^\d+; \d+ \d+ (.+)$/.exec(line.trim());
    if (!m) continue;
    const type = TYPES.find((t) => m[1]!.startsWith(`${t} `));
    if (!type) continue;
    const words = m[1]!.slice(type.length + 1).split(' ');
    // `<schema> <tag ...> <owner>`: the tag may contain spaces, the owner is the last word.
    if (words.length < 3) continue;
    entries.push({ line: line.trim(), type, schema: words[0]!, tag: words.slice(1, -1).join(' ') });
  }
  return entries;
}

/** The TOC entries that recreate `tables` (qualified names) with everything that hangs off them. */
export function selectEntries(entries: TocEntry[], tables: string[], inventory: TableInventory[]): TocEntry[] {
  const chosen = inventory.filter((t) => tables.includes(`${t.schema}.${t.name}`));
  const incoming = referencingKeys(tables, inventory);
  return entries.filter((e) =>
    chosen.some((t) => {
      if (e.schema !== t.schema && !['SEQUENCE', 'SEQUENCE OWNED BY', 'SEQUENCE SET', 'FK CONSTRAINT'].includes(e.type)) return false;
      switch (e.type) {
        case 'TABLE':
        case 'TABLE DATA':
        case 'ROW SECURITY':
          return e.tag === t.name;
        case 'CONSTRAINT':
        case 'POLICY':
        case 'TRIGGER':
        case 'RULE':
        case 'DEFAULT':
          return e.tag.startsWith(`${t.name} `);
        case 'FK CONSTRAINT':
          return (e.schema === t.schema && e.tag.startsWith(`${t.name} `)) || incoming.some((k) => e.schema === k.schema && e.tag === `${k.table} ${k.name}`);
        case 'INDEX':
          return t.indexes.includes(e.tag);
        case 'SEQUENCE':
        case 'SEQUENCE OWNED BY':
        case 'SEQUENCE SET':
          return t.sequences.includes(e.tag);
        case 'COMMENT':
        case 'ACL':
          return e.tag === `TABLE ${t.name}` || e.tag.startsWith(`COLUMN ${t.name}.`) || t.sequences.some((s) => e.tag === `SEQUENCE ${s}`);
        default:
          return false;
      }
    }),
  );
}

/** Foreign keys of other tables that point at `tables`: dropped with them, recreated after. */
export function referencingKeys(tables: string[], inventory: TableInventory[]): Array<{ schema: string; table: string; name: string }> {
  return inventory.flatMap((t) =>
    t.foreignKeys.filter((k) => tables.includes(k.references)).map((k) => ({ schema: t.schema, table: t.name, name: k.name })),
  );
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Drops these foreign keys where they exist. */
export function dropKeysSql(keys: Array<{ schema: string; table: string; name: string }>): string {
  return keys.map((k) => `ALTER TABLE IF EXISTS ${quoteIdent(k.schema)}.${quoteIdent(k.table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(k.name)};\n`).join('');
}

/**
 * The SQL run (in the same transaction) before the restored definitions: the referencing foreign
 * keys, then the tables and their sequences. No CASCADE: a view on a table makes the drop fail and
 * the transaction roll back, rather than silently losing the view.
 */
export function dropSql(tables: string[], inventory: TableInventory[]): string {
  const lines: string[] = [];
  for (const t of inventory.filter((x) => tables.includes(`${x.schema}.${x.name}`))) {
    lines.push(`DROP TABLE IF EXISTS ${quoteIdent(t.schema)}.${quoteIdent(t.name)};`);
    for (const s of t.sequences) lines.push(`DROP SEQUENCE IF EXISTS ${quoteIdent(t.schema)}.${quoteIdent(s)};`);
  }
  return dropKeysSql(referencingKeys(tables, inventory)) + lines.join('\n') + '\n';
}
