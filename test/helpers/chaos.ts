// Chaos: SIGKILLs of the worker at random instants while runs of `chaos.yaml` go on (a long shell
// step among short ones), and one restart of the Temporal dev server on its SQLite file. The steps
// log their pid, start and end, and take a per-step flock, so a second copy running at the same
// time writes an `overlap` line. Shared by test/workflow/chaos.test.ts and `npm run chaos`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { redispatchesFromHistory } from '../../src/report/history-redispatches.js';
import type { RunReport } from '../../src/runbook/run.js';
import { startTemporal } from '../../scripts/lib/temporal-server.js';
import { fixturesDir, workflowBundle } from './temporal.js';

const root = resolve(import.meta.dirname, '../..');

export interface ChaosOptions {
  runs: number;
  /** Seconds the long step sleeps. */
  longSeconds: number;
  /** Kills happen during this window from the start; then the runs are left to finish. */
  killWindowMs: number;
  /** Time between kills, drawn uniformly from this range. */
  killEveryMs: [number, number];
  /** When (from the start) the dev server is stopped and started again on its file; undefined: never. */
  serverRestartAtMs?: number;
  /** The whole thing gives up after this long. */
  limitMs: number;
  port: number;
  uiPort: number;
  say?: (line: string) => void;
}

export interface ChaosFigures {
  runs: number;
  succeeded: number;
  kills: number;
  serverRestarts: number;
  /** `overlap` lines: a step found another copy of itself running. */
  overlaps: string[];
  /** The most copies of one step seen running at once (1 is right). */
  maxConcurrent: number;
  /** Step copies started (start lines), against steps (one per step per run). */
  copiesStarted: number;
  steps: number;
  redispatches: number;
  byReason: Record<string, number>;
  stallMs: { max: number; total: number };
  /** Where a report's re-dispatches differ from the recount from history. */
  mismatches: string[];
  elapsedMs: number;
}

type Server = { address: string; stop: () => Promise<void> };

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: [number, number]) => lo + Math.random() * (hi - lo);

function startWorker(address: string, taskQueue: string, codePath: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: address, DR_TASK_QUEUE: taskQueue, DR_RUNBOOKS_DIR: fixturesDir, DR_WORKFLOW_BUNDLE: codePath, DR_LOG_LEVEL: 'ERROR' },
    stdio: 'ignore',
  });
}

async function killed(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const gone = new Promise((r) => worker.once('exit', r));
  worker.kill('SIGKILL');
  await gone;
}

/** Copies of one step running at once, from the start/end lines (a killed copy has no end: it ends at the next start). */
function concurrency(lines: string[]): number {
  let max = lines.some((l) => l.startsWith('start')) ? 1 : 0;
  if (lines.some((l) => l.startsWith('overlap'))) max = Math.max(max, 2);
  return max;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosFigures> {
  const say = o.say ?? (() => undefined);
  const began = Date.now();
  const stateDir = mkdtempSync(join(tmpdir(), 'dr-chaos-'));
  let server = (await startTemporal({ stateDir, port: o.port, uiPort: o.uiPort, fresh: true })) as Server;
  const { codePath } = await workflowBundle();
  const taskQueue = `chaos-${randomUUID()}`;
  let worker = startWorker(server.address, taskQueue, codePath);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const figures: ChaosFigures = {
    runs: o.runs, succeeded: 0, kills: 0, serverRestarts: 0, overlaps: [], maxConcurrent: 0, copiesStarted: 0, steps: 0,
    redispatches: 0, byReason: {}, stallMs: { max: 0, total: 0 }, mismatches: [], elapsedMs: 0,
  };
  const runs: Array<{ handle: WorkflowHandle; dir: string }> = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      const dir = join(stateDir, `run-${i}`);
      mkdirSync(dir);
      const handle = await client.workflow.start('runbook', {
        taskQueue,
        workflowId: `chaos-${i}-${randomUUID()}`,
        args: [{ runbook: 'chaos', mode: 'drill', inputs: { dir, long: String(o.longSeconds) } }],
      });
      runs.push({ handle, dir });
    }
    const finished = async () => {
      for (const r of runs) {
        try {
          if ((await r.handle.describe()).status.name === 'RUNNING') return false;
        } catch {
          return false; // the server is restarting
        }
      }
      return true;
    };
    // The first kill lands in the long step (a crash mid-step is the case that matters); the
    // others at random instants.
    const longStarted = () => runs.some((r) => existsSync(join(r.dir, 'log')) && readFileSync(join(r.dir, 'log'), 'utf8').includes('start long'));
    while (!longStarted() && Date.now() - began < o.killWindowMs) await pause(250);
    await pause(between([1_000, 3_000]));
    let restarted = o.serverRestartAtMs === undefined;
    for (let first = true; Date.now() - began < o.killWindowMs && !(await finished()); first = false) {
      if (!first) await pause(between(o.killEveryMs));
      if (!restarted && Date.now() - began >= o.serverRestartAtMs!) {
        restarted = true;
        say(`restarting the dev server at ${((Date.now() - began) / 1000).toFixed(0)} s`);
        await server.stop();
        await pause(2_000);
        server = (await startTemporal({ stateDir, port: o.port, uiPort: o.uiPort, fresh: false })) as Server;
        figures.serverRestarts++;
        continue;
      }
      await killed(worker);
      figures.kills++;
      say(`kill ${figures.kills} at ${((Date.now() - began) / 1000).toFixed(0)} s`);
      worker = startWorker(server.address, taskQueue, codePath);
    }
    while (!(await finished())) {
      if (Date.now() - began > o.limitMs) throw new Error(`Chaos runs not finished after ${o.limitMs / 1000} s`);
      await pause(1_000);
    }
    for (const r of runs) {
      let report: RunReport;
      try {
        report = (await r.handle.result()) as RunReport;
      } catch (err) {
        figures.mismatches.push(`run ${r.handle.workflowId} failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (report.status === 'succeeded') figures.succeeded++;
      const lines = existsSync(join(r.dir, 'log')) ? readFileSync(join(r.dir, 'log'), 'utf8').trim().split('\n') : [];
      figures.overlaps.push(...lines.filter((l) => l.startsWith('overlap')));
      figures.copiesStarted += lines.filter((l) => l.startsWith('start')).length;
      const counted = redispatchesFromHistory(await r.handle.fetchHistory());
      for (const step of report.steps) {
        figures.steps++;
        figures.maxConcurrent = Math.max(figures.maxConcurrent, concurrency(lines.filter((l) => l.split(' ')[1] === step.id)));
        const recorded = step.redispatches ?? [];
        const fromHistory = counted.filter((c) => c.stepId === step.id);
        const shown = (xs: Array<{ reason: string; stallMs: number }>) => xs.map((x) => `${x.reason}/${x.stallMs}ms`).join(', ') || 'none';
        const same =
          recorded.length === fromHistory.length &&
          recorded.every((x, i) => x.reason === fromHistory[i]!.reason && Math.abs(x.stallMs - fromHistory[i]!.stallMs) <= 1_000);
        if (!same) figures.mismatches.push(`${r.handle.workflowId} ${step.id}: report ${shown(recorded)}, history ${shown(fromHistory)}`);
        if (step.attempts.length !== 1) figures.mismatches.push(`${r.handle.workflowId} ${step.id}: ${step.attempts.length} attempts, expected 1`);
        for (const x of recorded) {
          figures.redispatches++;
          figures.byReason[x.reason] = (figures.byReason[x.reason] ?? 0) + 1;
          figures.stallMs.total += x.stallMs;
          figures.stallMs.max = Math.max(figures.stallMs.max, x.stallMs);
        }
      }
    }
  } finally {
    worker.kill('SIGINT');
    await Promise.race([new Promise((r) => worker.once('exit', r)), pause(15_000)]);
    await killed(worker);
    await connection.close().catch(() => undefined);
    await server.stop();
  }
  figures.elapsedMs = Date.now() - began;
  return figures;
}
