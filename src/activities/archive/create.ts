// archive: the seed's `tar -czf config_backup.tar.gz .env.production supabase/config.toml
// docker-compose*.yml services/*/Dockerfile` (and `supabase/functions/`), streamed: the paths and
// globs are expanded to a file list, tar.gz'd, hashed and uploaded without a temporary file.
// Entries are stored relative to `cwd`; owners are dropped (portable), modes kept.
import { hostname } from 'node:os';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { create } from 'tar';
import { glob, isDynamicPattern } from 'tinyglobby';
import { tierOf } from '../../runbook/retention.js';
import { backupFailure, newSetId, putObject, writeSetManifest, type ArchiveManifest } from '../backup-sets.js';
import { activityHooks } from '../context.js';
import type { ArchiveInput, ArchiveResult, DataDeps } from '../data-types.js';
import { checkPrefix } from '../postgres/names.js';
import { Redactor } from '../secrets.js';
import { joinKey } from '../storage/store.js';
import { asFailure } from '../errors.js';

export const ARCHIVE_OBJECT = 'files.tar.gz';
const TAR_VERSION: string = (createRequire(import.meta.url)('tar/package.json') as { version: string }).version;

export async function archiveCreate(input: ArchiveInput, deps: DataDeps): Promise<ArchiveResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  const what = `Archive of ${input.paths.join(' ')} in ${input.cwd}`;
  let files: string[];
  let unmatched: string[];
  let unpackedBytes = 0;
  try {
    checkPrefix(input.prefix);
    if (!(await stat(input.cwd).then((s) => s.isDirectory(), () => false))) throw new Error(`the folder ${input.cwd} does not exist`);
    ({ files, unmatched } = await expand(input));
    if (unmatched.length > 0 && input.missing === 'fail') {
      throw new Error(`nothing matches ${unmatched.map((p) => JSON.stringify(p)).join(', ')} (set \`missing: warn\` to archive what exists)`);
    }
    if (files.length === 0) throw new Error('no file matches any of the paths');
    for (const f of files) unpackedBytes += (await stat(join(input.cwd, f))).size;
    await deps.store.check();
  } catch (err) {
    throw asFailure(err, `${what} not started`, redactor);
  }
  let setKey: string | undefined;
  const progress = { phase: 'upload', bytes: 0 };
  const beat = setInterval(() => hooks.heartbeat({ ...progress, elapsedMs: Date.now() - started }), deps.heartbeatEveryMs ?? 2_000);
  try {
    const createdAt = new Date((deps.now ?? Date.now)());
    const id = newSetId(createdAt, input.prefix.split('/')[0] ?? 'files');
    setKey = joinKey(input.prefix, id);
    const tier = tierOf(input.prefix);
    const storageClass = input.storageClass ?? (tier === 'monthly' || tier === 'annual' ? deps.coldStorageClass : undefined);
    const pack = create({ cwd: input.cwd, gzip: { level: input.compression }, portable: true, noDirRecurse: true, strict: true }, files);
    const object = await putObject(deps.store, setKey, ARCHIVE_OBJECT, Readable.from(pack), {
      signal: hooks.signal,
      storageClass,
      onBytes: (n) => (progress.bytes = n),
    });
    const manifest: ArchiveManifest = {
      version: 1,
      id,
      kind: 'archive',
      prefix: input.prefix,
      createdAt: createdAt.toISOString(),
      completedAt: new Date().toISOString(),
      format: 'tar',
      compression: { algorithm: 'gzip', level: input.compression },
      source: { host: hostname(), cwd: input.cwd },
      tools: { tar: `node-tar ${TAR_VERSION}` },
      archive: { paths: input.paths, files: files.length, unpackedBytes },
      bytes: object.bytes,
      objects: [object],
      durationMs: Date.now() - started,
    };
    await writeSetManifest(deps.store, setKey, manifest);
    return {
      id,
      prefix: input.prefix,
      createdAt: manifest.createdAt,
      bytes: object.bytes,
      location: `${deps.store.location}/${setKey}`,
      files: files.length,
      unpackedBytes,
      unmatched,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    throw await backupFailure(err, { store: deps.store, setKey, signal: hooks.signal, what, redactor });
  } finally {
    clearInterval(beat);
  }
}

/**
 * The files the paths name, relative to `cwd`, sorted and without duplicates: a folder means
 * everything under it, a glob what it matches (dot-files included: `.env.production` is the point).
 * Paths that match nothing are returned in `unmatched`. Nothing may point outside `cwd`.
 */
export async function expand(input: Pick<ArchiveInput, 'cwd' | 'paths' | 'exclude'>): Promise<{ files: string[]; unmatched: string[] }> {
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const raw of input.paths) {
    const path = raw.replace(/\/+$/, '');
    if (isAbsolute(path) || normalize(path).split(/[\\/]/).includes('..')) {
      throw new Error(`Expected paths relative to ${input.cwd} and inside it, got ${JSON.stringify(raw)}`);
    }
    let patterns = [path];
    if (!isDynamicPattern(path)) {
      const st = await stat(join(input.cwd, path)).catch(() => undefined);
      if (st?.isDirectory()) patterns = [`${path}/**`];
    }
    const found = await glob(patterns, { cwd: input.cwd, dot: true, onlyFiles: true, ignore: input.exclude, followSymbolicLinks: false, expandDirectories: false });
    if (found.length === 0) unmatched.push(raw);
    for (const f of found) files.add(f);
  }
  return { files: [...files].sort(), unmatched };
}
