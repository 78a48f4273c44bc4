// A stream into one S3 object through a fixed set of part buffers, reused from part to part.
// `@aws-sdk/lib-storage` allocates a fresh part-sized buffer per part: on a 205 MB backup that was
// 25 allocations of 8 MB, each full garbage collection of the backup's process "requested" by that
// external memory, and a third of the upload path's CPU (BENCHMARKS.md, backup).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

export interface MultipartTarget {
  Bucket: string;
  Key: string;
  StorageClass?: StorageClass;
}

export interface MultipartOptions {
  /** Bytes of the first parts (S3's minimum is 5 MiB, except the last part). */
  partSize: number;
  /** Parts being sent at once; one more buffer is being filled meanwhile. */
  queueSize: number;
  /** Parts of one size before the size doubles (default 2,000; tests make it small). */
  growEvery?: number;
  signal?: AbortSignal;
}

/** S3 numbers parts 1 to 10,000. */
const MAX_PARTS = 10_000;
/** The part size doubles at most this often: 8 MiB parts end at 128 MiB, 484 GiB in 10,000 parts. */
const MAX_DOUBLINGS = 4;

/**
 * Streams `body` into `target`: a body shorter than one part is a single PutObject; a longer one a
 * multipart upload whose parts go `queueSize` at a time while the next one fills. Parts double in
 * size every `growEvery` parts (up to 16×), so 10,000 parts hold 484 GiB at 8 MiB; fewer go at once
 * as they grow, so the parts in flight stay within queueSize × partSize bytes (one part at least). On
 * any failure (the body's, a part's, `signal`) the body is destroyed, the parts in flight are
 * cancelled and waited for, and the upload is aborted, so no object appears. Resolves with the
 * number of bytes stored.
 */
export async function putStream(client: S3Client, target: MultipartTarget, body: Readable, options: MultipartOptions): Promise<number> {
  const { partSize, queueSize, growEvery = 2_000 } = options;
  const sizeOf = (part: number) => partSize * 2 ** Math.min(MAX_DOUBLINGS, Math.floor((part - 1) / growEvery));
  const limitOf = (size: number) => Math.max(1, Math.floor((queueSize * partSize) / size));

  // Until one part's worth has arrived the chunks are only kept: a small object costs no part buffer.
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  const free: Buffer[] = [];
  let current: Buffer | undefined;
  let filled = 0;
  let total = 0;
  let uploadId: string | undefined;
  let partNumber = 0;
  const parts: Array<{ PartNumber: number; ETag: string }> = [];
  const inFlight = new Set<Promise<void>>();
  // The first failure (the caller's signal, a part, the body) cancels the parts in flight and
  // destroys the body, so a body that is waiting for its producer does not hold the failure back.
  const cancel = new AbortController();
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    cancel.abort(error);
    body.destroy();
  };
  const onAbort = () => fail(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const check = () => {
    if (failure) throw failure.error;
  };

  const send = (buffer: Buffer, bytes: number): void => {
    const PartNumber = ++partNumber;
    const sent = client
      .send(new UploadPartCommand({ ...partOf(target), UploadId: uploadId, PartNumber, Body: buffer.subarray(0, bytes), ContentLength: bytes }), {
        abortSignal: cancel.signal,
      })
      .then(({ ETag }) => {
        if (!ETag) throw new Error(`part ${PartNumber}: the server's answer has no ETag`);
        parts.push({ PartNumber, ETag });
      })
      .catch(fail)
      .finally(() => {
        inFlight.delete(sent);
        free.push(buffer);
      });
    inFlight.add(sent);
  };
  /** An empty buffer for part `part`: a returned one of its size, else a new one (smaller ones are dropped). */
  const bufferFor = (part: number): Buffer => {
    const size = sizeOf(part);
    for (let b = free.pop(); b; b = free.pop()) if (b.length === size) return b;
    return Buffer.allocUnsafeSlow(size);
  };
  /** Sends the full part and takes an empty buffer for the next, waiting while enough parts are out. */
  const nextPart = async (): Promise<void> => {
    uploadId ??= (await client.send(new CreateMultipartUploadCommand(target), { abortSignal: cancel.signal })).UploadId;
    if (!uploadId) throw new Error('the server started a multipart upload without an UploadId');
    if (partNumber >= MAX_PARTS) {
      throw new Error(`the object is larger than S3's ${MAX_PARTS} parts can hold at these part sizes (${total} bytes so far)`);
    }
    while (inFlight.size >= limitOf(current!.length)) {
      await Promise.race(inFlight);
      check();
    }
    send(current!, filled);
    current = bufferFor(partNumber + 1);
    filled = 0;
  };

  try {
    for await (const piece of body as AsyncIterable<Buffer | Uint8Array | string>) {
      check();
      const chunk = asBuffer(piece);
      total += chunk.length;
      if (head) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < partSize) continue;
        // The object is at least a part long: from here on it goes through part buffers.
        current = bufferFor(1);
        const pending = head;
        head = undefined;
        for (const c of pending) await copyIn(c);
        continue;
      }
      await copyIn(chunk);
    }
    check();
    if (head) {
      const Body = head.length === 1 ? head[0]! : Buffer.concat(head, headBytes);
      await client.send(new PutObjectCommand({ ...target, Body, ContentLength: headBytes }), { abortSignal: cancel.signal });
      return total;
    }
    if (filled > 0) {
      await nextPart();
    }
    await Promise.all(inFlight);
    check();
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new CompleteMultipartUploadCommand({ ...partOf(target), UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: cancel.signal },
    );
    return total;
  } catch (err) {
    fail(err);
    await Promise.allSettled(inFlight);
    if (uploadId) {
      // Not with the cancelled signal: the abort itself must go out.
      await client.send(new AbortMultipartUploadCommand({ ...partOf(target), UploadId: uploadId })).catch(() => undefined);
    }
    throw failure!.error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  /** Copies `chunk` into the current part, sending each part that fills. */
  async function copyIn(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, current!.length - filled);
      chunk.copy(current!, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === current!.length) await nextPart();
    }
  }
}

/** A stream's chunk as a Buffer, without a copy where it is bytes already. */
function asBuffer(piece: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(piece)) return piece;
  return typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
}

/** The fields an UploadPart, CompleteMultipartUpload or AbortMultipartUpload takes from the target. */
function partOf(target: MultipartTarget): { Bucket: string; Key: string } {
  return { Bucket: target.Bucket, Key: target.Key };
}
