// The engine bench's baseline: bare Temporal workflows that call the same step activity (runShell)
// with the same input and the same activity options as the interpreter's dispatch, and nothing
// else: no runbook, no state, no report, no monitor. Bundled alone (a workflow's first task
// evaluates its whole bundle, so sharing the project's would charge the baseline for loading it).
import { ActivityCancellationType, condition, defineQuery, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import { HEARTBEAT_TIMEOUT_MS } from '../src/runbook/redispatch.js';

const { runShell } = proxyActivities<Activities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { maximumAttempts: 1 },
});

/** One step: what the interpreter hands runShell for `shell: { command: [...] }`. */
function step(command: string[], stepId: string) {
  const runId = workflowInfo().workflowId;
  return runShell({ command, script: undefined, env: {}, cwd: undefined, okExitCodes: undefined, runId, stepId, timeoutMs: undefined } as never);
}

/** Runs the commands one after the other. */
export async function bareSteps(commands: string[][]): Promise<number> {
  for (const [i, command] of commands.entries()) await step(command, `s${i + 1}`);
  return commands.length;
}

export const bareApproveUpdate = defineUpdate<{ accepted: boolean }, [{ step: string; by: string }]>('approve');
export const bareWaitingQuery = defineQuery<boolean>('waiting');

/** Waits for an `approve` update, then runs the command: the baseline of approval-to-next-step. */
export async function bareApproval(command: string[]): Promise<void> {
  let approved = false;
  let waiting = false;
  setHandler(bareWaitingQuery, () => waiting);
  setHandler(bareApproveUpdate, () => {
    approved = true;
    return { accepted: true };
  });
  waiting = true;
  await condition(() => approved);
  waiting = false;
  await step(command, 'after');
}
