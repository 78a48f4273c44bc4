// Worker memory benchmark (not a test): the whole worker process's resident memory over drills of
// scenario 1 (`npm run drill`, complete database loss: demo set-up, backup, disaster, restore,
// checks), the worker run as `npm start` runs it (scripts/lib/worker-command.ts, with its
// WORKER_MEMORY_SETTINGS and any DR_WORKER_NODE_FLAGS) against the same worker on Node's and glibc's
// defaults, side by side.
//
//   node --import tsx bench/worker-rss.bench.ts [--drills 4] [--rounds 3] [--keep]
//
// It starts its own Temporal dev server (fresh SQLite) and demo PostgreSQL under
// .state/bench-worker-rss/ on free ports. Per round, in alternating order, each side gets a fresh
// worker process on its own task queue, `--drills` drills one after the other, then a stop. Figures
// from /proc/<pid>/status: VmRSS after start-up and after each drill, and VmHWM (the peak over the
// process's life, start-up included) at the end. Exits non-zero when a drill fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { startPostgres } from '../scripts/lib/postgres.js';
import { Supervisor } from '../scripts/lib/process.js';
import { startTemporal } from '../scripts/lib/temporal-server.js';
import { waitUntil } from '../scripts/lib/util.js';
import { demoDatabaseEnv, workerCommand, workerNodeFlags } from '../scripts/lib/worker-command.js';
import { flag, option } from './args.js';
import { freePort } from './free-port.js';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.state', 'bench-worker-rss');
const DRILLS = Number(option('--drills', '4'));
const ROUNDS = Number(option('--rounds', '3'));
const KEEP = flag('--keep');

type Side = 'tuned' | 'defaults';

interface Sample {
  side: Side;
  round: number;
  /** MB after start-up, then after each drill. */
  rss: number[];
  /** MB, the process's peak. */
  peak: number;
  drillsFailed: number;
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Math.round(Number(m[1]) / 1024);
}

async function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return child.exitCode;
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  return code ?? (signal ? 128 : 1);
}

async function main(): Promise<void> {
  if (!KEEP) rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'logs'), { recursive: true });
  const sup = new Supervisor();
  let failed = 0;
  try {
    const [temporal, pg] = await Promise.all([
      startTemporal({ stateDir: join(work, 'temporal'), port: await freePort(), uiPort: await freePort(), supervisor: sup, fresh: true }),
      startPostgres({ dataDir: join(work, 'pg'), port: await freePort(), database: 'easymo_demo', supervisor: sup }),
    ]);
    const command = await workerCommand(join(work, 'state'));
    // The defaults: the same command without the settings (and none inherited from this shell).
    const sides: Record<Side, { args: string[]; env: Record<string, string | undefined> }> = {
      tuned: { args: command.args, env: command.env },
      defaults: {
        args: command.args.filter((a) => !workerNodeFlags().includes(a)),
        // glibc's MALLOC_* variables set in this shell (a try of its thresholds, say) are the tuned side's alone.
        env: { ...command.env, ...Object.fromEntries(Object.keys({ ...process.env, ...command.env }).filter((k) => k.startsWith('MALLOC_')).map((k) => [k, undefined])) },
      },
    };
    console.log(
      `worker RSS bench: ${ROUNDS} round(s) of ${DRILLS} drill(s) per side; ${cpus().length} cores; ` +
        `tuned = node ${workerNodeFlags().join(' ')} with MALLOC_ARENA_MAX=${command.env.MALLOC_ARENA_MAX}; ${new Date().toISOString()}`,
    );
    const samples: Sample[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Side[] = round % 2 ? ['defaults', 'tuned'] : ['tuned', 'defaults'];
      for (const side of order) {
        const queue = `rss-${side}-${round}`;
        const base = {
          ...process.env,
          MALLOC_ARENA_MAX: undefined,
          TEMPORAL_ADDRESS: temporal.address,
          DR_TASK_QUEUE: queue,
          DR_STATE_DIR: join(work, 'state'),
          DR_ENVIRONMENT: 'local',
          ...demoDatabaseEnv(pg.url),
          DATABASE_URL: pg.url, // the bench's own database, whatever this shell has
        };
        const log = join(work, 'logs', `${queue}.log`);
        const out = createWriteStream(log);
        const worker = spawn(process.execPath, sides[side].args, { cwd: root, env: { ...base, ...sides[side].env }, stdio: ['ignore', 'pipe', 'pipe'] });
        worker.stdout.pipe(out);
        worker.stderr.pipe(out);
        const pid = worker.pid!;
        await waitUntil(() => existsSync(log) && readFileSync(log, 'utf8').includes('"state":"RUNNING"'), {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: `the ${side} worker did not start (see ${log})`,
          abort: () => (worker.exitCode !== null ? `it exited with ${worker.exitCode}` : undefined),
        });
        const sample: Sample = { side, round, rss: [statusMb(pid, 'VmRSS')], peak: 0, drillsFailed: 0 };
        for (let d = 1; d <= DRILLS; d++) {
          const drillLog = createWriteStream(join(work, 'logs', `${queue}-drill-${d}.log`));
          const drill = spawn(process.execPath, ['--import', 'tsx', 'scripts/drill.ts'], { cwd: root, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
          drill.stdout.pipe(drillLog);
          drill.stderr.pipe(drillLog);
          if ((await exited(drill)) !== 0) sample.drillsFailed++;
          sample.rss.push(statusMb(pid, 'VmRSS'));
        }
        sample.peak = statusMb(pid, 'VmHWM');
        worker.kill('SIGTERM');
        await exited(worker);
        failed += sample.drillsFailed;
        samples.push(sample);
        console.log(
          `  round ${round} ${side.padEnd(8)}: peak ${sample.peak} MB; RSS after start ${sample.rss[0]} MB, after each drill ${sample.rss.slice(1).join(', ')} MB` +
            (sample.drillsFailed ? `; ${sample.drillsFailed} drill(s) FAILED (logs in ${join(work, 'logs')})` : ''),
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const peakOf = (side: Side) => median(samples.filter((s) => s.side === side).map((s) => s.peak));
    const lastOf = (side: Side) => median(samples.filter((s) => s.side === side).map((s) => s.rss.at(-1)!));
    console.log('\n| worker | peak RSS (median of rounds) | RSS after the last drill | |');
    console.log('|---|---|---|---|');
    console.log(`| as npm start runs it (tuned) | ${peakOf('tuned')} MB | ${lastOf('tuned')} MB | ${(peakOf('tuned') / peakOf('defaults')).toFixed(2)}x of defaults |`);
    console.log(`| Node and glibc defaults | ${peakOf('defaults')} MB | ${lastOf('defaults')} MB | baseline |`);
    if (failed) console.log(`\n${failed} drill(s) failed: the figures above are not comparable.`);
  } finally {
    await sup.stopAll();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
