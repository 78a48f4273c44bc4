// The worker process: runs the runbook workflows and their activities on task queue `dr`.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import { loadConfig, type Config } from './config.js';

/** Path of the workflow entry the worker bundles. */
export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

/** Creates a worker for the configured task queue; the caller runs and shuts it down. */
export async function createWorker(config: Config = loadConfig()): Promise<Worker> {
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.DR_TASK_QUEUE,
    ...(config.DR_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.DR_WORKFLOW_BUNDLE } } : { workflowsPath }),
    activities: createActivities({ config }),
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const worker = await createWorker(config);
  console.log(
    `easymo-dr worker: task queue "${config.DR_TASK_QUEUE}" on ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), runbooks from ${config.runbooksDir}`,
  );
  await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(`easymo-dr worker failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
