// tcp.check against real sockets: an open port answers, a closed one is refused, one that never
// answers times out; the errors name host, port and cause. Also the action's schema and effect class.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { tcpCheck } from '../../src/activities/tcp.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { classifyRunbook } from '../../src/safety/steps.js';
import { actionOf, errorsOf } from '../helpers/one-step.js';

const silent = { info: () => {}, warn: () => {} };
const check = (host: string, port: string, connectTimeoutMs = 2_000, signal?: AbortSignal) =>
  tcpCheck({ host, port, connectTimeoutMs }, { log: silent, signal });

describe('tcp.check: the schema', () => {
  test('defaults, the host:port shorthand and a templated port', () => {
    assert.deepEqual(actionOf('    tcp.check: { host: db.internal, port: 5432 }\n'), { kind: 'tcp.check', host: 'db.internal', port: '5432', connectTimeoutMs: 5_000 });
    assert.deepEqual(actionOf('    tcp.check: db.internal:6432\n'), { kind: 'tcp.check', host: 'db.internal', port: '6432', connectTimeoutMs: 5_000 });
    assert.deepEqual(actionOf("    tcp.check: '[::1]:5432'\n"), { kind: 'tcp.check', host: '::1', port: '5432', connectTimeoutMs: 5_000 });
    const yaml = "id: t\ntitle: T\ninputs: { host: db, port: 5432 }\nsteps:\n  - id: s\n    budget: 1m\n    tcp.check: { host: '{{ inputs.host }}', port: '{{ inputs.port }}', timeout: 10s }\n";
    const { runbook, errors } = parseRunbook(yaml, 't.yaml');
    assert.deepEqual(errors, []);
    assert.deepEqual(runbook!.steps[0]!.action, { kind: 'tcp.check', host: '{{ inputs.host }}', port: '{{ inputs.port }}', connectTimeoutMs: 10_000 });
  });

  test('bad fields are named with file, line and what was expected', () => {
    const at = 't.yaml:6 steps[0]["tcp.check"]';
    assert.deepEqual(errorsOf('    tcp.check: { host: db, port: 70000 }\n'), [`${at}.port: Expected a port number from 1 to 65535 (or a template), got 70000`]);
    assert.deepEqual(errorsOf('    tcp.check: { host: db, port: http }\n'), [`${at}.port: Expected a port number from 1 to 65535 (or a template), got "http"`]);
    assert.deepEqual(errorsOf('    tcp.check: { host: db, port: 5432, timeout: 5m }\n'), [`${at}.timeout: Expected a timeout of at most 1m`]);
    assert.deepEqual(errorsOf('    tcp.check: { port: 5432 }\n'), [`${at}.host: Invalid input: expected string, received undefined`]);
  });

  test('is read-only: it may run in a drill and needs no approval', () => {
    const yaml = 'id: t\ntitle: T\nsteps:\n  - id: s\n    budget: 1m\n    tcp.check: db:5432\n';
    const { runbook } = parseRunbook(yaml, 't.yaml', { classify: classifyRunbook });
    assert.deepEqual(runbook!.steps[0]!.effect, {
      effect: 'read-only',
      proven: true,
      source: 'derived',
      reasons: ['opens a TCP connection to db:5432 and closes it; sends nothing'],
    });
  });
});

describe('tcp.check: the activity', () => {
  let server: Server;
  let open: number;
  before(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('an open port: connected, with the address reached', async () => {
    const result = await check('127.0.0.1', String(open));
    assert.equal(result.host, '127.0.0.1');
    assert.equal(result.port, open);
    assert.equal(result.address, '127.0.0.1');
    assert.ok(result.connectMs >= 0);
  });

  test('a closed port: StepExpectationFailed naming host, port and the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(check('127.0.0.1', String(port)), {
      name: 'ApplicationFailure',
      type: 'StepExpectationFailed',
      nonRetryable: true,
      message: `Expected 127.0.0.1:${port} to accept a TCP connection, got connection refused (ECONNREFUSED)`,
    });
  });

  test('a port that is not a number once rendered is refused before connecting', async () => {
    await assert.rejects(check('db', 'abc'), { type: 'StepExpectationFailed', message: 'Expected a port number from 1 to 65535 for db, got "abc"' });
  });

  // A listener whose accept queue is full drops new SYNs, so a connection never opens: a real
  // "no answer". Python holds such a socket (Node always accepts).
  const python = spawnSync('python3', ['-c', 'pass']).status === 0;
  test('no answer: times out after the connect timeout, and a cancellation ends it at once', { skip: !python && 'python3 is not installed' }, async () => {
    const holder = spawn('python3', ['-u', '-c', [
      'import socket, sys, time',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
      'fill = []',
      'for _ in range(8):',
      '    c = socket.socket(); c.setblocking(False)',
      '    try: c.connect(s.getsockname())',
      '    except BlockingIOError: pass',
      '    fill.append(c)',
      'print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(60)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<string>((resolve) => holder.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
      await assert.rejects(check('127.0.0.1', port, 300), {
        type: 'StepExpectationFailed',
        message: `Expected 127.0.0.1:${port} to accept a TCP connection, got no answer within 300ms`,
      });
      const controller = new AbortController();
      const pending = check('127.0.0.1', port, 30_000, controller.signal);
      controller.abort();
      await assert.rejects(pending, { name: 'CancelledFailure' });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
