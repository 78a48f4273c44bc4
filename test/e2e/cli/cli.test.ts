// The `dr` CLI driving a run from start to report against the real dev server and a worker process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { dr, startWorker, stopProcess } from '../../helpers/processes.js';
import { fixturesDir, temporalAddress } from '../../helpers/temporal.js';
import { waitUntil } from '../../helpers/wait.js';

const taskQueue = `cli-${randomUUID()}`;
const env = { DR_TASK_QUEUE: taskQueue, TEMPORAL_ADDRESS: temporalAddress(), DR_USER: 'alice' };
let worker: ChildProcess;
before(async () => {
  worker = await startWorker(taskQueue);
});
after(async () => stopProcess(worker));

/** Runs `dr status` until its output matches, so the test waits on state, not on time. */
async function statusUntil(id: string, pattern: RegExp): Promise<string> {
  let last = '';
  return waitUntil(
    `dr status ${id} to match ${pattern}`,
    async () => {
      const result = await dr(['status', id], env);
      last = result.stdout + result.stderr;
      return pattern.test(last) && last;
    },
    { timeoutMs: 30_000, everyMs: 150, detail: () => `last output:\n${last}` },
  );
}

test('dr start → status → approve (refusals) → complete → report', async () => {
  const id = `cli-${randomUUID()}`;
  const marker = join(mkdtempSync(join(tmpdir(), 'dr-cli-')), 'marker.txt');
  const started = await dr(['start', 'happy', '--mode', 'drill', '--input', `marker=${marker}`, '--id', id], env);
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, new RegExp(`^Started drill of happy: ${id}\n  UI: +http://localhost:8233/namespaces/default/workflows/${id}\n`));

  const waiting = await statusUntil(id, /approval: dba \(alice, bob\), lead \(carol\) \[0\/2\]/);
  assert.match(waiting, new RegExp(`^${id} — happy \\(drill\\): waiting`));
  assert.match(waiting, /echo +│ succeeded/);

  assert.deepEqual(await dr(['approve', id, 'gate'], env), { code: 0, stdout: 'Accepted: 1 of 2 approvals for "gate"; it waits for 1 more\n', stderr: '' });
  const twice = await dr(['approve', id, 'gate', '--as', 'alice'], env);
  assert.equal(twice.code, 1);
  assert.equal(twice.stderr, 'dr: Refused: approve: "alice" already approved step "gate"; 2 distinct approvals needed, 1 given\n');
  const stranger = await dr(['approve', id, 'gate', '--as', 'mallory'], env);
  assert.equal(stranger.code, 1);
  assert.match(stranger.stderr, /may not act on step "gate"; expected one of dba \(alice, bob\), lead \(carol\)/);
  const approved = await dr(['approve', id, 'gate', '--as', 'carol', '--comment', 'backup verified'], env);
  assert.equal(approved.stdout, 'Accepted: 2 of 2 approvals for "gate"; the run goes on with "both"\n');

  await statusUntil(id, /confirm +│ waiting/);
  assert.equal((await dr(['complete', id, 'confirm', '--as', 'carol'], env)).code, 0);
  await statusUntil(id, /happy \(drill\): succeeded/);
  assert.equal(readFileSync(marker, 'utf8'), 'hello world; $(rm -rf /)\n');

  const report = await dr(['report', id], env);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^# Drill report: Happy path\n/);
  assert.match(report.stdout, /Status: \*\*succeeded\*\*/);
  assert.match(report.stdout, /\| gate +\| approval +\| succeeded +\|/);
  assert.match(report.stdout, /approved by alice; approved by carol/);
  assert.match(report.stdout, /refused: approve: "mallory" may not act/);
  assert.match(report.stdout, /backup verified/);

  const json = JSON.parse((await dr(['report', id, '--format', 'json'], env)).stdout);
  assert.equal(json.status, 'succeeded');
  assert.equal(json.steps.length, 7);
  // The figures the Markdown shows, in the JSON too: run totals and per step waiting vs executing.
  assert.equal(json.timings.length, 7);
  assert.equal(json.totals.waitingMs + json.totals.executingMs + json.totals.stalledMs, json.totals.elapsedMs);
  assert.ok(json.timings.find((t: { step: string }) => t.step === 'gate').waitingMs > 0);

  // The UI's Summary of a run `dr start` started.
  const connection = await Connection.connect({ address: temporalAddress() });
  try {
    const description = await new Client({ connection }).workflow.getHandle(id).describe();
    assert.match((await description.staticSummary()) ?? '', /^drill of happy by \S+$/);
  } finally {
    await connection.close();
  }

  const listed = await dr(['list', '--runbook', 'happy', '--status', 'succeeded', '--limit', '50'], env);
  assert.match(listed.stdout, new RegExp(id));
});

test('errors are one clear line and a non-zero exit', async () => {
  const missing = await dr(['status', 'no-such-run'], env);
  assert.deepEqual([missing.code, missing.stderr], [1, 'dr: No run with id "no-such-run"\n    next: dr list shows the runs\n']);
  const badMode = await dr(['start', 'happy', '--mode', 'chaos'], env);
  assert.equal(badMode.code, 1);
  assert.match(badMode.stderr, /argument 'chaos' is invalid. Allowed choices are live, drill, dry-run/);
  const unreachable = await dr(['status', 'x'], { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^dr: Cannot reach Temporal at 127\.0\.0\.1:1\n {4}next: start the local stack with `npm start`/);
});

test('dr validate checks a folder: ok for the fixtures, file:line errors otherwise', async () => {
  const ok = await dr(['validate', 'test/fixtures/runbooks'], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  // Every fixture file is a runbook (counted, so a new fixture does not break this test).
  const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.yaml')).length;
  assert.match(ok.stdout, new RegExp(`\\n${fixtures} runbook\\(s\\), 0 error\\(s\\)`));
  const dir = mkdtempSync(join(tmpdir(), 'dr-validate-'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'bad.yaml'), 'id: bad\ntitle: Bad\nsteps:\n  - id: a\n    budget: soon\n    manual: do it\n');
  const bad = await dr(['validate', dir], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /bad\.yaml:5 steps\[0\]\.budget: Expected a duration like "15m", "1h30m" or "2 hours", got "soon"/);
  assert.equal(bad.stderr, 'dr: 1 runbook(s), 1 error(s), 0 warning(s)\n');
  // A drill's set-up names runbooks of the folder: a typo is an error at its line.
  const setup = mkdtempSync(join(tmpdir(), 'dr-validate-setup-'));
  writeFileSync(join(setup, 'demo-setup.yaml'), 'id: demo-setup\ntitle: Set up\nsteps:\n  - id: a\n    wait: 1s\n');
  writeFileSync(join(setup, 'loss.yaml'), 'id: loss\ntitle: Loss\ndrill:\n  setup:\n    - demo-setp\nsteps:\n  - id: a\n    wait: 1s\n');
  const typo = await dr(['validate', setup], env);
  assert.equal(typo.code, 1);
  assert.match(typo.stdout, /loss\.yaml:5 drill\.setup\[0\]: Unknown runbook "demo-setp" in the drill set-up; expected one of: demo-setup, loss\n/);
  // What it hands a runbook it names: the names that runbook declares, and every input it requires.
  const sub = mkdtempSync(join(tmpdir(), 'dr-validate-sub-'));
  writeFileSync(join(sub, 'restore.yaml'), 'id: restore\ntitle: Restore\ninputs:\n  target: { required: true }\n  backup: latest\nsteps:\n  - id: a\n    wait: 1s\n');
  writeFileSync(join(sub, 'loss.yaml'), 'id: loss\ntitle: Loss\nsteps:\n  - id: restore\n    budget: 1h\n    runbook: { id: restore, inputs: { targte: "env:NEW_DATABASE_URL" } }\n');
  const inputs = await dr(['validate', sub], env);
  assert.equal(inputs.code, 1);
  assert.match(inputs.stdout, /(^|\/)loss\.yaml:6 steps\[0\]\.runbook\.inputs\.targte: Unknown input "targte" for runbook "restore" in step "restore"; expected one of: target, backup\n/m);
  assert.match(inputs.stdout, /(^|\/)loss\.yaml:6 steps\[0\]\.runbook\.inputs: Runbook "restore" requires input "target", not given in step "restore"; expected inputs: \{ target: \.\.\. \} here\n/m);
  assert.equal(inputs.stderr, 'dr: 2 runbook(s), 2 error(s), 0 warning(s)\n');
  // So is what schedules.yaml hands the runbooks it starts: a typo shows here, not in a failed 2 a.m. backup.
  writeFileSync(join(sub, 'loss.yaml'), 'id: loss\ntitle: Loss\nsteps:\n  - id: a\n    wait: 1s\n');
  writeFileSync(
    join(sub, 'schedules.yaml'),
    [
      'schedules:',
      '  - { id: nightly, cron: "0 2 * * *", runbook: restore, mode: live, inputs: { targte: x } }',
      '  - { id: weekly, cron: "0 3 * * SUN", runbook: restor, mode: drill }',
      '  - { id: fine, cron: "0 4 * * *", runbook: restore, mode: drill, inputs: { target: x } }',
      '  - { id: typed, cron: "0 5 * * *", workflow: databaseBackup, mode: live }',
      '',
    ].join('\n'),
  );
  const scheduled = await dr(['validate', sub], env);
  assert.equal(scheduled.code, 1, scheduled.stdout);
  assert.match(scheduled.stdout, /(^|\/)schedules\.yaml:2 schedules\[0\]\.inputs\.targte: Unknown input "targte" for runbook "restore" in schedule "nightly"; expected one of: target, backup\n/m);
  assert.match(scheduled.stdout, /(^|\/)schedules\.yaml:2 schedules\[0\]\.inputs: Runbook "restore" requires input "target", not given in schedule "nightly"; expected inputs: \{ target: \.\.\. \} here\n/m);
  assert.match(scheduled.stdout, /(^|\/)schedules\.yaml:3 schedules\[1\]\.runbook: Unknown runbook "restor" in schedule "weekly"; expected one of: loss, restore\n/m);
  assert.equal(scheduled.stderr, 'dr: 2 runbook(s), 3 error(s), 0 warning(s)\n');
});

test('dr start --no-setup: a drill without its set-up; without the flag, the set-up runs first', async () => {
  for (const [flags, steps] of [[['--no-setup'], /^│ go +│ succeeded/m], [[], /^│ setup-child +│ succeeded[\s\S]*^│ go +│ succeeded/m]] as const) {
    const id = `cli-setup-${randomUUID()}`;
    const started = await dr(['start', 'prepared', '--mode', 'drill', '--id', id, '--wait', ...flags], env);
    assert.equal(started.code, 0, started.stdout + started.stderr);
    const status = await dr(['status', id], env);
    assert.match(status.stdout, steps);
    assert.equal(/setup-child/.test(status.stdout), flags.length === 0, status.stdout);
  }
});
