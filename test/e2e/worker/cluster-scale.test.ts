// Horizontal scale on a real Temporal cluster (the cluster profile only: it builds and runs its own
// cluster, so it can kill and restart it): three worker processes on one task queue share a batch of
// concurrent runs, each taking some; one worker is SIGKILLed mid-batch (with its steps' processes, as
// when its machine is lost) and the others finish its runs; then the whole server (frontend,
// history, matching, worker services) is killed and started again mid-run, and every run completes.
// Prints the figures (BENCHMARKS.md keeps a copy).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Supervisor } from '../../../scripts/lib/process.js';
import type { TemporalCluster } from '../../../scripts/lib/temporal-cluster.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { onCluster, skipUnlessCluster, startOwnCluster } from '../../helpers/own-cluster.js';
import { startWorker, stopProcess } from '../../helpers/processes.js';
import { waitUntil } from '../../helpers/wait.js';

const RUNS = 24;
const STEP_SECONDS = 8;
const skip = skipUnlessCluster('test/e2e/worker/cluster-scale.test.ts');

const supervisor = new Supervisor();
const scratch = mkdtempSync(join(tmpdir(), 'dr-scale-'));
const taskQueue = `scale-${randomUUID()}`;
let cluster: TemporalCluster;
let connection: Connection;
let workers: ChildProcess[] = [];

before(async () => {
  if (!onCluster) return;
  cluster = await startOwnCluster('scale', 0, supervisor);
  connection = await Connection.connect({ address: cluster.address });
});

after(async () => {
  await Promise.all(workers.map((w) => stopProcess(w)));
  await connection?.close();
  await supervisor.stopAll();
});

/** Every descendant of a process, deepest first. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).map(Number);
  } catch {
    // ps exits 1 when there are none
  }
  return children.flatMap((child) => [...descendants(child), child]);
}

/** The identity of the worker running each run's pending step. */
async function pendingOn(handles: WorkflowHandle[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (const h of handles) {
    const { raw } = await h.describe();
    const identity = raw.pendingActivities?.[0]?.lastWorkerIdentity;
    if (identity) owners.set(h.workflowId, identity);
  }
  return owners;
}

/** The identity of the worker that completed the run's `long` step (its activity summary names the step). */
async function longStepWorker(handle: WorkflowHandle): Promise<string> {
  const { events } = await handle.fetchHistory();
  const isLong = (scheduledEventId: unknown) => {
    const scheduled = events!.find((e) => Number(e.eventId) === Number(scheduledEventId));
    const summary = scheduled?.userMetadata?.summary?.data;
    return Boolean(summary && String(JSON.parse(Buffer.from(summary).toString('utf8'))).startsWith('long:'));
  };
  // A lost dispatch is sent again as a new activity, so the one that completed is the one to ask.
  const completed = events!.find((e) => e.activityTaskCompletedEventAttributes && isLong(e.activityTaskCompletedEventAttributes.scheduledEventId));
  assert.ok(completed, `${handle.workflowId}: no completed long step in its history`);
  return completed.activityTaskCompletedEventAttributes!.identity!;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

test('three workers share a batch; one is killed and the cluster restarted mid-run; every run completes', { skip, timeout: 600_000 }, async () => {
  const client = new Client({ connection, namespace: 'default' });
  const env = { TEMPORAL_ADDRESS: cluster.address };
  workers = await Promise.all([0, 1, 2].map(() => startWorker(taskQueue, env)));
  const identityOf = (w: ChildProcess) => `${w.pid}@`;
  // A worker alone on the queue takes the whole batch (it has room for all of it at once), so the
  // batch waits until the server lists all three as pollers.
  await waitUntil(
    'all three workers to poll the task queue',
    async () => {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return workers.every((w) => (pollers ?? []).some((p) => p.identity?.startsWith(identityOf(w))));
    },
    { timeoutMs: 120_000, everyMs: 500 },
  );
  const logs = Array.from({ length: RUNS }, (_, i) => join(scratch, `run-${i}.log`));
  const lines = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

  const batchStarted = Date.now();
  const handles = await Promise.all(
    logs.map((log, i) =>
      client.workflow.start('runbook', {
        taskQueue,
        workflowId: `scale-${i}-${randomUUID().slice(0, 8)}`,
        args: [{ runbook: 'durable', mode: 'drill', inputs: { log, seconds: String(STEP_SECONDS) } }],
      }),
    ),
  );
  // Every run is inside its long step: who runs which?
  await waitUntil('every run to be in its long step', () => logs.every((log) => lines(log).includes('long-start')), { timeoutMs: 120_000 });
  const owners = await waitUntil(
    'the worker of every long step',
    async () => {
      const o = await pendingOn(handles);
      return o.size === RUNS && o;
    },
    { timeoutMs: 30_000, everyMs: 500 },
  );
  const share = workers.map((w) => [...owners.values()].filter((id) => id.startsWith(identityOf(w))).length);
  console.log(`[scale] ${RUNS} runs on 3 workers (pids ${workers.map((w) => w.pid).join(', ')}): ${share.join(' / ')} long steps each`);
  for (const [i, n] of share.entries()) assert.ok(n > 0, `worker ${i + 1} took none of the ${RUNS} runs (${share.join(' / ')})`);
  assert.equal(share.reduce((a, b) => a + b, 0), RUNS);

  // 1. The worker with the most runs dies with its steps' processes.
  const victimIndex = share.indexOf(Math.max(...share));
  const victim = workers[victimIndex]!;
  const orphaned = handles.filter((h) => owners.get(h.workflowId)!.startsWith(identityOf(victim)));
  const killedAt = Date.now();
  for (const pid of [...descendants(victim.pid!), victim.pid!]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  await waitUntil('the worker to die', () => victim.exitCode !== null || victim.signalCode !== null, { timeoutMs: 5_000 });

  // 2. While the others run their steps and the dead worker's wait to be noticed, the whole server dies and comes back.
  const restartStarted = Date.now();
  await cluster.restart('SIGKILL');
  const restartMs = Date.now() - restartStarted;

  const reports = (await Promise.all(handles.map((h) => h.result()))) as RunReport[];
  const batchMs = Date.now() - batchStarted;
  const recoveredMs = Date.now() - killedAt;
  for (const [i, report] of reports.entries()) {
    assert.equal(report.status, 'succeeded', handles[i]!.workflowId);
    assert.equal(lines(logs[i]!).at(-1), 'last', `${handles[i]!.workflowId} ran its last step`);
  }
  // The dead worker's runs were finished by the two others: their long step ran again, elsewhere.
  for (const h of orphaned) {
    const finishedBy = await longStepWorker(h);
    assert.ok(!finishedBy.startsWith(identityOf(victim)), `${h.workflowId}: its long step was finished by ${finishedBy}, the killed worker`);
    assert.ok(workers.some((w) => w !== victim && finishedBy.startsWith(identityOf(w))), `${h.workflowId}: finished by ${finishedBy}`);
    const log = lines(logs[handles.indexOf(h)]!);
    assert.equal(log.filter((l) => l === 'long-start').length, 2, `${h.workflowId}: the long step started again after the kill`);
    // The report tells the lost dispatch apart from the step's own attempts.
    const long = reports[handles.indexOf(h)]!.steps.find((step) => step.id === 'long')!;
    assert.equal(long.attempts.length, 1, `${h.workflowId}: a lost worker is not a failed attempt`);
    assert.ok((long.redispatches ?? []).length >= 1, `${h.workflowId}: the report records the re-dispatch`);
  }
  const reasons = reports.flatMap((r) => r.steps.flatMap((step) => (step.redispatches ?? []).map((d) => d.reason)));
  const byReason = [...new Set(reasons)].map((reason) => `${reasons.filter((r) => r === reason).length} ${reason}`);
  console.log(
    `[scale] killed worker ${victimIndex + 1} with ${orphaned.length} runs in flight; server killed and restarted in ${seconds(restartMs)} ` +
      `(frontend healthy again); all ${RUNS} runs succeeded ${seconds(recoveredMs)} after the kill, ${seconds(batchMs)} after the batch started ` +
      `(${STEP_SECONDS} s long step each); re-dispatches in the reports: ${byReason.join(', ') || 'none'}`,
  );
});
