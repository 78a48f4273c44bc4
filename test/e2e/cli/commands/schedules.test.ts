// dr schedules apply | list against the real dev server (TEMPORAL_ADDRESS from npm test): created
// once, unchanged when applied again, updated when an entry changes, deleted when it leaves the
// file; a schedule made by hand is never touched; a triggered schedule really starts its runbook.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { applySchedules, listSchedules, managedScheduleIds } from '../../../../src/cli/commands/schedules.js';
import type { CommandContext } from '../../../../src/cli/context.js';
import { CliError } from '../../../../src/cli/errors.js';
import { loadConfig } from '../../../../src/config.js';
import { temporalAddress, testEnv, type TestEnv } from '../../../helpers/temporal.js';
import { waitUntil } from '../../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dr-schedules-'));
const file = join(dir, 'schedules.yaml');
// Schedules live in the namespace, not the task queue: a prefix of our own keeps runs apart.
const prefix = `t-${randomUUID().slice(0, 8)}-`;

writeFileSync(
  join(dir, 'nightly.yaml'),
  `id: nightly
title: Nightly job
inputs:
  tier: { default: daily }
steps:
  - id: note
    title: Say which tier
    budget: 10s
    shell: { command: [echo, "{{ inputs.tier }}"] }
`,
);

const entry = (id: string, cron: string, extra = '') => `  - id: ${id}\n    cron: "${cron}"\n    runbook: nightly\n    mode: live\n${extra}`;
const write = (...entries: string[]) => writeFileSync(file, `timezone: Africa/Kigali\nschedules:\n${entries.join('')}`);

describe('dr schedules', () => {
  let env: TestEnv;
  let client: Client;
  let connection: Connection;
  let out: string[];
  let ctx: CommandContext;

  before(async () => {
    env = await testEnv({ runbooksDir: dir });
    connection = await Connection.connect({ address: temporalAddress() });
    client = new Client({ connection });
    const config = loadConfig({ ...process.env, DR_RUNBOOKS_DIR: dir, DR_TASK_QUEUE: env.taskQueue, DR_SCHEDULE_PREFIX: prefix });
    ctx = { config, client: async () => client, print: (t) => out.push(t), user: 'test' };
  });
  after(async () => {
    for (const id of await managedScheduleIds(client, prefix).catch(() => [])) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await connection.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const apply = async (options = {}) => {
    out = [];
    return applySchedules(ctx, options);
  };
  const changes = (r: Awaited<ReturnType<typeof applySchedules>>) => Object.fromEntries(r.changes.map((c) => [c.scheduleId.slice(prefix.length), c.change]));
  /** Waits until visibility lists exactly these managed schedules (listing is eventually consistent). */
  const listed = async (ids: string[]) => {
    const expected = ids.map((id) => prefix + id).sort();
    let seen: string[] = [];
    await waitUntil(`visibility to list exactly ${expected.join(', ')}`, async () => JSON.stringify((seen = await managedScheduleIds(client, prefix))) === JSON.stringify(expected), {
      detail: () => `listed: ${seen.join(', ')}`,
    });
  };

  it('creates the schedules of the file, warning about runbooks that do not exist yet', async () => {
    write(entry('daily', '0 2 * * *', '    inputs: { tier: daily }\n'), entry('weekly', '0 3 * * SUN', '    inputs: { tier: weekly }\n'), `  - id: restore-test\n    cron: "0 6 2 * *"\n    runbook: restore-test\n    mode: drill\n`);
    const result = await apply();
    assert.deepEqual(changes(result), { daily: 'created', weekly: 'created', 'restore-test': 'created' });
    assert.deepEqual(result.warnings, [`warning: ${file}:15 schedules[2].runbook: Runbook "restore-test" does not exist yet in ${dir}: its runs will fail until it does`]);
    assert.equal(out[0], result.warnings[0]);
    const d = await client.schedule.getHandle(`${prefix}weekly`).describe();
    assert.equal(d.spec.timezone, 'Africa/Kigali');
    assert.equal(d.action.workflowType, 'runbook');
    assert.equal(d.action.taskQueue, env.taskQueue);
    assert.deepEqual(d.action.args, [{ runbook: 'nightly', mode: 'live', inputs: { tier: 'weekly' }, startedBy: 'schedule:weekly' }]);
    assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(d.policies.catchupWindow, 3_600_000);
    assert.deepEqual(d.memo, { managedBy: 'easymo-dr' });
    // The next run is the coming Sunday, 03:00 in Kigali (UTC+2).
    const next = d.info.nextActionTimes[0]!;
    assert.equal(next.getUTCDay(), 0);
    assert.equal(next.toISOString().slice(11), '01:00:00.000Z');
    assert.ok(next.getTime() - Date.now() <= 7 * 86_400_000);
    await listed(['daily', 'weekly', 'restore-test']);
  });

  it('changes nothing when applied again', async () => {
    const before = await client.schedule.getHandle(`${prefix}daily`).describe();
    const result = await apply();
    assert.deepEqual(changes(result), { daily: 'unchanged', weekly: 'unchanged', 'restore-test': 'unchanged' });
    const after = await client.schedule.getHandle(`${prefix}daily`).describe();
    assert.equal(after.info.lastUpdatedAt?.getTime(), before.info.lastUpdatedAt?.getTime());
    assert.match(out.at(-1)!, /^0 created, 0 updated, 3 unchanged, 0 deleted \(prefix "t-[0-9a-f]{8}-", task queue test-/);
  });

  it('updates an entry that changed and deletes the one removed from the file', async () => {
    write(entry('daily', '30 1 * * *', '    inputs: { tier: daily }\n'), entry('weekly', '0 3 * * SUN', '    inputs: { tier: weekly }\n'));
    const dry = await apply({ dryRun: true });
    assert.deepEqual(changes(dry), { daily: 'updated', weekly: 'unchanged', 'restore-test': 'deleted' });
    assert.ok(await client.schedule.getHandle(`${prefix}restore-test`).describe(), 'a dry run deletes nothing');
    const result = await apply();
    assert.deepEqual(changes(result), { daily: 'updated', weekly: 'unchanged', 'restore-test': 'deleted' });
    await assert.rejects(client.schedule.getHandle(`${prefix}restore-test`).describe(), { name: 'ScheduleNotFoundError' });
    const daily = await client.schedule.getHandle(`${prefix}daily`).describe();
    assert.equal(daily.info.nextActionTimes[0]!.toISOString().slice(11), '23:30:00.000Z');
    await listed(['daily', 'weekly']);
    assert.deepEqual(changes(await apply()), { daily: 'unchanged', weekly: 'unchanged' });
  });

  it('refuses, changing nothing, when an id is taken by a schedule made by hand', async () => {
    await client.schedule.create({
      scheduleId: `${prefix}by-hand`,
      spec: { cronExpressions: ['0 0 1 1 *'] },
      action: { type: 'startWorkflow', workflowType: 'runbook', taskQueue: env.taskQueue, args: [{ runbook: 'nightly' }] },
    });
    write(entry('daily', '0 2 * * *', '    inputs: { tier: daily }\n'), entry('by-hand', '0 0 * * *'));
    await assert.rejects(apply(), (err: Error) => {
      assert.ok(err instanceof CliError);
      assert.equal(err.message, `Schedule ${prefix}by-hand exists but was not created by dr schedules apply; rename the entry or delete that schedule`);
      return true;
    });
    // Nothing changed: daily still at 01:30, weekly not deleted, the hand-made one untouched.
    assert.equal((await client.schedule.getHandle(`${prefix}daily`).describe()).info.nextActionTimes[0]!.toISOString().slice(11), '23:30:00.000Z');
    assert.ok(await client.schedule.getHandle(`${prefix}weekly`).describe());
    await client.schedule.getHandle(`${prefix}by-hand`).delete();
  });

  it('rejects a file with errors, naming file and line, before touching anything', async () => {
    writeFileSync(file, `schedules:\n  - id: daily\n    cron: "0 25 * * *"\n    runbook: nightly\n    mode: live\n    inputs: { tier: daily, colour: blue }\n`);
    const name = file; // outside the current folder: shown absolute
    await assert.rejects(apply(), { name: 'CliError', message: `${name}: 1 error(s); no schedule was changed` });
    // A schema error stops before the runbook checks; the unknown input shows once the schema passes.
    assert.deepEqual(out, [
      `${name}:3 schedules[0].cron: Expected a cron expression like "0 2 * * *": hour "25" is out of range 0-23, in "0 25 * * *"`,
    ]);
    writeFileSync(file, `schedules:\n  - id: daily\n    cron: "0 2 * * *"\n    runbook: nightly\n    mode: live\n    inputs: { tier: daily, colour: blue }\n`);
    await assert.rejects(apply(), { message: `${name}: 1 error(s); no schedule was changed` });
    assert.deepEqual(out, [`${name}:6 schedules[0].inputs: Unknown input "colour"; expected one of: tier (runbook "nightly")`]);
  });

  it('lists the managed schedules with their next runs; a triggered one starts its runbook', async () => {
    write(entry('daily', '0 2 * * *', '    inputs: { tier: daily }\n'));
    await apply();
    await listed(['daily']);
    out = [];
    await listSchedules(ctx);
    const table = out.join('\n');
    assert.match(table, new RegExp(`${prefix}daily +│ runbook nightly \\(live\\) +│ 0 2 \\* \\* \\* \\(Africa/Kigali\\) +│ \\d{4}-\\d{2}-\\d{2} 02:00 Africa/Kigali`));
    assert.match(table, /│ never +│ active +│/);

    await client.schedule.getHandle(`${prefix}daily`).trigger();
    const workflowId = await waitUntil('the triggered schedule to start a run', async () => (await client.schedule.getHandle(`${prefix}daily`).describe()).info.recentActions.at(-1)?.action.workflow.workflowId);
    assert.match(workflowId, new RegExp(`^${prefix}daily-`));
    const report = (await client.workflow.getHandle(workflowId!).result()) as { status: string; steps: Array<{ id: string; output?: { stdout?: string } }> };
    assert.equal(report.status, 'succeeded');
    assert.equal(report.steps.find((s) => s.id === 'note')?.output?.stdout, 'daily');
    await assert.rejects(client.workflow.getHandle(`${prefix}daily`).describe(), WorkflowNotFoundError);
  });
});
