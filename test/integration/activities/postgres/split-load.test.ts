// splitLoad's feeding of several COPY sessions when they fall behind: every row reaches exactly one
// session, cut only at line ends, and waiting for a session to drain leaves no listeners behind.
// The sessions here are stand-ins (Writables slower than the source: this tests the feeding, not
// PostgreSQL; split-restore.test.ts covers the real restore through pg COPY sessions), and the
// source is a stand-in `pg_restore` printing a COPY block of numbered rows.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { splitLoad, type CopySession, type OpenCopySession } from '../../../../src/activities/postgres/split-load.js';
import { startTool } from '../../../../src/activities/postgres/tools.js';
import { Redactor } from '../../../../src/activities/secrets.js';

const ROWS = 300_000;

/** A stand-in `pg_restore -a -f -` printing `rows` numbered rows of table t, then `tail` (the end marker by default). */
function fakeRestore(rows: number, tail = "printf '\\\\.\\n'"): { binDir: string; redactor: Redactor } {
  const bin = mkdtempSync(join(tmpdir(), 'dr-split-'));
  writeFileSync(
    join(bin, 'pg_restore'),
    [
      '#!/bin/bash',
      "cat <<'HEADER'",
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'COPY public.t (a) FROM stdin;',
      'HEADER',
      `seq 1 ${rows} | sed 's/$/\\tsome text of a row/'`,
      tail,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'pg_restore'), 0o755);
  return { binDir: bin, redactor: new Redactor() };
}

interface FakeSession extends CopySession {
  copy: string;
  settings: string[];
  chunks: Buffer[];
}

/** Sessions that take small bites with pauses; the first much slower than the others. `fails` makes session `fails.index` fail after `fails.afterBytes`. */
function fakeSessions(fails?: { index: number; afterBytes: number }): { open: OpenCopySession; sessions: FakeSession[] } {
  const sessions: FakeSession[] = [];
  const open: OpenCopySession = async (copy, settings, index) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const stream = new Writable({
      highWaterMark: 4096,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        bytes += chunk.length;
        if (fails?.index === index && bytes > fails.afterBytes) return cb(new Error('the server closed the connection'));
        setTimeout(cb, index === 0 ? 2 : 0);
      },
    });
    let error: Error | undefined;
    const done = new Promise<void>((resolve, reject) => {
      stream.once('finish', resolve);
      stream.once('error', (err) => reject((error ??= err)));
    });
    done.catch(() => undefined);
    const session: FakeSession = {
      copy,
      settings,
      chunks,
      stream,
      done,
      get error() {
        return error;
      },
      stop: () => stream.destroy(new Error('stopped')),
    };
    sessions.push(session);
    return session;
  };
  return { open, sessions };
}

describe('split load feeding sessions that fall behind', () => {
  for (const jobs of [2, 3]) it(`${jobs} sessions: every row reaches one session once, and no drain listener is left behind`, async () => {
    const tool = fakeRestore(ROWS);
    const { open, sessions } = fakeSessions();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    let reported = 0;
    try {
      await splitLoad(startTool('pg_restore', ['-a'], { ...tool, stdout: 'pipe' }), jobs, open, (sent) => (reported = sent));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(sessions.length, jobs);
    for (const s of sessions) {
      assert.equal(s.copy, 'COPY public.t (a) FROM STDIN');
      assert.deepEqual(s.settings, ['SET statement_timeout = 0;', "SELECT pg_catalog.set_config('search_path', '', false);"]);
    }
    const texts = sessions.map((s) => Buffer.concat(s.chunks).toString('utf8'));
    assert.ok(texts.every((t) => t.length > 0 && t.endsWith('\n')), 'every session got rows, each ending at a line end');
    const rows = texts.flatMap((t) => t.split('\n').filter(Boolean));
    assert.equal(rows.length, ROWS);
    assert.equal(new Set(rows.map((r) => Number(r.split('\t')[0]))).size, ROWS);
    assert.ok(rows.every((r) => /^\d+\tsome text of a row$/.test(r)), 'rows were cut only at line ends');
    assert.equal(reported, texts.reduce((n, t) => n + Buffer.byteLength(t), 0), 'progress counts every byte sent');
    assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
  });

  it('a session that fails stops the others and pg_restore, and the call rejects with its error', async () => {
    const tool = fakeRestore(ROWS);
    const { open, sessions } = fakeSessions({ index: 1, afterBytes: 200_000 });
    const source = startTool('pg_restore', ['-a'], { ...tool, stdout: 'pipe' });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await assert.rejects(splitLoad(source, 2, open), /the server closed the connection/);
    assert.ok(sessions.every((s) => s.stream.destroyed), 'every session stopped');
    await delay(20); // the stand-in sessions' own pauses end
    assert.equal(timers(), before, 'no timer of the load keeps the process alive after it failed');
    assert.notEqual((await source.exited).signal ?? (await source.exited).code, 0, 'pg_restore was stopped, not left to finish');
  });

  it('a COPY block without its end marker is refused, and no session commits', async () => {
    const tool = fakeRestore(1000, 'true');
    const { open, sessions } = fakeSessions();
    await assert.rejects(splitLoad(startTool('pg_restore', ['-a'], { ...tool, stdout: 'pipe' }), 2, open), /no complete COPY data for the table \(no end marker\)/);
    assert.ok(sessions.every((s) => s.stream.destroyed && !s.stream.writableFinished), 'the sessions were stopped, not ended (ending one commits its rows)');
  });

  it('the caller\'s signal stops the load at once', async () => {
    const tool = fakeRestore(ROWS);
    const { open, sessions } = fakeSessions();
    const stop = new AbortController();
    const load = splitLoad(startTool('pg_restore', ['-a'], { ...tool, stdout: 'pipe' }), 2, open, () => undefined, stop.signal);
    load.catch(() => undefined); // asserted below
    await delay(50);
    stop.abort(new Error('cancelled by the step'));
    await assert.rejects(load, /cancelled by the step/);
    assert.ok(sessions.every((s) => s.stream.destroyed && !s.stream.writableFinished));
  });
});
