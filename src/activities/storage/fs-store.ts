// The local directory store, the default that works with no configuration. An object is written
// to a temporary name beside its final one, flushed to disk, then renamed: a crash mid-write
// leaves a `.partial-*` file, never a short object under the real name.
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BackupStore, type PutOptions, type StoredObject } from './store.js';
import { StoreObjectMissingError, StoreUnavailableError } from '../errors.js';

export class FsBackupStore implements BackupStore {
  readonly location: string;

  constructor(readonly root: string) {
    this.location = root;
  }

  private path(key: string): string {
    const parts = key.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`Expected a relative object key, got ${JSON.stringify(key)}`);
    return join(this.root, ...parts);
  }

  urlOf(key: string): string {
    return this.path(key);
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK);
    } catch (err) {
      throw new StoreUnavailableError(this.location, `the folder cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<{ bytes: number }> {
    const path = this.path(key);
    const partial = `${path}.partial-${randomBytes(4).toString('hex')}`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await pipeline(body, createWriteStream(partial), { signal: options.signal });
      const handle = await open(partial, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, path);
    } catch (err) {
      await rm(partial, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new StoreUnavailableError(this.location, `no space left on device writing ${key}`);
      throw err;
    }
    return { bytes: (await stat(path)).size };
  }

  async get(key: string): Promise<Readable> {
    const path = this.path(key);
    try {
      await access(path, constants.R_OK);
    } catch {
      throw new StoreObjectMissingError(this.location, key);
    }
    return createReadStream(path);
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) {
          const key = relative(this.root, full).split(sep).join('/');
          if (!key.startsWith(prefix)) continue;
          const st = await stat(full).catch(() => undefined); // deleted meanwhile
          if (st) out.push({ key, bytes: st.size, modifiedAt: st.mtimeMs });
        }
      }
    };
    await walk(this.root);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const path = this.path(key);
      await rm(path, { force: true });
      dirs.add(dirname(path));
    }
    // Empty set folders are removed too, so a pruned store does not fill with empty directories.
    for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
      for (let d = dir; d.startsWith(this.root + sep); d = dirname(d)) {
        if ((await readdir(d).catch(() => ['x'])).length > 0) break;
        await rmdir(d).catch(() => undefined);
      }
    }
  }
}
