// The workflow bundle holds no zod. The SDK evaluates every module of the bundle at each new run's
// first workflow task, and zod with the action schemas cost ~20 ms of CPU per run there; workflow
// code reads the zod-free runtime table (src/runbook/action-runtime.ts) instead of the registry's
// schemas. A runtime import of zod anywhere the workflows reach (a constant from fields.ts, a helper
// from actions.ts or schema.ts) fails here; `import type` is erased and fine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleWorkflowCode } from '@temporalio/worker';
import { withoutSourcesContent } from '../../../scripts/bundle-workflows.js';
import { workflowsPath } from '../../../src/worker.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const MAP = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
const inlineMap = (code: string) => JSON.parse(Buffer.from(code.slice(code.lastIndexOf(MAP) + MAP.length), 'base64').toString()) as Record<string, unknown>;
let bundled: Promise<{ code: string }> | undefined;
const bundle = () => (bundled ??= bundleWorkflowCode({ workflowsPath, logger: quiet }));

describe('workflow bundle', () => {
  it('takes in no zod module', async () => {
    const { code } = await bundle();
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

describe('withoutSourcesContent', () => {
  it('drops the copies of the sources and keeps the code and what stack traces map through', async () => {
    const { code } = await bundle();
    const before = inlineMap(code);
    assert.ok(Array.isArray(before.sourcesContent) && before.sourcesContent.length > 0, 'expected the SDK to inline the sources');
    const stripped = withoutSourcesContent(code);
    const after = inlineMap(stripped);
    assert.equal(after.sourcesContent, undefined);
    assert.deepEqual({ ...after, sourcesContent: before.sourcesContent }, before);
    assert.equal(stripped.slice(0, stripped.lastIndexOf(MAP)), code.slice(0, code.lastIndexOf(MAP)));
    assert.ok(stripped.length < code.length / 1.5, `expected the bundle to shrink by a third at least: ${code.length} -> ${stripped.length} bytes`);
  });

  it('refuses a bundle without an inline source map, saying what it expected', () => {
    assert.throws(() => withoutSourcesContent('const x = 1;\n'), /no inline source map: expected a last comment "\/\/# sourceMappingURL=data:…;base64,…"/);
    assert.throws(() => withoutSourcesContent('const x = 1;\n//# sourceMappingURL=data:application/json,{}\n'), /no inline source map/);
  });
});
