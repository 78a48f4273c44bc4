// The Temporal UI journey of an on-call engineer, in headless Chromium, with payload encryption on:
// Start Workflow with the documented JSON input, find the run by the engine's search attributes,
// approve and complete with Send Signal, watch it finish and read the step timings. The UI shows
// inputs and results through `dr codec-server`, while the history on the server holds ciphertext.
// Screenshots of every step go to test-artifacts/ui/; with DR_UPDATE_DOCS=1 the pictures of
// docs/operating-from-the-ui.md are written there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { dataConverter } from '../../../src/codec/index.js';
import { progressQuery, reportQuery } from '../../../src/workflows/messages.js';
import { docShot, launchBrowser, reloadUntil, sendSignal, snap, startWorkflowFromUi, uiUrl } from '../../helpers/browser.js';
import { plaintextHits, startCodecServerProcess, testKeys } from '../../helpers/codec.js';
import { startWorker, stopProcess } from '../../helpers/processes.js';
import { waitForPoller } from '../../helpers/pollers.js';
import { stepOf, temporalAddress, waitForProgress } from '../../helpers/temporal.js';
import { codecUrl, temporalCliPath } from '../../helpers/services.js';

const keys = testKeys();
const taskQueue = `ui-${randomUUID()}`;
const ui = uiUrl();
let worker: ChildProcess;
let codec: ChildProcess;
let browser: Browser;
let page: Page;
let client: Client;

before(async () => {
  const port = new URL(codecUrl()).port;
  // Each is kept as soon as it is up, so `after` stops them even when another failed to start
  // (a process left behind would keep the test file from ever exiting).
  const started = await Promise.allSettled([
    startWorker(taskQueue, keys).then((w) => (worker = w)),
    startCodecServerProcess(['--port', port, '--allow-origin', new URL(ui).origin], keys).then((c) => (codec = c.child)),
    launchBrowser().then((b) => (browser = b)),
  ]);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection, dataConverter: dataConverter(keys) });
  await waitForPoller(client, taskQueue);
});

after(async () => {
  await browser?.close();
  await client?.connection.close();
  await Promise.all([worker && stopProcess(worker), codec && stopProcess(codec)]);
});

test('UI journey: start, filter, approve and complete with Send Signal, read the step timings; payloads encrypted', { timeout: 180_000 }, async () => {
  const workflowId = `ui-happy-${randomUUID().slice(0, 8)}`;
  const secret = `SECRET-${randomUUID()}`;
  const marker = join(mkdtempSync(join(tmpdir(), 'dr-ui-')), `${secret}.txt`);

  await page.goto(`${ui}/namespaces/default/workflows`);
  await page.getByRole('link', { name: 'Start Workflow' }).waitFor();
  await snap(page, '01-workflows');

  // 1. Start Workflow with the small JSON input docs/operating.md documents.
  await startWorkflowFromUi(
    page,
    { workflowId, taskQueue, workflowType: 'runbook', input: { runbook: 'happy', mode: 'drill', inputs: { marker }, startedBy: 'dana' } },
    async () => {
      await snap(page, '02-start-workflow-form');
      await docShot(page, 'start-workflow');
    },
  );
  const handle = client.workflow.getHandle(workflowId);
  await waitForProgress(handle, (p) => stepOf(p, 'gate').waitingFor === 'approval', 30_000);

  // 2. The list, filtered by the engine's search attributes.
  await page.getByRole('link', { name: 'Back to Workflows' }).click();
  await page.getByTestId('toggle-manual-query').click();
  const query = page.getByPlaceholder('Enter a query');
  await query.fill(`DrRunbook = "happy" AND DrStatus = "waiting" AND TaskQueue = "${taskQueue}"`);
  await query.press('Enter');
  const row = page.getByRole('link', { name: workflowId });
  await reloadUntil(page, row, `${workflowId} in the filtered list`);
  await snap(page, '03-list-filtered-by-search-attributes');

  // 3. The run: its input shown in clear through the codec server.
  await row.click();
  await page.getByText(secret).first().waitFor();
  await snap(page, '04-run-waiting-for-approval');
  // Current Details while it waits: who may answer, and the exact signal to send.
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const waitingDetails = page.frameLocator('iframe').first();
  await waitingDetails.getByText('answered by dba (alice, bob), lead (carol)', { exact: false }).first().waitFor({ timeout: 30_000 });
  await docShot(page.locator('iframe').first(), 'current-details-waiting');
  await page.getByRole('tab', { name: 'Timeline', exact: true }).click();

  // 4. Two approvals (the gate needs two people), then the manual step, all with Send Signal.
  // Whether a signal reached the run, should the UI's dialog not say so.
  const received = (message: string, by: string) => async () =>
    (await handle.query(reportQuery)).audit.some((a) => a.message === message && a.by === by && a.via === 'signal');
  await sendSignal(page, 'approve', { step: 'gate', by: 'alice' }, '05-send-signal-approve-alice', received('approve', 'alice'), 'send-signal');
  await waitForProgress(handle, (p) => stepOf(p, 'gate').approvals === '1/2');
  await sendSignal(page, 'approve', { step: 'gate', by: 'carol', comment: 'backup verified' }, '06-send-signal-approve-carol', received('approve', 'carol'));
  await waitForProgress(handle, (p) => stepOf(p, 'confirm').waitingFor === 'completion', 30_000);
  // The timeline shows the run went on past the gate: the shell step of the parallel group after it ran. (No
  // notification activity marks the wait here: the test's worker has no notification webhook configured.)
  await reloadUntil(page, page.getByText('right: right').first(), 'the step after the gate on the timeline');
  await snap(page, '07-run-continued-waiting-for-confirmation');
  await sendSignal(page, 'complete', { step: 'confirm', by: 'carol' }, '08-send-signal-complete', received('complete', 'carol'));

  // 5. The run finishes: its result (the report) in clear, and the step timings in Current Details.
  await reloadUntil(page, page.getByTestId('execution-status').filter({ hasText: 'Completed' }), 'the run to show Completed');
  await page.getByText('"succeeded"').first().waitFor();
  await snap(page, '09-run-completed-with-report');
  // Current Details is read when the page loads: load it again for the finished run's.
  await page.reload();
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const details = page.frameLocator('iframe').first();
  await details.getByText('Happy path').waitFor();
  await details.getByText('succeeded', { exact: true }).first().waitFor({ timeout: 10_000 });
  // The table: its header and a row per step (the step ids are code spans of their own).
  // (Header cells start with non-breaking spaces: found as cells containing the word.)
  for (const text of ['step', 'budget', 'actual', 'waiting on people']) await details.locator('th', { hasText: text }).first().waitFor({ timeout: 10_000 });
  for (const text of ['echo', 'gate', 'confirm']) await details.getByText(text, { exact: true }).first().waitFor({ timeout: 10_000 });
  // A real table: each figure in a cell of its own, the columns kept apart (the UI pads no cell).
  const echo = details.locator('tr', { has: details.locator('code', { hasText: /^echo$/ }) });
  const cells = (await echo.locator('td').allInnerTexts()).map((t) => t.replace(/\u00a0/g, ' '));
  assert.equal(cells.length, 5, `cells of the echo row: ${JSON.stringify(cells)}`);
  assert.match(cells[1]!, /^ {3}succeeded$/);
  assert.match(cells[2]!, /^ {3}30s$/);
  // Once ended, the verdict: RTO met with its figures, and the report as the next action.
  await details.locator('strong', { hasText: /^met$/ }).first().waitFor({ timeout: 10_000 });
  await details.getByText('Next: read the report', { exact: false }).first().waitFor({ timeout: 10_000 });
  await snap(page, '10-step-timings');
  await docShot(page.locator('iframe').first(), 'current-details-final');
  assert.equal(readFileSync(marker, 'utf8'), 'hello world; $(rm -rf /)\n', 'the worker decrypted the input and ran the steps');

  // 6. What the server stores is ciphertext: no trace of the marker in the raw history.
  const raw = await promisify(execFile)(
    temporalCliPath(),
    ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', temporalAddress()],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const history: unknown = JSON.parse(raw.stdout);
  assert.deepEqual(plaintextHits(history, secret), [], 'plaintext of the input in the server-side history');
  assert.ok(raw.stdout.includes(Buffer.from('binary/encrypted').toString('base64')), 'payloads carry the encrypted encoding');
  // ... while a client with the keys reads it back.
  assert.equal((await handle.query(progressQuery)).status, 'succeeded');
  assert.ok(existsSync(marker));
});
