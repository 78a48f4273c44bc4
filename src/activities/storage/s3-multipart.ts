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
  /** Bytes per part (S3's minimum is 5 MiB, except the last part). */
  partSize: number;
  /** Parts being sent at once; one more buffer is being filled meanwhile. */
  queueSize: number;
  signal?: AbortSignal;
}

/**
 * Streams `body` into `target`: a body shorter than one part is a single PutObject; a longer one a
 * multipart upload whose parts go `queueSize` at a time while the next one fills. Memory is at most
 * (queueSize + 1) × partSize whatever the object's size. On any failure (the body's, a part's,
 * `signal`) the body is destroyed, the parts in flight are cancelled and waited for, and the upload is
 * aborted, so no object appears. Resolves with the number of bytes stored.
 */
export async function putStream(client: S3Client, target: MultipartTarget, body: Readable, options: MultipartOptions): Promise<number> {
  const { partSize, queueSize } = options;

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
  /** Sends the full part and takes an empty buffer for the next, waiting while `queueSize` parts are out. */
  const nextPart = async (): Promise<void> => {
    uploadId ??= (await client.send(new CreateMultipartUploadCommand(target), { abortSignal: cancel.signal })).UploadId;
    if (!uploadId) throw new Error('the server started a multipart upload without an UploadId');
    while (inFlight.size >= queueSize) {
      await Promise.race(inFlight);
      check();
    }
    send(current!, filled);
    current = free.pop() ?? Buffer.allocUnsafeSlow(partSize);
    filled = 0;
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      check();
      total += chunk.length;
      if (head) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < partSize) continue;
        // The object is at least a part long: from here on it goes through part buffers.
        current = Buffer.allocUnsafeSlow(partSize);
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
      const n = Math.min(chunk.length - offset, partSize - filled);
      chunk.copy(current!, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === partSize) await nextPart();
    }
  }
}

/** The fields an UploadPart, CompleteMultipartUpload or AbortMultipartUpload takes from the target. */
function partOf(target: MultipartTarget): { Bucket: string; Key: string } {
  return { Bucket: target.Bucket, Key: target.Key };
}
