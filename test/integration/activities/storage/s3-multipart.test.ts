// The S3 store's streamed put (src/activities/storage/s3-multipart.ts) against the real S3 server:
// bodies of every size around the part boundary, chunked irregularly, come back byte for byte; a body
// that fails, a cancellation or a refused part leaves neither an object nor an unfinished upload.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { putStream } from '../../../../src/activities/storage/s3-multipart.js';
import type { S3BackupStore } from '../../../../src/activities/storage/s3-store.js';
import { backupTestEnv, s3Store } from '../../../helpers/backup.js';

const MiB = 1024 * 1024;
const PART = 5 * MiB; // S3's smallest part; the test store's part size

/** `data` as a stream of chunks of random sizes (1 B to 200 KiB), so parts end mid-chunk. */
function chunked(data: Buffer, seed = 1): Readable {
  let s = seed;
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = Math.min(data.length - at, 1 + (s % (200 * 1024)));
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks);
}

/** `good` bytes, then an error: a pg_dump whose pipe breaks mid-stream. */
function failingAfter(good: number, error: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= good) return this.destroy(error);
      const n = Math.min(256 * 1024, good - sent);
      sent += n;
      this.push(randomBytes(n));
    },
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(store: S3BackupStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The bucket key of the store's `key` (the test store has a folder of its own). */
const keyOf = (store: S3BackupStore, key: string) => new URL(store.urlOf(key)).pathname.slice(1);

/** Multipart uploads started under the store's folder and neither completed nor aborted. */
async function unfinishedUploads(store: S3BackupStore, bucket: string): Promise<string[]> {
  const res = await store.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: keyOf(store, '') }));
  return (res.Uploads ?? []).map((u) => u.Key ?? '');
}

describe('S3 store: streamed put', () => {
  const env = backupTestEnv();

  for (const size of [0, 1, PART - 1, PART, PART + 1, 2 * PART, 3 * PART + 12345]) {
    it(`stores ${size} bytes and reads the same back`, async () => {
      const store = s3Store(env);
      const data = randomBytes(size);
      const { bytes } = await store.put('obj', chunked(data, size + 7));
      assert.equal(bytes, size);
      const back = await readAll(store, 'obj');
      assert.equal(back.length, size);
      assert.equal(sha(back), sha(data));
      assert.deepEqual((await store.list()).map((o) => [o.key, o.bytes]), [['obj', size]]);
    });
  }

  it('takes strings and plain byte arrays as well as Buffers', async () => {
    const store = s3Store(env);
    const bytes = randomBytes(PART + 10);
    await store.put('mixed', Readable.from([new Uint8Array(bytes.buffer, bytes.byteOffset, 100), bytes.subarray(100)]));
    assert.equal(sha(await readAll(store, 'mixed')), sha(bytes));
    await store.put('text', Readable.from(['naïve ', 'text'], { objectMode: true }));
    assert.equal((await readAll(store, 'text')).toString('utf8'), 'naïve text');
  });

  it('keeps at most queueSize parts in flight and one filling, with parts in order', async () => {
    const store = s3Store(env);
    const data = randomBytes(7 * PART + 99);
    let inFlight = 0;
    let most = 0;
    const parts: number[] = [];
    // Counts UploadPart requests as the client sends them.
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand') return next(args);
        parts.push((args.input as { PartNumber: number }).PartNumber);
        most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countParts' },
    );
    const bytes = await putStream(store.client, { Bucket: env.s3.bucket, Key: keyOf(store, 'obj') }, chunked(data), {
      partSize: PART,
      queueSize: 2,
    });
    assert.equal(bytes, data.length);
    assert.deepEqual(parts, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(most <= 2, `at most 2 parts at once, saw ${most}`);
    assert.equal(sha(await readAll(store, 'obj')), sha(data));
  });

  it('parts grow as the object does (here every 2 parts), fewer at once, and the bytes come back the same', async () => {
    const store = s3Store(env);
    const data = randomBytes(9 * PART + 4321);
    const sizes: number[] = [];
    let inFlight = 0;
    const most: Record<number, number> = {};
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand') return next(args);
        const size = (args.input as { ContentLength: number }).ContentLength;
        sizes.push(size / PART);
        most[size] = Math.max(most[size] ?? 0, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'partSizes' },
    );
    const bytes = await putStream(store.client, { Bucket: env.s3.bucket, Key: keyOf(store, 'obj') }, chunked(data, 3), {
      partSize: PART,
      queueSize: 2,
      growEvery: 2,
    });
    assert.equal(bytes, data.length);
    // 5, 5, 10, 10 MiB, then what is left (45 MiB + 4321 B in all).
    assert.deepEqual(sizes.slice(0, 4), [1, 1, 2, 2]);
    assert.equal(sizes.length, 5);
    assert.ok(Math.abs(sizes[4]! * PART - (data.length - 6 * PART)) < 1);
    assert.ok((most[2 * PART] ?? 0) <= 1, `10 MiB parts one at a time (2 × 5 MiB of room), saw ${most[2 * PART]}`);
    assert.equal(sha(await readAll(store, 'obj')), sha(data));
  });

  it('a body that fails after two parts: the error, no object, no unfinished upload', async () => {
    const store = s3Store(env);
    const broken = new Error('pg_dump was killed with SIGKILL');
    await assert.rejects(store.put('obj', failingAfter(2 * PART + 100, broken)), (err: Error) => {
      assert.match(err.message, /pg_dump was killed with SIGKILL/);
      return true;
    });
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await unfinishedUploads(store, env.s3.bucket), []);
  });

  it('cancelled mid-stream: rejects with the reason, the body is destroyed, nothing is left', async () => {
    const store = s3Store(env);
    const cancel = new AbortController();
    let sent = 0;
    const body = new Readable({
      read() {
        sent += 256 * 1024;
        if (sent > 3 * PART) cancel.abort(new Error('step cancelled'));
        this.push(randomBytes(256 * 1024));
      },
    });
    await assert.rejects(store.put('obj', body, { signal: cancel.signal }), /step cancelled/);
    assert.ok(body.destroyed, 'the body is destroyed, so its producer stops');
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await unfinishedUploads(store, env.s3.bucket), []);
  });

  it('a part the server refuses while the body waits on its producer: rejected at once, nothing left', async () => {
    const store = s3Store(env);
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand' && (args.input as { PartNumber: number }).PartNumber === 2) {
          throw Object.assign(new Error('InternalError: the disk is full'), { name: 'InternalError' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'refusePart2' },
    );
    // Two parts and a bit, then nothing more for as long as the test lasts (a pg_dump waiting on a lock).
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent > 2 * PART) return;
        sent += 256 * 1024;
        this.push(randomBytes(256 * 1024));
      },
    });
    const outcome = await Promise.race([
      store.put('obj', body).then(
        () => 'stored',
        (err: Error) => err.message,
      ),
      sleep(10_000).then(() => 'still waiting'),
    ]);
    assert.match(outcome, /InternalError: the disk is full/);
    assert.ok(body.destroyed);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await unfinishedUploads(store, env.s3.bucket), []);
  });

  it('a bucket that does not exist: a clear error that names it, the body destroyed', async () => {
    const store = s3Store(env, 'no-such-bucket-here');
    const body = chunked(randomBytes(2 * PART));
    await assert.rejects(store.put('obj', body), /bucket "no-such-bucket-here" does not exist/);
    assert.ok(body.destroyed);
  });
});
