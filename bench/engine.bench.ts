// Engine benchmark (not a test): what the runbook interpreter costs on top of bare Temporal
// workflows calling the same step activity, measured side by side in one process in one run.
//
//   node --import tsx bench/engine.bench.ts [--runs 200] [--rounds 3] [--approvals 20] [--keep] [--histories]
//   BENCH_RUNS=1000 node --import tsx bench/engine.bench.ts --ours-only   (the 1,000-concurrent-runs mode)
//   node --import tsx bench/engine.bench.ts --cluster   (on the real Temporal server, PostgreSQL persistence)
//
// It starts its own Temporal dev server (fresh SQLite under .state/bench-engine/) on free ports, or
// with --cluster the real server (`npm start -- --cluster`'s, built from Go modules) on a PostgreSQL
// of its own, frontend on --cluster-port (default 25400) and the nine ports after it; and
// two workers built like the real one (src/worker.ts createWorker, DR_WORKER_* settings from the
// environment), in this process, each on its own task queue: one with the project's workflow bundle
// (src/workflows), one with the bare baselines alone (bench/bare-workflows.ts), so neither side pays
// for evaluating the other's code when a run starts. The side not measured at a time sits idle.
//   concurrency: `--runs` runs of a 5-step runbook (shell `echo`) started at once, against as many
//                bare workflows running the same 5 runShell calls; batches interleaved (bare, ours,
//                ours, bare, ...) over `--rounds`. Wall time from the first start to the last result,
//                and per run: history events, activity tasks, workflow tasks (from the histories), CPU
//                of the Temporal server (from /proc) and of this process (the workers), step
//                dispatches the engine sent again. `--histories` prints one history of each side.
//   approval:    a run waiting on an approval step gets `approve` (update); the time from sending it
//                to the next step's activity starting (and to the update's answer), against a bare
//                workflow waiting on an update.
// Exits non-zero when any run failed.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { startPostgres } from '../scripts/lib/postgres.js';
import { startTemporalCluster } from '../scripts/lib/temporal-cluster.js';
import { startTemporal } from '../scripts/lib/temporal-server.js';
import { Supervisor } from '../scripts/lib/process.js';
import { createActivities } from '../src/activities/index.js';
import type { ShellInput } from '../src/activities/types.js';
import { loadConfig } from '../src/config.js';
import type { RunReport } from '../src/runbook/run.js';
import { concurrencyOptions, createWorker, workflowsPath } from '../src/worker.js';
import { approveUpdate, progressQuery } from '../src/workflows/messages.js';
import { flag, option } from './args.js';
import { freePort } from './free-port.js';
import { procCpu } from './proc-stat.mjs';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.state', 'bench-engine');
const RUNS = Number(option('--runs', process.env.BENCH_RUNS ?? '200'));
const ROUNDS = Number(option('--rounds', process.env.BENCH_ROUNDS ?? (RUNS >= 1000 ? '1' : '3')));
const APPROVALS = Number(option('--approvals', process.env.BENCH_APPROVALS ?? '20'));
/** Histories read per batch for the per-run counts (all of them costs minutes at 1,000 runs). */
const SAMPLE = Number(option('--sample', '25'));
/** Only the project's runs (the 1,000-run check of completion, without the baseline's half of the time). */
const OURS_ONLY = flag('--ours-only') || process.env.BENCH_OURS_ONLY === '1';
/** Prints one history of each side, event by event (where the extra events come from). */
const HISTORIES = flag('--histories');
/** The real Temporal server on PostgreSQL, as in production, instead of the dev server on SQLite. */
const CLUSTER = flag('--cluster');
const QUEUES: Record<Kind, string> = { ours: 'bench-engine', bare: 'bench-bare' };
const COMMANDS = [1, 2, 3, 4, 5].map((i) => ['echo', `step ${i}`]);

const RUNBOOKS = {
  'bench-steps.yaml': `id: bench-steps
title: Five shell steps
objectives: { rto: 30m }
steps:
${COMMANDS.map((c, i) => `  - id: s${i + 1}\n    title: Step ${i + 1}\n    budget: 1m\n    shell: { command: [${c.map((a) => JSON.stringify(a)).join(', ')}] }`).join('\n')}
`,
  'bench-approval.yaml': `id: bench-approval
title: An approval, then a step
objectives: { rto: 30m }
approvers:
  oncall: [olive]
steps:
  - id: gate
    title: Approve going on
    budget: 5m
    approval: { roles: [oncall] }
  - id: after
    title: The next step
    budget: 1m
    shell: { command: [echo, after] }
`,
};


const EventType = proto.temporal.api.enums.v1.EventType;

interface HistoryCounts {
  events: number;
  activities: number;
  workflowTasks: number;
  timers: number;
  timersCancelled: number;
  markers: number;
  upserts: number;
}

async function historyCounts(handle: WorkflowHandle): Promise<HistoryCounts> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const count = (type: number) => events.filter((e) => e.eventType === type).length;
  return {
    events: events.length,
    activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    timers: count(EventType.EVENT_TYPE_TIMER_STARTED),
    timersCancelled: count(EventType.EVENT_TYPE_TIMER_CANCELED),
    markers: count(EventType.EVENT_TYPE_MARKER_RECORDED),
    upserts: count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) + count(EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED),
  };
}

async function printHistory(kind: Kind, handle: WorkflowHandle): Promise<void> {
  const events = (await handle.fetchHistory()).events ?? [];
  console.log(`${kind}: ${events.length} events (${handle.workflowId})`);
  for (const e of events) {
    const type = EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? String(e.eventType);
    const a = e.activityTaskScheduledEventAttributes ?? undefined;
    const m = e.markerRecordedEventAttributes ?? undefined;
    const t = e.timerStartedEventAttributes ?? undefined;
    const u = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? undefined;
    const shown = (fields: Record<string, { data?: Uint8Array | null }>) =>
      Object.entries(fields).map(([k, v]) => `${k}=${v.data ? Buffer.from(v.data).toString() : ''}`).join(' ');
    const la = m?.markerName === 'core_local_activity' ? m.details?.data?.payloads?.[0]?.data : undefined;
    const laType = la ? ` ${(JSON.parse(Buffer.from(la).toString()) as { activity_type?: string }).activity_type}` : '';
    const what = a ? ` ${a.activityType?.name}` : m ? ` ${m.markerName}${laType}` : t ? ` ${Number(t.startToFireTimeout?.seconds ?? 0)}s` : u ? ` ${shown(u)}` : '';
    console.log(`  ${String(e.eventId).padStart(3)} +${String(eventMs(e) - eventMs(events[0]!)).padStart(6)} ms ${type}${what}`);
  }
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
const eventMs = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** When the workflow task that took the update started and completed, by the server's clock. */
async function updateTask(handle: WorkflowHandle): Promise<{ started: number; completed: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const accepted = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  const before = events.slice(0, accepted);
  const started = before.findLast((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const completed = before.findLast((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (accepted < 0 || !started || !completed) throw new Error(`${handle.workflowId}: no workflow task before the update's acceptance in its history`);
  return { started: eventMs(started), completed: eventMs(completed) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

function averageCounts(all: HistoryCounts[]): HistoryCounts {
  const keys = Object.keys(all[0]!) as Array<keyof HistoryCounts>;
  return Object.fromEntries(keys.map((k) => [k, mean(all.map((c) => c[k]))])) as unknown as HistoryCounts;
}

type Kind = 'bare' | 'ours';

interface Batch {
  kind: Kind;
  seconds: number;
  failures: string[];
  /** CPU seconds the batch cost the Temporal server (with its child processes) and this process (the workers). */
  cpu: { server: number; worker: number };
  /** Step activities dispatched again after a lost dispatch (ours: from the reports), with why. */
  redispatches: string[];
  counts: HistoryCounts[];
  handles: WorkflowHandle[];
}

/** CPU seconds (user + system) used so far by a process and its descendants, from /proc. */
function treeCpuSeconds(pid: number): number {
  const stats = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const { ppid, ownMs } = procCpu(Number(d));
        return [{ pid: Number(d), ppid, ms: ownMs }];
      } catch {
        return []; // exited meanwhile
      }
    });
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stats) {
      if (tree.has(s.pid) || !tree.has(s.ppid)) continue;
      tree.add(s.pid);
      grew = true;
    }
  }
  return stats.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.ms, 0) / 1000;
}

let serverPids: number[] = [];
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return { server: serverPids.filter(Boolean).reduce((sum, pid) => sum + treeCpuSeconds(pid), 0), worker: (user + system) / 1e6 };
};

async function batch(client: Client, kind: Kind, n: number, tag: string): Promise<Batch> {
  const cpu0 = cpuNow();
  const t0 = performance.now();
  const handles = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const workflowId = `bench-${kind}-${tag}-${i}-${randomUUID().slice(0, 8)}`;
      return kind === 'ours'
        ? client.workflow.start('runbook', { taskQueue: QUEUES.ours, workflowId, args: [{ runbook: 'bench-steps', mode: 'live' }] })
        : client.workflow.start('bareSteps', { taskQueue: QUEUES.bare, workflowId, args: [COMMANDS] });
    }),
  );
  const results = await Promise.allSettled(handles.map((h) => h.result()));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuNow();
  const cpu = { server: cpu1.server - cpu0.server, worker: cpu1.worker - cpu0.worker };
  const failures: string[] = [];
  const redispatches: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') failures.push(`${handles[i]!.workflowId}: ${String(r.reason)}`);
    else if (kind === 'ours') {
      const report = r.value as RunReport;
      for (const s of report.steps) for (const x of s.redispatches ?? []) redispatches.push(`${x.reason} (${x.detail})`);
      const notRun = report.steps.filter((s) => s.status !== 'succeeded');
      if (report.status !== 'succeeded' || notRun.length > 0) failures.push(`${handles[i]!.workflowId}: ${report.status}, steps ${notRun.map((s) => `${s.id} ${s.status}`).join(', ')}`);
    }
  });
  const sample = handles.slice(0, SAMPLE);
  const counts = await Promise.all(sample.map((h) => historyCounts(h)));
  return { kind, seconds, cpu, failures, redispatches, counts, handles };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // the first query can race the first workflow task
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Per side: ms from sending the approval until the update's answer came back. */
const answers: Record<Kind, number[]> = { bare: [], ours: [] };
/** Per side and segment: ms from sending to the task's start, task held, its completion to the step's start. */
const segments: Record<Kind, Record<'toTask' | 'task' | 'toStep', number[]>> = {
  bare: { toTask: [], task: [], toStep: [] },
  ours: { toTask: [], task: [], toStep: [] },
};

/** Sends the approval and returns ms until the next step's activity started. */
async function approval(client: Client, kind: Kind, starts: Map<string, number>, i: number): Promise<number> {
  const workflowId = `bench-approval-${kind}-${i}-${randomUUID().slice(0, 8)}`;
  const handle =
    kind === 'ours'
      ? await client.workflow.start('runbook', { taskQueue: QUEUES.ours, workflowId, args: [{ runbook: 'bench-approval', mode: 'live' }] })
      : await client.workflow.start('bareApproval', { taskQueue: QUEUES.bare, workflowId, args: [['echo', 'after']] });
  if (kind === 'ours') {
    await waitFor('the gate to wait', async () => ((await handle.query(progressQuery)).steps.find((s) => s.id === 'gate')?.status === 'waiting' ? true : undefined));
  } else {
    await waitFor('the bare workflow to wait', async () => ((await handle.query<boolean>('waiting')) ? true : undefined));
  }
  // Let the run settle (the notification of the wait, the monitor) so only the approval is timed.
  await new Promise((r) => setTimeout(r, 300));
  const sent = Date.now();
  if (kind === 'ours') await handle.executeUpdate(approveUpdate, { args: [{ step: 'gate', by: 'olive' }] });
  else await handle.executeUpdate('approve', { args: [{ step: 'gate', by: 'olive' }] });
  const answered = Date.now();
  const started = await waitFor('the next step to start', async () => starts.get(workflowId));
  answers[kind].push(answered - sent);
  await handle.result();
  const task = await updateTask(handle);
  segments[kind].toTask.push(task.started - sent);
  segments[kind].task.push(task.completed - task.started);
  segments[kind].toStep.push(started - task.completed);
  if (HISTORIES && i < 3) await printHistory(kind, handle);
  return started - sent;
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  const runbooksDir = join(work, 'runbooks');
  mkdirSync(runbooksDir, { recursive: true });
  for (const [file, text] of Object.entries(RUNBOOKS)) writeFileSync(join(runbooksDir, file), text);
  // Activity warnings (e.g. an unconfigured notification in older code) would flood the output.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const sup = new Supervisor();
  let exitCode = 0;
  try {
    let server: { address: string; child: { pid?: number | undefined } };
    if (CLUSTER) {
      const pg = await startPostgres({ dataDir: join(work, 'temporal-pg'), port: await freePort(), database: 'postgres', name: 'temporal-postgres', supervisor: sup });
      server = await startTemporalCluster({ stateDir: join(work, 'temporal'), port: Number(option('--cluster-port', '25400')), pg, supervisor: sup, fresh: true });
      // The server's work includes its persistence's.
      serverPids = [server.child.pid ?? 0, pg.child.pid ?? 0];
    } else {
      server = await startTemporal({ stateDir: join(work, 'temporal'), port: await freePort(), uiPort: await freePort(), supervisor: sup, fresh: true });
      serverPids = [server.child.pid ?? 0];
    }
    const configOf = async (kind: Kind) => {
      const bundlePath = join(work, `workflows-${kind}.js`);
      const { code } = await bundleWorkflowCode({
        workflowsPath: kind === 'ours' ? workflowsPath : join(root, 'bench', 'bare-workflows.ts'),
        logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
      });
      writeFileSync(bundlePath, code);
      return loadConfig({
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        DR_TASK_QUEUE: QUEUES[kind],
        DR_RUNBOOKS_DIR: runbooksDir,
        DR_STATE_DIR: join(work, 'state'),
        DR_WORKFLOW_BUNDLE: bundlePath,
        DR_NOTIFY_WEBHOOK: '',
      });
    };
    const config = await configOf('ours');
    const starts = new Map<string, number>();
    const real = createActivities({ config });
    const activities = {
      // Records when each run's step activity starts (approval latency); then the real activity.
      runShell: (input: ShellInput) => {
        const run = Context.current().info.workflowExecution;
        if (run) starts.set(run.workflowId, Date.now());
        return real.runShell(input);
      },
    };
    const workers = [await createWorker(config, { activities }), await createWorker(await configOf('bare'), { activities })];
    const running = Promise.all(workers.map(({ worker }) => worker.run()));
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    try {
      const settings = concurrencyOptions(config);
      console.log(
        `engine bench: ${RUNS} concurrent runs x ${ROUNDS} round(s), ${APPROVALS} approvals each; ${cpus().length} cores; ` +
          `${CLUSTER ? 'real Temporal server on PostgreSQL' : 'Temporal dev server (SQLite)'}; ` +
          `each worker's settings ${Object.keys(settings).length ? JSON.stringify(settings) : 'SDK defaults'}; ${new Date().toISOString()}`,
      );
      // Warm-up: bundle loaded, caches filled, the shell path exercised once on each side.
      const warm = [await batch(client, 'bare', 5, 'warm'), await batch(client, 'ours', 5, 'warm')];
      if (HISTORIES) for (const w of warm) await printHistory(w.kind, w.handles[0]!);

      const batches: Batch[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        // Alternate which side goes first, so a machine that drifts busier does not favour one.
        const order: Kind[] = OURS_ONLY ? ['ours'] : round % 2 === 1 ? ['bare', 'ours'] : ['ours', 'bare'];
        for (const kind of order) {
          const b = await batch(client, kind, RUNS, `r${round}`);
          batches.push(b);
          console.log(`  round ${round} ${kind.padEnd(4)}: ${b.seconds.toFixed(2)} s, ${(RUNS / b.seconds).toFixed(1)} runs/s, CPU server ${b.cpu.server.toFixed(1)} s + workers ${b.cpu.worker.toFixed(1)} s, ${b.failures.length} failed${kind === 'ours' ? `, ${b.redispatches.length} step dispatches lost and sent again` : ''}`);
          for (const f of b.failures.slice(0, 5)) console.log(`    failed: ${f}`);
          const reasons = new Map<string, number>();
          for (const r of b.redispatches) reasons.set(r, (reasons.get(r) ?? 0) + 1);
          for (const [r, n] of [...reasons].slice(0, 5)) console.log(`    sent again: ${n} x ${r}`);
        }
      }
      const side = (kind: Kind) => batches.filter((b) => b.kind === kind);
      const wall = (kind: Kind) => side(kind).reduce((s, b) => s + b.seconds, 0);
      if (OURS_ONLY) {
        const o = averageCounts(side('ours').flatMap((b) => b.counts));
        const failed = batches.reduce((s, x) => s + x.failures.length, 0);
        console.log(`\n${RUNS} concurrent runs (ours only): ${wall('ours').toFixed(2)} s, ${((RUNS * ROUNDS) / wall('ours')).toFixed(1)} runs/s, ${o.events.toFixed(1)} events per run, ${failed} failed`);
        if (failed > 0) exitCode = 1;
        return;
      }
      const perRound = [...Array(ROUNDS).keys()].map((r) => {
        const pair = batches.slice(2 * r, 2 * r + 2);
        return pair.find((x) => x.kind === 'ours')!.seconds / pair.find((x) => x.kind === 'bare')!.seconds;
      });
      const counts = (kind: Kind) => averageCounts(side(kind).flatMap((b) => b.counts));
      const [b, o] = [counts('bare'), counts('ours')];
      const failures = batches.reduce((s, x) => s + x.failures.length, 0);
      const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}x`;
      console.log(`\n${RUNS} concurrent runs of a 5-step runbook, ${ROUNDS} round(s) interleaved`);
      console.log(`  wall time       ours ${wall('ours').toFixed(2)} s, bare ${wall('bare').toFixed(2)} s: ${ratio(wall('ours'), wall('bare'))} (per round: ${perRound.map((r) => r.toFixed(2)).join(', ')})`);
      console.log(`  runs/s          ours ${((RUNS * ROUNDS) / wall('ours')).toFixed(1)}, bare ${((RUNS * ROUNDS) / wall('bare')).toFixed(1)}`);
      const cpuPerRun = (kind: Kind, part: 'server' | 'worker') => (side(kind).reduce((s, x) => s + x.cpu[part], 0) / (RUNS * ROUNDS)) * 1000;
      for (const part of ['server', 'worker'] as const) {
        const label = part === 'server' ? 'CPU, server' : 'CPU, workers';
        console.log(`  ${label.padEnd(16)}ours ${cpuPerRun('ours', part).toFixed(1)} ms, bare ${cpuPerRun('bare', part).toFixed(1)} ms per run: ${ratio(cpuPerRun('ours', part), cpuPerRun('bare', part))}`);
      }
      console.log(`  history events  ours ${o.events.toFixed(1)}, bare ${b.events.toFixed(1)} per run: ${ratio(o.events, b.events)}`);
      console.log(`  activity tasks  ours ${o.activities.toFixed(1)}, bare ${b.activities.toFixed(1)} per run`);
      console.log(`  workflow tasks  ours ${o.workflowTasks.toFixed(1)}, bare ${b.workflowTasks.toFixed(1)} per run`);
      console.log(`  ours also: ${o.timers.toFixed(1)} timers started, ${o.timersCancelled.toFixed(1)} cancelled, ${o.markers.toFixed(1)} markers, ${o.upserts.toFixed(1)} search-attribute upserts per run`);
      console.log(`  failed runs     ${failures}`);
      if (failures > 0) exitCode = 1;

      if (APPROVALS > 0) {
        const lat: Record<Kind, number[]> = { bare: [], ours: [] };
        for (let i = 0; i < APPROVALS; i++) {
          for (const kind of (i % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare']) as Kind[]) lat[kind].push(await approval(client, kind, starts, i));
        }
        console.log(`\napproval (update) to the next step's activity starting, ${APPROVALS} each, interleaved`);
        console.log(`  median          ours ${median(lat.ours).toFixed(0)} ms, bare ${median(lat.bare).toFixed(0)} ms: ${ratio(median(lat.ours), median(lat.bare))}`);
        console.log(`  p90             ours ${pct(lat.ours, 0.9).toFixed(0)} ms, bare ${pct(lat.bare, 0.9).toFixed(0)} ms`);
        console.log(`  update answered ours ${median(answers.ours).toFixed(0)} ms, bare ${median(answers.bare).toFixed(0)} ms (median; the step starts in the same workflow task)`);
        // Split by the history's workflow task that took the update (server clock, same host).
        for (const [segment, what] of [['toTask', 'sent to its task started'], ['task', 'task held by the worker'], ['toStep', 'task completed to the step']] as const) {
          const [o, b] = [median(segments.ours[segment]), median(segments.bare[segment])];
          console.log(`  ${what.padEnd(26)} ours ${o.toFixed(1)} ms, bare ${b.toFixed(1)} ms (median): ${ratio(o, b)}`);
        }
      }
    } finally {
      for (const { worker } of workers) worker.shutdown();
      await running;
      await connection.close();
      for (const w of workers) await w.connection.close();
    }
  } finally {
    await sup.stopAll();
    if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}

await main();
