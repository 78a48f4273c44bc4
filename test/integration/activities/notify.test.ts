// notify against a local receiver: delivered bodies, and every way it can fail without throwing.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Logger } from '../../../src/activities/context.js';
import { notify, type NotifyOptions } from '../../../src/activities/notify.js';
import type { NotifyInput } from '../../../src/activities/types.js';

let server: Server;
let url: string;
let status = 200;
let received: Array<{ path: string; contentType: string | undefined; body: unknown }> = [];
let warnings: Array<[string, Record<string, unknown> | undefined]> = [];
const log: Logger = { info: () => {}, warn: (message, meta) => warnings.push([message, meta]) };

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) });
      res.writeHead(status).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  status = 200;
  received = [];
  warnings = [];
});

const input: NotifyInput = { runId: 'db-loss-42', event: 'run-started', message: 'drill of "Database loss" started', fields: { runbook: 'database-loss', step: null } };
const send = (over: Partial<NotifyInput> = {}, options: NotifyOptions = {}) => notify({ ...input, webhook: url, ...over }, { log, ...options });

describe('notify', () => {
  it('POSTs a Slack-compatible JSON body', async () => {
    assert.deepEqual(await send(), { delivered: true, status: 200 });
    assert.deepEqual(received, [
      {
        path: '/hook',
        contentType: 'application/json',
        body: { text: 'drill of "Database loss" started', event: 'run-started', runId: 'db-loss-42', fields: { runbook: 'database-loss', step: null } },
      },
    ]);
    assert.deepEqual(warnings, []);
  });

  it('resolves a webhook reference, and falls back to the default webhook', async () => {
    assert.equal((await send({ webhook: 'env:DR_TEST_HOOK' }, { env: { DR_TEST_HOOK: url } })).delivered, true);
    assert.equal((await send({ webhook: undefined }, { defaultWebhook: url })).delivered, true);
    assert.equal(received.length, 2);
  });

  it('returns delivered: false on an error answer, without throwing', async () => {
    status = 500;
    assert.deepEqual(await send(), { delivered: false, status: 500, error: 'Webhook answered 500 Internal Server Error' });
    assert.deepEqual(warnings, [['Notification not delivered: Webhook answered 500 Internal Server Error', { runId: 'db-loss-42', event: 'run-started' }]]);
  });

  it('returns delivered: false when the webhook is unreachable, absent or unresolvable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    assert.deepEqual(await send({ webhook: `http://127.0.0.1:${port}/hook` }), { delivered: false, error: 'Webhook unreachable: ECONNREFUSED' });
    assert.deepEqual(await send({ webhook: undefined }), {
      delivered: false,
      error: 'No webhook configured (set notify.webhook in the runbook or DR_NOTIFY_WEBHOOK)',
    });
    assert.deepEqual(await send({ webhook: 'env:DR_TEST_NO_HOOK' }), {
      delivered: false,
      error: 'Secret env:DR_TEST_NO_HOOK is not set: environment variable DR_TEST_NO_HOOK is undefined on the worker',
    });
    assert.deepEqual(await send({ webhook: 'hooks.slack.com/services/T000/B000/XXXX' }), { delivered: false, error: 'Webhook is not an http(s) URL' });
    assert.equal(warnings.length, 4);
  });

  it('gives up after its timeout', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    const result = await send({ webhook: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/` }, { timeoutMs: 200 });
    assert.deepEqual(result, { delivered: false, error: 'Webhook did not answer within 200ms' });
    assert.ok(Date.now() - started < 2_000);
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
