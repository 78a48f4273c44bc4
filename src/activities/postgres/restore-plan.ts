// How a full restore with several jobs shares its sessions, decided from the archive's table of
// contents and the manifest's table sizes. Each heavy table is its own work: its rows, then each
// of its indexes and constraints as soon as its rows are in; a table that dominates the data
// is loaded through several COPY sessions (split-load.ts); a foreign key waits for both of its
// tables. The many small tables go together through one pg_restore. When the plan splits no table,
// restore.ts leaves the whole of it to pg_restore -j, which orders the same work. Pure, so it is tested alone.
import type { TableInventory } from '../storage/manifest.js';
import { SPLIT_LOAD_MIN_ROWS } from './split-load.js';
import { parseToc, type TocEntry } from './toc.js';

/** Below this many rows a table is light: restored with the other light tables in one pg_restore. */
export const HEAVY_MIN_ROWS = 10_000;
/** ...and below this share of the data too (a spawn per index is not worth it for them). */
const HEAVY_MIN_SHARE = 0.05;
/**
 * What a split load costs beyond a single COPY, in sessions: its sessions spent 1.34x the time of one
 * COPY on the same rows (1 GB EasyMO, 2 cores: the extra psql and the feeding process compete with
 * the backends). Splitting pays only when the table would otherwise finish well after the others:
 * its share above 1 / (jobs - SPLIT_OVERHEAD). With 2 sessions a table of 55% of the data loads
 * faster beside the next one (as pg_restore -j2 does) than split ahead of it. Still so since the
 * sessions are the worker's own, without psql: EasyMO with that table split took 15.9 s against
 * the floor's 13-15 s (BENCHMARKS.md, 2026-12-07 22:15).
 */
const SPLIT_OVERHEAD = 0.5;

/** One TOC entry run on its own, with the lock it takes on its table. */
export interface PostItem {
  line: string;
  type: string;
  /** CREATE INDEX shares its table with other index builds; ALTER TABLE (constraints, triggers, RLS) does not. */
  exclusive: boolean;
}

export interface TablePlan {
  /** `schema.name` */
  table: string;
  /** Size estimate (bytes from the manifest, or rows when the manifest has no sizes). */
  weight: number;
  rows: number;
  /** Its TABLE DATA entry, if the archive holds its rows. */
  data?: string;
  /** COPY sessions for its rows: 1, or more when it dominates the data. */
  sessions: number;
  post: PostItem[];
}

export interface KeyItem {
  line: string;
  table: string;
  references: string;
}

export interface RestorePlan {
  /** Biggest first. */
  heavy: TablePlan[];
  /** The light tables' rows and post-data entries (foreign keys excepted), in archive order. */
  light: { tables: string[]; lines: string[]; share: number };
  keys: KeyItem[];
  /** The rest of the data and post-data sections (sequence values, comments, ACLs, ...): last, in archive order. */
  rest: string[];
}

const EXCLUSIVE = new Set(['CONSTRAINT', 'TRIGGER', 'POLICY', 'ROW SECURITY', 'RULE']);

/** `table` of a `table name` tag (constraints, triggers, policies, rules). */
const tableOfTag = (e: TocEntry) => `${e.schema}.${e.tag.split(' ')[0]}`;

/** The heavy tables, biggest first, each with the COPY sessions its rows get; from the manifest alone. */
function heavyTables(tables: TableInventory[], jobs: number) {
  const sized = tables.every((t) => t.bytes !== undefined);
  const weightOf = (t: TableInventory) => (sized ? t.bytes! : t.rows);
  const total = tables.reduce((n, t) => n + weightOf(t), 0) || 1;
  const heavy = new Map<string, TablePlan>();
  for (const t of [...tables].sort((a, b) => weightOf(b) - weightOf(a))) {
    const share = weightOf(t) / total;
    if (t.rows < HEAVY_MIN_ROWS || share < HEAVY_MIN_SHARE) continue;
    const split = jobs > 1 && t.rows >= SPLIT_LOAD_MIN_ROWS && share > 1 / (jobs - SPLIT_OVERHEAD);
    const name = `${t.schema}.${t.name}`;
    heavy.set(name, { table: name, weight: weightOf(t), rows: t.rows, sessions: split ? Math.min(jobs, Math.ceil(share * jobs)) : 1, post: [] });
  }
  return { heavy, weightOf, total };
}

/** Whether a restore on `jobs` sessions loads some table through several COPY sessions. */
export function splitsATable(tables: TableInventory[], jobs: number): boolean {
  return [...heavyTables(tables, jobs).heavy.values()].some((h) => h.sessions > 1);
}

/**
 * The plan for `jobs` sessions. `data` and `post` are `pg_restore -l --section=data` and
 * `--section=post-data` listings of the archive; `tables` the manifest's inventory.
 */
export function planRestore(listings: { data: string; post: string }, tables: TableInventory[], jobs: number): RestorePlan {
  const known = new Map(tables.map((t) => [`${t.schema}.${t.name}`, t]));
  const { heavy, weightOf, total } = heavyTables(tables, jobs);
  const light: RestorePlan['light'] = { tables: [], lines: [], share: 0 };
  for (const t of tables) {
    const name = `${t.schema}.${t.name}`;
    if (heavy.has(name)) continue;
    light.tables.push(name);
    light.share += weightOf(t) / total;
  }
  const indexTable = new Map(tables.flatMap((t) => t.indexes.map((i) => [`${t.schema}.${i}`, `${t.schema}.${t.name}`] as const)));
  const keys: KeyItem[] = [];
  const rest: string[] = [];
  /** Puts a table's own entry with its table, heavy or light; anything else goes last. */
  const place = (e: TocEntry, table: string | undefined) => {
    const h = table ? heavy.get(table) : undefined;
    if (e.type === 'TABLE DATA' && h) h.data = e.line;
    else if (h) h.post.push({ line: e.line, type: e.type, exclusive: EXCLUSIVE.has(e.type) });
    else if (table && known.has(table)) light.lines.push(e.line);
    else rest.push(e.line);
  };
  for (const e of parseToc(listings.data)) place(e, e.type === 'TABLE DATA' ? `${e.schema}.${e.tag}` : undefined);
  const post = parseToc(listings.post);
  for (const e of post) {
    if (e.type === 'FK CONSTRAINT') {
      const table = tableOfTag(e);
      const key = known.get(table)?.foreignKeys.find((k) => `${table} ${k.name}` === `${e.schema}.${e.tag}`);
      if (key && known.has(key.references)) keys.push({ line: e.line, table, references: key.references });
      else rest.push(e.line);
    } else if (e.type === 'INDEX') place(e, indexTable.get(`${e.schema}.${e.tag}`));
    else if (e.type === 'ROW SECURITY') place(e, `${e.schema}.${e.tag}`);
    else if (EXCLUSIVE.has(e.type)) place(e, tableOfTag(e));
    else rest.push(e.line);
  }
  // Entries parseToc does not know (INDEX ATTACH, MATERIALIZED VIEW DATA, ...) go last too.
  const seen = new Set([...post.map((e) => e.line), ...parseToc(listings.data).map((e) => e.line)]);
  for (const line of [...listings.data.split('\n'), ...listings.post.split('\n')].map((l) => l.trim())) {
    if (/^\d+; /.test(line) && !seen.has(line)) rest.push(line);
  }
  for (const h of heavy.values()) h.post.sort((a, b) => Number(b.exclusive) - Number(a.exclusive)); // keys first: foreign keys wait on them
  return { heavy: [...heavy.values()], light, keys, rest };
}
