// Child processes for end-to-end tests: a worker on its own task queue, and the `dr` CLI.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { fixturesDir, workflowBundle } from './temporal.js';
import { eventually } from './wait.js';

export const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Starts `src/worker.ts` as its own process on the task queue, with the cached workflow bundle. */
export async function startWorker(taskQueue: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const { codePath } = await workflowBundle();
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: { ...process.env, DR_TASK_QUEUE: taskQueue, DR_RUNBOOKS_DIR: fixturesDir, DR_WORKFLOW_BUNDLE: codePath, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (!(await eventually(exited, { timeoutMs: 15_000 }))) child.kill('SIGKILL');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/dr.js` with the given args; never throws on a non-zero exit. */
export async function dr(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/dr.js', ...args], {
      cwd: root,
      env: { ...process.env, DR_RUNBOOKS_DIR: fixturesDir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
