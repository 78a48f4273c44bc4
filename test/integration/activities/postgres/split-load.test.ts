// splitLoad's feeding of several COPY sessions when they fall behind: every row reaches exactly one
// session, and waiting for a session to drain leaves no listeners behind. The tools are stand-ins
// (this tests the feeding, not PostgreSQL; split-restore.test.ts covers the real restore): a
// `pg_restore` that prints a COPY block of numbered rows and `psql` sessions slower than it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitLoad } from '../../../../src/activities/postgres/split-load.js';
import { startTool } from '../../../../src/activities/postgres/tools.js';
import { Redactor } from '../../../../src/activities/secrets.js';

const ROWS = 300_000;

describe('split load feeding sessions that fall behind', () => {
  it('every row reaches one session once, and no drain listener is left behind', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'dr-split-'));
    const out = mkdtempSync(join(tmpdir(), 'dr-split-out-'));
    writeFileSync(
      join(bin, 'pg_restore'),
      `#!/bin/bash\nprintf 'SET statement_timeout = 0;\\nCOPY public.t (a) FROM stdin;\\n'\nseq 1 ${ROWS} | sed 's/$/\\tsome text of a row/'\nprintf '\\\\.\\n'\n`,
    );
    // Reads in small bites with pauses, one session much slower than the other: the feeder finds
    // both backed up again and again, and the slow one stays so while the other drains many times.
    writeFileSync(
      join(bin, 'psql'),
      [
        '#!/usr/bin/env python3',
        'import os, sys, time',
        'try:',
        `  os.close(os.open('${out}/slow', os.O_CREAT | os.O_EXCL)); pause = 0.02`,
        'except FileExistsError:',
        '  pause = 0.0005',
        `with open('${out}/session-%d' % os.getpid(), 'wb') as f:`,
        '  while b := sys.stdin.buffer.read1(4096):',
        '    f.write(b)',
        '    time.sleep(pause)',
        '',
      ].join('\n'),
    );
    for (const f of ['pg_restore', 'psql']) chmodSync(join(bin, f), 0o755);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const tool = { binDir: bin, redactor: new Redactor() };
    const source = startTool('pg_restore', ['-a'], { ...tool, stdout: 'pipe' });
    try {
      await splitLoad(source, 2, { ...tool, onSpawn: () => undefined }, 'postgresql://unused/db', () => undefined);
    } finally {
      process.off('warning', onWarning);
    }
    const sessions = readdirSync(out).filter((f) => f.startsWith('session-'));
    const rows = sessions.flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    assert.equal(sessions.length, 2);
    assert.equal(rows.length, ROWS);
    assert.deepEqual(new Set(rows.map((r) => Number(r.split('\t')[0]))).size, ROWS);
    assert.ok(rows.every((r) => r.endsWith('\tsome text of a row')), 'rows were cut only at line ends');
    assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
  });
});
