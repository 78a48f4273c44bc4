// Waiting for a worker process to poll its task queue, so a test (or the UI's "Task Queue is
// Active" check) does not race the worker's start.
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

export async function waitForPoller(client: Client, taskQueue: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if ((pollers ?? []).length > 0) return;
    await delay(250);
  }
  throw new Error(`No worker polled task queue "${taskQueue}" within ${timeoutMs} ms`);
}
