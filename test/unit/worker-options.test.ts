// The worker's concurrency settings come from the environment; unset ones keep the SDK's defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { concurrencyOptions } from '../../src/worker.js';

describe('worker concurrency settings', () => {
  it('maps each DR_WORKER_* variable to its SDK option', () => {
    const config = loadConfig({
      DR_WORKER_MAX_ACTIVITIES: '20',
      DR_WORKER_MAX_LOCAL_ACTIVITIES: '30',
      DR_WORKER_MAX_WORKFLOW_TASKS: '80',
      DR_WORKER_MAX_CACHED_WORKFLOWS: '1500',
      DR_WORKER_WORKFLOW_POLLERS: '8',
      DR_WORKER_ACTIVITY_POLLERS: '4',
    });
    assert.deepEqual(concurrencyOptions(config), {
      maxConcurrentActivityTaskExecutions: 20,
      maxConcurrentLocalActivityExecutions: 30,
      maxConcurrentWorkflowTaskExecutions: 80,
      maxCachedWorkflows: 1500,
      maxConcurrentWorkflowTaskPolls: 8,
      maxConcurrentActivityTaskPolls: 4,
    });
  });

  it('leaves unset and empty variables to the SDK', () => {
    assert.deepEqual(concurrencyOptions(loadConfig({ DR_WORKER_MAX_ACTIVITIES: '' })), {});
  });

  it('refuses a value that is not a whole number of at least 1, naming the variable', () => {
    for (const value of ['0', '-3', '2.5', 'many']) {
      assert.throws(() => loadConfig({ DR_WORKER_MAX_ACTIVITIES: value }), {
        message: `Invalid environment:\n  DR_WORKER_MAX_ACTIVITIES: Expected a whole number of at least 1, got ${JSON.stringify(value)}`,
      });
    }
  });
});
