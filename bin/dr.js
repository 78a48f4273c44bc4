#!/usr/bin/env node
// The `dr` command (npx dr ...): runs the JavaScript compiled into dist/src by `npm ci` / `npm run
// build` (tsx compiling on every call took most of a second). When any file under src/ differs from
// what was compiled (an edit, a `git pull`), it recompiles first, so old code never runs; where it
// cannot (a read-only install), it runs the sources through tsx and says so.
import { staleReason } from '../scripts/build-cli.mjs';

const stale = staleReason();
if (stale) {
  try {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    await buildCli();
  } catch (err) {
    process.stderr.write(`dr: ${stale} and recompiling failed (${err.message}); running the sources through tsx (slower)\n`);
    const { register } = await import('tsx/esm/api');
    register();
    await import('../src/cli/main.ts');
    process.exit();
  }
}
await import('../dist/src/cli/main.js');
