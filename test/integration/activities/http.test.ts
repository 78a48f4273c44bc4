// httpRequest against a local server: status and body expectations, polling until healthy,
// connection errors while polling, secret headers, and the failure messages people read.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpRequest } from '../../../src/activities/http.js';
import type { HttpInput } from '../../../src/activities/types.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end('ok');
let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const request = (input: Partial<HttpInput>, env: NodeJS.ProcessEnv = {}) =>
  httpRequest({ runId: 'run-1', stepId: 'health', url: `${base}/health`, method: 'GET', headers: {}, expect: { status: [200] }, ...input }, { env });

/** A free port: bound, then released, so nothing answers there. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { type?: string; nonRetryable?: boolean; details?: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('Expected a rejection, got a result');
}

describe('httpRequest', () => {
  it('checks the status and returns the body', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    assert.deepEqual(await request({ expect: { status: [200, 204] } }), { status: 204, body: '', requests: 1 });
    handler = (_req, res) => res.writeHead(503).end('{"status":"down",\n "db": "unreachable"}');
    await assert.rejects(request({}), {
      name: 'ApplicationFailure',
      type: 'StepExpectationFailed',
      nonRetryable: true,
      message: `Expected GET ${base}/health to answer 200, got 503: {"status":"down", "db": "unreachable"}`,
    });
  });

  it('checks the body contains a substring', async () => {
    handler = (_req, res) => res.end('{"status":"starting"}');
    await assert.rejects(request({ expect: { status: [200], body: '"status":"ok"' } }), {
      type: 'StepExpectationFailed',
      message: `Expected GET ${base}/health to answer 200 with a body containing "\\"status\\":\\"ok\\"", got 200: {"status":"starting"}`,
    });
    handler = (_req, res) => res.end('{"status":"ok"}');
    assert.equal((await request({ expect: { status: [200], body: '"status":"ok"' } })).body, '{"status":"ok"}');
  });

  it('polls until healthy', async () => {
    let calls = 0;
    handler = (_req, res) => (++calls < 4 ? res.writeHead(503).end('warming up') : res.end('ready'));
    const result = await request({ expect: { status: [200], body: 'ready' }, poll: { everyMs: 50, forMs: 5_000 } });
    assert.deepEqual(result, { status: 200, body: 'ready', requests: 4 });
  });

  it('fails after the polling window, saying how many requests and how long', async () => {
    handler = (_req, res) => res.writeHead(503).end('still down');
    const started = Date.now();
    const err = await rejection(request({ poll: { everyMs: 100, forMs: 450 } }));
    assert.ok(Date.now() - started < 1_000);
    // Requests at 0, 100, ..., 400 ms; a slow machine may fit one fewer into the window.
    assert.match(err.message, new RegExp(`^Expected GET ${base}/health to answer 200, got 503 after [45] requests in [34]\\d\\dms: still down$`));
    assert.equal(err.type, 'StepExpectationFailed');
  });

  it('counts connection errors as "not yet" while polling', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/health`;
    const err = await rejection(request({ url, poll: { everyMs: 50, forMs: 200 } }));
    // Every 50 ms for 200 ms: 4 or 5 requests on an idle machine, fewer when it is busy; more than one shows it polled.
    const requests = Number(new RegExp(`^Expected GET ${url} to answer 200, got connection error \\(ECONNREFUSED\\) after (\\d+) requests in \\d+ms$`).exec(err.message)?.[1]);
    assert.ok(requests >= 2 && requests <= 5, `expected 2-5 requests in the message, got: ${err.message}`);
    await assert.rejects(request({ url }), { type: 'StepExpectationFailed', message: `Expected GET ${url} to answer 200, got connection error (ECONNREFUSED)` });
  });

  it('gives up on a request after its timeout', async () => {
    handler = () => {}; // never answers
    await assert.rejects(request({ timeoutMs: 200 }), { message: `Expected GET ${base}/health to answer 200, got no answer within 200ms` });
  });

  it('does not let a hung request outlive the polling window', async () => {
    handler = () => {};
    const started = Date.now();
    const err = await rejection(request({ poll: { everyMs: 100, forMs: 300 } }));
    assert.match(err.message, /^Expected GET \S+ to answer 200, got no answer within 1s after 1 request in 1s$/);
    assert.ok(Date.now() - started < 5_000, `gave up after ${Date.now() - started} ms (the request timeout being 1 s)`);
  });

  it('sends secret headers and never shows their values', async () => {
    handler = (req, res) => res.writeHead(req.headers.authorization === 'Bearer tok-123456' ? 401 : 500).end(`you sent ${req.headers.authorization}`);
    await assert.rejects(request({ method: 'post', body: '{}', headers: { authorization: 'env:DR_TEST_TOKEN' } }, { DR_TEST_TOKEN: 'Bearer tok-123456' }), {
      message: `Expected POST ${base}/health to answer 200, got 401: you sent ***`,
    });
    await assert.rejects(request({ headers: { authorization: 'env:DR_TEST_NOPE' } }), { type: 'SecretUnresolved' });
  });

  it('caps the body at 4 KiB', async () => {
    handler = (_req, res) => res.end('x'.repeat(100_000));
    assert.equal((await request({})).body.length, 4_096);
  });

  it('stops polling when cancelled', async () => {
    handler = (_req, res) => res.writeHead(503).end();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = Date.now();
    await assert.rejects(
      httpRequest({ runId: 'r', stepId: 's', url: `${base}/x`, method: 'GET', headers: {}, expect: { status: [200] }, poll: { everyMs: 50, forMs: 60_000 } }, { signal: controller.signal }),
      { name: 'CancelledFailure' },
    );
    assert.ok(Date.now() - started < 1_000);
  });
});
