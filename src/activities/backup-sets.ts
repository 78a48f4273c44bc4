// Backup sets of Redis, Kafka and file archives in the shared BackupStore, laid out like the
// PostgreSQL ones (storage/manifest.ts): objects under `<prefix>/<id>/`, each streamed with its
// sha256, then `manifest.json` last; a set without a manifest is not a backup. Restores read an
// object back only through readVerified, which fails on a sha256 or size mismatch.
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { formatDuration } from '../runbook/duration.js';
import type { RestoredFrom } from './data-types.js';
import { hashed } from './storage/hash-stream.js';
import { MANIFEST } from './storage/manifest.js';
import { joinKey, type BackupStore } from './storage/store.js';
import { cancellationError } from './context.js';
import { asFailure, BackupCorruptError, BackupNotFoundError, failure, FailureTypes } from './errors.js';
import type { Redactor } from './secrets.js';

const count = z.number().int().nonnegative();
const objectSchema = z.object({ name: z.string(), bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/), storageClass: z.string().optional() });
export type SetObject = z.infer<typeof objectSchema>;

// The fields every manifest has, postgres ones included.
const base = {
  version: z.literal(1),
  id: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  completedAt: z.string(),
  bytes: count,
  objects: z.array(objectSchema).min(1),
  durationMs: z.number().nonnegative(),
};

export const redisManifestSchema = z.object({
  ...base,
  kind: z.literal('redis'),
  format: z.literal('rdb'),
  compression: z.literal('none'),
  source: z.object({ host: z.string(), port: z.number().int() }),
  tools: z.object({ redis: z.string() }),
  redis: z.object({
    /** RDB format version from the file's header (`REDIS0010` → 10). */
    rdbVersion: z.number().int(),
    /** Keys per database at the instant of the fork (counted in the BGSAVE's transaction). */
    databases: z.record(z.string(), z.object({ keys: count, expires: count })),
    keys: count,
    aof: z.boolean(),
  }),
});

export const kafkaManifestSchema = z.object({
  ...base,
  kind: z.literal('kafka'),
  format: z.literal('json'),
  compression: z.literal('none'),
  source: z.object({ brokers: z.array(z.string()) }),
  tools: z.object({ kafkajs: z.string() }),
  kafka: z.object({ topics: count, partitions: count, groups: count, offsets: count }),
});

export const archiveManifestSchema = z.object({
  ...base,
  kind: z.literal('archive'),
  format: z.literal('tar'),
  compression: z.object({ algorithm: z.literal('gzip'), level: z.number().int() }),
  source: z.object({ host: z.string(), cwd: z.string() }),
  tools: z.object({ tar: z.string() }),
  archive: z.object({ paths: z.array(z.string()), files: count, unpackedBytes: count }),
});

export type RedisManifest = z.infer<typeof redisManifestSchema>;
export type KafkaManifest = z.infer<typeof kafkaManifestSchema>;
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;
export type DataManifest = RedisManifest | KafkaManifest | ArchiveManifest;
type Kind = DataManifest['kind'];
type ManifestOf<K extends Kind> = Extract<DataManifest, { kind: K }>;

const schemas: { [K in Kind]: z.ZodType<ManifestOf<K>> } = {
  redis: redisManifestSchema,
  kafka: kafkaManifestSchema,
  archive: archiveManifestSchema,
};

/** `20240315T120000Z-redis-6379-3f2a`: sortable by time, names the source, unique. */
export function newSetId(createdAt: Date, source: string): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${source.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'set'}-${randomBytes(2).toString('hex')}`;
}

/** Streams `body` into `<setKey>/<name>`, counting and hashing it on the way. */
export async function putObject(
  store: BackupStore,
  setKey: string,
  name: string,
  body: Readable,
  options: { signal?: AbortSignal; storageClass?: string; onBytes?: (bytes: number) => void } = {},
): Promise<SetObject> {
  const counter = hashed(body, options.onBytes);
  await store.put(joinKey(setKey, name), counter, { signal: options.signal, storageClass: options.storageClass });
  return { name, bytes: counter.bytes, sha256: counter.sha256, ...(options.storageClass ? { storageClass: options.storageClass } : {}) };
}

/** Writes the manifest: the last object of a set, after which it is a backup. */
export async function writeSetManifest(store: BackupStore, setKey: string, manifest: DataManifest): Promise<void> {
  await store.put(joinKey(setKey, MANIFEST), Readable.from([Buffer.from(JSON.stringify(manifest, null, 2) + '\n')]));
}

/** Deletes what a failed backup stored (best effort: without a manifest it is no backup anyway). */
export async function removeSet(store: BackupStore, setKey: string): Promise<void> {
  try {
    await store.delete((await store.list(`${setKey}/`)).map((o) => o.key));
  } catch {
    // storage.prune removes sets without a manifest later
  }
}

/**
 * What a failed backup throws, once what it stored is deleted: the cancellation when Temporal
 * cancelled it, StepTimedOut when its own timeout (`timedOutAfterMs`) cut it short, else the failure.
 */
export async function backupFailure(
  err: unknown,
  o: { store: BackupStore; setKey?: string; signal?: AbortSignal; what: string; redactor: Redactor; timedOutAfterMs?: number },
): Promise<Error> {
  if (o.setKey) await removeSet(o.store, o.setKey);
  if (o.signal?.aborted) return cancellationError(o.signal, o.what);
  if (o.timedOutAfterMs !== undefined) {
    return failure(FailureTypes.StepTimedOut, `${o.what} timed out after ${formatDuration(o.timedOutAfterMs)}; nothing was kept`, o.redactor);
  }
  return asFailure(err, `${o.what} failed`, o.redactor);
}

/**
 * The set `backup` names under `prefix`: an id, or `latest` (the newest complete set of `kind`
 * created at or before `before`). Throws BackupNotFoundError when there is none.
 */
export async function findSet<K extends Kind>(
  store: BackupStore,
  kind: K,
  prefix: string,
  backup: string,
  before?: Date,
): Promise<{ key: string; manifest: ManifestOf<K> }> {
  const root = joinKey(prefix);
  const manifests = (await store.list(`${root}/`)).filter((o) => o.key.endsWith(`/${MANIFEST}`)).map((o) => o.key.slice(0, -MANIFEST.length - 1));
  const where = `${store.location}/${root}`;
  if (backup !== 'latest') {
    const key = manifests.find((k) => k.split('/').at(-1) === backup);
    if (!key) throw new BackupNotFoundError(`No complete ${kind} backup with id "${backup}" in ${where}`);
    return { key, manifest: await readSetManifest(store, key, kind) };
  }
  // Ids start with their creation time, so the newest come first; other kinds are skipped.
  for (const key of manifests.sort((a, b) => (idOf(a) < idOf(b) ? 1 : -1))) {
    const manifest = await readSetManifest(store, key, kind).catch(() => undefined);
    if (manifest && (!before || Date.parse(manifest.createdAt) <= before.getTime())) return { key, manifest };
  }
  const when = before ? ` created before ${before.toISOString()}` : '';
  throw new BackupNotFoundError(`No complete ${kind} backup${when} in ${where}`);
}

const idOf = (key: string) => key.split('/').at(-1) ?? '';

/** Which set a restore used and its age at the incident: the RPO evidence every restore reports. */
export function restoredFrom(store: BackupStore, set: { key: string; manifest: DataManifest }, incidentAt: Date): RestoredFrom {
  const ageMs = incidentAt.getTime() - Date.parse(set.manifest.createdAt);
  const { id, prefix, createdAt, bytes } = set.manifest;
  return { id, prefix, createdAt, bytes, location: `${store.location}/${set.key}`, ageMs, age: formatDuration(Math.max(0, ageMs)) };
}

/** Reads and validates a set's manifest as `kind`. */
export async function readSetManifest<K extends Kind>(store: BackupStore, setKey: string, kind: K): Promise<ManifestOf<K>> {
  const raw = await text(await store.get(joinKey(setKey, MANIFEST)));
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new BackupCorruptError(`manifest ${joinKey(setKey, MANIFEST)} is not JSON`);
  }
  const parsed = schemas[kind].safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new BackupCorruptError(`manifest ${joinKey(setKey, MANIFEST)} is not a valid ${kind} manifest: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

/**
 * Streams an object of a set into `sink`, hashing it on the way; rejects with BackupCorruptError
 * when its size or sha256 differs from the manifest. The sink sees every byte before the verdict:
 * write into a scratch file and use it only once this resolved.
 */
export async function readVerified(
  store: BackupStore,
  setKey: string,
  object: SetObject,
  sink: Writable,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<void> {
  const counter = hashed(await store.get(joinKey(setKey, object.name), options.signal), options.onBytes);
  try {
    await pipeline(counter, sink, { signal: options.signal });
  } catch (err) {
    // The sink failed (a gzip error, say): when the object is damaged, that is the news, not the symptom.
    if (options.signal?.aborted) throw err;
    const check = hashed(await store.get(joinKey(setKey, object.name), options.signal));
    await pipeline(check, discard(), { signal: options.signal });
    assertMatches(setKey, object, check);
    throw err;
  }
  assertMatches(setKey, object, counter);
}

function assertMatches(setKey: string, object: SetObject, counter: { bytes: number; sha256: string }): void {
  if (counter.bytes !== object.bytes) {
    throw new BackupCorruptError(`${joinKey(setKey, object.name)} has ${counter.bytes} bytes, the manifest says ${object.bytes}: the object is truncated or damaged`);
  }
  if (counter.sha256 !== object.sha256) {
    throw new BackupCorruptError(`${joinKey(setKey, object.name)} does not match its manifest: sha256 ${counter.sha256}, expected ${object.sha256}`);
  }
}

/** A Writable that discards what it gets (for a verification pass). */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
