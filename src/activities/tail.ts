// Bounded capture of a stream: keeps only the last `cap` bytes however much goes through, so a
// pg_restore printing gigabytes of notices cannot exhaust the worker's memory.
import type { Redactor } from './secrets.js';

/** Keeps the tail of a byte stream, plus the last non-empty line for heartbeats. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private total = 0;
  private partial = '';
  lastLine = '';

  /** @param keep bytes kept in memory: the cap plus a margin so a secret cut at the start can be recognised */
  constructor(
    private readonly cap: number,
    private readonly keep = cap,
  ) {}

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.total += buf.length;
    this.chunks.push(buf);
    this.size += buf.length;
    while (this.size - this.chunks[0]!.length >= this.keep) this.size -= this.chunks.shift()!.length;
    this.trackLastLine(buf);
  }

  /** True when more than `cap` bytes went through. */
  get truncated(): boolean {
    return this.total > this.cap;
  }

  /** The captured tail as text: redacted, at most `cap` bytes, final newline removed. */
  text(redactor: Redactor): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.keep) buf = buf.subarray(buf.length - this.keep);
    let text = redactor.redact(decode(buf), this.truncated);
    const bytes = Buffer.from(text);
    if (bytes.length > this.cap) text = redactor.redact(decode(bytes.subarray(bytes.length - this.cap)), true);
    return text.replace(/\r?\n$/, '');
  }

  private trackLastLine(buf: Buffer): void {
    // Only the end of the chunk matters; a bounded slice keeps this cheap for huge chunks.
    const text = this.partial + buf.subarray(Math.max(0, buf.length - 1024)).toString('utf8');
    const lines = text.split(/\r?\n/);
    this.partial = (lines.pop() ?? '').slice(-1024);
    const last = [...lines].reverse().find((l) => l.trim() !== '');
    // An unfinished line (a progress counter without newline) is the freshest news.
    if (this.partial.trim() !== '') this.lastLine = this.partial.slice(-200);
    else if (last !== undefined) this.lastLine = last.slice(-200);
  }
}

/** Decodes UTF-8, dropping a character cut in half at the start. */
function decode(buf: Buffer): string {
  let start = 0;
  while (start < buf.length && start < 4 && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString('utf8');
}

/** The last `n` lines of `text`, for error messages. */
export function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}
