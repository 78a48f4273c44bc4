// The S3 store: AWS or any S3-compatible server (endpoint and path-style configurable), with
// credentials from the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles,
// instance roles). Uploads are multipart and streamed (s3-multipart.ts): memory is bounded whatever
// the object's size, and an aborted upload leaves no object behind.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { putStream } from './s3-multipart.js';
import { joinKey, type BackupStore, type PutOptions, type StoredObject } from './store.js';
import { StoreObjectMissingError, StoreUnavailableError } from '../errors.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket under which everything is stored. */
  root?: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials (tests); default: the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Bytes per multipart part (min 5 MiB); default 8 MiB. */
  partSize?: number;
  /** Parts uploaded at once; default 4. */
  queueSize?: number;
}

export class S3BackupStore implements BackupStore {
  readonly location: string;
  readonly client: S3Client;
  private readonly root: string;

  constructor(private readonly options: S3StoreOptions) {
    this.root = joinKey(options.root ?? '');
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Our own sha256 per object is the integrity check; the SDK's extra CRC headers are not
      // understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = new S3Client(config);
    this.location = `s3://${joinKey(options.bucket, this.root)}${options.endpoint ? ` (${options.endpoint})` : ''}`;
  }

  private key(key: string): string {
    return joinKey(this.root, key);
  }

  urlOf(key: string): string {
    return `s3://${joinKey(this.options.bucket, this.key(key))}`;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<{ bytes: number }> {
    // Not hashed here: backup objects are hashed by their callers (the manifest's sha256); a second
    // sha256 here cost a pass over every byte.
    try {
      const bytes = await putStream(
        this.client,
        { Bucket: this.options.bucket, Key: this.key(key), StorageClass: options.storageClass as StorageClass | undefined },
        body,
        { partSize: this.options.partSize ?? 8 * 1024 * 1024, queueSize: this.options.queueSize ?? 4, signal: options.signal },
      );
      return { bytes };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      throw this.unavailable(err, key);
    }
  }

  async get(key: string, signal?: AbortSignal): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }), { abortSignal: signal });
      if (!(res.Body instanceof Readable)) throw new Error('the response has no body stream');
      return res.Body;
    } catch (err) {
      if (errorName(err) === 'NoSuchKey') throw new StoreObjectMissingError(this.location, key);
      throw this.unavailable(err, key);
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const full = this.root && !prefix ? `${this.root}/` : this.key(prefix) + (prefix.endsWith('/') ? '/' : '');
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: full || undefined, ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) {
          if (!o.Key) continue;
          const key = this.root ? o.Key.slice(this.root.length + 1) : o.Key;
          out.push({ key, bytes: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() ?? 0 });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.unavailable(err);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((k) => ({ Key: this.key(k) }));
      try {
        const res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: batch, Quiet: true } }));
        const failed = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        if (failed.length > 0) throw new Error(`${failed.length} object(s) not deleted, first: ${failed[0]!.Key} (${failed[0]!.Code}: ${failed[0]!.Message})`);
      } catch (err) {
        throw this.unavailable(err);
      }
    }
  }

  private unavailable(err: unknown, key?: string): StoreUnavailableError {
    const name = errorName(err);
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const what = key ? ` (object ${key})` : '';
    if (name === 'NoSuchBucket' || (name === 'NotFound' && !key) || (status === 404 && !key)) {
      return new StoreUnavailableError(this.location, `bucket "${this.options.bucket}" does not exist`);
    }
    if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
      return new StoreUnavailableError(this.location, `access denied${what}: check the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the bucket policy`);
    }
    if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
      return new StoreUnavailableError(this.location, `the credentials were refused (${name})${what}`);
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    return new StoreUnavailableError(this.location, `${code ?? name ?? 'error'}${what}: ${message}`);
  }
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string; Code?: string }).Code ?? (err as { name?: string }).name;
}
