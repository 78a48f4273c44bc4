// A pass-through that counts and hashes what flows through it: how every backup object gets its
// size and sha256 on the way to the store, without a second read.
import { createHash, type Hash } from 'node:crypto';
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';

/** Counts and hashes (sha256) the bytes that flow through. */
export class HashCounter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private digest?: string;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  /** The hex sha256 of everything that went through; call once the stream has ended. */
  get sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }
}

/** `source` piped through a HashCounter; an error on either side destroys both. */
export function hashed(source: Readable, onBytes?: (bytes: number) => void): HashCounter {
  const counter = new HashCounter(onBytes);
  pipeline(source, counter, () => undefined);
  return counter;
}
