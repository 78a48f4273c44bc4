// How the CLI explains what went wrong: a refusal is recognised by its failure type, not its words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { explain } from '../../../src/cli/errors.js';
import { RunFailureTypes } from '../../../src/workflows/messages.js';

const updateFailed = (cause: Error) => new WorkflowUpdateFailedError('Workflow Update failed', cause);

test('an update the run refused (failure type MessageRefused) reads "Refused: <why>"', () => {
  const refused = ApplicationFailure.create({ type: RunFailureTypes.MessageRefused, message: 'approve: step "gate" is not waiting for approval (it is succeeded)', nonRetryable: true });
  assert.equal(explain(updateFailed(refused), 'x:7233').message, 'Refused: approve: step "gate" is not waiting for approval (it is succeeded)');
});

test('an update that failed for another reason is not called a refusal, whatever its words', () => {
  const other = ApplicationFailure.create({ type: 'Error', message: 'approve: something broke' });
  assert.equal(explain(updateFailed(other), 'x:7233').message, 'Not applied: approve: something broke');
});

test('a plain error that merely looks like a refusal is shown as it is', () => {
  assert.equal(explain(new Error('approve: looks like a refusal'), 'x:7233').message, 'approve: looks like a refusal');
});
