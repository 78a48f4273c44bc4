import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderArgv, renderTemplate, TemplateError, templateReferences, type TemplateContext } from '../../../src/runbook/template.js';

const ctx: TemplateContext = {
  inputs: { host: 'db-1', port: 5432, services: ['api', 'worker'], dry: false, opts: { a: 1 }, empty: null },
  steps: {
    dump: { status: 'succeeded', output: { path: '/backups/b1.dump', sizes: [10, 20], meta: { tables: 3 } } },
    check: { status: 'failed' },
  },
  run: { id: 'wf-42', mode: 'drill', runbook: 'database-loss' },
};

function throwsTemplate(fn: () => unknown, reference: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TemplateError);
    assert.equal(err.name, 'TemplateError');
    assert.equal(err.reference, reference);
    assert.equal(err.message, message);
    return true;
  });
}

describe('renderTemplate', () => {
  test('each kind of reference, with or without spaces', () => {
    const cases: Array<[string, string]> = [
      ['{{ inputs.host }}', 'db-1'],
      ['{{inputs.port}}', '5432'],
      ['{{ inputs.dry }}', 'false'],
      ['{{ inputs.empty }}', 'null'],
      ['{{ inputs.opts }}', '{"a":1}'],
      ['{{ inputs.services }}', '["api","worker"]'],
      ['{{ steps.dump.output.path }}', '/backups/b1.dump'],
      ['{{ steps.dump.output.sizes.1 }}', '20'],
      ['{{ steps.dump.output.meta }}', '{"tables":3}'],
      ['{{ steps.check.status }}', 'failed'],
      ['{{ run.id }}/{{ run.mode }}/{{ run.runbook }}', 'wf-42/drill/database-loss'],
      ['pg_restore -h {{ inputs.host }} -p {{ inputs.port }} {{ steps.dump.output.path }}', 'pg_restore -h db-1 -p 5432 /backups/b1.dump'],
      ['{{ steps.missing.output.x | default("none") }}', 'none'],
      ["{{ inputs.nope | default('') }}!", '!'],
      ['{{ inputs.host | default("x") }}', 'db-1'],
      ['no placeholders { here } {{', 'no placeholders { here } {{'],
    ];
    for (const [template, expected] of cases) assert.equal(renderTemplate(template, ctx), expected, template);
  });

  test('renders deeply, leaving keys and non-strings alone', () => {
    const value = { '{{ inputs.host }}': ['{{ inputs.host }}', 3, true, null], nested: { url: 'http://{{ inputs.host }}:{{ inputs.port }}/' } };
    assert.deepEqual(renderTemplate(value, ctx), { '{{ inputs.host }}': ['db-1', 3, true, null], nested: { url: 'http://db-1:5432/' } });
    assert.equal(renderTemplate(7, ctx), 7);
    assert.equal(renderTemplate(undefined, ctx), undefined);
  });

  test('unknown references throw TemplateError naming the reference', () => {
    throwsTemplate(() => renderTemplate('{{ steps.dump2.output.path }}', ctx), '{{ steps.dump2.output.path }}', 'Unknown reference `{{ steps.dump2.output.path }}`: no step "dump2" has finished');
    throwsTemplate(() => renderTemplate(['ok', { x: 'at {{ inputs.nope }}' }], ctx), '{{ inputs.nope }}', 'Unknown reference `{{ inputs.nope }}`: no input "nope" was given');
    throwsTemplate(() => renderTemplate('{{ steps.dump.output.meta.rows }}', ctx), '{{ steps.dump.output.meta.rows }}', 'Unknown reference `{{ steps.dump.output.meta.rows }}`: step "dump" output has no field "meta.rows"');
    throwsTemplate(() => renderTemplate('{{ steps.check.output }}', ctx), '{{ steps.check.output }}', 'Unknown reference `{{ steps.check.output }}`: step "check" output is empty');
    throwsTemplate(() => renderTemplate('{{ steps.dump.path }}', ctx), '{{ steps.dump.path }}', 'Unknown reference `{{ steps.dump.path }}`: expected inputs.<name>, steps.<id>.output[.<field>...], steps.<id>.status, run.id, run.mode, run.runbook or run.incidentAt');
    throwsTemplate(() => renderTemplate('{{ run.user }}', ctx), '{{ run.user }}', 'Unknown reference `{{ run.user }}`: expected inputs.<name>, steps.<id>.output[.<field>...], steps.<id>.status, run.id, run.mode, run.runbook or run.incidentAt');
    throwsTemplate(() => renderTemplate('{{ process.exit(1) }}', ctx), '{{ process.exit(1) }}', 'Unknown reference `{{ process.exit(1) }}`: expected a reference like inputs.name, steps.<id>.output.<field>, steps.<id>.status or run.id');
    // Inherited properties are not values.
    throwsTemplate(() => renderTemplate('{{ inputs.constructor }}', ctx), '{{ inputs.constructor }}', 'Unknown reference `{{ inputs.constructor }}`: no input "constructor" was given');
  });

  test('a string without "{{" is returned unchanged', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('{{')), (text) => renderTemplate(text, ctx) === text));
  });
});

describe('renderArgv', () => {
  test('a sole placeholder holding a list expands into several arguments', () => {
    assert.deepEqual(renderArgv(['systemctl', 'restart', '{{ inputs.services }}'], ctx), ['systemctl', 'restart', 'api', 'worker']);
    assert.deepEqual(renderArgv(['du', '{{steps.dump.output.sizes}}'], ctx), ['du', '10', '20']);
    assert.deepEqual(renderArgv(['a', '{{ inputs.none | default("") }}'], { ...ctx, inputs: { ...ctx.inputs, none: [] } }), ['a']);
  });
  test('embedded placeholders and non-list values stay one argument', () => {
    assert.deepEqual(renderArgv(['--services={{ inputs.services }}', '{{ inputs.opts }}', '{{ inputs.port }}'], ctx), ['--services=["api","worker"]', '{"a":1}', '5432']);
  });
  test('values are never split, whatever they contain', () => {
    const tricky = fc.oneof(fc.string(), fc.constantFrom('a b', '$(rm -rf /)', '; ls', '"quoted arg"', "it's", '`id`', '*', '\n', '  ', '$&', '{{ run.id }}'));
    fc.assert(
      fc.property(tricky, fc.array(tricky), (value, list) => {
        const c: TemplateContext = { ...ctx, inputs: { value, list } };
        assert.deepEqual(renderArgv(['cmd', '{{ inputs.value }}', '{{ inputs.list }}', '--v={{ inputs.value }}'], c), ['cmd', value, ...list, `--v=${value}`]);
      }),
    );
  });
  test('unknown references throw', () => {
    throwsTemplate(() => renderArgv(['{{ inputs.nope }}'], ctx), '{{ inputs.nope }}', 'Unknown reference `{{ inputs.nope }}`: no input "nope" was given');
  });
});

test('templateReferences finds every reference in nested strings', () => {
  const value = { command: ['pg_restore', '{{ steps.dump.output.path }}', '-h {{inputs.host}}:{{ inputs.port | default("5432") }}'], env: { X: '{{ run.id }}' }, n: 3 };
  assert.deepEqual(templateReferences(value), ['steps.dump.output.path', 'inputs.host', 'inputs.port', 'run.id']);
  assert.deepEqual(templateReferences('plain'), []);
});
