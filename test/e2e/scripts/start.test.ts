// `npm start` end to end: the real scripts/start.ts (through scripts/bootstrap.mjs, as `npm start` runs it) on its own state dir and ports (7253 / 8253),
// so it runs beside a developer's `npm start` (7233) and the test stack (7243). Needs the Temporal
// CLI (npm test passes TEMPORAL_CLI_PATH; otherwise it is installed into the cache on first use).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { readLock } from '../../../scripts/lib/lock.js';
import { isPortFree } from '../../../scripts/lib/ports.js';
import { pidAlive } from '../../../scripts/lib/process.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const START = [join(ROOT, 'scripts', 'bootstrap.mjs'), 'scripts/start.ts'];
const PORT = 7253;
const UI_PORT = 8253;
const HAS_WORKER = existsSync(join(ROOT, 'src', 'worker.ts'));

const stateDir = mkdtempSync(join(tmpdir(), 'dr-stack-e2e-'));
const env: NodeJS.ProcessEnv = { ...process.env, DR_STATE_DIR: stateDir, TEMPORAL_PORT: String(PORT), TEMPORAL_UI_PORT: String(UI_PORT) };
delete env.NODE_TEST_CONTEXT; // the child is a plain program, not a test file
// The demo PostgreSQL is left out: this test is about the stack's own life cycle, on its own ports.
const args = HAS_WORKER ? [...START, '--no-postgres'] : [...START, '--no-worker', '--no-postgres'];

let stack: ChildProcess | undefined;
after(() => {
  if (stack?.pid && stack.exitCode === null) stack.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

/** Resolves with everything printed so far once `pattern` appears; rejects if the process exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number, output: { text: string }): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output:\n${output.text}`));
    }, timeoutMs);
    const onData = (): void => {
      if (pattern.test(output.text)) {
        cleanup();
        resolvePromise(output.text);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`npm start exited (${code}) before printing ${pattern}; output:\n${output.text}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
}

describe('npm start (scripts/start.ts)', { timeout: 300_000 }, () => {
  it('refuses a busy port, naming it', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(PORT, '127.0.0.1', r));
    try {
      const r = spawnSync(process.execPath, args, { env, cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`port ${PORT} \\(Temporal frontend\\) is already in use by .*\\(pid ${process.pid}\\)`));
      assert.equal(existsSync(join(stateDir, 'easymo-dr.pid')), false, 'the lock is released');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('starts the stack, prints the banner, serves the UI, refuses a second start, and stops everything on SIGINT', async (t) => {
    if (!HAS_WORKER) t.diagnostic('src/worker.ts does not exist yet: the stack is tested with --no-worker');
    const child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    stack = child;
    const output = { text: '' };
    child.stdout.on('data', (d: Buffer) => (output.text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output.text += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

    const text = await waitForOutput(child, /easymo-dr is running \(ready in [\d.]+ s\)[\s\S]*Stop: Ctrl-C/, 240_000, output);
    assert.match(text, new RegExp(`Temporal UI\\s+http://localhost:${UI_PORT}`));
    assert.match(text, /npx dr start <runbook> --mode drill/);
    assert.match(text, /task queue `dr`, workflow type `runbook`/);
    assert.match(text, /\{"runbook": "<id>", "mode": "drill"\}/);

    const res = await fetch(`http://127.0.0.1:${UI_PORT}/`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();

    const lock = readLock(join(stateDir, 'easymo-dr.pid'));
    assert.equal(lock?.pid, child.pid);
    const children = lock?.children ?? [];
    assert.ok(children.some((c) => c.name === 'temporal'));
    if (HAS_WORKER) assert.ok(children.some((c) => c.name === 'worker'));

    const second = spawnSync(process.execPath, args, { env, cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(second.status, 1);
    assert.match(
      second.stderr,
      new RegExp(`easymo-dr is already running \\(pid ${child.pid}\\): UI at http://localhost:${UI_PORT} — stop it with Ctrl-C in its terminal or \`kill ${child.pid}\``),
    );

    child.kill('SIGINT');
    assert.equal(await exited, 0, output.text);
    for (const c of children) assert.equal(pidAlive(c.pid), false, `${c.name} (pid ${c.pid}) still running`);
    for (const port of [PORT, UI_PORT]) assert.equal(await isPortFree(port), true, `port ${port} still in use`);
    assert.equal(existsSync(join(stateDir, 'easymo-dr.pid')), false, 'the lock file is removed');
    assert.match(output.text, /stopped; nothing left running/);
  });
});
