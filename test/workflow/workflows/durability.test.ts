// Durability: the worker dies (SIGKILL) in the middle of a long shell step; the step's processes
// die with it (parent-death signal, src/activities/supervise.ts); a new worker picks the run up and
// finishes it. Steps that had finished before the kill are not run again, and the report shows the
// re-dispatch apart from the step's own attempts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { redispatchesFromHistory } from '../../../src/report/history-redispatches.js';
import { FINDING_KEY } from '../../../src/runbook/redispatch.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { fixturesDir, temporalAddress, workflowBundle } from '../../helpers/temporal.js';
import { waitUntil } from '../../helpers/wait.js';

const root = resolve(import.meta.dirname, '../../..');

function startWorker(taskQueue: string, codePath: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: { ...process.env, DR_TASK_QUEUE: taskQueue, DR_RUNBOOKS_DIR: fixturesDir, DR_WORKFLOW_BUNDLE: codePath },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Every descendant of a process, deepest first. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim())
      .map(Number);
  } catch {
    // ps exits 1 when there are none
  }
  return children.flatMap((child) => [...descendants(child), child]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const until = (check: () => boolean, what: string, timeoutMs = 60_000) => waitUntil(what, check, { timeoutMs });

interface DurableRun {
  handle: WorkflowHandle;
  /** The lines the runbook's steps wrote to their log, in order. */
  lines: () => string[];
  /** The worker now running the run's task queue. */
  worker: () => ChildProcess;
  /** SIGKILL of the worker, waited for. */
  kill: () => Promise<void>;
  /** A new worker on the same task queue. */
  restart: () => void;
}

/** The `durable` fixture started in drill mode on a worker of its own; the worker stopped after `body`. */
async function durableRun(body: (run: DurableRun) => Promise<void>): Promise<void> {
  const { codePath } = await workflowBundle();
  const taskQueue = `durable-${randomUUID()}`;
  const log = join(mkdtempSync(join(tmpdir(), 'dr-durable-')), 'log.txt');
  const connection = await Connection.connect({ address: temporalAddress() });
  const client = new Client({ connection });
  let worker = startWorker(taskQueue, codePath);
  try {
    const handle = await client.workflow.start('runbook', {
      taskQueue,
      workflowId: `durable-${randomUUID()}`,
      args: [{ runbook: 'durable', mode: 'drill', inputs: { log, seconds: '4' } }],
    });
    await body({
      handle,
      lines: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
      worker: () => worker,
      kill: async () => {
        worker.kill('SIGKILL');
        await until(() => worker.exitCode !== null || worker.signalCode !== null, 'the worker to die', 5_000);
      },
      restart: () => void (worker = startWorker(taskQueue, codePath)),
    });
  } finally {
    worker.kill('SIGINT');
    await until(() => worker.exitCode !== null || worker.signalCode !== null, 'the worker to stop', 15_000).catch(() => worker.kill('SIGKILL'));
    await connection.close();
  }
}

test('a run survives its worker being killed mid-step; finished steps run exactly once', () =>
  durableRun(async ({ handle, lines, worker, kill, restart }) => {
    await until(() => lines().includes('long-start'), 'the long step to start');
    const orphans = descendants(worker().pid!);
    assert.ok(orphans.length >= 2, `expected the step's supervisor and bash under the worker, got ${orphans.length} processes`);
    await kill(); // the worker only: its step's processes must not outlive it
    await until(() => orphans.every((pid) => !alive(pid)), "the step's processes to die with the worker", 10_000);

    restart();
    const report = (await handle.result()) as RunReport;

    assert.equal(report.status, 'succeeded');
    // first ran once; long ran again from the start on the new worker; last ran once.
    assert.deepEqual(lines(), ['first', 'long-start', 'long-start', 'long-end', 'last']);
    const long = report.steps.find((s) => s.id === 'long')!;
    assert.equal(long.status, 'succeeded');
    assert.equal(long.attempts.length, 1, 'a lost worker is not a failed attempt of the step');
    assert.equal(long.redispatches?.length, 1, 'the lost dispatch is shown apart');
    assert.equal(long.redispatches[0]!.reason, 'worker-lost', long.redispatches[0]!.detail);
    assert.ok(long.redispatches[0]!.stallMs >= 10_000, `a stall of at least the heartbeat timeout, got ${long.redispatches[0]!.stallMs}`);
    assert.match(long.checkRedispatch ?? '', /shell is not idempotent and was dispatched 2 times/);
    assert.deepEqual(report.steps.map((s) => s.status), ['succeeded', 'succeeded', 'succeeded']);
  }));

test('a re-dispatch lost in turn still tells why the dispatch before it was lost: both re-dispatches are worker-lost', () =>
  durableRun(async ({ handle, lines, kill, restart }) => {
    await until(() => lines().includes('long-start'), 'the long step to start');
    await kill();
    restart();
    // The re-dispatch runs on the second worker, which found the first one gone and heartbeated so.
    await until(() => lines().filter((l) => l === 'long-start').length === 2, 'the long step to start again');
    await waitUntil(
      'the re-dispatch to heartbeat its finding',
      async () => {
        const { raw } = await handle.describe();
        const first = raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
        const details = first ? (defaultPayloadConverter.fromPayload(first) as Record<string, unknown>) : undefined;
        return details?.[FINDING_KEY] === 'worker-gone';
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    await kill(); // the re-dispatch is lost in turn, before it could return its finding with its result
    restart();
    const report = (await handle.result()) as RunReport;

    assert.equal(report.status, 'succeeded');
    assert.deepEqual(lines(), ['first', 'long-start', 'long-start', 'long-start', 'long-end', 'last']);
    const long = report.steps.find((s) => s.id === 'long')!;
    assert.equal(long.attempts.length, 1);
    assert.deepEqual(
      (long.redispatches ?? []).map((r) => r.reason),
      ['worker-lost', 'worker-lost'],
      (long.redispatches ?? []).map((r) => r.detail).join('; '),
    );
    // The raw history says the same.
    assert.deepEqual(
      redispatchesFromHistory(await handle.fetchHistory()).map((r) => [r.stepId, r.reason]),
      [
        ['long', 'worker-lost'],
        ['long', 'worker-lost'],
      ],
    );
  }));
