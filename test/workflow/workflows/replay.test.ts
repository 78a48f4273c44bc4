// Runs recorded on older workflow code must replay on today's: each history in
// test/fixtures/histories is the `happy` fixture run (approvals, refusals, a parallel group, a
// confirmation) recorded on older code: "before-lean" before the `lean-monitor-and-notifications`
// patch, "switched-to-lean" with its second half on the patched code, "lean" on the code between
// that patch and `local-load-and-store`, "local" on the code between that one and `flat-steps`,
// "flat" on the code since. A change that reorders or adds commands without `patched()` fails here with the SDK's nondeterminism error. Before such a change, record the current code's
// history: `DR_RECORD_HISTORY=<name> npm test -- test/workflow/workflows/interpreter.test.ts`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../helpers/temporal.js';

const dir = resolve(import.meta.dirname, '../../fixtures/histories');

describe('recorded histories', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pb')).sort()) {
    it(`${file} replays on today's workflow code`, async () => {
      // Binary protobuf (History.encode of fetchHistory()): the SDK's own JSON reader trips over its
      // two copies of protobufjs ("type must be a Type").
      const history = proto.temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file.replace(/\.pb$/, ''));
    });
  }
});
