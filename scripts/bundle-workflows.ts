// Prebuilds the workflow bundle (what the worker otherwise bundles at every start, in seconds) so a
// container starts polling at once: `node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js`, then
// run the worker with DR_WORKFLOW_BUNDLE=dist/workflow-bundle.js. The Dockerfile does this; `npm start`
// (scripts/lib/worker-command.ts) and the tests' worker processes (test/helpers/temporal.ts) call
// writeWorkflowBundle for bundles they cache. Standalone: the Dockerfile copies this file alone.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const INLINE_MAP = '//# sourceMappingURL=data:';

/**
 * The bundle with its inline source map's copy of every source file (`sourcesContent`) taken out.
 * The SDK reads those copies only for `showStackTraceSources`, which the worker leaves off; stack
 * traces map through `mappings` alone. Both the worker's threads keep the map they parse: the copies
 * cost a worker about 5 MB of RSS (BENCHMARKS.md, "Worker memory").
 */
export function withoutSourcesContent(code: string): string {
  // Found as the SDK's worker finds it: the last data-URL comment, its base64 payload.
  const at = code.lastIndexOf(INLINE_MAP);
  const payload = at < 0 ? -1 : code.indexOf('base64,', at);
  if (payload < 0) throw new Error(`the workflow bundle has no inline source map: expected a last comment "${INLINE_MAP}…;base64,…"`);
  const start = payload + 'base64,'.length;
  const map = JSON.parse(Buffer.from(code.slice(start).trimEnd(), 'base64').toString()) as { sourcesContent?: unknown };
  delete map.sourcesContent;
  return `${code.slice(0, start)}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** Bundles src/workflows into `out`, written whole or not at all; returns its size in bytes. */
export async function writeWorkflowBundle(out: string): Promise<number> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: resolve(import.meta.dirname, '../src/workflows/index.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const code = withoutSourcesContent(bundle.code);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, out);
  return code.length;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const started = Date.now();
  const bytes = await writeWorkflowBundle(out);
  console.log(`workflow bundle: ${out} (${(bytes / 1024 / 1024).toFixed(2)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
