// Runs recorded on older workflow code must replay on today's: each history in
// test/fixtures/histories was recorded by the code before the `lean` patch (the `happy` fixture run
// with its approvals and confirmation; "switched" ran its second half on the patched code). A change
// that reorders or adds commands without `patched()` fails here with the SDK's nondeterminism error.
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
