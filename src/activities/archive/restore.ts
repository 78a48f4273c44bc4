// archive.restore: unpack an archive from the store into a folder, in two passes over the object.
// The first checks its sha256 and reads every entry's header: nothing is written when the archive
// is damaged, when any entry would land outside the folder (absolute paths, `..`, links pointing
// out, devices), or, without `overwrite`, when files would be replaced. The second unpacks, with
// the same check as a filter and node-tar's own guards (no writing through symlinks) behind it.
import { lstat, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve, sep } from 'node:path';
import { Writable } from 'node:stream';
import { extract, Parser, type ReadEntry } from 'tar';
import { findSet, readVerified, restoredFrom } from '../backup-sets.js';
import { activityHooks, cancellationError } from '../context.js';
import type { ArchiveRestoreInput, ArchiveRestoreResult, DataDeps } from '../data-types.js';
import { checkBackupRef, checkPrefix } from '../postgres/names.js';
import { Redactor } from '../secrets.js';
import { ARCHIVE_OBJECT } from './create.js';
import { asFailure } from '../errors.js';

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** Why an entry may not be unpacked into `target`, or undefined when it may. */
export function unsafeEntry(target: string, entry: { path: string; type: string; linkpath?: string }): string | undefined {
  const path = entry.path;
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) return 'absolute path';
  const dest = resolve(target, path);
  if (!inside(target, dest)) return 'path leaves the folder';
  if (!ALLOWED.has(entry.type)) return `${entry.type} entries are not restored`;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const link = entry.linkpath ?? '';
    if (isAbsolute(link)) return `link to an absolute path (${link})`;
    // A symlink resolves from its own folder, a hard link from the archive's root.
    const to = entry.type === 'SymbolicLink' ? resolve(dirname(dest), link) : resolve(target, link);
    if (!inside(target, to)) return `link points outside the folder (${link})`;
  }
  return undefined;
}

const inside = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

export async function archiveRestore(input: ArchiveRestoreInput, deps: DataDeps): Promise<ArchiveRestoreResult> {
  const hooks = activityHooks(deps);
  const redactor = new Redactor();
  const started = Date.now();
  const target = resolve(input.target);
  const what = `Restore of an archive into ${target}`;
  const incidentAt = input.incidentAt ? new Date(input.incidentAt) : new Date((deps.now ?? Date.now)());
  const progress = { phase: 'verify', bytes: 0 };
  const beat = setInterval(() => hooks.heartbeat({ ...progress, elapsedMs: Date.now() - started }), deps.heartbeatEveryMs ?? 2_000);
  try {
    checkPrefix(input.prefix);
    checkBackupRef(input.backup);
    const set = await findSet(deps.store, 'archive', input.prefix, input.backup, incidentAt);
    const object = set.manifest.objects.find((o) => o.name === ARCHIVE_OBJECT) ?? set.manifest.objects[0]!;
    const read = { signal: hooks.signal, onBytes: (n: number) => (progress.bytes = n) };

    // Pass 1: verify and inspect; nothing is written.
    const entries: Array<{ path: string; type: string; linkpath?: string }> = [];
    const parser = new Parser({ strict: true, onReadEntry: (e: ReadEntry) => (entries.push({ path: e.path, type: e.type, linkpath: e.linkpath }), e.resume()) });
    await readVerified(deps.store, set.key, object, intoTar(parser), read);
    const refused = entries.flatMap((e) => {
      const why = unsafeEntry(target, e);
      return why ? [`${e.path} (${why})`] : [];
    });
    if (refused.length > 0) {
      throw new Error(`refused: ${refused.length} entr${refused.length === 1 ? 'y' : 'ies'} would be written outside it: ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ', ...' : ''}. Nothing was written`);
    }
    const files = entries.filter((e) => e.type !== 'Directory');
    const present: string[] = [];
    for (const e of files) {
      if (await lstat(join(target, e.path)).then(() => true, () => false)) present.push(posix.normalize(e.path));
    }
    if (present.length > 0 && !input.overwrite) {
      throw new Error(`${present.length} file(s) exist and would be replaced: ${present.slice(0, 10).join(', ')}${present.length > 10 ? ', ...' : ''}. Set \`overwrite: true\` to replace them. Nothing was written`);
    }

    // Pass 2: unpack.
    progress.phase = 'extract';
    await mkdir(target, { recursive: true });
    const unpack = extract({
      cwd: target,
      strict: true,
      preservePaths: false,
      filter: (path, entry) => unsafeEntry(target, { path, type: (entry as ReadEntry).type, linkpath: (entry as ReadEntry).linkpath }) === undefined,
    });
    await readVerified(deps.store, set.key, object, intoTar(unpack), read);
    return {
      backup: restoredFrom(deps.store, set, incidentAt),
      target,
      files: files.length,
      overwritten: present.length,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    if (hooks.signal?.aborted) throw cancellationError(hooks.signal, what);
    throw asFailure(err, `${what} failed`, redactor);
  } finally {
    clearInterval(beat);
  }
}

/**
 * node-tar's parsers are EventEmitters, not Node streams: this Writable feeds one, honours its
 * backpressure, and finishes only once it has ended (for an extract: every file written).
 */
function intoTar(parser: Parser): Writable {
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (parser.write(chunk)) callback();
      else parser.once('drain', () => callback());
    },
    final(callback) {
      parser.once('end', () => callback());
      parser.end();
    },
  });
  parser.on('error', (err: Error) => writable.destroy(err));
  return writable;
}
