// Gauges of what is going on across all runs of this worker's task queue, from Temporal's visibility
// store (the search attributes the runs keep current): runs waiting on people, runs whose RTO is at
// risk or breached. Counting there rather than in workflow code keeps the figures right across
// worker restarts and with several workers (each reports the same totals).
import type { NativeConnection } from '@temporalio/worker';
import { Runtime } from '@temporalio/worker';
import { RUN_GAUGES } from './metric-names.js';

export interface RunGaugeOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  intervalMs?: number;
  /** Told when a count fails (the visibility store is down, a search attribute is missing). */
  onError?: (err: unknown) => void;
}

/** The visibility query behind each gauge. */
export function gaugeQueries(taskQueue: string): Record<keyof typeof RUN_GAUGES, string> {
  const running = `TaskQueue = ${JSON.stringify(taskQueue)} AND ExecutionStatus = "Running"`;
  return {
    running: `${running} AND DrRunbook IS NOT NULL`,
    waitingOnPeople: `${running} AND DrStatus = "waiting"`,
    rtoAtRisk: `${running} AND DrRtoStatus = "at-risk"`,
    rtoBreached: `${running} AND DrRtoStatus = "breached"`,
  };
}

/** Refreshes the gauges every `intervalMs` (default 10 s) until stop() is called. */
export function startRunGauges({ connection, namespace, taskQueue, intervalMs = 10_000, onError }: RunGaugeOptions): { refresh(): Promise<void>; stop(): void } {
  const meter = Runtime.instance().metricMeter.withTags({ task_queue: taskQueue, namespace });
  const queries = gaugeQueries(taskQueue);
  const gauges = Object.fromEntries(
    Object.entries(RUN_GAUGES).map(([key, { name, description }]) => [key, meter.createGauge(name, 'int', 'runs', description)]),
  );
  const refresh = async () => {
    try {
      for (const [key, query] of Object.entries(queries)) {
        const { count } = await connection.workflowService.countWorkflowExecutions({ namespace, query });
        gauges[key]!.set(Number(count ?? 0));
      }
    } catch (err) {
      onError?.(err);
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
