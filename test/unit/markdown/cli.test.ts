import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDocument } from '../../../src/cli/commands/import.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { loadConfig } from '../../../src/config.js';
import { fixture, seedPath } from './helpers.js';

async function context() {
  const dir = await mkdtemp(join(tmpdir(), 'dr-import-'));
  const printed: string[] = [];
  const ctx: CommandContext = {
    config: loadConfig({ DR_RUNBOOKS_DIR: join(dir, 'runbooks') }, dir),
    client: () => Promise.reject(new Error('dr import needs no Temporal client')),
    print: (text) => printed.push(text),
    user: 'test',
  };
  return { ctx, dir, printed };
}

const cliError = (message: string) => (err: Error) => err.name === 'CliError' && err.message === message;

describe('dr import', () => {
  test('--check writes nothing and fails on the seed contradiction', async () => {
    const { ctx, dir, printed } = await context();
    await assert.rejects(importDocument(ctx, seedPath, { check: true }), cliError(`1 contradiction(s) in ${seedPath}`));
    assert.deepEqual(await readdir(dir), []);
    assert.match(printed[0]!, /^easymo-backup-dr\.md: 7 runbook\(s\) found \(--check: nothing written\), 1 error\(s\), 6 warning\(s\), 47 part\(s\) not mapped\n/);
    assert.match(printed[0]!, /\nErrors \(contradictions in the document\)\n {2}easymo-backup-dr\.md:242 {2}complete-database-loss: the steps of "complete-database-loss" add up to 5h15m, more than its RTO of 4h$/);
  });

  test('writes one file per runbook, refuses to overwrite without --force', async () => {
    const { ctx, dir } = await context();
    const doc = join(dir, 'failover.md');
    await writeFile(doc, fixture('step-comments.md'));
    const out = join(dir, 'out');
    await importDocument(ctx, doc, { out, quiet: true });
    assert.deepEqual(await readdir(out), ['failover-to-the-replica.yaml']);
    assert.match(await readFile(join(out, 'failover-to-the-replica.yaml'), 'utf8'), /^# Imported by `dr import` from failover\.md, line 3\./);
    await assert.rejects(importDocument(ctx, doc, { out }), (err: Error) => err.name === 'CliError' && err.message.startsWith('Not overwriting '));
    await importDocument(ctx, doc, { out, force: true });
  });

  test('default folder is the runbooks folder; clear errors for a missing file and a document with nothing to import', async () => {
    const { ctx, dir } = await context();
    const doc = join(dir, 'tables.md');
    await writeFile(doc, fixture('tables.md'));
    await importDocument(ctx, doc, {});
    assert.deepEqual(await readdir(join(dir, 'runbooks')), ['queue-backlog.yaml', 'redis-cache-lost.yaml']);
    await assert.rejects(importDocument(ctx, join(dir, 'nope.md')), cliError(`Cannot read ${join(dir, 'nope.md')}: no such file`));
    await writeFile(join(dir, 'prose.md'), '# Notes\n\nNothing to run.\n');
    await assert.rejects(importDocument(ctx, join(dir, 'prose.md'), { check: true }), cliError(`No scenario or procedure found in ${join(dir, 'prose.md')}`));
    await writeFile(join(dir, 'bin.md'), Uint8Array.from({ length: 512 }, (_, i) => i % 256));
    await assert.rejects(importDocument(ctx, join(dir, 'bin.md')), (err: Error) => err.name === 'CliError' && err.message.includes(': Expected a Markdown document, got binary data'));
  });

  test('--check fails on a part the importer could not classify; a plain import writes and succeeds', async () => {
    const { ctx, dir, printed } = await context();
    const doc = join(dir, 'plan.md');
    await writeFile(doc, '# Plan\n\n## Scenario: Cache lost\n\n1. **Flush** (5 minutes)\n\n## Capacity\n\n| Region | Nodes | Disk |\n|---|---|---|\n| eu | 3 | 1T |\n');
    await assert.rejects(importDocument(ctx, doc, { check: true }), cliError(`1 part(s) the importer could not classify in ${doc}`));
    assert.match(printed[0]!, /1 part\(s\) not mapped|part\(s\) not mapped \(1 not classified\)/);
    assert.match(printed[0]!, /plan\.md:9 +table \(Region \| Nodes \| Disk\) is neither a T\+ timeline, a procedure's steps nor RTO\/RPO: not imported \[not classified\]/);
    await importDocument(ctx, doc, { out: join(dir, 'out'), quiet: true });
    assert.deepEqual(await readdir(join(dir, 'out')), ['cache-lost.yaml']);
  });
});
