// Secrets never land in workflow history, reports or the worker's log, whichever way a step fails.
// Marker values are planted in every secret input (user, password and host of connection URLs, a
// token); steps fail by bad password, unreachable host, and a tool that prints its secrets and
// crashes; then the raw history, every report format and the worker log are searched: zero hits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { renderGantt } from '../../../src/report/gantt.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { RunReport } from '../../../src/runbook/run.js';
import { waitForPoller } from '../../helpers/pollers.js';
import { dr, root, stopProcess } from '../../helpers/processes.js';
import { temporalAddress, workflowBundle } from '../../helpers/temporal.js';
import { pgUrl } from '../../helpers/services.js';

const pg = new URL(pgUrl());
const secrets = {
  // A role that does not exist on the test server, which asks non-superusers for a password.
  DR_MARK_PW_URL: `postgres://mkuserpw7:mkpassword7@${pg.host}/${pg.pathname.slice(1)}`,
  DR_MARK_HOST_URL: 'postgres://mkuserhost8:mkpasshost8@mkhost8.invalid:5432/db',
  DR_MARK_TOKEN: 'mktoken9secret',
  DR_MARK_HTTP_URL: 'http://mkuserhttp9:mkpasshttp9@127.0.0.1:9/health',
};
const MARKERS = ['mkuserpw7', 'mkpassword7', 'mkuserhost8', 'mkpasshost8', 'mkhost8', 'mktoken9secret', 'mkuserhttp9', 'mkpasshttp9'];

const taskQueue = `secrets-${randomUUID()}`;
const runbooksDir = mkdtempSync(join(tmpdir(), 'dr-secrets-'));
writeFileSync(
  join(runbooksDir, 'leaky.yaml'),
  `id: leaky
title: Every way a secret could leak
inputs:
  bad_password: { secret: true, default: env:DR_MARK_PW_URL }
  unreachable: { secret: true, default: env:DR_MARK_HOST_URL }
  token: { secret: true, default: env:DR_MARK_TOKEN }
  api: { secret: true, default: env:DR_MARK_HTTP_URL }
steps:
  - { id: sql-bad-password, budget: 1m, onFailure: continue, sql: { connection: "{{ inputs.bad_password }}", query: SELECT 1 } }
  - { id: sql-unreachable, budget: 1m, onFailure: continue, sql: { connection: "{{ inputs.unreachable }}", query: SELECT 1 } }
  - { id: dump-bad-password, budget: 1m, onFailure: continue, postgres.backup: { connection: "{{ inputs.bad_password }}" } }
  - { id: dump-unreachable, budget: 1m, onFailure: continue, postgres.backup: { connection: "{{ inputs.unreachable }}" } }
  - { id: verify-bad-password, budget: 1m, onFailure: continue, postgres.verify: { connection: "{{ inputs.bad_password }}" } }
  - id: psql-bad-password
    budget: 1m
    onFailure: continue
    shell: { script: 'psql "$URL" -c "SELECT 1"', env: { URL: "{{ inputs.bad_password }}" } }
  - id: tool-crash
    budget: 1m
    onFailure: continue
    noApproval: the test's own process, killed on purpose
    shell:
      script: 'echo "token=$TOKEN url=$URL"; echo "token=$TOKEN host url=$HOST" >&2; kill -SEGV $$'
      env: { TOKEN: "{{ inputs.token }}", URL: "{{ inputs.bad_password }}", HOST: "{{ inputs.unreachable }}" }
  - { id: http-unreachable, budget: 1m, onFailure: continue, http: { url: "{{ inputs.api }}", headers: { authorization: "{{ inputs.token }}" } } }
`,
);

let worker: ChildProcess;
let client: Client;
const log: string[] = [];

before(async () => {
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...secrets,
      DR_TASK_QUEUE: taskQueue,
      DR_RUNBOOKS_DIR: runbooksDir,
      TEMPORAL_ADDRESS: temporalAddress(),
      DR_WORKFLOW_BUNDLE: (await workflowBundle()).codePath,
      DR_LOG_FORMAT: 'json',
      DR_LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [worker.stdout!, worker.stderr!]) stream.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  client = new Client({ connection: await Connection.connect({ address: temporalAddress() }) });
  await waitForPoller(client, taskQueue);
});

after(async () => {
  await client?.connection.close();
  if (worker) await stopProcess(worker);
});

/** History as text, payloads decoded: what anyone with access to the namespace can read. */
function historyText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : (value as { type?: string })?.type === 'Buffer' ? Buffer.from((value as { data: number[] }).data).toString('utf8') : value,
  );
}

const hits = (text: string) => MARKERS.filter((m) => text.includes(m));

test('no part of a secret input reaches history, reports or the worker log, whichever way the steps fail', async () => {
  const handle = await client.workflow.start('runbook', {
    taskQueue,
    workflowId: `leaky-${randomUUID()}`,
    args: [{ runbook: 'leaky', mode: 'live', startedBy: 'tester' }],
  });
  const report = (await handle.result()) as RunReport;
  // Each step failed the way it was meant to, so the test looked where secrets would leak.
  const error = (id: string) => report.steps.find((s) => s.id === id)?.error ?? '';
  assert.deepEqual(
    report.steps.map((s) => [s.id, s.status]),
    report.steps.map((s) => [s.id, 'failed']),
    `every step should fail: ${JSON.stringify(report.steps.map((s) => [s.id, s.status, s.error]))}`,
  );
  assert.match(error('sql-bad-password'), /password authentication failed/);
  assert.match(error('psql-bad-password'), /password authentication failed/);
  assert.match(error('tool-crash'), /SIGSEGV/);
  assert.match(error('tool-crash'), /token=\*\*\*/);

  const places: Record<string, string> = {
    history: historyText(await handle.fetchHistory()),
    'report (json)': JSON.stringify(report),
    'report (md)': renderMarkdown(report),
    'report (html)': renderHtml(report),
    'report (svg)': renderGantt(report),
    'worker log': log.join(''),
  };
  assert.ok(places['worker log']!.includes('sql-bad-password'), 'the worker log should have lines about the run');
  for (const [place, text] of Object.entries(places)) assert.deepEqual(hits(text), [], `markers found in the ${place}`);
});

test('dr start refuses a literal value for a secret input before any workflow exists', async () => {
  const id = `leaky-literal-${randomUUID()}`;
  for (const value of ['mktoken9secret', 'postgres://mkuserpw7:mkpassword7@db/x']) {
    const input = value.includes('://') ? `bad_password=${value}` : `token=${value}`;
    const result = await dr(['start', 'leaky', '--mode', 'live', '--id', id, '--input', input], { DR_RUNBOOKS_DIR: runbooksDir, DR_TASK_QUEUE: taskQueue });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /expected a reference like .*env:NAME.*Nothing was started/);
    assert.deepEqual(hits(result.stderr), [], 'the refusal must not repeat the value');
    await assert.rejects(client.workflow.getHandle(id).describe(), (err: unknown) => err instanceof WorkflowNotFoundError);
  }
});
