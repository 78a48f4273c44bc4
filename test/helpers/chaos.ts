// Chaos: SIGKILLs of the worker at random instants while runs of `chaos.yaml` go on (a long shell
// step among short ones), and one restart of the Temporal server. The steps log their pid, start
// and end, and take a per-step flock, so a second copy running at the same time writes an
// `overlap` line. Shared by test/e2e/worker/chaos.test.ts and `npm run chaos`.
//
// Paced by what happened, not by the clock, so a loaded machine makes it slower, not wrong: each
// kill comes a random time after the restarted worker polls again (a worker can take seconds to
// start on a busy machine; killing it before it polls tests nothing), there is a set number of
// kills, and every wait is bounded and names what it waited for and the runs' progress.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto, { type temporal } from '@temporalio/proto';
import { redispatchesFromHistory } from '../../src/report/history-redispatches.js';
import type { RunReport } from '../../src/runbook/run.js';
import { startTemporal } from '../../scripts/lib/temporal-server.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { fixturesDir, workflowBundle } from './temporal.js';

const root = resolve(import.meta.dirname, '../..');

/** The Temporal server the chaos runs on: the dev server, or a cluster of the test's own. */
export interface ChaosServer {
  address: string;
  /** Stops the server and starts it again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChaosOptions {
  runs: number;
  /** Seconds the long step sleeps. */
  longSeconds: number;
  /** How many times the worker is SIGKILLed (fewer if the runs end first, unless `keepStarting`). */
  kills: number;
  /**
   * Start another `runs` runs whenever all have ended and kills remain. A step whose dispatch is lost
   * MAX_DISPATCHES times in one attempt fails by design, so many kills must be spread over many runs.
   */
  keepStarting?: boolean;
  /** Time from the restarted worker's first poll to the next kill, drawn uniformly from this range. */
  killEveryMs: [number, number];
  /** The server is restarted right after this kill (1 = after the first); undefined: never. */
  serverRestartAfterKill?: number;
  /** The whole thing gives up after this long. */
  limitMs: number;
  /** Where state goes (the dev server's SQLite file, the steps' logs, the workers' output). */
  stateDir: string;
  server: ChaosServer;
  say?: (line: string) => void;
}

export interface ChaosFigures {
  runs: number;
  succeeded: number;
  kills: number;
  serverRestarts: number;
  /** `overlap` lines: a step found another copy of itself running. */
  overlaps: string[];
  /** Step copies started (start lines), against steps (one per step per run). */
  copiesStarted: number;
  steps: number;
  /** Activities scheduled for the steps in the runs' histories (attempts + re-dispatches, if the reports are right). */
  dispatches: number;
  redispatches: number;
  byReason: Record<string, number>;
  stallMs: { max: number; total: number };
  /** How long restarted workers took to poll again. */
  workerStartMs: { max: number; total: number };
  /** Where a report differs from the raw history or from what the steps logged. */
  mismatches: string[];
  elapsedMs: number;
}

/** The Temporal dev server on its own ports and SQLite file in `stateDir`; restart keeps the file. */
export async function chaosDevServer(stateDir: string, port: number, uiPort: number): Promise<ChaosServer> {
  let server = await startTemporal({ stateDir, port, uiPort, fresh: true });
  return {
    address: server.address,
    async restart() {
      await server.stop();
      server = await startTemporal({ stateDir, port, uiPort, fresh: false });
    },
    stop: () => server.stop(),
  };
}

export const chaosStateDir = (): string => mkdtempSync(join(tmpdir(), 'dr-chaos-'));

class ChaosStuck extends Error {}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: [number, number]) => lo + Math.random() * (hi - lo);
const T = proto.temporal.api.enums.v1.EventType;

function tail(file: string, lines = 20): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no output)';
}

/** Activities scheduled per step in a run's history (read from their input's stepId). */
function dispatchesPerStep(history: temporal.api.history.v1.IHistory): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of history.events ?? []) {
    if (e.eventType !== T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
    const first = e.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
    const input = first ? (defaultPayloadConverter.fromPayload(first) as { stepId?: unknown }) : undefined;
    if (typeof input?.stepId === 'string') out.set(input.stepId, (out.get(input.stepId) ?? 0) + 1);
  }
  return out;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosFigures> {
  const say = o.say ?? (() => undefined);
  const began = Date.now();
  const at = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
  const { codePath } = await workflowBundle();
  const taskQueue = `chaos-${randomUUID()}`;
  const workerLog = join(o.stateDir, 'workers.log');
  const startWorker = (): ChildProcess => {
    const out = openSync(workerLog, 'a');
    try {
      return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: root,
        env: { ...process.env, TEMPORAL_ADDRESS: o.server.address, DR_TASK_QUEUE: taskQueue, DR_RUNBOOKS_DIR: fixturesDir, DR_WORKFLOW_BUNDLE: codePath, DR_LOG_LEVEL: 'WARN' },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
  };
  const killed = async (w: ChildProcess): Promise<void> => {
    if (w.exitCode !== null || w.signalCode !== null) return;
    const gone = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await gone;
  };
  let worker = startWorker();
  const connection = await Connection.connect({ address: o.server.address });
  const client = new Client({ connection });
  const figures: ChaosFigures = {
    runs: o.runs, succeeded: 0, kills: 0, serverRestarts: 0, overlaps: [], copiesStarted: 0, steps: 0, dispatches: 0,
    redispatches: 0, byReason: {}, stallMs: { max: 0, total: 0 }, workerStartMs: { max: 0, total: 0 }, mismatches: [], elapsedMs: 0,
  };
  const runs: Array<{ handle: WorkflowHandle; dir: string }> = [];
  const logOf = (dir: string) => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : []);
  const left = () => o.limitMs - (Date.now() - began);
  /** The runs' progress in a line each, for the message of a wait that ran out. */
  const progress = async () => {
    const lines = [];
    for (const r of runs) {
      try {
        const p = await r.handle.query(progressQuery);
        lines.push(`${r.handle.workflowId} ${p.status}: ${p.steps.map((s) => `${s.id} ${s.status}`).join(', ')}`);
      } catch (err) {
        lines.push(`${r.handle.workflowId}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return `${lines.join('; ')}; worker output (${workerLog}):\n${tail(workerLog)}`;
  };
  /** Polls `check` until it holds; past the limit, throws naming `what` and the runs' progress. */
  const until = async (what: string, check: () => boolean | Promise<boolean>) => {
    for (;;) {
      try {
        if (await check()) return;
      } catch (err) {
        if (err instanceof ChaosStuck) throw err;
        // else the server is restarting
      }
      if (left() <= 0) throw new Error(`Chaos: gave up after ${o.limitMs / 1000} s waiting for ${what}. ${await progress()}`);
      await pause(250);
    }
  };
  const finished = async () => {
    for (const r of runs) if ((await r.handle.describe()).status.name === 'RUNNING') return false;
    return true;
  };
  /** Whether `w` polls the task queue for activities (its identity is `<pid>@<host>`). */
  const polling = async (w: ChildProcess) => {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (pollers ?? []).some((p) => p.identity?.startsWith(`${w.pid}@`));
  };
  const startRuns = async () => {
    for (let n = 0; n < o.runs; n++) {
      const i = runs.length;
      const dir = join(o.stateDir, `run-${i}`);
      mkdirSync(dir);
      const handle = await client.workflow.start('runbook', {
        taskQueue,
        workflowId: `chaos-${i}-${randomUUID()}`,
        args: [{ runbook: 'chaos', mode: 'drill', inputs: { dir, long: String(o.longSeconds) } }],
      });
      runs.push({ handle, dir });
    }
  };
  try {
    await startRuns();
    // The first kill lands in the long step (a crash mid-step is the case that matters); the others
    // at random instants after the restarted worker polls again.
    let asked = 0;
    await until('a run to start its long step', async () => {
      if (runs.some((r) => logOf(r.dir).some((l) => l.startsWith('start long')))) return true;
      if (Date.now() - asked < 2_000) return false;
      asked = Date.now();
      // Nothing in chaos.yaml waits on a person (a drill rehearses a step not marked safeToRehearse).
      const waiting = await Promise.all(runs.map(async (r) => (await r.handle.query(progressQuery)).status === 'waiting'));
      if (waiting.some(Boolean)) throw new ChaosStuck(`Chaos: a run waits on a person, which nothing in chaos.yaml should. ${await progress()}`);
      return finished(); // a run that failed early: the checks below say why
    });
    await pause(between([1_000, 3_000]));
    /** Waits for the worker to poll; one that died on its own (it may give up while the server is down) is started again. */
    const workerPolls = async () => {
      const started = Date.now();
      await until('the worker to poll the task queue', async () => {
        if (worker.exitCode !== null || worker.signalCode !== null) {
          say(`the worker (pid ${worker.pid}) exited by itself (${worker.exitCode ?? worker.signalCode}) at ${at()}: starting another`);
          worker = startWorker();
        }
        return polling(worker);
      });
      figures.workerStartMs.total += Date.now() - started;
      figures.workerStartMs.max = Math.max(figures.workerStartMs.max, Date.now() - started);
    };
    for (;;) {
      if (figures.kills >= o.kills) break;
      if (await finished().catch(() => false)) {
        if (!o.keepStarting) break;
        await startRuns();
        say(`${o.runs} more runs at ${at()}`);
      }
      await killed(worker);
      figures.kills++;
      say(`kill ${figures.kills} at ${at()}`);
      worker = startWorker();
      await workerPolls();
      if (figures.kills === o.serverRestartAfterKill) {
        // With the worker up: its heartbeats and results meet a server that is gone, then back.
        await pause(between(o.killEveryMs));
        say(`restarting the server at ${at()}`);
        await o.server.restart();
        figures.serverRestarts++;
        say(`server back at ${at()}`);
        await workerPolls();
      }
      if (figures.kills < o.kills) await pause(between(o.killEveryMs));
    }
    await until('every run to end', finished);
    for (const r of runs) {
      let report: RunReport;
      try {
        report = (await r.handle.result()) as RunReport;
      } catch (err) {
        figures.mismatches.push(`run ${r.handle.workflowId} failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (report.status === 'succeeded') figures.succeeded++;
      else figures.mismatches.push(`run ${r.handle.workflowId} ended ${report.status}`);
      const lines = logOf(r.dir);
      figures.overlaps.push(...lines.filter((l) => l.startsWith('overlap')));
      figures.copiesStarted += lines.filter((l) => l.startsWith('start')).length;
      const history = await r.handle.fetchHistory();
      const counted = redispatchesFromHistory(history);
      const scheduled = dispatchesPerStep(history);
      for (const step of report.steps) {
        figures.steps++;
        const name = `${r.handle.workflowId} ${step.id}`;
        const recorded = step.redispatches ?? [];
        const fromHistory = counted.filter((c) => c.stepId === step.id);
        const shown = (xs: Array<{ reason: string; stallMs: number }>) => xs.map((x) => `${x.reason}/${x.stallMs}ms`).join(', ') || 'none';
        const same =
          recorded.length === fromHistory.length &&
          recorded.every((x, i) => x.reason === fromHistory[i]!.reason && Math.abs(x.stallMs - fromHistory[i]!.stallMs) <= 1_000);
        if (!same) figures.mismatches.push(`${name}: report ${shown(recorded)}, history ${shown(fromHistory)}`);
        if (step.attempts.length !== 1) figures.mismatches.push(`${name}: ${step.attempts.length} attempts, expected 1`);
        // Every dispatch in history is an attempt or a re-dispatch in the report, and every copy the
        // step started came from one of them: no execution the report does not show.
        const dispatches = step.attempts.length + recorded.length;
        const inHistory = scheduled.get(step.id) ?? 0;
        figures.dispatches += inHistory;
        if (inHistory !== dispatches) figures.mismatches.push(`${name}: ${inHistory} dispatches in history, the report shows ${dispatches}`);
        const copies = lines.filter((l) => l.startsWith(`start ${step.id} `)).length;
        if (copies < 1 || copies > dispatches) figures.mismatches.push(`${name}: ${copies} copies started for ${dispatches} dispatches`);
        for (const x of recorded) {
          figures.redispatches++;
          figures.byReason[x.reason] = (figures.byReason[x.reason] ?? 0) + 1;
          figures.stallMs.total += x.stallMs;
          figures.stallMs.max = Math.max(figures.stallMs.max, x.stallMs);
        }
      }
    }
  } finally {
    if (worker.exitCode === null && worker.signalCode === null) {
      const gone = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGINT');
      await Promise.race([gone, pause(15_000)]);
    }
    await killed(worker);
    await connection.close().catch(() => undefined);
  }
  figures.runs = runs.length;
  figures.elapsedMs = Date.now() - began;
  return figures;
}
