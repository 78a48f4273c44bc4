import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunbook } from '../../../src/runbook/load.js';
import { action, importAndLoad, seedText, shape } from './helpers.js';

const H = 60;
describe('importing the seed DR document', () => {
  const { result, runbooks, lines } = importAndLoad(seedText(), { file: 'easymo-backup-dr.md' });

  test('writes one runbook per scenario and procedure, each valid', () => {
    assert.deepEqual(result.runbooks.map((r) => [r.fileName, r.line]), [
      ['full-database-restore.yaml', 144],
      ['point-in-time-recovery.yaml', 159],
      ['complete-database-loss.yaml', 240],
      ['service-outage.yaml', 287],
      ['security-breach.yaml', 333],
      ['validation-checklist.yaml', 404],
      ['quick-reference-database-restore.yaml', 425],
    ]);
    for (const r of result.runbooks) assert.deepEqual(parseRunbook(r.yaml, r.fileName).errors, [], r.fileName);
  });

  test('Scenario 1: RTO 4h, RPO 24h, the six steps and their budgets, a gate before the restore', () => {
    const rb = runbooks.get('complete-database-loss')!;
    assert.equal(rb.title, 'Scenario 1: Complete Database Loss');
    assert.deepEqual(rb.objectives, { rtoMs: 4 * H * 60_000, rpoMs: 24 * H * 60_000 });
    assert.deepEqual(shape(rb), [
      ['assess-damage', 'manual', 15],
      ['provision-new-database', 'manual', 30],
      ['approve-restore-from-backup', 'approval', 0],
      ['restore-from-backup', 'shell', 2 * H],
      ['verify-data-integrity', 'shell', H],
      ['update-connection-strings', 'manual', 30],
      ['gradual-service-restoration', 'manual', H],
    ]);
    assert.deepEqual(rb.steps.map((s) => s.title).filter((t) => !t.startsWith('Approve')), [
      'Assess Damage', 'Provision New Database', 'Restore from Backup', 'Verify Data Integrity', 'Update Connection Strings', 'Gradual Service Restoration',
    ]);
    const restore = rb.steps[3]!;
    // `psql < file` changes state; the classifier cannot see the SQL, so it is not shown destructive.
    assert.equal(restore.destructive, false);
    assert.ok(lines('mapped').some((l) => l.startsWith('258 step "Restore from Backup" (2 hours) → shell (changes state) step restore-from-backup')));
    assert.deepEqual(action(restore), {
      kind: 'shell', script: '# Restore latest daily backup\npsql "$NEW_DATABASE_URL" < latest_backup.sql', env: { NEW_DATABASE_URL: '{{ inputs.new_database_url }}' },
    });
    // A script named like a check is not shown read-only by its name: it changes state, not destructive.
    assert.equal(rb.steps[4]!.destructive, false);
    assert.ok(lines('mapped').some((l) => l.startsWith('265 step "Verify Data Integrity" (1 hour) → shell (changes state)')));
    assert.deepEqual(rb.steps[2]!.modes, ['live']);
    assert.deepEqual(rb.inputs.new_database_url, {
      description: "`$NEW_DATABASE_URL` in the document (line 262); read from the worker's environment variable NEW_DATABASE_URL unless given",
      required: false, secret: true, default: 'env:NEW_DATABASE_URL',
    });
    assert.deepEqual(action(rb.steps[0]!), { kind: 'manual', instructions: '- Determine extent of data loss\n- Identify last known good backup' });
  });

  test('Scenario 1 steps add up to 5h15m, more than its 4h RTO: a contradiction', () => {
    assert.deepEqual(lines('error'), ['242 the steps of "complete-database-loss" add up to 5h15m, more than its RTO of 4h']);
  });

  test('Scenario 2: RTO 1h, RPO 5m, five steps; the "Or ..." alternative is kept out of the script', () => {
    const rb = runbooks.get('service-outage')!;
    assert.equal(rb.title, 'Scenario 2: Service Outage (Multiple Services Down)');
    assert.deepEqual(rb.objectives, { rtoMs: H * 60_000, rpoMs: 5 * 60_000 });
    // health-check-all.sh is not shown read-only by its name: the gate comes before it.
    assert.deepEqual(shape(rb), [
      ['approve-identify-failed-services', 'approval', 0],
      ['identify-failed-services', 'shell', 5],
      ['check-infrastructure', 'manual', 10],
      ['restart-services', 'shell', 15],
      ['verify-recovery', 'shell', 15],
      ['monitor-and-validate', 'manual', 15],
    ]);
    const restart = rb.steps[3]!;
    assert.equal(restart.action.kind === 'shell' && restart.action.script, '# Restart Docker containers\ndocker-compose restart');
    assert.equal(restart.description, 'Alternative in the document, not run: Or restart individual services: systemctl restart wallet-service');
    assert.equal(rb.steps[1]!.destructive, false);
  });

  test('Scenario 3: no RTO; Immediate and Ongoing get stated budgets, 2-4 hours its upper bound', () => {
    const rb = runbooks.get('security-breach')!;
    assert.deepEqual(rb.objectives, { rtoMs: undefined, rpoMs: undefined });
    assert.deepEqual(shape(rb), [
      ['isolate-affected-systems', 'manual', 15],
      ['assess-impact', 'manual', 30],
      ['rotate-credentials', 'manual', H],
      ['patch-vulnerabilities', 'manual', 4 * H],
      ['monitor-and-validate', 'manual', H],
    ]);
    assert.ok(lines('warning').includes('337 step "Isolate Affected Systems": "Immediate" has no number: budgeted 15m (the importer\'s choice)'));
    assert.ok(lines('warning').includes('369 step "Monitor and Validate": "Ongoing" has no end: budgeted 1h for the first round (the importer\'s choice)'));
    assert.ok(lines('mapped').includes('361 step "Patch Vulnerabilities" (2-4 hours) → manual step patch-vulnerabilities, budget 4h; range "2-4 hours": the budget is the upper bound'));
    assert.match(result.runbooks.find((r) => r.id === 'security-breach')!.yaml, /# easymo-backup-dr\.md:337: "Immediate" has no number: budgeted 15m\n/);
  });

  test('numbered comments in a code block become steps; placeholders become inputs', () => {
    const rb = runbooks.get('full-database-restore')!;
    assert.deepEqual(shape(rb), [
      ['create-new-supabase-project-or-use-existing', 'manual', 5],
      ['approve-restore-from-backup-file', 'approval', 0],
      ['restore-from-backup-file', 'shell', 5],
      ['verify-data-integrity', 'shell', 5],
      ['run-migrations-if-needed', 'shell', 5],
    ]);
    const restore = rb.steps[2]!.action;
    assert.deepEqual(restore.kind === 'shell' && [restore.script, restore.env], [
      'psql "$SUPABASE_DB_URL" < "$BACKUP_FILE"',
      { SUPABASE_DB_URL: '{{ inputs.supabase_db_url }}', BACKUP_FILE: '{{ inputs.backup_file }}' },
    ]);
    assert.deepEqual(Object.entries(rb.inputs).map(([k, v]) => [k, v.secret, v.required, v.default]), [
      ['supabase_db_url', true, false, 'env:SUPABASE_DB_URL'],
      ['backup_file', false, true, undefined],
    ]);
    // The restore and `supabase db push` change state; neither is shown destructive.
    assert.deepEqual(rb.steps.map((s) => s.destructive), [false, false, false, false, false]);
    assert.ok(lines('mapped').some((l) => l.startsWith('155 step "Run migrations if needed" → shell (changes state)')));
    const pitr = runbooks.get('point-in-time-recovery')!;
    assert.equal(pitr.steps[3]!.action.kind === 'manual' && pitr.steps[3]!.action.instructions, 'Enter timestamp: {{ inputs.timestamp }}');
    assert.equal(pitr.description, 'Imported from easymo-backup-dr.md:159 (EasyMO Backup and Disaster Recovery Procedures › Recovery Procedures › Database Recovery › Point-in-Time Recovery).\nRestore to specific timestamp (Supabase dashboard)');
  });

  test('the checklist becomes one manual confirmation per item', () => {
    const rb = runbooks.get('validation-checklist')!;
    assert.equal(rb.steps.length, 12);
    assert.deepEqual(action(rb.steps[0]!), { kind: 'manual', instructions: 'Confirm: Database accessible and responding' });
    assert.equal(rb.steps[11]!.title, 'Monitoring and alerting active');
  });

  test('what is not imported is listed with its line', () => {
    const unmapped = lines('unmapped');
    // Every section, table, list and code block outside the runbooks: the 17 command blocks and
    // script files, and the sections and lists of prose around them.
    assert.equal(unmapped.length, 47);
    assert.ok(unmapped.includes('3 section "Overview" is not a procedure (no numbered steps, checklist, T+ timeline or numbered shell comments): prose for people, not imported'));
    assert.ok(unmapped.includes('219 commands in "Redis Recovery" have no numbered steps or times: not imported (--all imports them)'));
    assert.ok(unmapped.includes('529 script file in "Backup Automation" (starts with #!): a file to save, not steps to run'));
  });

  test('--all imports the command-only sections too, all valid, and --approver fills the role', () => {
    const all = importAndLoad(seedText(), { file: 'easymo-backup-dr.md', all: true, approvers: ['alice'] });
    assert.equal(all.result.runbooks.length, 20);
    assert.deepEqual(all.runbooks.get('complete-database-loss')!.approvers, { 'oncall': ['alice'] });
    const redis = all.runbooks.get('redis-recovery')!;
    assert.deepEqual(redis.steps.map((s) => [s.id, s.destructive]), [
      // Stopping a service is destructive; copying the dump back and starting it change state.
      ['approve-stop-redis', false], ['stop-redis', true], ['restore-from-backup', false], ['start-redis', false], ['verify', false],
    ]);
  });
});
