// scripts/build-cli.mjs: what bin/dr.js relies on to never run JavaScript older than src/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildCli, staleReason } from '../../../scripts/build-cli.mjs';

const root = mkdtempSync(join(tmpdir(), 'dr-build-cli-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
const write = (file: string, text: string) => {
  mkdirSync(join(root, file, '..'), { recursive: true });
  writeFileSync(join(root, file), text);
};

describe('build-cli', () => {
  it('compiles every source, then tells exactly which change makes the build stale', async () => {
    write('src/a.ts', "import { b } from './sub/b.js';\nexport const a: number = b + 1;\n");
    write('src/sub/b.ts', 'export const b: number = 1;\n');
    assert.equal(staleReason(root), 'dist/src has not been built');

    assert.equal((await buildCli(root)).files, 2);
    assert.equal(staleReason(root), undefined);
    assert.doesNotMatch(readFileSync(join(root, 'dist/src/a.js'), 'utf8'), /: number/);
    const { a } = (await import(join(root, 'dist/src/a.js'))) as { a: number };
    assert.equal(a, 2);

    // Same text rewritten later (a checkout, a pull that did not touch it): not a change.
    const later = new Date(Date.now() + 60_000);
    writeFileSync(join(root, 'src/sub/b.ts'), 'export const b: number = 1;\n');
    utimesSync(join(root, 'src/sub/b.ts'), later, later);
    assert.equal(staleReason(root), undefined);

    // An edit (editor, git, cp) moves the mtime; the hash then tells it is a real change.
    write('src/sub/b.ts', 'export const b: number = 2;\n');
    assert.equal(staleReason(root), 'src/sub/b.ts changed since the build');
    await buildCli(root);
    assert.equal(staleReason(root), undefined);

    write('src/c.ts', 'export {};\n');
    assert.equal(staleReason(root), 'src/c.ts is new since the build');
    await buildCli(root);
    rmSync(join(root, 'src/c.ts'));
    assert.equal(staleReason(root), 'src/c.ts was removed since the build');
  });
});
