// Workflow tests run on the real Temporal dev server that `npm test` starts (TEMPORAL_ADDRESS),
// each test file with its own task queue and an in-process worker over the fixture runbooks.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../src/activities/index.js';
import { loadConfig } from '../../src/config.js';
import { progressQuery, type Progress, type RunInput } from '../../src/workflows/messages.js';
import { writeWorkflowBundle } from '../../scripts/bundle-workflows.js';
import { temporalAddress } from './services.js';
import { waitUntil } from './wait.js';

export const fixturesDir = resolve(import.meta.dirname, '../fixtures/runbooks');

export { temporalAddress } from './services.js';

/** The workflow bundle, cached by the content of the code it is built from (bundling takes seconds). */
export async function workflowBundle(): Promise<{ codePath: string }> {
  const hash = createHash('sha256');
  const srcDir = resolve(import.meta.dirname, '../../src');
  for (const dir of ['workflows', 'runbook']) {
    for (const file of readdirSync(join(srcDir, dir)).sort()) hash.update(file).update(readFileSync(join(srcDir, dir, file)));
  }
  // How it is bundled, too.
  hash.update(readFileSync(resolve(import.meta.dirname, '../../scripts/bundle-workflows.ts')));
  const cacheDir = resolve(import.meta.dirname, '../../.state/test-bundles');
  const codePath = join(cacheDir, `workflows-${hash.digest('hex').slice(0, 16)}.js`);
  if (!existsSync(codePath)) await writeWorkflowBundle(codePath);
  return { codePath };
}

/** Test output shows warnings and errors, not every run's and step's INFO line. Once, before any connection. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed (a second testEnv in the same file)
  }
}


export interface TestEnv {
  client: Client;
  taskQueue: string;
  worker: Worker;
  start(input: RunInput, id?: string): Promise<WorkflowHandle>;
  close(): Promise<void>;
}

/** Starts a worker (real activities unless replaced) on a fresh task queue; close() shuts it down. */
export async function testEnv(options: { activities?: Partial<Activities>; runbooksDir?: string } = {}): Promise<TestEnv> {
  const address = temporalAddress();
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({ ...process.env, DR_RUNBOOKS_DIR: options.runbooksDir ?? fixturesDir, DR_TASK_QUEUE: taskQueue });
  quietRuntime();
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...createActivities({ config }), ...options.activities },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    client,
    taskQueue,
    worker,
    start: (input, id) =>
      client.workflow.start('runbook', { taskQueue, workflowId: id ?? `${input.runbook}-${randomUUID()}`, args: [input] }),
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** Polls the run's progress until `check` holds; fails with the last progress seen. */
export async function waitForProgress(
  handle: WorkflowHandle,
  check: (p: Progress) => boolean,
  timeoutMs = 20_000,
): Promise<Progress> {
  let last: Progress | undefined;
  return waitUntil(
    `the progress of ${handle.workflowId}`,
    async () => {
      try {
        last = await handle.query(progressQuery);
        return check(last) && last;
      } catch (err) {
        // The first query can race the first workflow task; anything else is a real failure.
        if (!/did not register a handler|not found/i.test(String(err))) throw err;
        return undefined;
      }
    },
    { timeoutMs, detail: () => `last progress: ${JSON.stringify(last)}` },
  );
}

/** The step's state in a progress snapshot. */
export function stepOf(p: Progress, id: string) {
  const step = p.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in progress`);
  return step;
}
