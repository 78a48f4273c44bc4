// Waiting for a worker process to poll its task queue, so a test (or the UI's "Task Queue is
// Active" check) does not race the worker's start.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { waitUntil } from './wait.js';

export async function waitForPoller(client: Client, taskQueue: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    `a worker to poll task queue "${taskQueue}"`,
    async () => {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (pollers ?? []).length > 0;
    },
    { timeoutMs, everyMs: 250 },
  );
}
