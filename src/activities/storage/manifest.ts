// The manifest of a backup set: what it holds and how to check it. Written last, so its presence
// is what makes a set a backup; read back through a schema, so a damaged manifest is reported as
// such rather than half-trusted.
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { joinKey, type BackupStore, type StoredObject } from './store.js';

export const MANIFEST = 'manifest.json';

/** A backup id as newBackupId (and backup-sets.ts) make them: `20240315T120000Z-<source>-<hex>`. */
const SET_ID = /^\d{8}T\d{6}Z-[A-Za-z0-9_.-]+$/;

const tableSchema = z.object({
  schema: z.string(),
  name: z.string(),
  rows: z.number().int().nonnegative(),
  /** Its rows on disk (heap and TOAST) at backup time: how a restore shares its sessions. Older manifests lack it. */
  bytes: z.number().int().nonnegative().optional(),
  rls: z.boolean(),
  rlsForced: z.boolean(),
  policies: z.array(z.string()),
  /** Indexes that are not the implementation of a constraint (those come with the constraint). */
  indexes: z.array(z.string()),
  /** Every index of the table, constraint ones included (what `indexes` checks count). */
  indexCount: z.number().int().nonnegative(),
  constraints: z.array(z.string()),
  foreignKeys: z.array(z.object({ name: z.string(), references: z.string() })),
  triggers: z.array(z.string()),
  /** Sequences owned by the table's columns (serial / identity). */
  sequences: z.array(z.string()),
});
export type TableInventory = z.infer<typeof tableSchema>;

export const manifestSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  kind: z.literal('postgres'),
  prefix: z.string(),
  createdAt: z.string(),
  completedAt: z.string(),
  format: z.enum(['custom', 'directory', 'plain']),
  compression: z.object({ algorithm: z.literal('gzip'), level: z.number().int() }),
  /** `full`, or the tables asked for (the seed's weekly critical-tables backup). */
  scope: z.union([z.literal('full'), z.object({ tables: z.array(z.string()) })]),
  source: z.object({ host: z.string(), port: z.number().int(), database: z.string(), user: z.string() }),
  tools: z.object({ pgDump: z.string(), server: z.string() }),
  bytes: z.number().int().nonnegative(),
  objects: z.array(z.object({ name: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/), storageClass: z.string().optional() })).min(1),
  database: z.object({
    tables: z.array(tableSchema),
    rlsTables: z.array(z.string()),
    foreignKeys: z.number().int().nonnegative(),
    indexes: z.number().int().nonnegative(),
  }),
  durationMs: z.number().nonnegative(),
});
export type Manifest = z.infer<typeof manifestSchema>;

// What every manifest has, whatever wrote it (postgres here; redis, kafka, archive in backup-sets.ts):
// enough to list, verify presence and apply retention.
const baseSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  kind: z.string(),
  prefix: z.string(),
  createdAt: z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'Expected an ISO time' }),
  format: z.string(),
  scope: manifestSchema.shape.scope.optional(),
  source: z.record(z.string(), z.unknown()),
  bytes: z.number().int().nonnegative(),
  objects: manifestSchema.shape.objects,
});

/** A complete backup as listings show it. */
export interface BackupSummary {
  id: string;
  kind: string;
  prefix: string;
  /** Key of the set's folder: `<prefix>/<id>`. */
  key: string;
  createdAt: string;
  format: string;
  scope: Manifest['scope'];
  source: string;
  bytes: number;
  /** Every object listed by the manifest is present with its size. */
  verified: boolean;
  /** The full manifest of a PostgreSQL backup (undefined for other kinds). */
  manifest?: Manifest;
}

/** The store's backup sets: complete ones (with manifest) and incomplete ones (without). */
export interface BackupListing {
  backups: BackupSummary[];
  incomplete: Array<{ key: string; objects: StoredObject[]; newestObjectAt: number }>;
  /** Manifests that could not be read or do not match the schema: reported, never restored. */
  unreadable: Array<{ key: string; error: string }>;
}

/** The series retention groups by: `host:port/database` for PostgreSQL, kind and source otherwise. */
export function sourceOf(m: { kind?: string; source: Record<string, unknown> }): string {
  const s = m.source;
  if ((m.kind ?? 'postgres') === 'postgres' && typeof s.host === 'string') return `${s.host}:${String(s.port)}/${String(s.database)}`;
  return `${m.kind}:${Object.values(s).map((v) => (Array.isArray(v) ? v.join(',') : String(v))).join(':')}`;
}

export async function writeManifest(store: BackupStore, setKey: string, manifest: Manifest): Promise<void> {
  await store.put(joinKey(setKey, MANIFEST), Readable.from([Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]));
}

function parse<T>(schema: z.ZodType<T>, raw: unknown, setKey: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0]!;
  throw new Error(`manifest ${joinKey(setKey, MANIFEST)} is not valid: ${first.path.join('.') || '(root)'}: ${first.message}`);
}

/** Lists every backup set under `prefix` (all when omitted), reading each manifest. */
export async function listBackups(store: BackupStore, prefix?: string): Promise<BackupListing> {
  const objects = await store.list(prefix ? joinKey(prefix) + '/' : undefined);
  const sets = new Map<string, StoredObject[]>();
  for (const o of objects) {
    // A set is `<prefix>/<id>/<object>`: its key is the object's folder, named by a backup id.
    // Anything else in the store (e.g. run reports under reports/<run id>/) is not a backup set.
    const key = o.key.split('/').slice(0, -1).join('/');
    if (!SET_ID.test(key.split('/').pop() ?? '')) continue;
    sets.set(key, [...(sets.get(key) ?? []), o]);
  }
  const listing: BackupListing = { backups: [], incomplete: [], unreadable: [] };
  for (const [key, objs] of sets) {
    if (!objs.some((o) => o.key === joinKey(key, MANIFEST))) {
      listing.incomplete.push({ key, objects: objs, newestObjectAt: Math.max(...objs.map((o) => o.modifiedAt)) });
      continue;
    }
    let base: z.infer<typeof baseSchema>;
    let manifest: Manifest | undefined;
    try {
      const raw: unknown = JSON.parse(await text(await store.get(joinKey(key, MANIFEST))));
      base = parse(baseSchema, raw, key);
      if (base.kind === 'postgres') manifest = parse(manifestSchema, raw, key);
    } catch (err) {
      listing.unreadable.push({ key, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const sizes = new Map(objs.map((o) => [o.key, o.bytes]));
    const verified = base.objects.every((o) => sizes.get(joinKey(key, o.name)) === o.bytes);
    listing.backups.push({
      id: base.id,
      kind: base.kind,
      prefix: base.prefix,
      key,
      createdAt: base.createdAt,
      format: base.format,
      scope: base.scope ?? 'full',
      source: sourceOf(base),
      bytes: base.bytes,
      verified,
      manifest,
    });
  }
  listing.backups.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  return listing;
}
