// The main job end to end: `npm run drill` (scripts/drill.ts) against the test stack, its worker set
// up as `npm start` sets it (DR_ENVIRONMENT=local) — scenario 1 started in drill mode, its drill
// set-up creating, backing up and losing the demo database, approvals given through `dr`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { root, startWorker, stopProcess } from '../../helpers/processes.js';
import { temporalAddress } from '../../helpers/temporal.js';
import { pgUrl as testPgUrl } from '../../helpers/services.js';

const pgUrl = testPgUrl();
const taskQueue = `drill-${randomUUID()}`;
const database = 'easymo_drill';
let worker: ChildProcess;

before(async () => {
  assert.ok(pgUrl, 'DR_TEST_PG_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  worker = await startWorker(taskQueue, {
    DR_RUNBOOKS_DIR: resolve(root, 'runbooks'),
    DR_ENVIRONMENT: 'local',
    DEMO_DATABASE_URL: pgUrl.replace(/\/[^/]*$/, `/${database}`),
    DEMO_ADMIN_URL: pgUrl,
  });
});
after(async () => stopProcess(worker));

test('npm run drill: a full drill of scenario 1 succeeds and prints its report', { timeout: 240_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/drill.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DR_TASK_QUEUE: taskQueue, DEMO_DATABASE_NAME: database },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 0, out);
  // The people of runbooks/people.yaml answered through the CLI.
  assert.match(out, /\$ dr approve drill-\S+-database-loss approve-writes --as devops-oncall --comment drill/);
  assert.match(out, /\$ dr approve drill-\S+-database-loss approve-writes --as backend-lead --comment drill/);
  assert.match(out, /# Drill report: Scenario 1: complete database loss/);
  assert.match(out, /Status: \*\*succeeded\*\* · started by drill-lead/);
  assert.match(out, /\| RTO +\| 4h +\| \d+s +\| met +\|/);
  assert.match(out, /\| RPO +\| 1d +\| \d+m?s \(backup \S+-easymo_drill-\w+ of [\d-]+T[\d:.]+Z\) \| met +\|/);
  // The preparation ran as the scenario's drill set-up, before the RTO clock.
  assert.match(out, /\$ dr start database-loss --mode drill --id drill-\S+-database-loss --as drill-lead --input database=easymo_drill\n/);
  assert.match(out, /- Drill set-up `setup-demo-setup` succeeded, `setup-database-backup` succeeded, `setup-demo-disaster` succeeded · took \d+m?s, before the RTO clock started/);
  assert.match(out, /\| setup-database-backup +\| runbook +\| succeeded +\| +— \| +\d+m?s \| +— \|/);
  assert.match(out, /\| ↳ checklist +\| postgres\.verify +\| succeeded/);
  assert.match(out, /\| enable-writes +\| sql +\| succeeded/);
});
