// The restore's schedule: which work a full restore with several sessions makes of an archive's
// table of contents (planRestore, on a real listing), and the order the scheduler runs it in
// (runSchedule, with fake work items whose ends the test decides: the order is the point here; the
// real restore is tested on PostgreSQL in test/integration/activities/postgres/restore-schedule.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRestore } from '../../../../src/activities/postgres/restore-plan.js';
import { runSchedule, type ScheduleItem } from '../../../../src/activities/postgres/restore-schedule.js';
import type { TableInventory } from '../../../../src/activities/storage/manifest.js';

// A custom dump of test/helpers/backup.ts's seedShop (pg_dump 15): its data and post-data sections.
const DATA = `
3384; 0 18782 TABLE DATA public messages postgres
3382; 0 18766 TABLE DATA public transactions postgres
3380; 0 18754 TABLE DATA public users postgres
3398; 0 0 SEQUENCE SET public transactions_id_seq postgres
3399; 0 0 SEQUENCE SET public users_id_seq postgres
`;
const POST = `
3229; 2606 18788 CONSTRAINT public messages messages_pkey postgres
3226; 2606 18773 CONSTRAINT public transactions transactions_pkey postgres
3221; 2606 18764 CONSTRAINT public users users_email_key postgres
3223; 2606 18762 CONSTRAINT public users users_pkey postgres
3224; 1259 18780 INDEX public transactions_big_idx postgres
3227; 1259 18779 INDEX public transactions_user_idx postgres
3234; 2620 18796 TRIGGER public users users_touch postgres
3233; 2606 18789 FK CONSTRAINT public messages messages_user_id_fkey postgres
3232; 2606 18774 FK CONSTRAINT public transactions transactions_user_id_fkey postgres
3377; 0 18782 ROW SECURITY public messages postgres
3378; 3256 18794 POLICY public messages messages_own postgres
3390; 0 0 COMMENT public INDEX transactions_big_idx postgres
3391; 0 0 INDEX ATTACH public parted_2024_idx postgres
`;

const table = (schema: string, name: string, extra: Partial<TableInventory>): TableInventory => ({
  schema, name, rows: 0, rls: false, rlsForced: false, policies: [], indexes: [], indexCount: 0, constraints: [], foreignKeys: [], triggers: [], sequences: [], ...extra,
});
const shop = (sizes: Record<string, readonly [rows: number, bytes?: number]>) => [
  table('audit', 'events', { rows: sizes.events![0], bytes: sizes.events![1] }),
  table('public', 'messages', { rows: sizes.messages![0], bytes: sizes.messages![1], foreignKeys: [{ name: 'messages_user_id_fkey', references: 'public.users' }] }),
  table('public', 'transactions', {
    rows: sizes.transactions![0], bytes: sizes.transactions![1], indexes: ['transactions_big_idx', 'transactions_user_idx'],
    foreignKeys: [{ name: 'transactions_user_id_fkey', references: 'public.users' }],
  }),
  table('public', 'users', { rows: sizes.users![0], bytes: sizes.users![1] }),
];
const id = (line: string) => line.split(';')[0];

describe('restore plan from the table of contents', () => {
  test('each heavy table gets its rows and its own indexes and constraints; foreign keys and the rest apart', () => {
    const plan = planRestore({ data: DATA, post: POST }, shop({ events: [10, 8192], messages: [40_000, 2e6], transactions: [60_000, 3e6], users: [20_000, 1e6] }), 2);
    assert.deepEqual(
      plan.heavy.map((h) => [h.table, h.sessions, id(h.data!), h.post.map((p) => `${id(p.line)}${p.exclusive ? '!' : ''}`)]),
      [
        ['public.transactions', 1, '3382', ['3226!', '3224', '3227']],
        ['public.messages', 1, '3384', ['3229!', '3377!', '3378!']],
        ['public.users', 1, '3380', ['3221!', '3223!', '3234!']],
      ],
    );
    assert.deepEqual(plan.light, { tables: ['audit.events'], lines: [], share: 8192 / (6e6 + 8192) });
    assert.deepEqual(plan.keys.map((k) => [id(k.line), k.table, k.references]), [['3233', 'public.messages', 'public.users'], ['3232', 'public.transactions', 'public.users']]);
    assert.deepEqual(plan.rest.map(id), ['3398', '3399', '3390', '3391']);
  });

  test('only a table that dominates the data is split, over as many sessions as its share needs', () => {
    const sizes = { events: [10, 8192], messages: [40_000, 2e6], transactions: [300_000, 16e6], users: [20_000, 1e6] } as const;
    const sessions = (jobs: number) => planRestore({ data: DATA, post: POST }, shop(sizes), jobs).heavy.map((h) => h.sessions);
    assert.deepEqual(sessions(2), [2, 1, 1]);
    assert.deepEqual(sessions(4), [4, 1, 1]);
    assert.deepEqual(sessions(1), [1, 1, 1]);
    // A bare majority: on 2 sessions it loads beside the next table, on 4 it is split over 3.
    const majority = (jobs: number) => planRestore({ data: DATA, post: POST }, shop({ ...sizes, transactions: [300_000, 3.7e6] }), jobs).heavy.map((h) => h.sessions);
    assert.deepEqual(majority(2), [1, 1, 1]);
    assert.deepEqual(majority(4), [3, 1, 1]);
    // Most of the data but few rows (wide rows): not worth the sessions.
    assert.deepEqual(planRestore({ data: DATA, post: POST }, shop({ ...sizes, transactions: [200_000, 16e6] }), 2).heavy.map((h) => h.sessions), [1, 1, 1]);
  });

  test('small tables go together; without sizes in the manifest (older backups) rows decide', () => {
    const plan = planRestore({ data: DATA, post: POST }, shop({ events: [10], messages: [40_000], transactions: [60_000], users: [9_000] }), 2);
    assert.deepEqual(plan.heavy.map((h) => h.table), ['public.transactions', 'public.messages']);
    assert.deepEqual(plan.light.tables, ['audit.events', 'public.users']);
    assert.deepEqual(plan.light.lines.map(id), ['3380', '3221', '3223', '3234']);
  });
});

/** A fake work item whose end the test decides. */
function item(name: string, over: Partial<ScheduleItem> = {}) {
  let finish!: (err?: Error) => void;
  const state = { started: false, aborted: false };
  const it: ScheduleItem = {
    name, slots: 1, after: [], locks: [], cost: 0, ...over,
    run: (signal) =>
      new Promise<void>((resolve, reject) => {
        state.started = true;
        signal.addEventListener('abort', () => ((state.aborted = true), reject(new Error(`${name} stopped`))), { once: true });
        finish = (err) => (err ? reject(err) : resolve());
      }),
  };
  return { it, state, end: (err?: Error) => finish(err) };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('restore schedule', () => {
  test('rows of several tables at once; a table\'s indexes as soon as its rows are in; a key once both tables are complete', async () => {
    const big = { table: 'big', exclusive: false };
    const rowsBig = item('rows big', { cost: 0.6, locks: [big] });
    const rowsSmall = item('rows small', { cost: 0.4, locks: [{ table: 'small', exclusive: false }] });
    const pk = item('pk small', { cost: 0.14, after: ['rows small'], locks: [{ table: 'small', exclusive: true }] });
    const idx = item('idx small', { cost: 0.13, after: ['rows small'], locks: [{ table: 'small', exclusive: false }] });
    const idxBig = item('idx big', { cost: 0.2, after: ['rows big'], locks: [big] });
    const fk = item('fk small->big', { cost: 0.1, after: ['rows big', 'idx big', 'rows small', 'pk small', 'idx small'], locks: [{ table: 'small', exclusive: true }, { table: 'big', exclusive: true }] });
    const seen: string[][] = [];
    const done = runSchedule([fk, idx, pk, idxBig, rowsSmall, rowsBig].map((x) => x.it), 3, undefined, (r) => seen.push(r));
    await tick();
    assert.deepEqual([rowsBig, rowsSmall, pk, idx].map((x) => x.state.started), [true, true, false, false]);
    rowsSmall.end();
    await tick();
    // The index (sharing its table) before the key (taking it alone), though the key ranks higher.
    assert.deepEqual([pk, idx].map((x) => x.state.started), [false, true]);
    idx.end();
    await tick();
    assert.equal(pk.state.started, true);
    pk.end();
    await tick();
    assert.equal(fk.state.started, false, 'the key waits for the other table');
    rowsBig.end();
    await tick();
    assert.deepEqual([idxBig, fk].map((x) => x.state.started), [true, false]);
    idxBig.end();
    await tick();
    assert.equal(fk.state.started, true);
    fk.end();
    await done;
    assert.ok(seen.every((r) => r.length <= 3));
  });

  test('work taking a table alone waits while work sharing it can fill the sessions (a key check after the index builds)', async () => {
    // 1 GB EasyMO, 2 sessions: the transactions key check (2.8 s, the highest rank) ran first and
    // alone while both index builds waited; they fill both sessions, the check follows them.
    const table = (exclusive: boolean) => ({ table: 'transactions', exclusive });
    const rows = item('rows', { cost: 0.55, locks: [table(false)] });
    const fk = item('fk', { cost: 0.27, after: ['rows'], locks: [table(true), { table: 'users', exclusive: true }] });
    const a = item('idx a', { cost: 0.18, after: ['rows'], locks: [table(false)] });
    const b = item('idx b', { cost: 0.18, after: ['rows'], locks: [table(false)] });
    const pkIndex = item('pk index', { cost: 0.18, after: ['rows'], locks: [table(false)] });
    const attach = item('pk', { cost: 0, after: ['rows', 'pk index'], locks: [table(true)] });
    const done = runSchedule([fk, a, b, pkIndex, attach, rows].map((x) => x.it), 2);
    await tick();
    rows.end();
    await tick();
    assert.deepEqual([fk, a, b, pkIndex].map((x) => x.state.started), [false, true, true, false]);
    a.end();
    await tick();
    assert.deepEqual([fk, pkIndex].map((x) => x.state.started), [false, true]);
    b.end();
    pkIndex.end();
    await tick();
    // Nothing shares the table any more: the exclusive items one at a time, by rank.
    assert.deepEqual([fk, attach].map((x) => x.state.started), [true, false]);
    fk.end();
    await tick();
    assert.equal(attach.state.started, true);
    attach.end();
    await done;
  });

  test('an item of several sessions takes them all; the first failure stops the others and is the error', async () => {
    const split = item('rows big', { slots: 2, cost: 1 });
    const other = item('rows other', { cost: 0.5 });
    const done = runSchedule([split.it, other.it], 2);
    await tick();
    assert.deepEqual([split.state.started, other.state.started], [true, false]);
    split.end();
    await tick();
    assert.equal(other.state.started, true);
    other.end(new Error('psql failed with exit code 3: COPY public.other'));
    await assert.rejects(done, /^Error: psql failed with exit code 3: COPY public\.other$/);

    const a = item('a');
    const b = item('b');
    const failing = runSchedule([a.it, b.it], 2);
    await tick();
    a.end(new Error('pg_restore failed with exit code 1'));
    await assert.rejects(failing, /pg_restore failed with exit code 1/);
    assert.equal(b.state.aborted, true);
  });

  test('an item of several sessions that comes first waits for them: lesser items do not take them', async () => {
    const small = item('small', { cost: 2 });
    const split = item('rows big', { slots: 2, cost: 1 });
    const other = item('rows other', { cost: 0.5 });
    const done = runSchedule([split.it, other.it, small.it], 2);
    await tick();
    assert.deepEqual([small, split, other].map((x) => x.state.started), [true, false, false]);
    small.end();
    await tick();
    assert.deepEqual([split, other].map((x) => x.state.started), [true, false]);
    split.end();
    await tick();
    other.end();
    await done;
  });

  test('what unblocks the longest chain goes first, even when it is small', async () => {
    const big = item('rows big', { cost: 0.5 });
    const small = item('rows small', { cost: 0.05 });
    const key = item('key', { cost: 0.6, after: ['rows small'] });
    const done = runSchedule([big.it, key.it, small.it], 1);
    await tick();
    assert.deepEqual([small, big, key].map((x) => x.state.started), [true, false, false]);
    small.end();
    await tick();
    assert.deepEqual([big, key].map((x) => x.state.started), [false, true]);
    key.end();
    await tick();
    big.end();
    await done;
  });

  test('an item waiting for work that is not part of the restore is refused at once', async () => {
    await assert.rejects(runSchedule([item('fk', { after: ['rows gone'] }).it], 2), /^Error: restore schedule: fk waits for rows gone, which is not part of the restore$/);
  });
});
