// followFile: a file read while it is still written, as a directory-format backup reads pg_dump's
// files (the end to end case, with pg_dump and the stores, is in
// test/integration/activities/postgres/backup.test.ts).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { followFile } from '../../../../src/activities/storage/follow-file.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-follow-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('followFile', () => {
  test('reads every byte written before and after it started, in order, and ends only once complete', async () => {
    const path = join(dir, 'growing.dat');
    const written: Buffer[] = [randomBytes(3000)];
    writeFileSync(path, written[0]!);
    const done = deferred();
    let ended = false;
    const reading = collect(followFile(path, done.promise, { chunkBytes: 1024, pollMs: 5 })).finally(() => (ended = true));
    // Writes of sizes below, at and above the read size, with pauses the reader catches up in.
    for (const size of [1, 1023, 1024, 1025, 5000, 0, 7]) {
      await sleep(15);
      const part = randomBytes(size);
      written.push(part);
      appendFileSync(path, part);
    }
    await sleep(30);
    assert.equal(ended, false, 'the stream ended before the writer said the file was complete');
    const last = randomBytes(2048);
    written.push(last);
    appendFileSync(path, last); // written just before completion: still read
    done.resolve();
    const got = await reading;
    const want = Buffer.concat(written);
    assert.equal(got.length, want.length);
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(want).digest('hex'));
  });

  test('a file complete from the start is read whole', async () => {
    const path = join(dir, 'whole.dat');
    const data = randomBytes(10_000);
    writeFileSync(path, data);
    assert.deepEqual(await collect(followFile(path, Promise.resolve(), { chunkBytes: 4096 })), data);
  });

  test("fails with the writer's reason when the writer fails, even mid-file", async () => {
    const path = join(dir, 'failed.dat');
    writeFileSync(path, randomBytes(100));
    const done = deferred();
    const reading = collect(followFile(path, done.promise, { pollMs: 5 }));
    await sleep(20);
    done.reject(new Error('pg_dump exited with code 1'));
    await assert.rejects(reading, /^Error: pg_dump exited with code 1$/);
  });

  test('stops on abort while waiting for more bytes', async () => {
    const path = join(dir, 'aborted.dat');
    writeFileSync(path, '');
    const controller = new AbortController();
    const reading = collect(followFile(path, new Promise(() => undefined), { pollMs: 5, signal: controller.signal }));
    await sleep(20);
    controller.abort(new Error('cancelled'));
    await assert.rejects(reading, (err: Error) => err.name === 'AbortError' || err.message === 'cancelled');
  });
});
