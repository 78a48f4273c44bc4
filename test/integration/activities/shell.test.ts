// runShell against real processes: argv without a shell, bash scripts, failures, timeouts, the
// output cap, process-group kills on cancellation, and secrets resolved but never shown.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runShell, type ShellOptions } from '../../../src/activities/shell.js';
import type { ShellInput } from '../../../src/activities/types.js';
import { eventually } from '../../helpers/wait.js';

const base = { runId: 'run-1', stepId: 'step-1', env: {}, okExitCodes: [0] };
const run = (input: Partial<ShellInput>, options?: ShellOptions) => runShell({ ...base, ...input }, options);
const tmp = mkdtempSync(join(tmpdir(), 'dr-shell-'));

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)]).toString().trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

/** Starts a script that writes the pids of bash and its two children to a file, then waits. */
async function startTree(pidFile: string, input: Partial<ShellInput>, options: ShellOptions) {
  const script = `${input.script ?? ''}sleep 100 & echo $! >> ${pidFile}; sleep 100 & echo $! >> ${pidFile}; echo $$ >> ${pidFile}; wait`;
  const promise = run({ ...input, script }, options);
  promise.catch(() => {}); // inspected below
  assert.ok(await eventually(() => readPids(pidFile).length === 3, { timeoutMs: 5_000, everyMs: 25 }), 'the script wrote its pids');
  const pids = readPids(pidFile);
  assert.ok(pids.every(alive));
  return { promise, pids };
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { type?: string; nonRetryable?: boolean; details?: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('Expected a rejection, got a result');
}

describe('runShell', () => {
  it('passes argv values verbatim, without a shell', async () => {
    const args = ['a b', '$(echo hacked)', 'x; touch /tmp/dr-pwned', '`id`', '*', "it's"];
    const result = await run({ command: ['printf', '%s\\n', ...args] });
    assert.equal(result.stdout, args.join('\n'));
    assert.equal(result.exitCode, 0);
    assert.equal(result.truncated, false);
    assert.equal(result.display, `printf '%s\\n' 'a b' '$(echo hacked)' 'x; touch /tmp/dr-pwned' '\`id\`' '*' 'it'\\''s'`);
  });

  it('runs scripts with bash -euo pipefail', async () => {
    const ok = await run({ script: 'echo one | tr a-z A-Z\necho two >&2' });
    assert.deepEqual([ok.stdout, ok.stderr, ok.display], ['ONE', 'two', 'echo one | tr a-z A-Z …']);
    await assert.rejects(run({ script: 'false | true' }), { type: 'StepCommandFailed', message: 'Command failed with exit code 1: false | true' });
    await assert.rejects(run({ script: 'echo "$DR_UNSET_VARIABLE"' }), (err: Error) => {
      assert.match(err.message, /^Command failed with exit code 1: echo "\$DR_UNSET_VARIABLE"\nbash: line 1: DR_UNSET_VARIABLE: unbound variable$/);
      return true;
    });
  });

  it('runs in cwd', async () => {
    assert.equal((await run({ command: ['pwd'], cwd: tmp })).stdout, tmp);
    await assert.rejects(run({ command: ['pwd'], cwd: join(tmp, 'missing') }), {
      type: 'StepCommandFailed',
      message: `Working directory not found: ${join(tmp, 'missing')}`,
    });
  });

  it('fails with the exit code, the command and the tail of stderr', async () => {
    const err = await rejection(run({ command: ['bash', '-c', 'echo out; echo e1 >&2; echo e2 >&2; exit 2'] }));
    assert.deepEqual([err.name, err.type, err.nonRetryable], ['ApplicationFailure', 'StepCommandFailed', true]);
    assert.equal(err.message, `Command failed with exit code 2: bash -c 'echo out; echo e1 >&2; echo e2 >&2; exit 2'\ne1\ne2`);
    assert.deepEqual(err.details, [
      { display: `bash -c 'echo out; echo e1 >&2; echo e2 >&2; exit 2'`, exitCode: 2, stdout: 'out', stderr: 'e1\ne2' },
    ]);
    const many = await rejection(run({ script: 'for i in $(seq 1 30); do echo "line $i" >&2; done; exit 3' }));
    const lines = many.message.split('\n');
    assert.equal(lines.length, 21);
    assert.deepEqual([lines[1], lines[20]], ['line 11', 'line 30']);
  });

  it('accepts okExitCodes', async () => {
    assert.equal((await run({ script: 'exit 2', okExitCodes: [0, 2] })).exitCode, 2);
  });

  it('says when the command does not exist', async () => {
    await assert.rejects(run({ command: ['pg_dumpx', '--version'] }), { type: 'StepCommandFailed', nonRetryable: true, message: 'Command not found: pg_dumpx' });
  });

  it('times out, saying the limit, and kills the process group', async () => {
    const pidFile = join(tmp, 'timeout.pids');
    const started = Date.now();
    const { promise, pids } = await startTree(pidFile, { script: 'echo started\n', timeoutMs: 600 }, {});
    await assert.rejects(promise, {
      type: 'StepTimedOut',
      nonRetryable: true,
      message: `Command timed out after 600ms: echo started …\nstarted`,
    });
    assert.ok(Date.now() - started < 5_000);
    assert.ok(await eventually(() => !pids.some(alive), { timeoutMs: 2_000, everyMs: 25 }), `no process of the group survives: ${pids.filter(alive).join(', ')}`);
  });

  it('keeps the tail of huge output in bounded memory', async () => {
    const small = await run({ command: ['seq', '1', '100000'] }, { outputCapBytes: 1_000 });
    assert.equal(small.truncated, true);
    assert.ok(Buffer.byteLength(small.stdout) <= 1_000);
    assert.ok(small.stdout.endsWith('\n99999\n100000'));
    assert.ok(!small.stdout.includes('\n50000\n'));
    const before = process.memoryUsage().rss;
    const big = await run({ script: 'head -c 300000000 /dev/zero | tr "\\0" x; echo; echo END' }, { outputCapBytes: 16_384 });
    assert.ok(big.stdout.endsWith('xxx\nEND'));
    assert.ok(big.truncated);
    assert.ok(process.memoryUsage().rss - before < 100_000_000, 'did not buffer 300 MB');
  });

  it('on cancellation kills the whole process group', async () => {
    const controller = new AbortController();
    const pidFile = join(tmp, 'cancel.pids');
    const { promise, pids } = await startTree(pidFile, {}, { signal: controller.signal });
    controller.abort();
    await assert.rejects(promise, { name: 'CancelledFailure' });
    assert.ok(await eventually(() => !pids.some(alive), { timeoutMs: 2_000, everyMs: 25 }), `no process of the group survives: ${pids.filter(alive).join(', ')}`);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const controller = new AbortController();
    const pidFile = join(tmp, 'stubborn.pids');
    const { promise, pids } = await startTree(pidFile, { script: "trap '' TERM\n" }, { signal: controller.signal, killGraceMs: 300 });
    controller.abort();
    await assert.rejects(promise, { name: 'CancelledFailure' });
    assert.ok(await eventually(() => !pids.some(alive), { timeoutMs: 2_000, everyMs: 25 }), `no process of the group survives: ${pids.filter(alive).join(', ')}`);
  });

  it('resolves secret references in env, and redacts their values from output and errors', async () => {
    const secretFile = join(tmp, 'token');
    writeFileSync(secretFile, 'file-Token-123\n');
    const options = { env: { DR_TEST_PW: 's3cr3t-Value' } };
    const env = { PGPASSWORD: 'env:DR_TEST_PW', TOKEN: `file:${secretFile}`, PLAIN: 'visible' };
    const ok = await run({ env, script: 'echo "pw=$PGPASSWORD token=$TOKEN plain=$PLAIN"; echo "$PGPASSWORD" >&2; test "$PGPASSWORD$TOKEN" = s3cr3t-Valuefile-Token-123' }, options);
    assert.deepEqual([ok.stdout, ok.stderr], ['pw=*** token=*** plain=visible', '***']);
    const err = await rejection(run({ env, script: 'echo "login failed for $PGPASSWORD" >&2; exit 1' }, options));
    assert.equal(err.message, 'Command failed with exit code 1: echo "login failed for $PGPASSWORD" >&2; exit 1\nlogin failed for ***');
    assert.ok(!JSON.stringify(err.details).includes('s3cr3t'));
    await assert.rejects(run({ env: { X: 'env:DR_TEST_MISSING' }, command: ['true'] }, options), {
      type: 'SecretUnresolved',
      nonRetryable: true,
      message: 'Secret env:DR_TEST_MISSING is not set: environment variable DR_TEST_MISSING is undefined on the worker',
    });
  });

  it('heartbeats with the elapsed time and the last line, redacted', async () => {
    const beats: Array<{ elapsedMs: number; lastLine: string }> = [];
    await run(
      { env: { PW: 'env:DR_TEST_PW' }, script: 'echo "progress $PW"; sleep 0.4' },
      { env: { DR_TEST_PW: 'hunter2-pw' }, heartbeat: (d) => beats.push(d as (typeof beats)[number]), heartbeatEveryMs: 100 },
    );
    assert.ok(beats.length >= 2);
    assert.equal(beats.at(-1)!.lastLine, 'progress ***');
    assert.ok(beats.at(-1)!.elapsedMs >= 200);
  });
});
