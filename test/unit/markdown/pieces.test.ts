import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readMark, readTime } from '../../../src/markdown/durations.js';
import { InputSet } from '../../../src/markdown/placeholders.js';
import { rewriteScript, rewriteText } from '../../../src/markdown/rewrite.js';
import { readShellBlock } from '../../../src/markdown/shell.js';

const M = 60_000;

describe('time phrases', () => {
  const cases: Array<[string, number | undefined, string | undefined, string | undefined]> = [
    ['15 minutes', 15 * M, undefined, undefined],
    ['1 hour', 60 * M, undefined, undefined],
    ['0-15 minutes', 15 * M, 'range "0-15 minutes": the budget is the upper bound', undefined],
    ['2-4 hours', 240 * M, 'range "2-4 hours": the budget is the upper bound', undefined],
    ['30 minutes - 2 hours', 120 * M, 'range "30 minutes - 2 hours": the budget is the upper bound', undefined],
    ['2 to 4 hours', 240 * M, 'range "2 to 4 hours": the budget is the upper bound', undefined],
    ['15-5 minutes', 15 * M, undefined, 'the range "15-5 minutes" runs backwards (15m to 5m); budgeted the larger, 15m'],
    ['Immediate', 15 * M, '"Immediate" has no number: budgeted 15m', undefined],
    ['Ongoing', 60 * M, '"Ongoing" has no end: budgeted 1h for the first round', undefined],
    ['~10 min', 10 * M, '"~10 min": budgeted 10m', undefined],
    ['Supabase', undefined, undefined, undefined],
    ['payments, messaging, etc.', undefined, undefined, undefined],
  ];
  for (const [text, ms, note, error] of cases) {
    test(JSON.stringify(text), () => {
      const t = readTime(text);
      assert.deepEqual(t && [t.ms, t.note, t.error], ms === undefined ? undefined : [ms, note, error]);
    });
  }
  test('timeline marks', () => {
    assert.deepEqual(readMark('T+10 min: Fail over DNS'), { offsetMs: 10 * M, rest: 'Fail over DNS', unitless: false });
    assert.deepEqual(readMark('T+0 Declare'), { offsetMs: 0, rest: 'Declare', unitless: false });
    assert.deepEqual(readMark('T+1:30 — Verify'), { offsetMs: 90 * M, rest: 'Verify', unitless: false });
    assert.deepEqual(readMark('T+25 Confirm'), { offsetMs: 25 * M, rest: 'Confirm', unitless: true });
    assert.deepEqual(readMark('T+1h30m'), { offsetMs: 90 * M, rest: '', unitless: false });
    assert.equal(readMark('Tomorrow'), undefined);
  });
});

describe('placeholders', () => {
  const rewrite = (script: string) => {
    const inputs = new InputSet();
    const out = rewriteScript(script, 10, inputs);
    return { ...out, inputs: [...inputs.inputs.values()].map((i) => [i.name, i.secret, i.required, i.default ?? null]) };
  };
  test('variables are quoted and passed through env; the script never holds a value', () => {
    assert.deepEqual(rewrite('psql $DATABASE_URL -c "SELECT 1" > "$OUT_DIR/x"'), {
      script: 'psql "$DATABASE_URL" -c "SELECT 1" > "$OUT_DIR/x"',
      env: { DATABASE_URL: '{{ inputs.database_url }}', OUT_DIR: '{{ inputs.out_dir }}' },
      inputs: [['database_url', true, false, 'env:DATABASE_URL'], ['out_dir', false, false, 'env:OUT_DIR']],
    });
  });
  test('`xxx` is named after its option or key; a URL with credentials is one secret input', () => {
    assert.deepEqual(rewrite('vault login --token xxx\ncurl -u admin:XXXX https://x\npsql "postgres://app:xxx@orders-db.internal:5432/orders" -c "SELECT 1"'), {
      script: 'vault login --token "$TOKEN"\ncurl -u admin:"$ADMIN_PASSWORD" https://x\npsql "$ORDERS_DB_URL" -c "SELECT 1"',
      env: { TOKEN: '{{ inputs.token }}', ADMIN_PASSWORD: '{{ inputs.admin_password }}', ORDERS_DB_URL: '{{ inputs.orders_db_url }}' },
      inputs: [['token', true, false, 'env:TOKEN'], ['admin_password', true, false, 'env:ADMIN_PASSWORD'], ['orders_db_url', true, false, 'env:ORDERS_DB_URL']],
    });
  });
  test('<angle>, your_x_here and dated example files become required inputs', () => {
    assert.deepEqual(rewrite('supabase db dump --project-ref <project-ref> > x.sql\ncurl https://your-project.supabase.co\nDB="your_database_url_here"\ncp /b/dump_20240315.rdb .'), {
      script: 'supabase db dump --project-ref "$PROJECT_REF" > x.sql\ncurl https://"$PROJECT".supabase.co\nDB="$DATABASE_URL"\ncp "$DUMP_FILE" .',
      env: { PROJECT_REF: '{{ inputs.project_ref }}', PROJECT: '{{ inputs.project }}', DATABASE_URL: '{{ inputs.database_url }}', DUMP_FILE: '{{ inputs.dump_file }}' },
      inputs: [['project_ref', false, true, null], ['project', false, true, null], ['database_url', true, false, 'env:DATABASE_URL'], ['dump_file', false, true, null]],
    });
  });
  test('variables the script sets, shell variables, comments and single quotes are left alone', () => {
    assert.deepEqual(rewrite("DIR=/tmp\nls $DIR $HOME # $NOT_THIS <nor-this>\necho '$LITERAL' \"<text>\""), {
      script: "DIR=/tmp\nls $DIR $HOME # $NOT_THIS <nor-this>\necho '$LITERAL' \"<text>\"", env: {}, inputs: [],
    });
  });
  test('inside a quoted here-document nothing changes; inside an unquoted one, ${NAME}', () => {
    assert.equal(rewrite("cat > f << 'EOF'\nX=your_token_here\nEOF").script, "cat > f << 'EOF'\nX=your_token_here\nEOF");
    assert.equal(rewrite('psql $DB << EOF\nSELECT $LIMIT_ROWS;\nEOF').script, 'psql "$DB" << EOF\nSELECT $LIMIT_ROWS;\nEOF');
  });
  test('instructions get {{ inputs.x }}; a literal {{ is broken up', () => {
    const inputs = new InputSet();
    assert.equal(rewriteText('Enter timestamp: 2024-03-15 11:30:00 UTC for <project-ref> in {{ .Values }}', 3, inputs), 'Enter timestamp: {{ inputs.timestamp }} for {{ inputs.project_ref }} in { { .Values } }');
  });
});

describe('shell blocks', () => {
  test('groups at comments; continuation lines and here-documents stay with their command', () => {
    const block = readShellBlock("# Stop\nsystemctl stop redis\n\n# Load\npsql $X << EOF\n# not a comment\nEOF\ncurl a \\\n  -H b\n# Or\nx", 5);
    assert.deepEqual(block.groups.map((g) => [g.line, g.comments, g.commands.map((c) => [c.line, c.text])]), [
      [5, ['Stop'], [[6, 'systemctl stop redis']]],
      [8, ['Load'], [[9, 'psql $X << EOF\n# not a comment\nEOF'], [12, 'curl a \\\n  -H b']]],
      [14, ['Or'], [[15, 'x']]],
    ]);
    assert.equal(block.numbered, false);
  });
  test('numbered comments; console prompts; shebang', () => {
    assert.deepEqual(readShellBlock('# 1. A\nls\n# Step 2: B (5 min)\n', 1).groups.map((g) => g.number), [1, 2]);
    assert.deepEqual(readShellBlock('$ redis-cli PING\nPONG\n', 1, 'console').groups[0]!.commands.map((c) => c.text), ['redis-cli PING']);
    assert.equal(readShellBlock('#!/bin/bash\necho hi', 1).shebang, true);
  });
});
