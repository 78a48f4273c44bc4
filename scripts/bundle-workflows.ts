// Prebuilds the workflow bundle (what the worker otherwise bundles at every start, in seconds) so a
// container starts polling at once: `node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js`, then
// run the worker with DR_WORKFLOW_BUNDLE=dist/workflow-bundle.js. The Dockerfile does this.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const started = Date.now();
const { code } = await bundleWorkflowCode({
  workflowsPath: resolve(import.meta.dirname, '../src/workflows/index.ts'),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`workflow bundle: ${out} (${(code.length / 1024 / 1024).toFixed(2)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
