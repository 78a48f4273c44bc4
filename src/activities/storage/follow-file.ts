// Reads a file while another process still writes it, so its upload overlaps the writing instead of
// waiting for it: how a directory-format backup streams each table's file while `pg_dump -j` is
// still dumping it. The writer's side says when the file is complete (or that it never will be).
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  /** Bytes per read; default 1 MiB. */
  chunkBytes?: number;
  /** How long to wait at the end of what is written before looking again; default 50 ms. */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * The bytes of `path` as they are written. The stream ends once `complete` has resolved and every
 * byte is read; it fails with `complete`'s reason if that rejects (the writer failed), and on abort.
 */
export function followFile(path: string, complete: Promise<void>, options: FollowOptions = {}): Readable {
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const pollMs = options.pollMs ?? 50;
  let state: 'writing' | 'complete' | { failed: unknown } = 'writing';
  const settled = complete.then(
    () => void (state = 'complete'),
    (err: unknown) => void (state = { failed: err }),
  );
  async function* chunks(): AsyncGenerator<Buffer> {
    const file = await open(path, 'r');
    try {
      let buffer = Buffer.allocUnsafe(chunkBytes);
      for (let position = 0; ; ) {
        options.signal?.throwIfAborted();
        if (typeof state === 'object') throw state.failed;
        // Taken before the read: once complete, a read that finds nothing is the end of the file.
        const complete = state === 'complete';
        const { bytesRead } = await file.read(buffer, 0, chunkBytes, position);
        position += bytesRead;
        if (bytesRead === chunkBytes) {
          yield buffer;
          buffer = Buffer.allocUnsafe(chunkBytes);
        } else if (bytesRead > 0) {
          // Caught up with the writer: a copy of the few bytes, so the buffer is kept for the next read.
          yield Buffer.from(buffer.subarray(0, bytesRead));
        } else if (complete) return;
        else await Promise.race([sleep(pollMs, undefined, { signal: options.signal }), settled]);
      }
    } finally {
      await file.close();
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
