// The supervisor's argv: setpriv, timeout, and stdbuf only where a caller reads the command's stdout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { supervised, supervisorAvailable, supervisorSpawnError } from '../../../src/activities/supervise.js';

describe('supervised', () => {
  it('wraps in setpriv and timeout; adds stdbuf -o only when asked', (t) => {
    if (!supervisorAvailable()) return t.skip('no setpriv/timeout on this machine');
    const plain = supervised('pg_dump', ['-Fc'], 5_000);
    assert.deepEqual([plain.file, ...plain.args], ['setpriv', '--pdeathsig', 'SIGTERM', '--', 'timeout', '--kill-after', '5s', '0', 'pg_dump', '-Fc']);
    const buffered = supervised('pg_dump', ['-Fc'], 5_000, { stdoutBuffer: 1 << 20 });
    assert.deepEqual(buffered.args.slice(-5), ['stdbuf', '-o', '1048576', 'pg_dump', '-Fc']);
    assert.ok(buffered.wrapped);
  });

  it('reads a command that could not start from either wrapper, and nothing else', () => {
    assert.equal(supervisorSpawnError(127, "timeout: failed to run command 'pg_dump': No such file or directory\n"), 'ENOENT');
    assert.equal(supervisorSpawnError(127, "stdbuf: failed to run command 'pg_dump': No such file or directory\n"), 'ENOENT');
    assert.equal(supervisorSpawnError(126, "stdbuf: failed to run command '/x/pg_dump': Permission denied\n"), 'EACCES');
    assert.equal(supervisorSpawnError(127, 'sh: 1: psql: not found\n'), undefined, "the command's own 127");
    assert.equal(supervisorSpawnError(1, "stdbuf: failed to run command 'pg_dump'\n"), undefined);
  });
});
