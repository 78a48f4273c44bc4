// startTool and its process group, with stand-in tools (shell scripts named like the PostgreSQL
// tools, through binDir): what is left of a group whose leader was killed or failed is stopped at
// once. The real tools' cases (pg_dump killed mid-way) are in backup-faults.test.ts.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTool } from '../../../../src/activities/postgres/tools.js';
import { supervisorAvailable } from '../../../../src/activities/supervise.js';
import { Redactor } from '../../../../src/activities/secrets.js';
import { leftInGroup, runningInGroup } from '../../../helpers/process-groups.js';

const bin = mkdtempSync(join(tmpdir(), 'dr-tools-'));
after(() => rmSync(bin, { recursive: true, force: true }));

/** A `pg_dump` that starts a helper holding its stderr (as pg_dump -j's workers do), then runs `then`. */
function standIn(then: string): void {
  const path = join(bin, 'pg_dump');
  writeFileSync(path, `#!/bin/sh\nsleep 600 &\necho "pg_dump: dumping" >&2\n${then}\n`);
  chmodSync(path, 0o755);
}

describe('startTool', () => {
  it('stops what is left of the group when its leader dies, and reports the death at once', async () => {
    standIn('sleep 600');
    let pid: number | undefined;
    const run = startTool('pg_dump', ['-Fd'], { binDir: bin, redactor: new Redactor(), killGraceMs: 200, onSpawn: (p) => (pid = p) });
    await sleep(300);
    assert.ok(pid && runningInGroup(pid).length >= 2);
    process.kill(pid, 'SIGKILL'); // the leader only: the helper and the script are orphaned
    const exit = await Promise.race([run.exited, sleep(20_000).then(() => 'still waiting' as const)]);
    assert.notEqual(exit, 'still waiting', 'the orphaned helper kept the tool from ending');
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
    assert.deepEqual(await leftInGroup(pid), []);
  });

  it('a tool that failed on its own: the helper it left is stopped too', async () => {
    standIn('exit 3');
    let pid: number | undefined;
    const run = startTool('pg_dump', [], { binDir: bin, redactor: new Redactor(), killGraceMs: 200, onSpawn: (p) => (pid = p) });
    const exit = await Promise.race([run.exited, sleep(20_000).then(() => 'still waiting' as const)]);
    assert.deepEqual(exit, { code: 3, signal: null });
    assert.deepEqual(await leftInGroup(pid!), []);
  });

  it('a tool whose output is read from a pipe runs under stdbuf (1 MiB writes), and a missing tool still says so', async (t) => {
    if (!supervisorAvailable()) return t.skip('no setpriv/timeout here: tools run unsupervised and unbuffered');
    // stdbuf passes the buffer size to the tool's C stdio through its environment.
    const path = join(bin, 'pg_restore');
    writeFileSync(path, `#!/bin/sh\necho "stdout buffer: \${_STDBUF_O:-none}"\n`);
    chmodSync(path, 0o755);
    const chunks: Buffer[] = [];
    const run = startTool('pg_restore', [], { binDir: bin, redactor: new Redactor(), stdout: 'pipe' });
    run.stdout!.on('data', (c: Buffer) => chunks.push(c));
    assert.deepEqual(await run.exited, { code: 0, signal: null });
    assert.equal(Buffer.concat(chunks).toString(), 'stdout buffer: 1048576\n');

    const missing = startTool('pg_dump', [], { binDir: join(bin, 'nowhere'), redactor: new Redactor(), stdout: 'pipe' });
    assert.match((await missing.exited).error ?? '', /pg_dump not found \(install the PostgreSQL client tools or set DR_PG_BIN_DIR\)/);
  });
});
