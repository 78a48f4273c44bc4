// Where backups live: one interface over a local directory and S3. Keys are `/`-separated paths
// relative to the store's root (`daily/<id>/dump.pgcustom`); a backup set is the objects under
// `<prefix>/<id>/`, complete only once its `manifest.json` exists (written last).
import type { Readable } from 'node:stream';

/** One stored object as a listing shows it. */
export interface StoredObject {
  key: string;
  bytes: number;
  /** Epoch milliseconds of the last write. */
  modifiedAt: number;
}

export interface PutOptions {
  /** S3 storage class (e.g. GLACIER_IR); ignored by the local directory store. */
  storageClass?: string;
  signal?: AbortSignal;
}

/** A place to put, read, list and delete backup objects. */
export interface BackupStore {
  /** Where the store is, for people: `s3://bucket/prefix` (endpoint) or a directory path. */
  readonly location: string;
  /** Address of an object or folder: `s3://bucket/prefix/key` or a file path. */
  urlOf(key: string): string;
  /** Fails with a StoreUnavailable error when the store cannot be used (bucket missing, folder not writable). */
  check(): Promise<void>;
  /** Streams `body` into `key`; the object only becomes visible once complete. Resolves with its size. */
  put(key: string, body: Readable, options?: PutOptions): Promise<{ bytes: number }>;
  /** The object's bytes as a stream; a StoreObjectMissing error when there is none. */
  get(key: string, signal?: AbortSignal): Promise<Readable>;
  /** Every object whose key starts with `prefix` (all when omitted), in key order. */
  list(prefix?: string): Promise<StoredObject[]>;
  /** Deletes the objects; keys that do not exist are ignored. */
  delete(keys: readonly string[]): Promise<void>;
}

/** Joins key segments with `/`, dropping empty ones and stray slashes. */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/');
}
