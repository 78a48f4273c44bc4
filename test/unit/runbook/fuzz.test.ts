// Bad runbooks, made by mutating the shipped ones and the test fixtures line by line (a line lost,
// doubled, moved, re-indented, a value replaced by one of another type, the file cut short): whatever
// the text, loading it never throws, and it either yields a runbook with no errors or errors that
// each name the file, a line of it and a field. The same for schedules.yaml, people.yaml and the
// environment files. Random (fast-check, a new seed each run; a failure prints it: DR_FUZZ_SEED=<seed>
// replays it, DR_FUZZ_RUNS=<n> runs n mutations of the runbooks instead of 2,000).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { parseEnvironment } from '../../../src/runbook/environment.js';
import type { LintIssue } from '../../../src/runbook/lint.js';
import { parseRunbook } from '../../../src/runbook/load.js';
import { parsePeople } from '../../../src/runbook/people.js';
import { parseSchedules } from '../../../src/runbook/schedules.js';
import { loadParsers } from '../../../src/safety/index.js';
import { classifyRunbook } from '../../../src/safety/steps.js';

const root = resolve(import.meta.dirname, '../../..');
const yamlIn = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(root, dir, f), 'utf8') }));
const NOT_RUNBOOKS = new Set(['runbooks/schedules.yaml', 'runbooks/people.yaml']);
const SEED = process.env.DR_FUZZ_SEED ? { seed: Number(process.env.DR_FUZZ_SEED) } : {};
const RUNS = Number(process.env.DR_FUZZ_RUNS ?? 2_000);
const runbooks = [...yamlIn('runbooks'), ...yamlIn('test/fixtures/runbooks')].filter((f) => !NOT_RUNBOOKS.has(f.name));

// Values of every other type than a field expects, and texts a template or duration parser must refuse.
const VALUES = ['', '""', '-1', '0', '1e309', '[]', '{}', 'null', '~', 'true', '10x', '"{{ steps.nope.output }}"', '"{{ inputs."', '&a', '*a', '!!binary AAAA', '"\u0000"', 'é🔥', 'x'.repeat(5000), '[1, [2, [3]]]', '{ a: { b: { c: 1 } } }', '| \n  multi\n  line'];

/** A file's text with one change of those above applied at `at` (a line index, modulo the count). */
function mutate(text: string, kind: number, at: number, other: number, value: string): string {
  const lines = text.split('\n');
  const i = at % lines.length;
  const j = other % lines.length;
  switch (kind) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[i]!);
      break;
    case 2:
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      break;
    case 3:
      lines[i] = `  ${lines[i]}`;
      break;
    case 4:
      lines[i] = lines[i]!.replace(/^ {1,2}/, '');
      break;
    case 5: {
      // A value replaced: after the first ": " or "- " of the line.
      const m = /^(\s*(?:- )?[\w.-]+:\s?|\s*- )/.exec(lines[i]!);
      lines[i] = m ? `${m[1]}${value}` : value;
      break;
    }
    case 6:
      lines.splice(i, 0, `${/^\s*/.exec(lines[i]!)![0]}bogus_${j}: ${value}`);
      break;
    default:
      return text.slice(0, Math.floor((text.length * (at % 1000)) / 1000));
  }
  return lines.join('\n');
}

const change = fc.record({
  kind: fc.integer({ min: 0, max: 7 }),
  at: fc.nat(),
  other: fc.nat(),
  value: fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 40 })),
});

/** The promise for any text: errors located in the file, never a throw. */
function checkIssues(issues: LintIssue[], file: string, text: string): void {
  const lines = text.split('\n').length;
  for (const issue of issues) {
    assert.equal(issue.file, file, `${issue.message}: names the file`);
    assert.ok(Number.isInteger(issue.line) && issue.line! >= 1 && issue.line! <= lines + 1, `${issue.message}: line ${issue.line} of ${lines}`);
    assert.ok(issue.message.trim().length > 0, 'a message');
    assert.ok(Array.isArray(issue.path), 'a field path');
  }
}

describe('a mutated runbook loads or says where it is wrong', () => {
  before(() => loadParsers());

  test(`${runbooks.length} runbooks, ${RUNS} mutations of one to three changes`, (t) => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...runbooks), fc.array(change, { minLength: 1, maxLength: 3 }), (file, changes) => {
        const text = changes.reduce((t, c) => mutate(t, c.kind, c.at, c.other, c.value), file.text);
        let result;
        try {
          result = parseRunbook(text, file.name, { classify: classifyRunbook });
        } catch (err) {
          assert.fail(`${file.name} mutated (${JSON.stringify(changes).slice(0, 300)}) threw ${(err as Error).stack}`);
        }
        checkIssues([...result.errors, ...result.warnings], file.name, text);
        assert.equal(result.runbook === undefined, result.errors.length > 0, 'a runbook exactly when there are no errors');
        seen[result.runbook ? 'loaded' : 'refused']++;
      }),
      { numRuns: RUNS, ...SEED },
    );
    // The mutations reach both sides: texts that still load, and texts refused with errors.
    assert.ok(seen.refused > RUNS / 5 && seen.loaded > RUNS / 70, JSON.stringify(seen));
    t.diagnostic(`${seen.loaded} loaded, ${seen.refused} refused with located errors`);
  });

  test(`schedules.yaml, people.yaml and the environment files, ${Math.ceil(RUNS / 4)} mutations each`, () => {
    const others: Array<{ name: string; text: string; parse: (text: string, file: string) => { errors: LintIssue[]; warnings?: LintIssue[] } }> = [
      { ...yamlIn('runbooks').find((f) => f.name === 'runbooks/schedules.yaml')!, parse: parseSchedules },
      { ...yamlIn('runbooks').find((f) => f.name === 'runbooks/people.yaml')!, parse: parsePeople },
    ];
    for (const file of others) {
      fc.assert(
        fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
          const text = changes.reduce((t, c) => mutate(t, c.kind, c.at, c.other, c.value), file.text);
          let result;
          try {
            result = file.parse(text, file.name);
          } catch (err) {
            assert.fail(`${file.name} mutated (${JSON.stringify(changes).slice(0, 300)}) threw ${(err as Error).stack}`);
          }
          checkIssues([...result.errors, ...(result.warnings ?? [])], file.name, text);
        }),
        { numRuns: Math.ceil(RUNS / 4), ...SEED },
      );
    }
    for (const file of yamlIn('runbooks/environments')) {
      fc.assert(
        fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
          const text = changes.reduce((t, c) => mutate(t, c.kind, c.at, c.other, c.value), file.text);
          let result;
          try {
            result = parseEnvironment(text, file.name);
          } catch (err) {
            assert.fail(`${file.name} mutated (${JSON.stringify(changes).slice(0, 300)}) threw ${(err as Error).stack}`);
          }
          for (const error of result.errors) assert.match(error, new RegExp(`^${file.name.replace(/[.]/g, '\\.')}:\\d+[: ]`), 'names the file and line');
        }),
        { numRuns: Math.ceil(RUNS / 4), ...SEED },
      );
    }
  });
});
