// How `npm start` runs the worker: the JavaScript compiled into dist/src (rebuilt first when a source
// changed, as `dr` does) with its workflow bundle prebuilt and cached by the sources it comes from,
// so the worker neither compiles TypeScript through tsx nor bundles its workflows at start. Peak RSS
// of the worker over 3 drills on the local stack: 455 MB under tsx bundling at start, 354 MB with
// a prebuilt bundle, 293 MB compiled with one (BENCHMARKS.md). WORKER_MEMORY_SETTINGS take about
// 60 MB more off (bench/worker-rss.bench.ts); the bundle's map without sourcesContent, 5 MB.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildCli, STAMP, staleReason } from '../build-cli.mjs';
import { writeWorkflowBundle } from '../bundle-workflows.js';
import { REPO_ROOT, say } from './util.js';

export interface WorkerCommand {
  /** Arguments for `node`, from the repository root. */
  args: string[];
  env: Record<string, string>;
  /** The command as shown to people. */
  shown: string;
}

/**
 * How the worker's Node runs, for less resident memory at the same throughput (BENCHMARKS.md): a
 * young generation of 2 MB per semi-space instead of 16, in the main isolate and the workflow
 * thread's alike (V8 flags are per process), and two glibc malloc arenas instead of eight per core
 * for the SDK's Rust threads. The Dockerfile sets the same; a MALLOC_ARENA_MAX already set wins.
 */
export const WORKER_MEMORY_SETTINGS = {
  nodeFlags: ['--max-semi-space-size=2'],
  env: { MALLOC_ARENA_MAX: '2' },
};

const memoryEnv = (): Record<string, string> => ({ MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || WORKER_MEMORY_SETTINGS.env.MALLOC_ARENA_MAX });

/**
 * The worker's Node flags: the memory settings, then DR_WORKER_NODE_FLAGS (space-separated), which
 * win where they set the same thing. For flags NODE_OPTIONS refuses, such as --optimize-for-size.
 */
export function workerNodeFlags(): string[] {
  return [...WORKER_MEMORY_SETTINGS.nodeFlags, ...(process.env.DR_WORKER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean)];
}

/**
 * The worker's variables for the demo PostgreSQL at `url` (runbooks/environments/local.yaml refers to
 * them); DATABASE_URL only when not set already.
 */
export function demoDatabaseEnv(url: string): Record<string, string> {
  return { DEMO_DATABASE_URL: url, DEMO_ADMIN_URL: url.replace(/\/[^/]*$/, '/postgres'), DATABASE_URL: process.env.DATABASE_URL || url };
}

/** The worker's command; `stateDir` keeps the bundle. A DR_WORKFLOW_BUNDLE already set is used as it is. */
export async function workerCommand(stateDir: string): Promise<WorkerCommand> {
  try {
    if (staleReason()) await buildCli();
  } catch (err) {
    // A read-only checkout, say: the sources still run.
    say(`warning: compiling src/ failed (${err instanceof Error ? err.message : String(err)}); the worker runs the sources through tsx`);
    return { args: [...workerNodeFlags(), '--import', 'tsx', 'src/worker.ts'], env: memoryEnv(), shown: 'node --import tsx src/worker.ts' };
  }
  const compiled = [...workerNodeFlags(), 'dist/src/worker.js'];
  if (process.env.DR_WORKFLOW_BUNDLE) return { args: compiled, env: memoryEnv(), shown: `node dist/src/worker.js (DR_WORKFLOW_BUNDLE=${process.env.DR_WORKFLOW_BUNDLE})` };
  const dir = join(stateDir, 'workflow-bundles');
  // Named by the sources and by how they are bundled.
  const name = `workflows-${createHash('sha1').update(readFileSync(STAMP)).update(readFileSync(join(REPO_ROOT, 'scripts', 'bundle-workflows.ts'))).digest('hex').slice(0, 16)}.js`;
  const codePath = join(dir, name);
  if (!existsSync(codePath)) {
    await writeWorkflowBundle(codePath);
    // Bundles of older sources are never used again.
    for (const old of readdirSync(dir)) if (old !== name) rmSync(join(dir, old), { force: true });
  }
  return { args: compiled, env: { ...memoryEnv(), DR_WORKFLOW_BUNDLE: codePath }, shown: `node dist/src/worker.js, workflows from ${relative(REPO_ROOT, codePath)}` };
}
