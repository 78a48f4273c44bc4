// The worker process: runs the runbook workflows and their activities on task queue `dr`, against
// the dev server or a real cluster (TLS / mTLS / API key), with the payload codec when configured,
// JSON log lines and, with DR_METRICS_PORT, a Prometheus endpoint.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type Logger, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from './activities/index.js';
import { fenceInterceptor } from './activities/fence.js';
import { dataConverter } from './codec/index.js';
import { loadConfig, type Config } from './config.js';
import { stepLogAttributes } from './observability/log-attributes.js';
import { startRunGauges } from './observability/run-gauges.js';
import { installRuntime, metricsUrl } from './observability/runtime.js';
import { connectionOptions, describeConnection } from './temporal/connection.js';

/** Path of the workflow entry the worker bundles (its compiled twin when the worker runs from dist/). */
export const workflowsPath = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './workflows/index.ts' : './workflows/index.js', import.meta.url));

/** A worker and the connection it owns. */
export interface DrWorker {
  worker: Worker;
  connection: NativeConnection;
}

/** The worker's concurrency settings from the configuration; unset ones keep the SDK's defaults. */
export function concurrencyOptions(config: Config): Partial<WorkerOptions> {
  const options: Partial<WorkerOptions> = {
    maxConcurrentActivityTaskExecutions: config.DR_WORKER_MAX_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: config.DR_WORKER_MAX_LOCAL_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.DR_WORKER_MAX_WORKFLOW_TASKS,
    maxCachedWorkflows: config.DR_WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskPolls: config.DR_WORKER_WORKFLOW_POLLERS,
    maxConcurrentActivityTaskPolls: config.DR_WORKER_ACTIVITY_POLLERS,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/**
 * Creates a worker for the configured task queue; the caller runs it and closes the connection.
 * `activities` replaces some activities (benchmarks wrap them to time them).
 */
export async function createWorker(config: Config = loadConfig(), overrides: { activities?: Partial<Activities> } = {}): Promise<DrWorker> {
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.DR_TASK_QUEUE,
    ...(config.DR_WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.DR_WORKFLOW_BUNDLE } } : { workflowsPath }),
    ...concurrencyOptions(config),
    activities: { ...createActivities({ config }), ...overrides.activities },
    dataConverter: dataConverter(config),
    interceptors: { activity: [stepLogAttributes, fenceInterceptor] },
  });
  return { worker, connection };
}

async function main(log: Logger, config: Config): Promise<void> {
  const { worker, connection } = await createWorker(config);
  const metrics = metricsUrl(config);
  log.info(
    `easymo-dr worker: task queue "${config.DR_TASK_QUEUE}" on ${describeConnection(connectionOptions(config), config.TEMPORAL_NAMESPACE)}, ` +
      `runbooks from ${config.runbooksDir}; payloads ${config.DR_CODEC_KEYS ? 'encrypted' : 'not encrypted'}; metrics ${metrics ?? 'off'}`,
    { taskQueue: config.DR_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE, metrics },
  );
  const gauges = metrics
    ? startRunGauges({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.DR_TASK_QUEUE,
        intervalMs: config.DR_METRICS_REFRESH_SECONDS * 1000,
        onError: (err) => log.warn(`run gauges not refreshed: ${err instanceof Error ? err.message : String(err)}`),
      })
    : undefined;
  try {
    await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  } finally {
    gauges?.stop();
    await connection.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let log: Pick<Logger, 'error'> = { error: (message: string) => console.error(message) };
  try {
    const config = loadConfig();
    const logger = installRuntime(config);
    log = logger;
    await main(logger, config);
  } catch (err) {
    log.error(`easymo-dr worker failed: ${err instanceof Error ? err.message : String(err)}`, { error: err });
    process.exit(1);
  }
}
