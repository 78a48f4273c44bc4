// archive / archive.restore with the seed's config and edge-function paths, into a local store:
// the round trip byte for byte, overwrite protection, damaged objects, and archives whose entries
// would escape the restore folder (built by hand, as an attacker or a broken tool would).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { create } from 'tar';
import { archiveCreate } from '../../../../src/activities/archive/create.js';
import { archiveRestore, unsafeEntry } from '../../../../src/activities/archive/restore.js';
import { putObject, writeSetManifest } from '../../../../src/activities/backup-sets.js';
import { FsBackupStore } from '../../../../src/activities/storage/fs-store.js';

const scratch = mkdtempSync(join(tmpdir(), 'dr-archive-test-'));
const store = new FsBackupStore(join(scratch, 'store'));
const deps = { store, heartbeat: () => {}, log: { info() {}, warn() {} } };
after(() => rmSync(scratch, { recursive: true, force: true }));

const project = join(scratch, 'easymo');
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(project, path)), { recursive: true });
  writeFileSync(join(project, path), text);
};
write('.env.production', 'DATABASE_URL=postgres://prod\nADMIN_TOKEN=t0k3n\n');
write('supabase/config.toml', 'project_id = "easymo"\n');
write('docker-compose.yml', 'services: {}\n');
write('docker-compose.agent-core.yml', 'services: { wallet-service: {} }\n');
write('services/wallet-service/Dockerfile', 'FROM node:20\n');
write('services/ranking-service/Dockerfile', 'FROM node:20-slim\n');
write('services/ranking-service/src/index.ts', 'not archived\n');
write('supabase/functions/admin-stats/index.ts', 'export default () => 1;\n');
write('supabase/functions/wa-webhook/index.ts', 'export default () => 2;\n');
write('supabase/functions/_shared/deploy.sh', '#!/bin/sh\necho deploy\n');
chmodSync(join(project, 'supabase/functions/_shared/deploy.sh'), 0o755);
const SEED_PATHS = ['.env.production', 'supabase/config.toml', 'docker-compose*.yml', 'services/*/Dockerfile', 'supabase/functions/'];
const ARCHIVED = [
  '.env.production',
  'docker-compose.agent-core.yml',
  'docker-compose.yml',
  'services/ranking-service/Dockerfile',
  'services/wallet-service/Dockerfile',
  'supabase/config.toml',
  'supabase/functions/_shared/deploy.sh',
  'supabase/functions/admin-stats/index.ts',
  'supabase/functions/wa-webhook/index.ts',
];
const archive = (over: Record<string, unknown> = {}) =>
  archiveCreate({ cwd: project, paths: SEED_PATHS, exclude: [], prefix: 'configs/daily', missing: 'fail', compression: 6, ...over }, deps);
const restore = (target: string, over: Record<string, unknown> = {}) =>
  archiveRestore({ target, backup: 'latest', prefix: 'configs', overwrite: false, ...over }, deps);

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), base) : [join(dir, e.name).slice(base.length + 1)],
  ).sort();
}

describe('archive and archive.restore', () => {
  it("archives the seed's config files and edge functions and restores them byte for byte, modes kept", async () => {
    const result = await archive();
    assert.equal(result.files, ARCHIVED.length);
    assert.deepEqual(result.unmatched, []);
    assert.equal(result.unpackedBytes, ARCHIVED.reduce((n, f) => n + statSync(join(project, f)).size, 0));
    const target = join(scratch, 'restored');
    const restored = await restore(target);
    assert.equal(restored.backup.id, result.id);
    assert.equal(restored.files, ARCHIVED.length);
    assert.equal(restored.overwritten, 0);
    assert.deepEqual(walk(target), ARCHIVED);
    for (const f of ARCHIVED) assert.equal(readFileSync(join(target, f), 'utf8'), readFileSync(join(project, f), 'utf8'), f);
    assert.equal(statSync(join(target, 'supabase/functions/_shared/deploy.sh')).mode & 0o777, 0o755);
  });

  it('refuses to replace existing files unless told to', async () => {
    const target = join(scratch, 'restored');
    writeFileSync(join(target, 'supabase/config.toml'), 'edited by hand\n');
    await assert.rejects(restore(target), {
      name: 'ApplicationFailure',
      type: 'StepCommandFailed',
      message:
        `Restore of an archive into ${target} failed: 9 file(s) exist and would be replaced: ${ARCHIVED.join(', ')}. ` +
        'Set `overwrite: true` to replace them. Nothing was written',
    });
    assert.equal(readFileSync(join(target, 'supabase/config.toml'), 'utf8'), 'edited by hand\n');
    const again = await restore(target, { overwrite: true });
    assert.equal(again.overwritten, 9);
    assert.equal(readFileSync(join(target, 'supabase/config.toml'), 'utf8'), 'project_id = "easymo"\n');
  });

  it('fails on a path that does not exist, or archives what exists with missing: warn', async () => {
    const paths = ['supabase/config.toml', 'docker-compose.prod.yml', 'k8s/*.yaml'];
    await assert.rejects(archive({ paths, prefix: 'configs/missing' }), {
      type: 'StepCommandFailed',
      message: `Archive of ${paths.join(' ')} in ${project} not started: nothing matches "docker-compose.prod.yml", "k8s/*.yaml" (set \`missing: warn\` to archive what exists)`,
    });
    assert.deepEqual(await store.list('configs/missing/'), []);
    const result = await archive({ paths, prefix: 'configs/missing', missing: 'warn' });
    assert.equal(result.files, 1);
    assert.deepEqual(result.unmatched, ['docker-compose.prod.yml', 'k8s/*.yaml']);
    await assert.rejects(archive({ paths: ['../outside'] }), { message: `Archive of ../outside in ${project} not started: Expected paths relative to ${project} and inside it, got "../outside"` });
  });

  it('refuses a damaged archive before writing anything', async () => {
    const result = await archive({ prefix: 'configs/damaged/daily' });
    const object = join(scratch, 'store', 'configs/damaged/daily', result.id, 'files.tar.gz');
    writeFileSync(object, readFileSync(object).subarray(0, 100)); // truncated
    const target = join(scratch, 'restored-damaged');
    await assert.rejects(restore(target, { prefix: 'configs/damaged' }), (err: Error) => {
      assert.equal((err as { type?: string }).type, 'BackupCorrupt');
      assert.match(err.message, new RegExp(`files\\.tar\\.gz has 100 bytes, the manifest says ${result.bytes}: the object is truncated or damaged$`));
      return true;
    });
    assert.equal(existsSync(target), false);
  });

  it('refuses an archive whose entries would escape the folder, writing nothing', async () => {
    // An archive made by hand: `..` paths, an absolute path, links pointing out.
    const evil = join(scratch, 'evil');
    mkdirSync(join(evil, 'src'), { recursive: true });
    writeFileSync(join(evil, 'outside.txt'), 'pwned\n');
    writeFileSync(join(evil, 'src', 'ok.txt'), 'fine\n');
    symlinkSync('/etc/passwd', join(evil, 'src', 'passwd-link'));
    symlinkSync('../../outside.txt', join(evil, 'src', 'up-link'));
    const absolute = join(evil, 'outside.txt');
    const pack = create({ cwd: join(evil, 'src'), gzip: true, preservePaths: true, portable: true }, ['ok.txt', '../outside.txt', absolute, 'passwd-link', 'up-link']);
    const setKey = 'configs/evil/daily/20240101T000000Z-evil-0000';
    const object = await putObject(store, setKey, 'files.tar.gz', Readable.from(pack));
    await writeSetManifest(store, setKey, {
      version: 1,
      id: '20240101T000000Z-evil-0000',
      kind: 'archive',
      prefix: 'configs/evil/daily',
      createdAt: '2024-01-01T00:00:00.000Z',
      completedAt: '2024-01-01T00:00:01.000Z',
      format: 'tar',
      compression: { algorithm: 'gzip', level: 6 },
      source: { host: 'attacker', cwd: '/' },
      tools: { tar: 'by hand' },
      archive: { paths: [], files: 5, unpackedBytes: 0 },
      bytes: object.bytes,
      objects: [object],
      durationMs: 0,
    });
    const target = join(scratch, 'restored-evil', 'inner');
    await assert.rejects(restore(target, { prefix: 'configs/evil', overwrite: true }), {
      name: 'ApplicationFailure',
      type: 'StepCommandFailed',
      message:
        `Restore of an archive into ${target} failed: refused: 4 entries would be written outside it: ` +
        `../outside.txt (path leaves the folder), ${absolute} (absolute path), passwd-link (link to an absolute path (/etc/passwd)), ` +
        'up-link (link points outside the folder (../../outside.txt)). Nothing was written',
    });
    assert.equal(existsSync(join(scratch, 'restored-evil')), false);
  });

  it('judges entries one by one', () => {
    const target = '/srv/restore';
    const cases: Array<[{ path: string; type: string; linkpath?: string }, string | undefined]> = [
      [{ path: 'supabase/config.toml', type: 'File' }, undefined],
      [{ path: 'a/../b.txt', type: 'File' }, undefined],
      [{ path: 'a/../../b.txt', type: 'File' }, 'path leaves the folder'],
      [{ path: '/etc/cron.d/x', type: 'File' }, 'absolute path'],
      [{ path: 'C:/x', type: 'File' }, 'absolute path'],
      [{ path: 'dev/sda', type: 'BlockDevice' }, 'BlockDevice entries are not restored'],
      [{ path: 'a/link', type: 'SymbolicLink', linkpath: '../b' }, undefined],
      [{ path: 'a/link', type: 'SymbolicLink', linkpath: '../../b' }, 'link points outside the folder (../../b)'],
      [{ path: 'hard', type: 'Link', linkpath: 'a/b' }, undefined],
      [{ path: 'a/hard', type: 'Link', linkpath: '../x' }, 'link points outside the folder (../x)'],
      [{ path: 'x', type: 'SymbolicLink', linkpath: '/etc/shadow' }, 'link to an absolute path (/etc/shadow)'],
    ];
    for (const [entry, why] of cases) assert.equal(unsafeEntry(target, entry), why, JSON.stringify(entry));
  });
});
