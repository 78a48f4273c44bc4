// schedules.yaml: parsing, defaults, and every bad input reported at its file line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatIssue } from '../../../src/runbook/load.js';
import { cronProblem, parseSchedules } from '../../../src/runbook/schedules.js';

const parse = (text: string) => parseSchedules(text, 'schedules.yaml');
const errorsOf = (text: string) => parse(text).errors.map(formatIssue);

describe('schedules.yaml', () => {
  it('parses entries with the file-wide time zone and the defaults', () => {
    const { schedules, errors } = parse(`timezone: Africa/Kigali
schedules:
  - id: daily-backup
    cron: "0 2 * * *"
    runbook: database-backup
    mode: live
    inputs: { prefix: daily }
  - id: restore-test
    description: Monthly restore test
    cron: ["0 6 2 * *", "@yearly"]
    timezone: UTC
    workflow: databaseRestore
    mode: drill
    overlap: buffer-one
    catchupWindow: 6h
    paused: true
`);
    assert.deepEqual(errors, []);
    assert.deepEqual(schedules, {
      schedules: [
        { id: 'daily-backup', cron: ['0 2 * * *'], timezone: 'Africa/Kigali', runbook: 'database-backup', mode: 'live', inputs: { prefix: 'daily' }, overlap: 'skip', catchupWindowMs: 3_600_000, paused: false },
        {
          id: 'restore-test',
          description: 'Monthly restore test',
          cron: ['0 6 2 * *', '@yearly'],
          timezone: 'UTC',
          workflow: 'databaseRestore',
          mode: 'drill',
          inputs: {},
          overlap: 'buffer-one',
          catchupWindowMs: 21_600_000,
          paused: true,
        },
      ],
    });
  });

  it('reports each problem at its line', () => {
    const head = 'schedules:\n  - id: a\n';
    const cases: Array<[string, string[]]> = [
      [`${head}    cron: "0 2 * *"\n    runbook: x\n    mode: live\n`, ['schedules.yaml:3 schedules[0].cron: Expected a cron expression like "0 2 * * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4, in "0 2 * *"']],
      [`${head}    cron: "0 2 * * MONDAY"\n    runbook: x\n    mode: live\n`, ['schedules.yaml:3 schedules[0].cron: Expected a cron expression like "0 2 * * *": day of week "MONDAY" is not a number or SUN-SAT, in "0 2 * * MONDAY"']],
      [`${head}    cron: ["0 2 * * *", "*/0 * * * *"]\n    runbook: x\n    mode: live\n`, ['schedules.yaml:3 schedules[0].cron[1]: Expected a cron expression like "0 2 * * *": minute field "*/0" has a step of 0, in "*/0 * * * *"']],
      [`${head}    cron: "0 2 L * *"\n    runbook: x\n    mode: live\n`, ['schedules.yaml:3 schedules[0].cron: Expected a cron expression like "0 2 * * *": day of month "L" is not a number, in "0 2 L * *"']],
      [`${head}    cron: "@dayly"\n    runbook: x\n    mode: live\n`, ['schedules.yaml:3 schedules[0].cron: Expected a cron expression like "0 2 * * *": unknown macro @dayly; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, in "@dayly"']],
      [`${head}    cron: "0 2 * * *"\n    timezone: Africa/Kigalli\n    runbook: x\n    mode: live\n`, ['schedules.yaml:4 schedules[0].timezone: Expected an IANA time zone like "Africa/Kigali" or "UTC", got "Africa/Kigalli"']],
      [`${head}    cron: "0 2 * * *"\n    runbook: x\n    workflow: databaseBackup\n    mode: live\n`, ['schedules.yaml:2 schedules[0]: Expected exactly one of `runbook` (a runbook id) or `workflow` (a workflow type)']],
      [`${head}    cron: "0 2 * * *"\n    mode: live\n`, ['schedules.yaml:2 schedules[0]: Expected exactly one of `runbook` (a runbook id) or `workflow` (a workflow type)']],
      [`${head}    cron: "0 2 * * *"\n    runbook: x\n    mode: nightly\n`, ['schedules.yaml:5 schedules[0].mode: Expected mode to be one of live, drill, dry-run']],
      [`${head}    cron: "0 2 * * *"\n    runbook: x\n`, ['schedules.yaml:2 schedules[0].mode: Expected mode to be one of live, drill, dry-run']],
      [`${head}    cron: "0 2 * * *"\n    runbook: x\n    mode: live\n    every: day\n`, ['schedules.yaml:6 schedules[0].every: Unrecognized key: "every"']],
      [`${head}    cron: "0 2 * * *"\n    runbook: x\n    mode: live\n    catchupWindow: soon\n`, ['schedules.yaml:6 schedules[0].catchupWindow: Expected a duration like "15m", "1h30m" or "2 hours", got "soon"']],
      [`${head}    cron: "0 2 * * *"\n    runbook: x\n    mode: live\n  - id: a\n    cron: "0 3 * * *"\n    runbook: y\n    mode: live\n`, ['schedules.yaml:6 schedules[1].id: Schedule id "a" is also used by schedules[0]']],
      [`schedules:\n  - id: "bad id"\n    cron: "0 2 * * *"\n    runbook: x\n    mode: live\n`, ['schedules.yaml:2 schedules[0].id: Expected an id of letters, digits, "-" or "_", got "bad id"']],
      ['', ['schedules.yaml:1: Expected schedules (a mapping with a `schedules` list), got an empty document']],
    ];
    for (const [text, expected] of cases) assert.deepEqual(errorsOf(text), expected, text);
  });

  it("the repository's schedules.yaml holds the seed's schedules", () => {
    const file = resolve(import.meta.dirname, '../../../runbooks/schedules.yaml');
    const { schedules, errors } = parse(readFileSync(file, 'utf8'));
    assert.deepEqual(errors, []);
    const seed = ['daily-backup', 'daily-data-backup', 'weekly-critical-tables', 'monthly-cold-storage', 'retention-pruning', 'monthly-restore-test'];
    // Other entries may be added (agent-core's own backup, say); these are the seed's.
    assert.deepEqual(
      schedules!.schedules.filter((s) => seed.includes(s.id)).map((s) => [s.id, s.cron.join(), s.runbook, s.mode, s.timezone]),
      [
        ['daily-backup', '0 2 * * *', 'database-backup', 'live', 'Africa/Kigali'],
        ['daily-data-backup', '30 2 * * *', 'data-backup', 'live', 'Africa/Kigali'],
        ['weekly-critical-tables', '0 3 * * SUN', 'database-backup', 'live', 'Africa/Kigali'],
        ['monthly-cold-storage', '0 4 1 * *', 'database-backup', 'live', 'Africa/Kigali'],
        ['retention-pruning', '0 5 * * *', 'backup-retention', 'live', 'Africa/Kigali'],
        ['monthly-restore-test', '0 6 2 * *', 'restore-test', 'drill', 'Africa/Kigali'],
      ],
    );
    assert.deepEqual(schedules!.schedules.find((s) => s.id === 'weekly-critical-tables')!.inputs, { prefix: 'weekly', tables: ['transactions', 'messages', 'users'] });
  });

  it('accepts the cron forms Temporal takes', () => {
    for (const ok of ['0 2 * * *', '*/15 * * * *', '0 9-17 * * MON-FRI', '0 0 1,15 * *', '30 4 1 JAN,JUL *', '0 3 * * 7', '@weekly', '@hourly']) {
      assert.equal(cronProblem(ok), undefined, ok);
    }
  });
});
