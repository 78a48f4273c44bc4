// Partial table recovery: which entries of a real `pg_restore -l` listing recreate a table, and the
// SQL that drops it first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropSql, parseToc, selectEntries } from '../../../../src/activities/postgres/toc.js';
import type { TableInventory } from '../../../../src/activities/storage/manifest.js';

// From a custom dump of test/helpers/backup.ts's seedShop (pg_dump 15).
const LISTING = `;
; Archive created at 2026-11-25 19:20:00 UTC
;
6; 2615 18797 SCHEMA - audit postgres
223; 1255 18795 FUNCTION public touch() postgres
222; 1259 18799 TABLE audit events postgres
221; 1259 18798 SEQUENCE audit events_id_seq postgres
3393; 0 0 SEQUENCE OWNED BY audit events_id_seq postgres
220; 1259 18782 TABLE public messages postgres
219; 1259 18781 SEQUENCE public messages_id_seq postgres
218; 1259 18766 TABLE public transactions postgres
217; 1259 18765 SEQUENCE public transactions_id_seq postgres
3394; 0 0 SEQUENCE OWNED BY public transactions_id_seq postgres
216; 1259 18754 TABLE public users postgres
215; 1259 18753 SEQUENCE public users_id_seq postgres
3395; 0 0 SEQUENCE OWNED BY public users_id_seq postgres
3216; 2604 18769 DEFAULT public transactions id postgres
3214; 2604 18757 DEFAULT public users id postgres
3384; 0 18782 TABLE DATA public messages postgres
3382; 0 18766 TABLE DATA public transactions postgres
3380; 0 18754 TABLE DATA public users postgres
3398; 0 0 SEQUENCE SET public transactions_id_seq postgres
3399; 0 0 SEQUENCE SET public users_id_seq postgres
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
`;

const table = (schema: string, name: string, extra: Partial<TableInventory>): TableInventory => ({
  schema, name, rows: 0, rls: false, rlsForced: false, policies: [], indexes: [], indexCount: 0, constraints: [], foreignKeys: [], triggers: [], sequences: [], ...extra,
});
const INVENTORY = [
  table('audit', 'events', { sequences: ['events_id_seq'] }),
  table('public', 'messages', { rls: true, policies: ['messages_own'], sequences: ['messages_id_seq'], foreignKeys: [{ name: 'messages_user_id_fkey', references: 'public.users' }] }),
  table('public', 'transactions', { indexes: ['transactions_big_idx', 'transactions_user_idx'], sequences: ['transactions_id_seq'], foreignKeys: [{ name: 'transactions_user_id_fkey', references: 'public.users' }] }),
  table('public', 'users', { triggers: ['users_touch'], sequences: ['users_id_seq'], constraints: ['users_email_key', 'users_pkey'] }),
];
const ids = (tables: string[]) => selectEntries(parseToc(LISTING), tables, INVENTORY).map((e) => e.line.split(';')[0]);

describe('partial restore selection', () => {
  test('parses types with spaces and tags with spaces', () => {
    const entries = parseToc(LISTING);
    assert.deepEqual(entries.find((e) => e.line.startsWith('3233;')), {
      line: '3233; 2606 18789 FK CONSTRAINT public messages messages_user_id_fkey postgres', type: 'FK CONSTRAINT', schema: 'public', tag: 'messages messages_user_id_fkey',
    });
    assert.equal(entries.find((e) => e.line.startsWith('3393;'))!.type, 'SEQUENCE OWNED BY');
    assert.ok(!entries.some((e) => e.type === 'SCHEMA' || e.line.includes('FUNCTION')));
  });

  test('a table with its sequence, default, data, constraints, trigger, and the foreign keys pointing at it', () => {
    assert.deepEqual(ids(['public.users']), ['216', '215', '3395', '3214', '3380', '3399', '3221', '3223', '3234', '3233', '3232']);
  });

  test('a table with its indexes, RLS and policies; another schema', () => {
    assert.deepEqual(ids(['public.transactions']), ['218', '217', '3394', '3216', '3382', '3398', '3226', '3224', '3227', '3232']);
    assert.deepEqual(ids(['public.messages']), ['220', '219', '3384', '3229', '3233', '3377', '3378']);
    assert.deepEqual(ids(['audit.events']), ['222', '221', '3393']);
  });

  test('drops the incoming foreign keys, then the tables and their sequences, without CASCADE', () => {
    assert.equal(
      dropSql(['public.users'], INVENTORY),
      [
        'ALTER TABLE IF EXISTS "public"."messages" DROP CONSTRAINT IF EXISTS "messages_user_id_fkey";',
        'ALTER TABLE IF EXISTS "public"."transactions" DROP CONSTRAINT IF EXISTS "transactions_user_id_fkey";',
        'DROP TABLE IF EXISTS "public"."users";',
        'DROP SEQUENCE IF EXISTS "public"."users_id_seq";',
        '',
      ].join('\n'),
    );
  });
});
