// The workflow bundle holds no zod. The SDK evaluates every module of the bundle at each new run's
// first workflow task, and zod with the action schemas cost ~20 ms of CPU per run there; workflow
// code reads the zod-free runtime table (src/runbook/action-runtime.ts) instead of the registry's
// schemas. A runtime import of zod anywhere the workflows reach (a constant from fields.ts, a helper
// from actions.ts or schema.ts) fails here; `import type` is erased and fine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../../../src/worker.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('workflow bundle', () => {
  it('takes in no zod module', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
    // webpack names each module on a line of its own: /***/ "./node_modules/zod/v4/core/core.js"
    const modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]!);
    assert.ok(modules.includes('./src/workflows/index.ts'), `expected the workflows' modules in the bundle, got ${modules.length} modules`);
    assert.deepEqual(
      modules.filter((m) => m.includes('node_modules/zod')),
      [],
      'workflow code reaches zod at run time: import what it needs from a zod-free module (action-runtime.ts, model.ts), or use `import type`',
    );
  });
});
